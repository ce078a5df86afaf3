package dev.binlogsync.core.backfill;

import java.time.Duration;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * A snapshot of a backfill's progress, after a chunk is done (created, acknowledged and verified).
 *
 * @param table the table being loaded, {@code database.table}
 * @param rowsDone rows of this table read in done chunks, this run
 * @param rowsPerSecond rows done per second of this table's run so far (0 before the first chunk)
 * @param estimatedRowsLeft the rows still to read, estimated from the key range (a numeric single
 *     key: the share of {@code MIN..MAX} not yet passed) or else from {@code COUNT(*)} at the start
 *     minus the rows done; null when unknown
 * @param created documents created by this run
 * @param existed creates that found the document present (the stream's copy is kept)
 * @param resurrectionsRemoved snapshot copies of rows deleted, filtered out or moved (to another
 *     index or routing) meanwhile, removed by the verification
 * @param chunksDone chunks of this table done this run
 * @param yielded the time this table's run waited for the stream before its chunks
 *     ({@link Backfill.Builder#yieldTo(StreamLatency, java.time.Duration)}); zero without it
 */
public record BackfillProgress(String table, long rowsDone, double rowsPerSecond, @Nullable Long estimatedRowsLeft,
        long created, long existed, long resurrectionsRemoved, long chunksDone, Duration yielded) {

    public BackfillProgress {
        Objects.requireNonNull(yielded, "yielded");
    }

    /** A progress without time yielded to the stream. */
    public BackfillProgress(String table, long rowsDone, double rowsPerSecond, @Nullable Long estimatedRowsLeft,
            long created, long existed, long resurrectionsRemoved, long chunksDone) {
        this(table, rowsDone, rowsPerSecond, estimatedRowsLeft, created, existed, resurrectionsRemoved, chunksDone,
                Duration.ZERO);
    }
}
