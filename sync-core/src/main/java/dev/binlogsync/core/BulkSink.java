package dev.binlogsync.core;

import java.util.List;
import java.util.concurrent.CompletionStage;
import javax.annotation.Nullable;

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
 *
 * <p><b>Preparing.</b> A sink may also encode each action when the pipeline buffers it, rather
 * than when its bulk is sent: {@link #prepare} returns the action's encoded form, which the
 * pipeline keeps with the action and hands back to {@link #execute(List, List)}. A buffered action
 * waits for hundreds of milliseconds under load, by which time its document has left the CPU
 * caches; encoding it while it is fresh costs less, and the length of the encoded form is an
 * exact size for the pipeline's bulk and buffer limits instead of an estimate. Both methods have
 * defaults (prepare nothing; execute the actions alone), so a sink, or a decorator that wraps
 * one, implements them only to take part; a decorator that forwards {@link #execute(List)}
 * but not these still works, with nothing prepared.
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
     * Optionally encodes {@code action} when the pipeline buffers it (see "Preparing" above).
     * Called on the pipeline thread for each action buffered, and for the action that replaces a
     * buffered one when they coalesce; an action whose fields were merged into a buffered one is
     * not prepared again, and reaches {@link #execute(List, List)} with {@code null}. A prepared
     * action may thus be superseded and never sent.
     *
     * <p>The returned bytes must be exactly what this sink would send for {@code action} alone,
     * and their length counts as the action's size toward the pipeline's {@code maxBulkSize} and
     * {@code maxBufferedBytes}. The pipeline never modifies them. An exception is not an error of
     * the action: the pipeline keeps it unprepared, and {@link #execute} meets the same problem.
     *
     * @param action the action as it will be sent; not to be modified
     * @return the action's encoded form, or {@code null} to prepare nothing (the default)
     */
    @Nullable
    default byte[] prepare(DocumentAction action) {
        return null;
    }

    /**
     * Writes {@code actions} as one bulk request, with what {@link #prepare} returned for each
     * (element {@code i} for action {@code i}; {@code null} for an action not prepared). Same
     * contract as {@link #execute(List)}. The pipeline always calls this method; the default calls
     * {@code execute(actions)}, ignoring {@code prepared}.
     *
     * @param actions non-empty; the list is not modified by the pipeline afterwards
     * @param prepared the same size as {@code actions}; not modified by the pipeline afterwards
     * @return per-action results in order, or an exceptional completion for a whole-request failure
     */
    default CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions, List<byte[]> prepared) {
        return execute(actions);
    }

    /** Releases what the sink owns (not a client the user handed in). Default: nothing. */
    @Override
    default void close() {
    }
}
