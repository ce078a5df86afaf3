package dev.binlogsync.core.internal;

import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.util.ArrayDeque;
import javax.annotation.Nullable;

/**
 * The offset state of one source partition: the records read and not yet done, in position order,
 * and the commit point — the highest position below which every record is done (all its actions
 * acknowledged, dead-lettered or skipped, or it produced none).
 *
 * <p>A record stays pending while it holds references ({@link PendingRecord#refs}); the head of the
 * queue advances over records whose references reached zero. Consecutive done records behind a
 * pending one are folded into a single entry, so a stream of filtered-out records costs O(1)
 * memory even while an earlier record waits.
 *
 * <p>A tracker is replaced, not reused, when its partition is revoked or lost and assigned again:
 * completions that still point at the old tracker see {@link #alive} false and are ignored.
 * Pipeline thread only.
 */
final class PartitionTracker {
    final String partition;
    private final ArrayDeque<PendingRecord> pending = new ArrayDeque<>();
    /** The raw bytes of the queued records (see {@link PendingRecord#rawBytes}). */
    private long pendingBytes;
    @Nullable private SourcePosition lastDone;
    @Nullable private SourcePosition lastCommitted;
    boolean alive = true;
    /** Whether a queued record keeps its raw key and value (for a later dead letter). */
    private final boolean keepRaw;

    /** A tracker whose queued records keep their raw bytes (see {@link #PartitionTracker(String, boolean)}). */
    public PartitionTracker(String partition) {
        this(partition, true);
    }

    /**
     * @param keepRaw whether a record that stays pending after processing keeps its raw key and
     *     value until it is done: needed only when a rejected document goes to a dead letter
     *     (which carries the record); otherwise only its position is kept, so a backlog of pending
     *     records holds (and the garbage collector copies) a few dozen bytes each instead of the
     *     whole message
     */
    public PartitionTracker(String partition, boolean keepRaw) {
        this.partition = partition;
        this.keepRaw = keepRaw;
    }

    /** Starts a record: it holds one reference (the processing guard) until {@link #finish}. */
    public PendingRecord begin(SourceRecord record) {
        return new PendingRecord(this, record);
    }

    /** Ends processing of {@code p}: drops the guard and queues it if it is still pending. */
    public void finish(PendingRecord p) {
        p.refs--;
        if (p.refs == 0) {
            if (pending.isEmpty()) {
                lastDone = p.position;
                return;
            }
            PendingRecord tail = pending.peekLast();
            if (tail.refs == 0) {
                // fold: both are done, only the later position matters once the head reaches them
                tail.position = p.position;
                return;
            }
        }
        p.shed(keepRaw);
        p.rawBytes = PendingRecord.rawBytes(p.record);
        pendingBytes += p.rawBytes;
        pending.addLast(p);
    }

    /** Drops one reference of {@code p}, advancing the commit point when the head becomes done. */
    void release(PendingRecord p) {
        if (--p.refs == 0 && alive) {
            PendingRecord head;
            while ((head = pending.peekFirst()) != null && head.refs == 0) {
                PendingRecord done = pending.pollFirst();
                pendingBytes -= done.rawBytes;
                lastDone = done.position;
            }
        }
    }

    /** Whether every record read from this partition is done. */
    boolean idle() {
        return pending.isEmpty();
    }

    /** Records not yet done (folded runs of done records count once). */
    int pendingRecords() {
        return pending.size();
    }

    /**
     * The raw key and value bytes (plus a fixed overhead each) of the records queued here: they
     * stay in memory until the record is done, for dead-lettering (only the overhead when the
     * records do not keep them, see {@link #PartitionTracker(String, boolean)}), and count against the
     * pipeline's {@code maxBufferedBytes}. Many records coalesced into one buffered action (a hot
     * row) are few actions but many records.
     */
    public long pendingBytes() {
        return pendingBytes;
    }

    /** The commit point, or null when nothing is done yet. */
    @Nullable
    public SourcePosition lastDone() {
        return lastDone;
    }

    /** The commit point if it moved since the last commit, else null. */
    @Nullable
    SourcePosition uncommitted() {
        return lastDone != null && !lastDone.equals(lastCommitted) ? lastDone : null;
    }

    void committed(SourcePosition position) {
        lastCommitted = position;
    }

    @Override
    public String toString() {
        return "PartitionTracker[" + partition + ", done=" + lastDone + ", pending=" + pending.size() + "]";
    }
}
