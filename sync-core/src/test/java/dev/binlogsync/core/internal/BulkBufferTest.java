package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.PartialObject;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.VersionType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Coalescing in the bulk buffer, case by case. One lane so every action lands in the same place. */
class BulkBufferTest {
    private final BulkBuffer buffer = new BulkBuffer(1, 1000, Long.MAX_VALUE);
    private final PartitionTracker p0 = new PartitionTracker("p-0");
    private final PartitionTracker p1 = new PartitionTracker("p-1");
    private long offset;

    private PendingRecord record(PartitionTracker t) {
        return t.begin(SourceRecord.of(new SourcePosition(t.partition, offset++), List.of()));
    }

    private void add(DocumentAction a) {
        buffer.add(a, record(p0), 0);
    }

    private List<BufferedAction> drain() {
        return buffer.take(buffer.lane(0));
    }

    private static DocumentAction index(String id, Map<String, Object> doc) {
        return DocumentAction.index("idx", id, doc);
    }

    private static DocumentAction upsert(String id, Map<String, Object> doc) {
        return DocumentAction.upsert("idx", id, doc);
    }

    private static DocumentAction delete(String id) {
        return DocumentAction.delete("idx", id);
    }

    @Test
    void laterIndexReplacesEarlierIndex() {
        add(index("1", Map.of("a", 1, "b", 1)));
        add(index("1", Map.of("a", 2)));
        List<BufferedAction> out = drain();
        assertEquals(1, out.size());
        assertEquals(index("1", Map.of("a", 2)), out.get(0).action());
        assertEquals(1, buffer.coalesced());
    }

    @Test
    void upsertAfterUpsertMergesFieldsLaterWins() {
        add(upsert("1", Map.of("a", 1, "b", 1)));
        add(upsert("1", Map.of("b", 2, "c", 2)));
        DocumentAction a = drain().get(0).action();
        assertEquals(ActionType.UPSERT, a.type());
        assertEquals(Map.of("a", 1, "b", 2, "c", 2), a.document());
    }

    @Test
    void upsertReplacesAnObjectFieldWholeAsTheSinkWritesIt() {
        add(upsert("1", Map.of("address", Map.of("city", "Oslo", "zip", "0150"), "name", "a")));
        add(upsert("1", Map.of("address", Map.of("zip", "0151"), "tags", List.of("x"))));
        DocumentAction a = drain().get(0).action();
        assertEquals(Map.of("address", Map.of("zip", "0151"), "name", "a", "tags", List.of("x")), a.document());
    }

    @Test
    void forASinkThatMergesObjectsCoalescedUpsertsMergeObjectsAtEveryDepthAsItsDocDoes() {
        // stored j={b:0}; A sets j={b:2}; B sets j={c:3}: written one by one with Elasticsearch's doc
        // merge, the document ends j={b:2,c:3} (and k's nested keys likewise); a shallow merge would
        // send j={c:3} and leave j={b:0,c:3}
        buffer.replaceObjectFields(false);
        add(upsert("1", Map.of("j", Map.of("b", 2), "k", Map.of("n", Map.of("x", 1, "y", 1)), "s", "a")));
        add(upsert("1", Map.of("j", Map.of("c", 3), "k", Map.of("n", Map.of("y", 2)), "t", List.of(1))));
        add(DocumentAction.update("idx", "1", Map.of("j", new PartialObject(Map.of("d", 4)))));
        DocumentAction a = drain().get(0).action();
        assertEquals(ActionType.UPSERT, a.type());
        assertEquals(Map.of("j", Map.of("b", 2, "c", 3, "d", 4), "k", Map.of("n", Map.of("x", 1, "y", 2)), "s", "a",
                "t", List.of(1)), a.document());
    }

    @Test
    void forASinkThatReplacesObjectsCoalescedUpsertsReplaceEachObjectWhole() {
        buffer.replaceObjectFields(true);
        add(upsert("1", Map.of("j", Map.of("b", 2), "k", Map.of("n", Map.of("x", 1, "y", 1)), "s", "a")));
        add(upsert("1", Map.of("j", Map.of("c", 3), "k", Map.of("n", Map.of("y", 2)))));
        assertEquals(Map.of("j", Map.of("c", 3), "k", Map.of("n", Map.of("y", 2)), "s", "a"), drain().get(0).action().document());
    }

