package dev.binlogsync.core;

import java.util.Collection;

/**
 * Hears what a {@link SyncPipeline} does. Every method has a no-op default, so implement only
 * what you need. A pipeline may have several ({@link SyncPipeline.Builder#listener}), called in the
 * order they were added.
 *
 * <p><b>Threading.</b> Called on the pipeline thread, except {@link #onStateChange} for a
 * pipeline closed before it started (called on the thread calling {@code close()}). Methods must
 * return quickly and must not call back into the pipeline except {@link SyncPipeline#state()},
 * {@link SyncPipeline#failure()} and {@link SyncPipeline#metrics()}. An exception or
 * {@link Error} thrown here is logged and otherwise ignored: a listener only observes, so its bug
 * never stops the pipeline. The exception is a {@link VirtualMachineError} other than a
 * {@link StackOverflowError} (an {@link OutOfMemoryError}, say), which fails the pipeline.
 */
public interface PipelineListener {

    /** The pipeline moved from {@code from} to {@code to}. */
    default void onStateChange(PipelineState from, PipelineState to) {
    }

    /**
     * The pipeline failed. Called once, before the state becomes {@link PipelineState#FAILED}
     * (the pipeline still drains and commits what it can first).
     */
    default void onFailure(Throwable failure) {
    }

    /** A bulk request completed, successfully or not. */
    default void onBulkCompleted(BulkSummary summary) {
    }

    /** The source was paused because the buffered actions or bytes reached their limit. */
    default void onPause() {
    }

    /** The source was resumed after a pause. */
    default void onResume() {
    }

    /**
     * The source assigned partitions; the pipeline reads and writes them whatever this method does.
     * An observer, like every method here: an exception from it is logged at WARN naming the
     * partitions and does not stop the pipeline (unlike Kafka's
     * {@code ConsumerRebalanceListener.onPartitionsAssigned}, whose exception fails the poll). So
     * it must not be where something a write depends on is prepared: a precondition of the writes
     * belongs in {@link BulkSink#start()} (which the pipeline calls before it opens the source, and
     * whose failure fails the pipeline; {@code ShadowWriteSink} restores a re-sync's shadow indexes
     * there), and a precondition of reading a partition in the {@link Source}, before it calls
     * {@link PartitionListener#onAssigned} (whose failure fails the pipeline).
     */
    default void onPartitionsAssigned(Collection<String> partitions) {
    }

    /** Partitions were revoked; called after their work was written and committed. */
    default void onPartitionsRevoked(Collection<String> partitions) {
    }

    /** Partitions were lost; their uncommitted work was dropped. */
    default void onPartitionsLost(Collection<String> partitions) {
    }
}
