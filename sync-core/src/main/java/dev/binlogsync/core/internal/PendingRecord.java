package dev.binlogsync.core.internal;

import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.util.List;
import javax.annotation.Nullable;

/**
 * A source record the pipeline has read and not yet finished: it counts the references held by
 * buffered or in-flight actions and dead letters that came from it. Pipeline thread only.
 */
final class PendingRecord {
    final PartitionTracker tracker;
    SourcePosition position;
    /** The record; null once processed unless its raw bytes are kept (see {@link #shed}). */
    @Nullable SourceRecord record;
    int refs = 1;
    /** What this record counts for in its tracker's {@link PartitionTracker#pendingBytes()} while queued. */
    long rawBytes;
    /** The oldest binlog event time of the record's events, epoch ms; 0 when unknown. */
    long eventTimeMillis;

    PendingRecord(PartitionTracker tracker, SourceRecord record) {
        this.tracker = tracker;
        this.record = record;
        this.position = record.position();
    }

    /** Adds a reference (an action or dead letter now depends on this record). */
    void retain() {
        refs++;
    }

    /**
     * Forgets what is not needed once processed: the decoded events always, the whole record
     * (raw key and value included) unless {@code keepRaw}; the position stays.
     */
    void shed(boolean keepRaw) {
        if (!keepRaw) {
            record = null;
        } else if (!record.events().isEmpty()) {
            record = new SourceRecord(record.position(), List.of(), record.key(), record.value(),
                    record.timestampMillis(), record.failure());
        }
    }

    /**
     * The raw key and value sizes of {@code r} plus 96 bytes for the record and bookkeeping
     * objects; only those 96 when the record was shed ({@code r} null).
     */
    static long rawBytes(@Nullable SourceRecord r) {
        if (r == null) {
            return 96L;
        }
        byte[] key = r.key();
        byte[] value = r.value();
        return 96L + (key == null ? 0 : key.length) + (value == null ? 0 : value.length);
    }

    public SourcePosition position() {
        return position;
    }

    @Override
    public String toString() {
        return position + "(refs=" + refs + ")";
    }
}
