/**
 * The admin HTTP API: a handful of resources, served by the JDK's HTTP server so the data path's Netty and
 * the Jetty that Kafka Connect brings stay out of each other's way.
 *
 * <pre>
 *   GET /health/live     the process is up
 *   GET /health/ready    the active cluster answered its last check
 *   GET /metrics         Prometheus text format
 *   GET /api/v1/status   clusters, listeners, connections by client id
 * </pre>
 */
package dev.switchboard.admin;
