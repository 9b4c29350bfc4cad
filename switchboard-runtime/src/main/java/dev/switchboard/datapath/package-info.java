/**
 * The data path: how a Kafka client's bytes reach an upstream broker and back.
 *
 * <p>A client channel's pipeline, in order:
 * <pre>
 *   [tls]             reserved: client-side TLS termination is added here
 *   frame-decoder     {@link dev.switchboard.datapath.KafkaFrameDecoder}: size-prefixed frames, bounded
 *   request-decoder   {@link dev.switchboard.datapath.RequestHeaderDecoder}: the request header only
 *   [sasl]            reserved: client-side SASL termination is added here
 *   connection        {@link dev.switchboard.datapath.ClientConnection}: forwarding state machine
 * </pre>
 * Extensions ({@link dev.switchboard.datapath.PipelineExtension}) insert handlers by these names. Each client
 * connection owns one upstream connection on the same event loop, so per-connection state needs no locks.
 * {@link dev.switchboard.datapath.UpstreamConnector} builds that connection's pipeline and makes it ready, with
 * TLS and SASL when the cluster asks for them, before the client is read.
 * Request and response bodies stay opaque bytes unless a {@link dev.switchboard.datapath.rewrite.ResponseRewriter}
 * or the connection itself declares interest in that API key.
 */
package dev.switchboard.datapath;
