/**
 * Identity at the gateway: who a client is, proved to the gateway itself, before anything reaches a broker.
 *
 * <p>{@link dev.switchboard.security.ScramUsers} keeps the SCRAM users the gateway authenticates, salted, and makes the
 * SASL servers that check them: Kafka's own SCRAM and PLAIN implementations, so a client's exchange with the gateway is
 * the one it has with a broker. A PLAIN password is checked against the same salted credentials.
 */
package dev.switchboard.security;
