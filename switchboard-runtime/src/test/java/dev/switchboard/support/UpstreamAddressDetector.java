package dev.switchboard.support;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import dev.switchboard.datapath.Listener;
import dev.switchboard.datapath.PipelineExtension;

/**
 * Watches every byte the gateway sends to clients for an upstream broker's port, in the two shapes Kafka
 * uses: as a 32-bit integer right after a host string (Metadata, FindCoordinator, ...) and as "host:port" text
 * (configs). Any hit means a client could learn an upstream address.
 */
public final class UpstreamAddressDetector implements PipelineExtension {

    private final List<byte[]> binaryPatterns = new CopyOnWriteArrayList<>();
    private final List<byte[]> textPatterns = new CopyOnWriteArrayList<>();
    private final List<String> sightings = new CopyOnWriteArrayList<>();

    /** Adds the upstream addresses to watch for, as host:port. */
    public void watch(String host, int port) {
        byte[] hostBytes = host.getBytes(StandardCharsets.UTF_8);
        byte[] binary = new byte[hostBytes.length + 4];
        System.arraycopy(hostBytes, 0, binary, 0, hostBytes.length);
        binary[hostBytes.length] = (byte) (port >>> 24);
        binary[hostBytes.length + 1] = (byte) (port >>> 16);
        binary[hostBytes.length + 2] = (byte) (port >>> 8);
        binary[hostBytes.length + 3] = (byte) port;
        binaryPatterns.add(binary);
        textPatterns.add((host + ":" + port).getBytes(StandardCharsets.UTF_8));
        textPatterns.add((":" + port).getBytes(StandardCharsets.UTF_8));
    }

    public List<String> sightings() {
        return List.copyOf(sightings);
    }

    @Override
    public void extend(ChannelPipeline pipeline, Listener listener) {
        pipeline.addFirst("upstream-address-detector", new Handler(listener));
    }

    @ChannelHandler.Sharable
    private final class Handler extends ChannelOutboundHandlerAdapter {
        private final Listener listener;

        Handler(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof ByteBuf buf) {
                inspect(buf);
            }
            ctx.write(msg, promise);
        }

        private void inspect(ByteBuf buf) {
            byte[] bytes = ByteBufUtil.getBytes(buf, buf.readerIndex(), buf.readableBytes(), false);
            for (byte[] pattern : binaryPatterns) {
                if (contains(bytes, pattern)) {
                    sightings.add("binary upstream address sent to a client on " + listener + ": "
                            + ByteBufUtil.hexDump(pattern));
                }
            }
            for (byte[] pattern : textPatterns) {
                if (contains(bytes, pattern)) {
                    sightings.add("text upstream address sent to a client on " + listener + ": "
                            + new String(pattern, StandardCharsets.UTF_8));
                }
            }
        }
    }

    /** Linear in practice: every pattern starts with a byte ('l' or ':') that record data rarely repeats. */
    static boolean contains(byte[] haystack, byte[] needle) {
        byte first = needle[0];
        int last = haystack.length - needle.length;
        for (int i = 0; i <= last; i++) {
            if (haystack[i] != first) {
                continue;
            }
            int j = 1;
            while (j < needle.length && haystack[i + j] == needle[j]) {
                j++;
            }
            if (j == needle.length) {
                return true;
            }
        }
        return false;
    }
}
