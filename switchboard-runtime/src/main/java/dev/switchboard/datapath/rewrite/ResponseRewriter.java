package dev.switchboard.datapath.rewrite;

import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Rewrites one kind of response in place.
 *
 * @param <T> the generated response message class
 */
public interface ResponseRewriter<T extends ApiMessage> {

    ApiKeys apiKey();

    /** Whether responses of this version can carry anything to rewrite; others are not even decoded. */
    default boolean appliesTo(short version) {
        return true;
    }

    /** Rewrites {@code response}; returns whether anything changed, so unchanged responses keep their bytes. */
    boolean rewrite(T response, short version, RewriteContext context);
}
