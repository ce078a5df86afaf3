package dev.binlogsync.elasticsearch;

import dev.binlogsync.core.backfill.BackfillListener;
import dev.binlogsync.core.backfill.BackfillProgress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A backfill listener that holds the backfill after each chunk until a concurrent writer has made
 * {@code perChunk} more changes, so the backfill and the writer interleave on any machine instead of
 * the backfill finishing before the writer got going. It gives up waiting when {@code stop} says so
 * (the writer failed) or after a minute; the test's own count of changes then fails.
 */
final class PaceByChanges implements BackfillListener {
    private final AtomicInteger changes;
    private final int perChunk;
    private final BooleanSupplier stop;
    private int chunks;

    PaceByChanges(AtomicInteger changes, int perChunk, BooleanSupplier stop) {
        this.changes = changes;
        this.perChunk = perChunk;
        this.stop = stop;
    }

    /** The chunks done so far; read it on the backfill's thread or after its run. */
    int chunks() {
        return chunks;
    }

    @Override
    public void chunkDone(BackfillProgress progress) {
        int target = perChunk * ++chunks;
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (changes.get() < target && !stop.getAsBoolean() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
