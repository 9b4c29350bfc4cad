/**
 * The gateway's configuration as records that validate themselves.
 *
 * <p>Every record checks its own fields in its compact constructor and throws {@link
 * dev.switchboard.config.ConfigException} naming the offending key. {@link dev.switchboard.config.ConfigLoader}
 * reads YAML into these records and turns every failure into one message naming the file, the full key path
 * and what is wrong.
 */
package dev.switchboard.config;
