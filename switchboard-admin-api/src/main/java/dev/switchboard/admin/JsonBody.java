package dev.switchboard.admin;

import java.io.IOException;
import java.io.InputStream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;

/** A request body that must be one JSON object, read with a bound on its size. */
final class JsonBody {

    private JsonBody() {
    }

    /** The body as a JSON object; throws {@link BadBody} saying what is wrong, with {@code example} of a good one. */
    static JsonNode object(HttpExchange exchange, int maxBytes, String example) {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new BadBody(413, "request body exceeds " + maxBytes + " bytes");
            }
            JsonNode body = bytes.length == 0 ? null : Json.MAPPER.readTree(bytes);
            if (body == null || !body.isObject()) {
                throw new BadBody(400, "request body must be a JSON object like " + example);
            }
            return body;
        } catch (JsonProcessingException e) {
            throw new BadBody(400, "request body is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadBody(400, "request body cannot be read: " + e.getMessage());
        }
    }

    /** A body that cannot be used: the status to answer and why. */
    static final class BadBody extends RuntimeException {
        private final int status;

        BadBody(int status, String message) {
            super(message);
            this.status = status;
        }

        Response response() {
            return Response.error(status, getMessage());
        }
    }
}