    @Test
    void aPartialObjectMergesKeyByKeyIntoTheBufferedObjectAndStaysPartialWhereNoObjectWasBuffered() {
        add(DocumentAction.update("idx", "1", Map.of("shipping", new PartialObject(Map.of("city", "Oslo", "zip", "0150")))));
        add(DocumentAction.update("idx", "1", Map.of("shipping", new PartialObject(Map.of("zip", "0151")))));
        add(DocumentAction.update("idx", "2", Map.of("shipping", Map.of("city", "Oslo", "zip", "0150", "box", Map.of("a", 1)))));
        add(DocumentAction.update("idx", "2", Map.of("shipping", new PartialObject(Map.of("box", Map.of("b", 2))))));
        Map<String, Object> nulled = new java.util.HashMap<>();
        nulled.put("shipping", null);
        add(DocumentAction.update("idx", "3", nulled));
        add(DocumentAction.update("idx", "3", Map.of("shipping", new PartialObject(Map.of("zip", "0151")))));
        List<BufferedAction> out = drain();
        Object partial = out.get(0).action().document().get("shipping");
        assertTrue(partial instanceof PartialObject, "still merged into the stored object: " + partial);
        assertEquals(Map.of("city", "Oslo", "zip", "0151"), partial);
        Object whole = out.get(1).action().document().get("shipping");
        assertTrue(!(whole instanceof PartialObject), "replaces the stored object: " + whole);
        assertEquals(Map.of("city", "Oslo", "zip", "0150", "box", Map.of("b", 2)), whole);
        Object afterNull = out.get(2).action().document().get("shipping");
        assertTrue(!(afterNull instanceof PartialObject), "replaces the null: " + afterNull);
        assertEquals(Map.of("zip", "0151"), afterNull);
    }

    @Test
    void upsertAfterIndexMergesIntoTheIndexedDocumentAndStaysIndex() {
        add(index("1", Map.of("a", 1, "b", 1)));
        add(upsert("1", Map.of("b", 2)));
        DocumentAction a = drain().get(0).action();
        assertEquals(ActionType.INDEX, a.type());
        assertEquals(Map.of("a", 1, "b", 2), a.document());
    }

    @Test
    void deleteSupersedesEarlierActions() {
        add(index("1", Map.of("a", 1)));
        add(upsert("1", Map.of("b", 2)));
        add(delete("1"));
        List<BufferedAction> out = drain();
        assertEquals(1, out.size());
        assertEquals(delete("1"), out.get(0).action());
        assertEquals(2, buffer.coalesced());
    }

    @Test
    void indexAfterDeleteWins() {
        add(delete("1"));
        add(index("1", Map.of("a", 1)));
        List<BufferedAction> out = drain();
        assertEquals(1, out.size());
        assertEquals(index("1", Map.of("a", 1)), out.get(0).action());
    }

    @Test
    void upsertAfterDeleteBecomesIndexOfTheUpsertFieldsSoTheDeleteIsNotLost() {
        add(index("1", Map.of("a", 1, "b", 1)));
        add(delete("1"));
        add(upsert("1", Map.of("b", 2)));
        List<BufferedAction> out = drain();
        assertEquals(1, out.size());
        // Elasticsearch after delete + doc_as_upsert {b:2} holds exactly {b:2}; "a" must not survive
        assertEquals(index("1", Map.of("b", 2)), out.get(0).action());
    }

