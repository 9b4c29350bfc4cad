package dev.switchboard.intercept;

import java.util.EnumSet;
import java.util.Set;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Which frames an interceptor wants to see: API keys on the request side, API keys on the response side, and how
 * big a response may be before it streams past unseen.
 *
 * <p>A frame that no interceptor of its connection is interested in stays an opaque frame: it is not decoded and not
 * copied. Build interests once and keep them in constants; {@link Interceptor#interest()} only picks one.
 */
public final class Interest {

    /** Interested in nothing: the data path does no work for this interceptor. */
    public static final Interest NONE = new Interest(new boolean[0], new boolean[0], Integer.MAX_VALUE);

    private static final int TABLE_SIZE = maxApiId() + 1;

    private final boolean[] requests;
    private final boolean[] responses;
    private final int maxResponseBytes;

    private Interest(boolean[] requests, boolean[] responses, int maxResponseBytes) {
        this.requests = requests;
        this.responses = responses;
        this.maxResponseBytes = maxResponseBytes;
    }

    public static Interest requests(ApiKeys... apis) {
        return NONE.andRequests(apis);
    }

    public static Interest responses(ApiKeys... apis) {
        return NONE.andResponses(apis);
    }

    /** Every request of every API the gateway forwards. */
    public static Interest allRequests() {
        return requests(ApiKeys.values());
    }

    public Interest andRequests(ApiKeys... apis) {
        return new Interest(with(requests, apis), responses, maxResponseBytes);
    }

    public Interest andResponses(ApiKeys... apis) {
        return new Interest(requests, with(responses, apis), maxResponseBytes);
    }

    /** What this interest or {@code other} wants; responses stream past unseen only above both size limits. */
    public Interest and(Interest other) {
        boolean[] bothRequests = with(requests);
        boolean[] bothResponses = with(responses);
        for (int i = 0; i < other.requests.length; i++) {
            bothRequests[i] |= other.requests[i];
        }
        for (int i = 0; i < other.responses.length; i++) {
            bothResponses[i] |= other.responses[i];
        }
        return new Interest(bothRequests, bothResponses, Math.max(maxResponseBytes, other.maxResponseBytes));
    }

    /**
     * Responses larger than this (size prefix included) are not shown, so they keep streaming to the client as they
     * arrive instead of being gathered whole.
     */
    public Interest responsesUpTo(int maxBytes) {
        if (maxBytes < 8) {
            throw new IllegalArgumentException("maxBytes must be at least 8, was " + maxBytes);
        }
        return new Interest(requests, responses, maxBytes);
    }

    public boolean inRequests(ApiKeys api) {
        return api.id < requests.length && requests[api.id];
    }

    /** @param frameBytes the response's size, size prefix included */
    public boolean inResponses(ApiKeys api, int frameBytes) {
        return api.id < responses.length && responses[api.id] && frameBytes <= maxResponseBytes;
    }

    public Set<ApiKeys> requestKeys() {
        return keys(requests);
    }

    public Set<ApiKeys> responseKeys() {
        return keys(responses);
    }

    private static boolean[] with(boolean[] table, ApiKeys... apis) {
        boolean[] copy = new boolean[TABLE_SIZE];
        System.arraycopy(table, 0, copy, 0, table.length);
        for (ApiKeys api : apis) {
            copy[api.id] = true;
        }
        return copy;
    }

    private static Set<ApiKeys> keys(boolean[] table) {
        Set<ApiKeys> keys = EnumSet.noneOf(ApiKeys.class);
        for (ApiKeys api : ApiKeys.values()) {
            if (api.id < table.length && table[api.id]) {
                keys.add(api);
            }
        }
        return keys;
    }

    private static int maxApiId() {
        int max = 0;
        for (ApiKeys api : ApiKeys.values()) {
            max = Math.max(max, api.id);
        }
        return max;
    }

    @Override
    public String toString() {
        return "Interest[requests=" + requestKeys() + ", responses=" + responseKeys()
                + (maxResponseBytes == Integer.MAX_VALUE ? "" : ", responsesUpTo=" + maxResponseBytes) + "]";
    }
}
