package dev.binlogsync.core;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Reads documents with their sequence number and primary term, so that a later
 * {@link DocumentAction#deleteIf conditional delete} applies only if nobody wrote them since: what the
 * backfill's verification needs. {@code ElasticsearchSink} implements it with {@code _mget}.
 *
 * <p><b>Contract.</b> {@link #read} returns at once; the stage completes with exactly one
 * {@link StoredDocument} per ref, in order, a found one with the routing it was written with
 * ({@link StoredDocument#storedRouting()}: a routing selects a shard, so a read may find a document of
 * the same id written with another routing). Each read is real-time (it sees every write acknowledged
 * before it was sent, refreshed or not). A whole-request failure completes the stage exceptionally
 * ({@link RetriableSyncException} when trying again may help); reading changes nothing, so a failed
 * read may simply be repeated. A per-document error other than a missing index fails the whole read.
 *
 * <p><b>Threading.</b> May be called from any thread; stages may complete on any thread.
 */
public interface DocumentReader {

    /**
     * Reads {@code refs}.
     *
     * @param refs non-empty
     * @return one result per ref, in order
     */
    CompletionStage<List<StoredDocument>> read(List<DocumentRef> refs);
}
