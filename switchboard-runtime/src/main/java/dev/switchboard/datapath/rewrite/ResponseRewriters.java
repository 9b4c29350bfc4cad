package dev.switchboard.datapath.rewrite;

import java.util.List;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * The rewriters that keep upstream addresses and node ids from reaching clients, by API key. They run on a response
 * before any interceptor sees it. One rewriter per API key: a second one for the same key is refused, so none can
 * silently replace another.
 */
public final class ResponseRewriters {

    private final ResponseRewriter<?>[] byApiKey = new ResponseRewriter<?>[Short.MAX_VALUE];

    public ResponseRewriters(List<ResponseRewriter<?>> rewriters) {
        for (ResponseRewriter<?> rewriter : rewriters) {
            ResponseRewriter<?> existing = byApiKey[rewriter.apiKey().id];
            if (existing != null) {
                throw new IllegalArgumentException("two rewriters for " + rewriter.apiKey().name + ": "
                        + existing.getClass().getSimpleName() + " and " + rewriter.getClass().getSimpleName());
            }
            byApiKey[rewriter.apiKey().id] = rewriter;
        }
    }

    /** Every rewriter a gateway needs so that no upstream address reaches a client. */
    public static ResponseRewriters standard() {
        return new ResponseRewriters(List.of(new ApiVersionsRewriter(), new MetadataRewriter(), new FindCoordinatorRewriter(),
                new DescribeClusterRewriter(), new DescribeConfigsRewriter(), new ProduceRewriter(), new ShareFetchRewriter(),
                new ShareAcknowledgeRewriter(), new DescribeTopicPartitionsRewriter(), new FetchRewriter(),
                new OffsetCommitRewriter()));
    }

    /** Whether a response of this API and version must be decoded for rewriting. This is the hot-path check. */
    public boolean interestedIn(ApiKeys apiKey, short version) {
        ResponseRewriter<?> rewriter = byApiKey[apiKey.id];
        return rewriter != null && rewriter.appliesTo(version);
    }

    /**
     * Rewrites a decoded response in place, if a rewriter exists for its API, whatever its version (the connection
     * may ask for one that {@link #interestedIn} declined, such as a Fetch behind other node ids). Returns whether
     * anything changed.
     */
    public boolean rewrite(ApiKeys apiKey, short version, ApiMessage body, RewriteContext context) {
        ResponseRewriter<?> rewriter = byApiKey[apiKey.id];
        return rewriter != null && apply(rewriter, body, version, context);
    }

    @SuppressWarnings("unchecked")
    private static <T extends ApiMessage> boolean apply(ResponseRewriter<T> rewriter, ApiMessage body, short version,
                                                        RewriteContext context) {
        return rewriter.rewrite((T) body, version, context);
    }
}
