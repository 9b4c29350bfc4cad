package dev.switchboard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HaproxyProcessTest {

    @TempDir
    Path directory;

    @Test
    void findsHaproxyInAnSbinDirectoryThatIsNotOnThePath() throws Exception {
        Path sbin = Files.createDirectory(directory.resolve("sbin"));
        Path haproxy = Files.createFile(sbin.resolve("haproxy"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));

        assertThat(HaproxyProcess.find(directory + File.pathSeparator + "/nonexistent", List.of(sbin.toString())))
                .contains(haproxy);
    }

    @Test
    void findsNothingWhereThereIsNoExecutableHaproxy() throws Exception {
        Files.createFile(directory.resolve("haproxy"));

        assertThat(HaproxyProcess.find(directory.toString(), List.of())).isEmpty();
        assertThat(HaproxyProcess.find("", List.of())).isEmpty();
    }
}
