/**
 * Response rewriting: every response that carries a broker address is rewritten so that a client only ever
 * learns gateway addresses, and ApiVersions is cut down to what the gateway understands.
 *
 * <p>One {@link dev.switchboard.datapath.rewrite.ResponseRewriter} per API key. A response whose API key has no
 * rewriter is never decoded. One whose rewriter leaves it unchanged is forwarded as the original bytes.
 */
package dev.switchboard.datapath.rewrite;
