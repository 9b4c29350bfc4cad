/**
 * The {@code switchboard} command. Each verb is one picocli command class: {@code serve} runs a gateway from
 * a YAML file, {@code demo} runs one in front of two embedded clusters.
 */
package dev.switchboard.app;
