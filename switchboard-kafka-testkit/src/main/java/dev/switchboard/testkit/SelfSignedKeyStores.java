package dev.switchboard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate: a PKCS12 key store with its key, and a PKCS12 trust store with the certificate
 * alone, both under one password. Made by the JDK's own keytool at test time, so no key material is committed.
 */
public record SelfSignedKeyStores(Path keyStore, Path trustStore, String password) {

    /** The names a broker on this machine is reached by. */
    public static final String LOCAL_NAMES = "dns:localhost,ip:127.0.0.1";

    /**
     * Creates {@code <alias>.keystore.p12} and {@code <alias>.truststore.p12} in {@code dir}.
     *
     * @param subjectAlternativeNames keytool's SAN syntax, e.g. {@link #LOCAL_NAMES}
     */
    public static SelfSignedKeyStores create(Path dir, String alias, String subjectAlternativeNames) {
        return create(dir, alias, subjectAlternativeNames, "CN=" + alias, UUID.randomUUID().toString());
    }

    /**
     * As {@link #create(Path, String, String)}, with the certificate's subject and the stores' password given: for a
     * certificate that replaces another under the same password, or a client certificate with a subject of several parts.
     */
    public static SelfSignedKeyStores create(Path dir, String alias, String subjectAlternativeNames, String subject, String password) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        Path keyStore = dir.resolve(alias + ".keystore.p12");
        Path certificate = dir.resolve(alias + ".crt");
        Path trustStore = dir.resolve(alias + ".truststore.p12");
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "30",
                "-dname", subject, "-ext", "SAN=" + subjectAlternativeNames,
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", keyStore.toString(), "-storetype", "PKCS12",
                "-storepass", password, "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", alias, "-file", certificate.toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", password);
        return new SelfSignedKeyStores(keyStore, trustStore, password);
    }

    /** The certificate alone, PEM, as {@code <alias>.crt} beside the stores: what kcat's {@code ssl.ca.location} takes. */
    public Path certificate() {
        String name = keyStore.getFileName().toString();
        return keyStore.resolveSibling(name.substring(0, name.length() - ".keystore.p12".length()) + ".crt");
    }

    private static void keytool(String... arguments) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run keytool " + arguments[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running keytool " + arguments[0], e);
        }
    }
}