    @Test
    void upsertAfterVersionedActionIsAppendedNotMerged() {
        add(index("1", Map.of("a", 1)).withVersion(5, VersionType.EXTERNAL));
        add(upsert("1", Map.of("b", 2)));
        List<BufferedAction> out = drain();
        assertEquals(2, out.size());
        assertEquals(ActionType.INDEX, out.get(0).action().type());
        assertEquals(ActionType.UPSERT, out.get(1).action().type());
        // a later upsert merges into the appended upsert, not the versioned index
        add(index("2", Map.of("a", 1)).withVersion(5, VersionType.EXTERNAL));
        add(upsert("2", Map.of("b", 2)));
        add(upsert("2", Map.of("c", 3)));
        out = drain();
        assertEquals(2, out.size());
        assertEquals(Map.of("b", 2, "c", 3), out.get(1).action().document());
    }

    private static DocumentAction update(String id, Map<String, Object> doc) {
        return DocumentAction.update("idx", id, doc);
    }

    @Test
    void updateMergesIntoABufferedIndexUpsertOrUpdateKeepingItsType() {
        add(index("1", Map.of("a", 1)));
        add(update("1", Map.of("s", Map.of("c", "ups"))));
        add(upsert("2", Map.of("a", 1)));
        add(update("2", Map.of("s", Map.of("c", "ups"))));
        add(update("3", Map.of("s", Map.of("c", "ups"))));
        add(update("3", Map.of("s", Map.of("t", "1Z"))));
        List<BufferedAction> out = drain();
        assertEquals(3, out.size());
        assertEquals(index("1", Map.of("a", 1, "s", Map.of("c", "ups"))), out.get(0).action());
        assertEquals(upsert("2", Map.of("a", 1, "s", Map.of("c", "ups"))), out.get(1).action());
        assertEquals(update("3", Map.of("s", Map.of("t", "1Z"))), out.get(2).action(), "an object replaces the object");
        assertEquals(3, buffer.coalesced());
    }

    @Test
    void updateAfterDeleteStaysTheDeleteAndNeverCreatesTheDocument() {
        add(upsert("1", Map.of("a", 1)));
        add(delete("1"));
        add(update("1", Map.of("s", Map.of("c", "ups"))));
        List<BufferedAction> out = drain();
        assertEquals(1, out.size());
        assertEquals(delete("1"), out.get(0).action());
        assertEquals(3, out.get(0).refs().size(), "the delete covers the update's record too");
    }

    @Test
    void upsertAfterUpdateIsAppendedBecauseTheUpdateMayFindNoDocument() {
        add(update("1", Map.of("s", Map.of("c", "ups"))));
        add(upsert("1", Map.of("a", 1)));
        List<BufferedAction> out = drain();
        assertEquals(2, out.size());
        assertEquals(ActionType.UPDATE, out.get(0).action().type());
        assertEquals(upsert("1", Map.of("a", 1)), out.get(1).action());
    }

    @Test
    void updateAfterVersionedActionIsAppendedNotMerged() {
        add(delete("1").withVersion(5, VersionType.EXTERNAL_GTE));
        add(update("1", Map.of("s", 1)));
        add(index("2", Map.of("a", 1)).withVersion(5, VersionType.EXTERNAL_GTE));
        add(update("2", Map.of("s", 1)));
        List<BufferedAction> out = drain();
        assertEquals(4, out.size());
        assertEquals(ActionType.UPDATE, out.get(1).action().type());
        assertEquals(ActionType.UPDATE, out.get(3).action().type());
    }

    @Test
    void actionsFromDifferentPartitionsAreNotCoalescedButKeepTheirOrder() {
        buffer.add(upsert("1", Map.of("a", 1)), record(p0), 0);
        buffer.add(upsert("1", Map.of("b", 2)), record(p1), 0);
        buffer.add(upsert("1", Map.of("c", 3)), record(p1), 0);
        List<BufferedAction> out = drain();
        assertEquals(2, out.size());
        assertEquals(Map.of("a", 1), out.get(0).action().document());
        assertEquals(Map.of("b", 2, "c", 3), out.get(1).action().document());
    }

    @Test
    void actionsWithDifferentRoutingAreNotCoalesced() {
        add(index("1", Map.of("a", 1)).withRouting("r1"));
        add(index("1", Map.of("a", 2)).withRouting("r2"));
        assertEquals(2, drain().size());
    }

