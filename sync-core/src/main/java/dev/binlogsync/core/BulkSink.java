package dev.binlogsync.core;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Writes bulks of document actions, asynchronously: {@code ElasticsearchSink} in
 * {@code sync-elasticsearch}, {@code dev.binlogsync.core.testing.RecordingBulkSink} in tests.
 *
 * <p><b>Contract.</b> {@link #execute} returns at once; the stage completes with exactly one
 * {@link ItemResult} per action, in the order of {@code actions}. A whole-request failure completes
 * the stage exceptionally: with a {@link RetriableSyncException} when trying again may help
 * (connection refused, timeout, 429, 5xx), with another exception otherwise. A sink that must
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

    /** Releases what the sink owns (not a client the user handed in). Default: nothing. */
    @Override
    default void close() {
    }
}
