package dev.binlogsync.core.internal;

import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.util.List;

/**
 * A source record the pipeline has read and not yet finished: it counts the references held by
 * buffered or in-flight actions and dead letters that came from it. Pipeline thread only.
 */
public final class PendingRecord {
    final PartitionTracker tracker;
    SourcePosition position;
    SourceRecord record;
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

    /** Forgets the decoded events once processed: only position and raw bytes are needed later. */
    void shed() {
        if (!record.events().isEmpty()) {
            record = new SourceRecord(record.position(), List.of(), record.key(), record.value(),
                    record.timestampMillis(), record.failure());
        }
    }

    /** The raw key and value sizes of {@code r} plus 96 bytes for the record and bookkeeping objects. */
    static long rawBytes(SourceRecord r) {
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