    @Test
    void coalescedActionKeepsEveryRecordItCovers() {
        PendingRecord r1 = record(p0);
        PendingRecord r2 = record(p0);
        PendingRecord r3 = record(p0);
        buffer.add(index("1", Map.of("a", 1)), r1, 0);
        buffer.add(upsert("1", Map.of("b", 1)), r2, 0);
        buffer.add(delete("1"), r3, 0);
        BufferedAction s = drain().get(0);
        assertEquals(List.of(r1, r2, r3), s.refs());
        assertEquals(new SourcePosition("p-0", 0), s.firstPosition());
        // each record holds its processing guard plus one reference from the action
        assertEquals(2, r1.refs);
        s.release();
        assertEquals(1, r1.refs);
        assertEquals(1, r3.refs);
    }

    @Test
    void theRuleSetsDocumentIsNotModifiedByMerges() {
        Map<String, Object> original = Map.of("a", 1);
        add(index("1", original));
        add(upsert("1", Map.of("b", 2)));
        drain();
        assertEquals(Map.of("a", 1), original);
    }

    @Test
    void coalescingHappensOnlyInsideTheUnsentBuffer() {
        add(index("1", Map.of("a", 1)));
        List<BufferedAction> first = drain();
        add(upsert("1", Map.of("b", 2)));
        List<BufferedAction> second = drain();
        assertEquals(index("1", Map.of("a", 1)), first.get(0).action());
        assertEquals(upsert("1", Map.of("b", 2)), second.get(0).action());
        assertEquals(0, buffer.coalesced());
    }

    @Test
    void takeRespectsMaxBulkActionsAndSizeAndKeepsOrder() {
        BulkBuffer small = new BulkBuffer(1, 3, Long.MAX_VALUE);
        for (int i = 0; i < 7; i++) {
            small.add(index(String.valueOf(i), Map.of("n", i)), record(p0), 0);
        }
        List<String> ids = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        while (small.size() > 0) {
            List<BufferedAction> batch = small.take(small.lane(0));
            sizes.add(batch.size());
            batch.forEach(s -> ids.add(s.id()));
        }
        assertEquals(List.of(3, 3, 1), sizes);
        assertEquals(List.of("0", "1", "2", "3", "4", "5", "6"), ids);

        BulkBuffer bySize = new BulkBuffer(1, 1000, 1);
        bySize.add(index("a", Map.of("n", 1)), record(p0), 0);
        bySize.add(index("b", Map.of("n", 1)), record(p0), 0);
        assertEquals(1, bySize.take(bySize.lane(0)).size(), "at least one action even when larger than the limit");
        assertEquals(1, bySize.size());
    }

    @Test
    void anActionCoalescedAfterAPartialTakeStillMergesIntoTheUnsentOne() {
        BulkBuffer small = new BulkBuffer(1, 1, Long.MAX_VALUE);
        small.add(index("a", Map.of("n", 1)), record(p0), 0);
        small.add(index("b", Map.of("n", 1)), record(p0), 0);
        small.take(small.lane(0)); // sends "a"
        small.add(upsert("a", Map.of("m", 2)), record(p0), 0); // "a" is in flight: appended
        small.add(upsert("b", Map.of("m", 2)), record(p0), 0); // "b" is unsent: merged
        assertEquals(2, small.size());
        assertEquals(Map.of("n", 1, "m", 2), small.take(small.lane(0)).get(0).action().document());
    }

    @Test
    void sendingAnOlderActionKeepsTheNewerUnsentOneCoalescable() {
        BulkBuffer small = new BulkBuffer(1, 1, Long.MAX_VALUE);
        small.add(index("1", Map.of("n", 1)), record(p0), 0);
        small.add(index("1", Map.of("n", 2)), record(p1), 0); // another partition: appended, now the latest
        assertEquals(Map.of("n", 1), small.take(small.lane(0)).get(0).action().document());
        small.add(upsert("1", Map.of("m", 3)), record(p1), 0); // merges into the unsent one
        assertEquals(1, small.size());
        assertEquals(Map.of("n", 2, "m", 3), small.take(small.lane(0)).get(0).action().document());
    }

