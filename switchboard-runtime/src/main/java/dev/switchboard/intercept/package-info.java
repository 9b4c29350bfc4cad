/**
 * The interception layer's public API: the one place where a gateway feature meets individual Kafka requests and
 * responses.
 *
 * <p>An {@link dev.switchboard.intercept.InterceptorFactory} makes one {@link dev.switchboard.intercept.Interceptor}
 * per client connection. The interceptor declares its {@link dev.switchboard.intercept.Interest} (which API keys,
 * on which side), and sees only those frames, decoded into kafka-clients' generated {@code *Data} classes at the
 * version the client used. For each it returns a {@link dev.switchboard.intercept.RequestAction} or
 * {@link dev.switchboard.intercept.ResponseAction}: forward (possibly modified), answer locally, delay, drop or
 * close. Frames nobody is interested in are never decoded.
 *
 * <p>Whatever interceptors do, the data path keeps per-connection response order and correlation ids, never
 * answers an {@code acks=0} produce, keeps backpressure, and closes only the offending connection when an
 * interceptor throws. How to write one: {@code docs/interceptors.md}.
 */
package dev.switchboard.intercept;
