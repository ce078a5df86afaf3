package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The lanes' one "due" rule: what {@link LaneScheduler#dispatch} sends and how long
 * {@link LaneScheduler#nanosUntilNextDue} lets the pipeline wait agree, fences included.
 * Times are plain nanoTime values; nothing sleeps.
 */
class LaneSchedulerTest {
    private static final long FLUSH = 3_600_000_000_000L; // an hour: only size, a pause or a fence can make a lane due
    private static final long FENCE_END = 10_000;

    private final PartitionTracker p0 = new PartitionTracker("p-0");
    private final List<List<String>> sent = new ArrayList<>();
    private long offset;

    private static LaneScheduler scheduler(BulkBuffer buffer, int maxBulkActions) {
        return new LaneScheduler(buffer, 1, maxBulkActions, Long.MAX_VALUE, FLUSH, new Backoff(1, 1));
    }

    private void add(BulkBuffer buffer, String id, int v, long now) {
        buffer.add(DocumentAction.index("idx", id, Map.of("v", v)),
                p0.begin(SourceRecord.of(new SourcePosition(p0.partition, offset++), List.of())), now);
    }

    private List<BufferedAction> send(Lane lane, List<BufferedAction> bulk, boolean retry, long now) {
        List<String> ids = new ArrayList<>();
        bulk.forEach(s -> ids.add(s.id() + "=" + s.action().document().get("v")));
        sent.add(ids);
        return bulk;
    }

    /** Sends "a" = 1, which then fails in doubt: "a" is fenced until {@link #FENCE_END}. */
    private void fenceA(BulkBuffer buffer, LaneScheduler scheduler) {
        fenceA(buffer, scheduler, FENCE_END);
    }

    /** Sends "a" = 1, which then fails in doubt: "a" is fenced until {@code fenceEnd}. */
    private void fenceA(BulkBuffer buffer, LaneScheduler scheduler, long fenceEnd) {
        add(buffer, "a", 1, 0);
        scheduler.dispatch(0, true, this::send);
        assertEquals(List.of(List.of("a=1")), sent);
        Lane lane = buffer.lane(0);
        lane.fence(lane.inFlight, fenceEnd);
        scheduler.completed(lane);
    }

    @Test
    void aFullLaneHeldBackOnlyByAFenceIsDueWhenTheFenceEndsNotAtItsFlushInterval() {
        BulkBuffer buffer = new BulkBuffer(1, 1, Long.MAX_VALUE);
        LaneScheduler scheduler = scheduler(buffer, 1);
        fenceA(buffer, scheduler);

        add(buffer, "a", 2, 100); // the lane is full: due at once, but its only action is fenced
        scheduler.dispatch(100, false, this::send);
        assertEquals(1, sent.size(), "the fenced write is not sent");
        assertEquals(FENCE_END - 100, scheduler.nanosUntilNextDue(100, false), "due again when the fence ends");

        scheduler.dispatch(FENCE_END, false, this::send);
        assertEquals(List.of("a=2"), sent.get(1), "sent when the fence ended");
    }

    @Test
    void whileEverythingIsFlushedALaneHeldBackOnlyByAFenceIsDueWhenTheFenceEnds() {
        BulkBuffer buffer = new BulkBuffer(1, 1000, Long.MAX_VALUE);
        LaneScheduler scheduler = scheduler(buffer, 1000);
        fenceA(buffer, scheduler);

        add(buffer, "a", 2, 100);
        scheduler.dispatch(100, true, this::send); // source paused, or a drain: every lane is due
        assertEquals(1, sent.size(), "the fenced write is not sent");
        assertEquals(FENCE_END - 100, scheduler.nanosUntilNextDue(100, true), "due again when the fence ends");
    }

    @Test
    void aLaneNeitherFullNorFlushedIsDueAtItsFlushIntervalFencedOrNot() {
        BulkBuffer buffer = new BulkBuffer(1, 1000, Long.MAX_VALUE);
        LaneScheduler scheduler = scheduler(buffer, 1000);
        fenceA(buffer, scheduler, 2 * FLUSH);

        add(buffer, "a", 2, 100);
        add(buffer, "b", 1, 200);
        scheduler.dispatch(300, false, this::send);
        assertEquals(1, sent.size(), "nothing is due yet");
        assertEquals(100 + FLUSH - 300, scheduler.nanosUntilNextDue(300, false));

        scheduler.dispatch(100 + FLUSH, false, this::send);
        assertEquals(List.of("b=1"), sent.get(1), "the unfenced document goes at the flush interval; a=2 waits");
        scheduler.completed(buffer.lane(0));
        assertEquals(FLUSH - 100, scheduler.nanosUntilNextDue(100 + FLUSH, false),
                "what stayed behind kept its age: due now, so it waits for the end of its fence");
        scheduler.dispatch(2 * FLUSH, false, this::send);
        assertEquals(List.of("a=2"), sent.get(2), "sent when the fence ended");
    }

    @Test
    void aRetryIsDueAtTheEndOfItsBackoffAndNothingIsDueWhileNoRequestMayBeSent() {
        BulkBuffer buffer = new BulkBuffer(1, 1000, Long.MAX_VALUE);
        LaneScheduler scheduler = scheduler(buffer, 1000);
        add(buffer, "a", 1, 0);
        scheduler.dispatch(0, true, this::send);
        Lane lane = buffer.lane(0);
        List<BufferedAction> bulk = lane.inFlight;
        assertEquals(LaneScheduler.NEVER, scheduler.nanosUntilNextDue(0, true), "the one request is out");

        scheduler.completed(lane);
        scheduler.retryLater(lane, bulk, 50);
        long due = lane.retryDueNanos;
        assertTrue(due >= 50 && due <= 51, "backoff of 1 ns at most: " + due);
        assertEquals(due - 50, scheduler.nanosUntilNextDue(50, false));
        scheduler.dispatch(due, false, this::send);
        assertEquals(List.of("a=1"), sent.get(1), "the retry went");
    }
}