    @Test
    void dropRemovesOnlyTheGivenPartitionsAndForgetsTheirIndexEntries() {
        buffer.add(index("1", Map.of("a", 1)), record(p0), 0);
        buffer.add(index("2", Map.of("a", 1)), record(p1), 0);
        List<BufferedAction> dropped = buffer.drop(Set.of(p1));
        assertEquals(1, dropped.size());
        assertEquals(1, buffer.size());
        buffer.add(upsert("2", Map.of("b", 2)), record(p0), 0);
        List<BufferedAction> out = drain();
        assertEquals(2, out.size());
        assertEquals(upsert("2", Map.of("b", 2)), out.get(1).action());
    }

    @Test
    void sizeAndBytesFollowAddsMergesAndTakes() {
        add(index("1", Map.of("a", "x")));
        long one = buffer.bytes();
        assertTrue(one > 0);
        add(upsert("1", Map.of("b", "a much longer value than before")));
        assertEquals(1, buffer.size());
        assertTrue(buffer.bytes() > one);
        drain();
        assertEquals(0, buffer.size());
        assertEquals(0, buffer.bytes());
    }

    /**
     * A hot row updated many times while its lane is busy merges into one action whose size is
     * its merged document's, not the sum of every patch: otherwise the buffer would count it
     * full (pausing the source, flushing by size) while it holds one small document.
     */
    @Test
    void manyMergesIntoOneHotDocumentCountTheMergedDocumentOnce() {
        add(index("1", Map.of("a", "x", "n", 0)));
        for (int i = 0; i < 200_000; i++) {
            add(upsert("1", Map.of("n", i, "s", "value " + (i % 10))));
        }
        assertEquals(1, buffer.size());
        BufferedAction s = buffer.lane(0).buffer.peekFirst();
        long merged = DocumentSize.estimateBytes("idx", "1", null, s.document());
        assertEquals(merged, s.bytes, "the buffered action counts what its merged document costs");
        assertEquals(merged, buffer.bytes());
        assertEquals(merged, buffer.lane(0).bytes);
        assertTrue(merged < 200, "one small document: " + merged);
        drain();
        assertEquals(0, buffer.bytes());
    }

    @Test
    void mergedSizeFollowsNestedObjectsAndReplacedValues() {
        add(upsert("1", Map.of("address", Map.of("city", "Oslo", "zip", "0150"), "tags", List.of("a", "b"))));
        add(upsert("1", Map.of("address", Map.of("zip", "0151", "street", "Karl Johans gate"), "tags", List.of())));
        add(upsert("1", Map.of("note", "a longer note than anything before it")));
        add(upsert("1", Map.of("note", "short")));
        BufferedAction s = buffer.lane(0).buffer.peekFirst();
        assertEquals(DocumentSize.estimateBytes("idx", "1", null, s.document()), s.bytes);
        assertEquals(s.bytes, buffer.bytes());
    }

    @Test
    void aReplacingActionCostsWhatTheNewActionCosts() {
        add(index("1", Map.of("a", "x".repeat(500))));
        add(delete("1"));
        assertEquals(DocumentSize.estimateBytes("idx", "1", null, null), buffer.bytes());
        add(upsert("1", Map.of("b", "y")));
        BufferedAction s = buffer.lane(0).buffer.peekFirst();
        assertEquals(DocumentSize.estimateBytes("idx", "1", null, Map.of("b", "y")), s.bytes);
        assertEquals(s.bytes, buffer.bytes());
    }

    @Test
    void aDocumentAlwaysMapsToTheSameLaneAndLanesAreUsed() {
        BulkBuffer many = new BulkBuffer(8, 1000, Long.MAX_VALUE);
        int[] perLane = new int[8];
        for (int i = 0; i < 800; i++) {
            int lane = many.laneOf("idx", String.valueOf(i));
            assertEquals(lane, many.laneOf("idx", String.valueOf(i)));
            perLane[lane]++;
        }
        for (int n : perLane) {
            assertTrue(n > 50, "lanes are unbalanced: " + java.util.Arrays.toString(perLane));
        }
    }
}
