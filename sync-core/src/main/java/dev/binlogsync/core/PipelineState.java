package dev.binlogsync.core;

/**
 * The lifecycle of a {@link SyncPipeline}: {@code NEW -> RUNNING -> CLOSED | FAILED}, or
 * {@code NEW -> CLOSED}. Read with {@link SyncPipeline#state()}; changes are reported to
 * {@link PipelineListener#onStateChange}.
 */
public enum PipelineState {
    /** Built, not started. */
    NEW,
    /**
     * Started, by {@link SyncPipeline#start()} or {@link SyncPipeline#run()}; also while draining
     * after {@link SyncPipeline#close()}.
     */
    RUNNING,
    /** Stopped on a failure ({@link SyncPipeline#failure()}); terminal. */
    FAILED,
    /** Closed; terminal. */
    CLOSED
}
