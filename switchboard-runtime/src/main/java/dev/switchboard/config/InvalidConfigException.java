package dev.switchboard.config;

import java.nio.file.Path;

/** A config file that cannot start the gateway: names the file, the key and what is wrong. */
public final class InvalidConfigException extends RuntimeException {

    public InvalidConfigException(Path file, String key, String problem) {
        super(file + ": " + key + ": " + problem);
    }
}
