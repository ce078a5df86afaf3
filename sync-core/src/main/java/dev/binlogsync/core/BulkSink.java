package dev.binlogsync.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Writes bulks of document actions, asynchronously: {@code ElasticsearchSink} in
 * {@code sync-elasticsearch}, {@code dev.binlogsync.core.testing.RecordingBulkSink} in tests.
 *
 * <p><b>Contract.</b> {@link #execute} returns at once; the stage completes with exactly one
 * {@link ItemResult} per action, in the order of {@code actions}. A whole-request failure completes
 * the stage exceptionally: with a {@link RetriableSyncException} when trying again may help
 * (connection refused, timeout, 429, 5xx), with another exception otherwise. When the failed request
 * may still be applied by the server later (a timeout or reset after it was sent, a 502/503/504 from
 * a proxy), the failure must be a {@link RequestInDoubtException}: the pipeline then holds back
 * newer writes of its documents for the exception's fence; a plain {@link RetriableSyncException}
 * promises that nothing of the request will be applied. A sink must not re-send a request by
 * itself after such a failure (the pipeline decides, and knows what is in doubt). A sink that must
 * split a request the server finds too large (413) does so itself and still answers per action.
 *
 * <p><b>Threading.</b> {@link #execute} is called by the pipeline thread; stages may complete on
 * any thread (the pipeline hands results back to its own thread). Several calls may be in flight
 * at once; the pipeline guarantees they never contain the same document.
 */
public interface BulkSink extends AutoCloseable {

    /** Called once by the pipeline before the first {@link #execute}. Default: nothing. */
    default void start() {
    }

    /**
     * Writes {@code actions} as one bulk request.
     *
     * @param actions non-empty; the list is not modified by the pipeline afterwards
     * @return per-action results in order, or an exceptional completion for a whole-request failure
     */
    CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions);

    /**
     * How long after a request failed in doubt the server may still apply it: the fence of this
     * sink's {@link RequestInDoubtException}s, for a caller that must wait it out without such a
     * failure in hand (a backfill verifying a chunk an earlier run left with creates in flight).
     * Default {@link Duration#ZERO}: the sink does not say (a caller then keeps its own default).
     */
    default Duration lateWriteFence() {
        return Duration.ZERO;
    }

    /**
     * Whether a partial write ({@link ActionType#UPSERT}, {@link ActionType#UPDATE}) replaces each
     * top-level field whole, objects included (a {@link PartialObject} key by key), rather than
     * merging objects key by key at every depth as Elasticsearch's {@code doc} does. The pipeline
     * asks after {@link #start()} and coalesces its buffered writes of one document the same way,
     * so a coalesced write leaves what the writes one by one leave. Default true (what
     * {@code RecordingBulkSink} models); a decorator passes its delegate's answer on.
     */
    default boolean replacesObjectFields() {
        return true;
    }

    /** Releases what the sink owns (not a client the user handed in). Default: nothing. */
    @Override
    default void close() {
    }
}
