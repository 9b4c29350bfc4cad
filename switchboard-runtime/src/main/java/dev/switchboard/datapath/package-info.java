/**
 * The data path: how a Kafka client's bytes reach an upstream broker and back, and where interceptors meet them.
 *
 * <p>A client channel's pipeline, in order:
 * <pre>
 *   [tls]             reserved: client-side TLS termination is added here
 *   frame-decoder     {@link dev.switchboard.datapath.KafkaFrameDecoder}: size-prefixed frames, bounded
 *   request-decoder   {@link dev.switchboard.datapath.RequestHeaderDecoder}: the request header only
 *   connection        {@link dev.switchboard.datapath.ClientConnection}: the connection's state machine
 * </pre>
 * Byte-level extensions ({@link dev.switchboard.datapath.PipelineExtension}) insert handlers by these names. Each
 * client connection owns one upstream connection on the same event loop, so per-connection state needs no locks.
 * {@link dev.switchboard.datapath.UpstreamConnector} builds that connection's pipeline and makes it ready, with
 * TLS and SASL when the cluster asks for them, before the client is read.
 *
 * <p>A request walks the {@link dev.switchboard.datapath.InterceptorChain} (the interceptors of
 * {@code dev.switchboard.intercept} interested in its API key) on its way upstream; what goes back to the client, in
 * request order, is the {@link dev.switchboard.datapath.ResponseRelay}'s: streamed responses, gathered ones the
 * {@link dev.switchboard.datapath.rewrite.ResponseRewriter}s and interceptors change, and local answers. Bodies stay
 * opaque bytes unless a rewriter or an interceptor declares interest in their API key.
 */
package dev.switchboard.datapath;
