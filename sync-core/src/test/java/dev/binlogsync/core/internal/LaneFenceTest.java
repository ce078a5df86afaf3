package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A lane's fence after an in-doubt bulk: fenced documents' actions stay behind, in order, until the fence ends. */
class LaneFenceTest {
    private final BulkBuffer buffer = new BulkBuffer(1, 1000, Long.MAX_VALUE);
    private final PartitionTracker p0 = new PartitionTracker("p-0");
    private final Lane lane = buffer.lane(0);
    private long offset;

    private void add(DocumentAction a) {
        buffer.add(a, p0.begin(SourceRecord.of(new SourcePosition(p0.partition, offset++), List.of())), 0);
    }

    private static List<String> ids(List<BufferedAction> slots) {
        List<String> ids = new ArrayList<>();
        slots.forEach(s -> ids.add(s.action().type() + " " + s.id()));
        return ids;
    }

    @Test
    void fencedDocumentsStayBehindInOrderWhileTheOthersAreTakenUntilTheFenceEnds() {
        add(DocumentAction.index("idx", "a", Map.of("v", 1)));
        lane.fence(buffer.take(lane), 100); // "a" was in a bulk that failed in doubt

        add(DocumentAction.index("idx", "b", Map.of("v", 1)));
        add(DocumentAction.index("idx", "a", Map.of("v", 2)));
        add(DocumentAction.index("idx", "c", Map.of("v", 1)));
        add(DocumentAction.upsert("idx", "d", Map.of("v", 1)));
        add(DocumentAction.delete("idx", "a")); // coalesces into the buffered, unsent write of "a"

        lane.pruneFences(99);
        assertEquals(List.of("INDEX b", "INDEX c", "UPSERT d"), ids(buffer.take(lane)));
        assertEquals(1, buffer.size(), "the fenced document's action is still buffered");
        assertEquals(List.of(), ids(buffer.take(lane)), "nothing else may go yet");

        add(DocumentAction.index("idx", "b", Map.of("v", 2)));
        lane.pruneFences(100);
        assertNull(lane.fenced, "the fence ended and is forgotten");
        assertEquals(List.of("DELETE a", "INDEX b"), ids(buffer.take(lane)), "in arrival order");
        assertEquals(0, buffer.size());
    }

    @Test
    void aFenceHoldsBackTheSameIdWithOtherRoutingInOrderAndNotOtherIds() {
        add(DocumentAction.index("idx", "a", Map.of("v", 1)).withRouting("r1"));
        lane.fence(buffer.take(lane), 100); // "a" routed to r1 was in a bulk that failed in doubt

        add(DocumentAction.delete("idx", "a").withRouting("r1")); // "a" moves from routing r1 to r2
        add(DocumentAction.index("idx", "a", Map.of("v", 2)).withRouting("r2"));
        add(DocumentAction.index("idx", "b", Map.of("v", 1)).withRouting("r1"));
        lane.pruneFences(99);
        assertEquals(List.of("b routing r1"), routed(buffer.take(lane)), "another id is not fenced");
        assertEquals(2, buffer.size(), "both routings of the fenced id stay behind: on one shard they are one document");

        lane.pruneFences(100);
        assertEquals(List.of("a routing r1", "a routing r2"), routed(buffer.take(lane)), "in arrival order");
    }

    private static List<String> routed(List<BufferedAction> slots) {
        List<String> out = new ArrayList<>();
        slots.forEach(s -> out.add(s.id() + " routing " + s.routing()));
        return out;
    }

    @Test
    void aFenceCountsOneHeldBackWritePerDocumentHoweverOftenTheLaneIsTakenOrTheFenceExtended() {
        EngineCounters counters = new EngineCounters();
        BulkBuffer counted = new BulkBuffer(1, 1000, Long.MAX_VALUE, counters);
        Lane l = counted.lane(0);
        PartitionTracker p = new PartitionTracker("p-1");
        long[] next = {0};
        java.util.function.Consumer<DocumentAction> put = a -> counted.add(a,
                p.begin(SourceRecord.of(new SourcePosition(p.partition, next[0]++), List.of())), 0);
        java.util.function.LongSupplier fencedWrites = () -> counters.snapshot(0, 0, 0, 0, false, Duration.ZERO)
                .fencedWrites();

        put.accept(DocumentAction.index("idx", "a", Map.of("v", 1)));
        List<BufferedAction> inDoubt = counted.take(l);
        l.fence(inDoubt, 100);
        assertEquals(0, fencedWrites.getAsLong(), "a fence alone holds nothing back");

        put.accept(DocumentAction.index("idx", "a", Map.of("v", 2)));
        put.accept(DocumentAction.index("idx", "b", Map.of("v", 1)));
        l.pruneFences(10);
        assertEquals(List.of("INDEX b"), ids(counted.take(l)));
        assertEquals(1, fencedWrites.getAsLong());
        put.accept(DocumentAction.upsert("idx", "a", Map.of("w", 1))); // coalesces into the held-back write
        counted.take(l);
        l.fence(inDoubt, 200); // the retry failed in doubt too: the same fence, extended
        l.pruneFences(150);
        assertEquals(List.of(), ids(counted.take(l)));
        assertEquals(1, fencedWrites.getAsLong(), "one document, one fence");

        l.pruneFences(200);
        assertEquals(List.of("INDEX a"), ids(counted.take(l)), "the fence ended");
        put.accept(DocumentAction.index("idx", "c", Map.of("v", 1)));
        List<BufferedAction> again = counted.take(l);
        l.fence(again, 400); // a later in-doubt bulk: a new fence
        put.accept(DocumentAction.index("idx", "c", Map.of("v", 2)));
        l.pruneFences(300);
        assertEquals(List.of(), ids(counted.take(l)));
        assertEquals(2, fencedWrites.getAsLong(), "a new fence counts again");
    }
}
