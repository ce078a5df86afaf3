package dev.binlogsync.core;

import java.util.Collection;

/**
 * Told by a {@link Source} when its partition assignment changes. Called on the pipeline thread from
 * inside {@link Source#poll}; the source may call {@link Source#commit} from within these callbacks.
 */
public interface PartitionListener {

    /** New partitions were assigned. Default: nothing. */
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
