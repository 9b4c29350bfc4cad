package dev.switchboard.datapath;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's listening sockets: the bootstrap port, and one port per node that is opened as soon as the
 * node is given a port. Client channels and their upstream channels share the worker event loops.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

    /**
     * Per-channel write buffer bounds. Above the high mark the other side stops being read, so a slow reader
     * or a slow broker costs at most this much plus one frame per connection.
     */
    public static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final Transport transport;
    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final String bindHost;
    private final List<PipelineExtension> extensions;
    private final Map<Integer, ChannelFuture> listening = new ConcurrentHashMap<>();
    private volatile DataPath dataPath;

    public GatewayServer(Transport transport, int workerThreads, String bindHost, List<PipelineExtension> extensions) {
        this.transport = transport;
        this.acceptors = transport.newGroup(1);
        this.workers = transport.newGroup(workerThreads);
        this.bindHost = bindHost;
        this.extensions = List.copyOf(extensions);
    }

    /** The data path must be set before any port opens; it refers back to this server for node ports. */
    public void attach(DataPath dataPath) {
        this.dataPath = dataPath;
    }

    public Transport transport() {
        return transport;
    }

    /** Opens a port and waits until it listens; fails with the port and the cause if it cannot. */
    public void open(Listener listener) {
        ChannelFuture bound = bind(listener).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalStateException("cannot listen on " + bindHost + ":" + listener.port() + " for " + listener
                    + ": " + bound.cause().getMessage(), bound.cause());
        }
    }

    /** Opens a port without waiting, so event loops may call it; a failure is logged. */
    public void openAsync(Listener listener) {
        bind(listener);
    }

    private synchronized ChannelFuture bind(Listener listener) {
        ChannelFuture existing = listening.get(listener.port());
        if (existing != null) {
            return existing;
        }
        ChannelFuture bound = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ClientPipeline(dataPath, listener, extensions))
                .bind(bindHost, listener.port());
        listening.put(listener.port(), bound);
        bound.addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                LOG.info("Listening on {}:{} for {}", bindHost, listener.port(), listener);
            } else {
                listening.remove(listener.port(), f);
                LOG.error("Cannot listen on {}:{} for {}: {}", bindHost, listener.port(), listener, f.cause().toString());
            }
        });
        return bound;
    }

    @Override
    public void close() {
        listening.values().forEach(f -> f.channel().close());
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
