/**
 * The running gateway: {@link dev.switchboard.gateway.Gateway} builds the data path from a
 * {@link dev.switchboard.config.GatewayConfig}, starts it, reports its status and stops it.
 */
package dev.switchboard.gateway;
