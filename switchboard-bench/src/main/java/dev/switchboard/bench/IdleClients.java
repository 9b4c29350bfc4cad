package dev.switchboard.bench;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * Holds many client connections open and silent, as a fleet of idle Kafka clients would. With {@code handshake},
 * each connection first completes an ApiVersions round trip, as every real client does, so the gateway has
 * an upstream connection for it too. Prints {@code READY n}, then holds until its standard input closes.
 *
 * <p>Arguments: host port count handshake(true|false)
 */
public final class IdleClients {

    private IdleClients() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        boolean handshake = Boolean.parseBoolean(args[3]);
        byte[] apiVersions = apiVersionsRequest();
        List<Socket> sockets = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 30_000);
            socket.setSoTimeout(30_000);
            if (handshake) {
                socket.getOutputStream().write(apiVersions);
                DataInputStream in = new DataInputStream(socket.getInputStream());
                in.readFully(new byte[in.readInt()]);
            }
            sockets.add(socket);
        }
        System.out.println("READY " + sockets.size());
        System.out.flush();
        while (System.in.read() >= 0) {
            // hold the connections until the benchmark closes our stdin
        }
        for (Socket socket : sockets) {
            socket.close();
        }
    }

    private static byte[] apiVersionsRequest() throws IOException {
        short version = 3;
        ByteBuffer body = RequestUtils.serialize(new RequestHeaderData().setRequestApiKey(ApiKeys.API_VERSIONS.id)
                        .setRequestApiVersion(version).setCorrelationId(1).setClientId("idle"),
                ApiKeys.API_VERSIONS.requestHeaderVersion(version),
                new ApiVersionsRequestData().setClientSoftwareName("idle").setClientSoftwareVersion("1"), version);
        ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body);
        return frame.array();
    }
}
