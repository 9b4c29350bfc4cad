package dev.switchboard.datapath;

import java.util.List;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * Builds the pipeline of each accepted client channel. The stage names are where a {@link PipelineExtension} adds its
 * byte-level handlers; request-level features are interceptors instead.
 */
public final class ClientPipeline extends ChannelInitializer<SocketChannel> {

    public static final String FRAME_DECODER = "frame-decoder";
    public static final String REQUEST_DECODER = "request-decoder";
    public static final String CONNECTION = "connection";

    private final DataPath dataPath;
    private final Listener listener;
    private final List<PipelineExtension> extensions;

    ClientPipeline(DataPath dataPath, Listener listener, List<PipelineExtension> extensions) {
        this.dataPath = dataPath;
        this.listener = listener;
        this.extensions = extensions;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channel.pipeline()
                .addLast(FRAME_DECODER, new KafkaFrameDecoder(dataPath.maxFrameBytes()))
                .addLast(REQUEST_DECODER, new RequestHeaderDecoder())
                .addLast(CONNECTION, new ClientConnection(dataPath, listener));
        for (PipelineExtension extension : extensions) {
            extension.extend(channel.pipeline(), listener);
        }
    }
}
