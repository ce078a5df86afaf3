package dev.binlogsync.core;

import java.util.Collection;

/**
 * Told by a {@link Source} when its partition assignment changes. Called on the pipeline thread from
 * inside {@link Source#poll}; the source may call {@link Source#commit} from within these callbacks.
 * The pipeline implements it and hands it to {@link Source#open}; an application hears assignments
 * through {@link PipelineListener#onPartitionsAssigned} instead.
 *
 * <p><b>Failure.</b> An exception thrown by a callback propagates out of {@link Source#poll}, as an
 * exception from Kafka's {@code ConsumerRebalanceListener.onPartitionsAssigned} propagates out of
 * {@code KafkaConsumer.poll}; {@code KafkaSource} rethrows it from its next {@code poll} with the
 * fetched records rewound, so none is skipped. The pipeline then fails with that exception, before
 * it writes any record that poll would have returned. The pipeline's own callbacks throw only for
 * a {@link VirtualMachineError} (see {@link PipelineListener}). A source that must prepare a
 * partition before the pipeline reads it (seek, load state, take a lock) does so before it calls
 * {@link #onAssigned} and lets a failure propagate out of {@code poll} the same way, naming the
 * partitions: the pipeline never reads a partition whose preparation failed.
 */
public interface PartitionListener {

    /**
     * New partitions were assigned; the source has positioned them and returns their records from
     * this or a later {@link Source#poll}. Default: nothing.
     */
    default void onAssigned(Collection<String> partitions) {
    }

    /**
     * Partitions are about to be taken away while still owned: the pipeline writes out and commits
     * everything read from them before returning.
     */
    void onRevoked(Collection<String> partitions);

    /**
     * Partitions are already gone (session timeout, fenced): the pipeline drops their buffered
     * state without committing; the new owner reads the uncommitted records again.
     */
    void onLost(Collection<String> partitions);
}
