package dev.switchboard.datapath;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.sasl.Sasl;
import javax.security.sasl.SaslClient;
import javax.security.sasl.SaslException;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import dev.switchboard.config.SaslConfig;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.message.SaslAuthenticateRequestData;
import org.apache.kafka.common.message.SaslAuthenticateResponseData;
import org.apache.kafka.common.message.SaslHandshakeRequestData;
import org.apache.kafka.common.message.SaslHandshakeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.security.scram.internals.ScramSaslClientProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates one upstream connection with SASL before any client request is forwarded on it: a
 * SaslHandshake naming the mechanism, then SaslAuthenticate rounds until the mechanism is complete. It then
 * removes itself from the pipeline.
 *
 * <p>Its requests carry correlation ids of its own. They cannot be mistaken for a client's: the client is not
 * read until authentication has finished, so no client request is in flight while these are.
 */
final class UpstreamSaslAuthenticator extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamSaslAuthenticator.class);
    private static final short HANDSHAKE_VERSION = 1;
    private static final short AUTHENTICATE_VERSION = 2;
    private static final long TIMEOUT_MILLIS = 10_000;

    static {
        // The JDK provides the PLAIN client; Kafka provides SCRAM's.
        ScramSaslClientProvider.initialize();
    }

    private final SaslConfig config;
    private final String upstream;
    private final String host;
    private ChannelHandlerContext ctx;
    private Promise<Void> authenticated;
    private SaslClient client;
    private ScheduledFuture<?> timeout;
    private ApiKeys awaiting;
    private int correlationId;

    /**
     * @param upstream the broker and cluster, as log lines and failures name them
     * @param host     the broker's host name, which some mechanisms bind into the exchange
     */
    UpstreamSaslAuthenticator(SaslConfig config, String upstream, String host) {
        this.config = config;
        this.upstream = upstream;
        this.host = host;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.authenticated = ctx.executor().newPromise();
    }

    /** Starts authenticating, on the channel's event loop. Fails with an {@link UpstreamConnectFailure}. */
    Future<Void> authenticate() {
        try {
            client = Sasl.createSaslClient(new String[]{config.mechanism()}, null, "kafka", host, Map.of(), this::supplyCredentials);
        } catch (SaslException e) {
            fail("cannot start the " + config.mechanism() + " client: " + e.getMessage());
            return authenticated;
        }
        if (client == null) {
            fail("this JVM has no SASL client for " + config.mechanism());
            return authenticated;
        }
        timeout = ctx.executor().schedule(() -> fail("no answer within " + TIMEOUT_MILLIS + " ms"), TIMEOUT_MILLIS,
                TimeUnit.MILLISECONDS);
        send(ApiKeys.SASL_HANDSHAKE, HANDSHAKE_VERSION, new SaslHandshakeRequestData().setMechanism(config.mechanism()));
        return authenticated;
    }

    private void supplyCredentials(Callback[] callbacks) throws UnsupportedCallbackException {
        for (Callback callback : callbacks) {
            if (callback instanceof NameCallback name) {
                name.setName(config.username());
            } else if (callback instanceof PasswordCallback password) {
                password.setPassword(config.password().toCharArray());
            } else {
                // SCRAM asks for extensions too and goes without when refused.
                throw new UnsupportedCallbackException(callback);
            }
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (awaiting == null) {
                fail("the broker spoke before it was asked anything");
            } else if (!authenticated.isDone()) {
                onResponse(frame.nioBuffer(frame.readerIndex() + KafkaFrameDecoder.SIZE_PREFIX,
                        frame.readableBytes() - KafkaFrameDecoder.SIZE_PREFIX));
            }
        } catch (SaslException e) {
            fail(e.getMessage());
        } catch (RuntimeException e) {
            fail("unreadable " + awaiting.name + " response: " + e);
        } finally {
            frame.release();
        }
    }

    private void onResponse(ByteBuffer response) throws SaslException {
        ByteBufferAccessor accessor = new ByteBufferAccessor(response);
        short version = awaiting == ApiKeys.SASL_HANDSHAKE ? HANDSHAKE_VERSION : AUTHENTICATE_VERSION;
        ResponseHeaderData header = new ResponseHeaderData(accessor, awaiting.responseHeaderVersion(version));
        if (header.correlationId() != correlationId) {
            fail("response with correlation id " + header.correlationId() + " to request " + correlationId);
            return;
        }
        if (awaiting == ApiKeys.SASL_HANDSHAKE) {
            SaslHandshakeResponseData handshake = new SaslHandshakeResponseData(accessor, version);
            if (handshake.errorCode() != Errors.NONE.code()) {
                fail(Errors.forCode(handshake.errorCode()).name() + "; the broker offers " + handshake.mechanisms());
                return;
            }
            sendToken(client.hasInitialResponse() ? client.evaluateChallenge(new byte[0]) : new byte[0]);
            return;
        }
        SaslAuthenticateResponseData answer = new SaslAuthenticateResponseData(accessor, version);
        if (answer.errorCode() != Errors.NONE.code()) {
            String message = answer.errorMessage() != null ? answer.errorMessage() : Errors.forCode(answer.errorCode()).message();
            fail(Errors.forCode(answer.errorCode()).name() + ": " + message);
            return;
        }
        if (client.isComplete()) {
            succeed(answer.sessionLifetimeMs());
            return;
        }
        byte[] next = client.evaluateChallenge(answer.authBytes());
        if (next != null) {
            sendToken(next);
        } else if (client.isComplete()) {
            succeed(answer.sessionLifetimeMs());
        } else {
            fail("the " + config.mechanism() + " client had nothing to answer the broker with");
        }
    }

    private void sendToken(byte[] token) {
        send(ApiKeys.SASL_AUTHENTICATE, AUTHENTICATE_VERSION, new SaslAuthenticateRequestData().setAuthBytes(token));
    }

    private void send(ApiKeys api, short version, ApiMessage body) {
        awaiting = api;
        ctx.writeAndFlush(GatewayRequest.frame(ctx.alloc(), api, version, ++correlationId, body)).addListener((ChannelFutureListener) written -> {
            if (!written.isSuccess()) {
                fail("cannot send " + api.name + ": " + written.cause());
            }
        });
    }

    private void succeed(long sessionLifetimeMs) {
        LOG.debug("Authenticated upstream={} mechanism={} user={} sessionLifetimeMs={}", upstream, config.mechanism(),
                config.username(), sessionLifetimeMs);
        finish();
        ctx.pipeline().remove(this);
        authenticated.trySuccess(null);
    }

    private void fail(String reason) {
        if (authenticated.isDone()) {
            return;
        }
        finish();
        authenticated.tryFailure(new UpstreamConnectFailure("upstream_auth_failed", "SASL " + config.mechanism()
                + " authentication as '" + config.username() + "' with " + upstream + " failed: " + reason));
    }

    private void finish() {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (client != null) {
            try {
                client.dispose();
            } catch (SaslException e) {
                LOG.debug("Disposing the SASL client failed: {}", e.toString());
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        fail("the broker closed the connection");
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (authenticated.isDone()) {
            ctx.fireExceptionCaught(cause);
        } else {
            fail(CloseCause.describe(cause));
        }
    }
}
