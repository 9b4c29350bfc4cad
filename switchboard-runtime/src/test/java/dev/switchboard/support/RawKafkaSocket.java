package dev.switchboard.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.requests.RequestUtils;

/** A bare TCP connection that speaks Kafka frames, or deliberately does not. */
public final class RawKafkaSocket implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;
    private int correlationId;

    public RawKafkaSocket(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(15_000);
        out = socket.getOutputStream();
        in = new DataInputStream(socket.getInputStream());
    }

    /** Sends a well-formed request of any API key and version; returns its correlation id. */
    public int send(short apiKey, short apiVersion, short headerVersion, ApiMessage body) throws IOException {
        return send(apiKey, apiVersion, headerVersion, body, apiVersion);
    }

    /** As {@link #send(short, short, short, ApiMessage)}, but the header may claim a version the body is not in. */
    public int send(short apiKey, short apiVersion, short headerVersion, ApiMessage body, short bodyVersion) throws IOException {
        int id = ++correlationId;
        RequestHeaderData header = new RequestHeaderData().setRequestApiKey(apiKey).setRequestApiVersion(apiVersion)
                .setCorrelationId(id).setClientId("raw-socket");
        ByteBuffer encoded = RequestUtils.serialize(header, headerVersion, body, bodyVersion);
        sendFrame(encoded.array(), encoded.arrayOffset() + encoded.position(), encoded.remaining());
        return id;
    }

    public void sendFrame(byte[] payload, int offset, int length) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + length).putInt(length).put(payload, offset, length);
        writeRaw(frame.array());
    }

    public void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** An ApiVersions round trip on this connection; proves it is open and served. */
    public ApiVersionsResponseData apiVersions(short version) throws IOException {
        int id = send(ApiKeys.API_VERSIONS.id, version, ApiKeys.API_VERSIONS.requestHeaderVersion(version),
                new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"));
        return readApiVersions(id, version);
    }

    /** Asks with an ApiVersions version newer than anyone knows, as a newer client would. */
    public ApiVersionsResponseData apiVersionsFromTheFuture(short futureVersion) throws IOException {
        short latest = ApiKeys.API_VERSIONS.latestVersion();
        int id = send(ApiKeys.API_VERSIONS.id, futureVersion, ApiKeys.API_VERSIONS.requestHeaderVersion(latest),
                new ApiVersionsRequestData().setClientSoftwareName("raw").setClientSoftwareVersion("1"), latest);
        return readApiVersions(id, (short) 0);
    }

    private ApiVersionsResponseData readApiVersions(int id, short version) throws IOException {
        ByteBuffer response = readFrame();
        ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(response), (short) 0);
        if (header.correlationId() != id) {
            throw new IOException("response to " + header.correlationId() + " instead of " + id);
        }
        ApiVersionsResponseData data = new ApiVersionsResponseData();
        data.read(new ByteBufferAccessor(response), version);
        return data;
    }

    /** A Metadata round trip for every topic, as the cluster serving this connection has them. */
    public MetadataResponseData metadata(short version) throws IOException {
        int id = send(ApiKeys.METADATA.id, version, ApiKeys.METADATA.requestHeaderVersion(version),
                new MetadataRequestData().setTopics(null));
        ByteBufferAccessor response = new ByteBufferAccessor(readFrame());
        int answered = new ResponseHeaderData(response, ApiKeys.METADATA.responseHeaderVersion(version)).correlationId();
        if (answered != id) {
            throw new IOException("response to " + answered + " instead of " + id);
        }
        return new MetadataResponseData(response, version);
    }

    public ByteBuffer readFrame() throws IOException {
        int size = in.readInt();
        byte[] bytes = new byte[size];
        in.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }

    /** True once the gateway has closed this connection: reads reach end of stream. */
    public boolean closedByPeer() throws IOException {
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // connection reset
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
