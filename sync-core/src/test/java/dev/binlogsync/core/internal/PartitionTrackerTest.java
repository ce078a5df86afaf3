package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartitionTrackerTest {
    private final PartitionTracker t = new PartitionTracker("p");

    private PendingRecord read(long offset, int actions) {
        PendingRecord r = t.begin(SourceRecord.of(new SourcePosition("p", offset), List.of()));
        for (int i = 0; i < actions; i++) {
            r.retain();
        }
        t.finish(r);
        return r;
    }

    @Test
    void pendingBytesCountTheRawBytesOfQueuedRecordsUntilTheyAreDone() {
        PendingRecord r0 = t.begin(new SourceRecord(new SourcePosition("p", 0), List.of(), new byte[10], new byte[1000], 0, null));
        r0.retain();
        t.finish(r0);
        assertEquals(96 + 10 + 1000, t.pendingBytes());
        PendingRecord r1 = t.begin(new SourceRecord(new SourcePosition("p", 1), List.of(), null, new byte[500], 0, null));
        r1.retain();
        t.finish(r1);
        assertEquals(96 + 10 + 1000 + 96 + 500, t.pendingBytes());
        t.release(r1);
        assertEquals(96 + 10 + 1000 + 96 + 500, t.pendingBytes(), "done, but still queued behind r0");
        t.release(r0);
        assertEquals(0, t.pendingBytes());
        read(2, 0);
        assertEquals(0, t.pendingBytes(), "a record done at once is never queued");
    }

    @Test
    void withoutKeepingRawBytesAQueuedRecordHoldsOnlyItsPosition() {
        PartitionTracker lean = new PartitionTracker("p", false);
        SourcePosition at = new SourcePosition("p", 0);
        PendingRecord r0 = lean.begin(new SourceRecord(at, List.of(), new byte[10], new byte[1000], 0, null));
        r0.retain();
        lean.finish(r0);
        assertNull(r0.record, "the record (its raw key and value) is let go once processed");
        assertEquals(at, r0.position());
        assertEquals(96, lean.pendingBytes(), "only the fixed overhead counts against the byte bound");
        lean.release(r0);
        assertEquals(at, lean.lastDone());
        assertEquals(0, lean.pendingBytes());

        PendingRecord kept = t.begin(new SourceRecord(at, List.of(), new byte[10], new byte[1000], 0, null));
        kept.retain();
        t.finish(kept);
        assertEquals(1000, kept.record.value().length, "kept for a dead letter by default");
    }

    @Test
    void recordsWithoutActionsAreDoneAtOnce() {
        read(0, 0);
        read(1, 0);
        assertEquals(new SourcePosition("p", 1), t.lastDone());
        assertTrue(t.idle());
    }

    @Test
    void commitPointStopsAtTheFirstRecordNotDone() {
        PendingRecord r0 = read(0, 1);
        PendingRecord r1 = read(1, 2);
        PendingRecord r2 = read(2, 1);
        assertNull(t.lastDone());
        t.release(r2);
        assertNull(t.lastDone(), "a later record done does not move the commit point");
        t.release(r0);
        assertEquals(new SourcePosition("p", 0), t.lastDone());
        t.release(r1);
        assertEquals(new SourcePosition("p", 0), t.lastDone(), "r1 still has an action out");
        t.release(r1);
        assertEquals(new SourcePosition("p", 2), t.lastDone());
        assertTrue(t.idle());
    }

    @Test
    void doneRecordsBehindAPendingOneAreFoldedIntoOneEntry() {
        PendingRecord r0 = read(0, 1);
        for (int i = 1; i <= 1000; i++) {
            read(i, 0);
        }
        assertEquals(2, t.pendingRecords(), "a run of done records costs one entry");
        t.release(r0);
        assertEquals(new SourcePosition("p", 1000), t.lastDone());
    }

    @Test
    void uncommittedReportsOnlyAMovedCommitPoint() {
        read(0, 0);
        assertEquals(new SourcePosition("p", 0), t.uncommitted());
        t.committed(new SourcePosition("p", 0));
        assertNull(t.uncommitted());
        read(1, 0);
        assertEquals(new SourcePosition("p", 1), t.uncommitted());
    }

    @Test
    void aRetiredTrackerIgnoresLateReleases() {
        PendingRecord r0 = read(0, 1);
        t.alive = false;
        t.release(r0);
        assertNull(t.lastDone());
    }
}
