package dev.binlogsync.core;

import java.util.concurrent.CompletionStage;

/**
 * Where things the pipeline cannot write go when the failure policy is
 * {@link FailurePolicy#DEAD_LETTER}: a Kafka topic ({@code KafkaDeadLetterSink}), a log table, a
 * list in a test. Once the stage completes normally, the dead letter counts as done and the
 * source position may be committed past it; an exceptional completion is retried like a failed
 * bulk (a {@link RetriableSyncException}) or stops the pipeline (anything else).
 *
 * <p>Called on the pipeline thread; stages may complete on any thread.
 */
@FunctionalInterface
public interface DeadLetterSink extends AutoCloseable {

    /** Stores {@code letter}; the stage completes when it is durably stored. */
    CompletionStage<Void> send(DeadLetter letter);

    /** Releases what the sink owns. Default: nothing. */
    @Override
    default void close() {
    }
}
