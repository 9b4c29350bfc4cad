package dev.switchboard.app;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine;

/** The version from the jar manifest, or "dev" when run from classes. */
final class Version implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[]{"switchboard " + (version == null ? "dev" : version) + " (Kafka "
                + AppInfoParser.getVersion() + ")"};
    }
}
