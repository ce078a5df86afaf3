package dev.binlogsync.core.backfill;

import javax.annotation.Nullable;

/**
 * Where a {@link Backfill} keeps its {@link Checkpoint} per table, so that a new run continues where
 * the last one stopped. {@link InMemoryCheckpointStore} for tests; {@code ElasticsearchCheckpointStore}
 * in {@code sync-elasticsearch} keeps them in an index.
 *
 * <p><b>Contract.</b> {@link #save} returns only once the checkpoint is durable (a later
 * {@link #load}, also from another process, sees it); a failure throws: a
 * {@link dev.binlogsync.core.RetriableSyncException} when trying again may help (the backfill retries
 * it, up to its {@code maxRetries}), anything else stops the backfill. A save that failed but may
 * still be applied later must not replace a newer save when it lands (make saves conditional, as
 * {@code ElasticsearchCheckpointStore} does): a retry or a new run saves again after it. Called by the backfill's one thread; an implementation shared by several backfills must be
 * thread-safe.
 */
public interface CheckpointStore {

    /**
     * The checkpoint saved for {@code table}, or null when there is none.
     *
     * @param table {@code database.table}
     */
    @Nullable
    Checkpoint load(String table);

    /**
     * Replaces the checkpoint of {@code table}.
     *
     * @param table {@code database.table}
     */
    void save(String table, Checkpoint checkpoint);
}
