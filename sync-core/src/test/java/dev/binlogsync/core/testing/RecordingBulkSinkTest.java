package dev.binlogsync.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.VersionType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RecordingBulkSinkTest {

    private static List<ItemResult> results(RecordingBulkSink sink, List<DocumentAction> actions) throws Exception {
        return sink.execute(actions).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void appliesSuccessfulItemsToTheSimulatedIndexAsTheSinkWritesThem() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        results(sink, List.of(DocumentAction.index("i", "1", Map.of("a", 1, "o", Map.of("x", 1), "p", Map.of("x", 1))),
                DocumentAction.upsert("i", "1", Map.of("b", 2, "o", Map.of("y", 2))),
                DocumentAction.update("i", "1", Map.of("p", new dev.binlogsync.core.PartialObject(Map.of("y", 2)))),
                DocumentAction.upsert("i", "2", Map.of("c", 3)),
                DocumentAction.index("i", "3", Map.of("d", 4)),
                DocumentAction.delete("i", "3")));
        // an object replaces the stored one whole; a PartialObject merges its keys into it
        assertEquals(Map.of("a", 1, "b", 2, "o", Map.of("y", 2), "p", Map.of("x", 1, "y", 2)), sink.document("i", "1"));
        assertEquals(Map.of("c", 3), sink.document("i", "2"));
        assertNull(sink.document("i", "3"));
        assertEquals(2, sink.history("i", "3").size());
    }

    @Test
    void aPartialWriteThatChangesNothingIsANoopKeepingSeqNoAndVersionAsElasticsearchDoes() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        results(sink, List.of(DocumentAction.index("i", "1", Map.of("a", 1, "o", Map.of("x", 1)))
                .withVersion(7, VersionType.EXTERNAL)));
        long seqNo = sink.seqNo("i", "1");
        List<ItemResult> r = results(sink, List.of(DocumentAction.upsert("i", "1", Map.of("a", 1, "o", Map.of("x", 1))),
                DocumentAction.update("i", "1", Map.of("o", new dev.binlogsync.core.PartialObject(Map.of("x", 1))))));
        assertTrue(r.stream().allMatch(i -> i.outcome() == ItemResult.Outcome.SUCCESS), r.toString());
        assertEquals(seqNo, sink.seqNo("i", "1"), "a noop keeps the sequence number");
        // a noop keeps version 7: version 8 is newer (after a bump to 8 it would be stale)
        List<ItemResult> next = results(sink, List.of(DocumentAction.index("i", "1", Map.of("a", 2))
                .withVersion(8, VersionType.EXTERNAL)));
        assertEquals(ItemResult.Outcome.SUCCESS, next.get(0).outcome(), next.toString());

        results(sink, List.of(DocumentAction.upsert("i", "1", Map.of("a", 2L))));
        assertTrue(sink.seqNo("i", "1") > seqNo + 1, "2L is not 2 (Java equals, as the script): written");
        assertEquals(Map.of("a", 2L), sink.document("i", "1"));
    }

    @Test
    void anUpdateOfAMissingDocumentIsAnsweredMissingAndCreatesNothing() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        List<ItemResult> r = results(sink, List.of(DocumentAction.update("i", "1", Map.of("a", 1)),
                DocumentAction.upsert("i", "2", Map.of("a", 1)),
                DocumentAction.update("i", "2", Map.of("b", 2))));
        assertEquals(ItemResult.Outcome.MISSING, r.get(0).outcome());
        assertEquals(404, r.get(0).status());
        assertNull(sink.document("i", "1"));
        assertEquals(List.of(), sink.history("i", "1"));
        assertEquals(ItemResult.Outcome.SUCCESS, r.get(2).outcome());
        assertEquals(Map.of("a", 1, "b", 2), sink.document("i", "2"));
    }

    @Test
    void externalVersionsCompareAsElasticsearchDoesAndOutliveADelete() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        List<ItemResult> r = results(sink, List.of(
                DocumentAction.index("i", "1", Map.of("v", 5)).withVersion(5, VersionType.EXTERNAL),
                DocumentAction.index("i", "1", Map.of("v", 55)).withVersion(5, VersionType.EXTERNAL),
                DocumentAction.index("i", "1", Map.of("v", 555)).withVersion(5, VersionType.EXTERNAL_GTE),
                DocumentAction.index("i", "1", Map.of("v", 4)).withVersion(4, VersionType.EXTERNAL_GTE),
                DocumentAction.delete("i", "1").withVersion(6, VersionType.EXTERNAL_GTE),
                DocumentAction.index("i", "1", Map.of("v", 5)).withVersion(5, VersionType.EXTERNAL_GTE)));
        assertEquals(List.of(ItemResult.Outcome.SUCCESS, ItemResult.Outcome.STALE, ItemResult.Outcome.SUCCESS,
                ItemResult.Outcome.STALE, ItemResult.Outcome.SUCCESS, ItemResult.Outcome.STALE),
                r.stream().map(ItemResult::outcome).toList());
        assertNull(sink.document("i", "1"), "the delete's version keeps the older write out");
    }

    @Test
    void scriptedRepliesApplyInOrderThenTheDefault() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink()
                .enqueue(RecordingBulkSink.Reply.retryable(a -> a.id().equals("1")));
        List<DocumentAction> bulk = List.of(DocumentAction.index("i", "1", Map.of()), DocumentAction.index("i", "2", Map.of()));
        List<ItemResult> first = results(sink, bulk);
        assertEquals(ItemResult.Outcome.RETRYABLE, first.get(0).outcome());
        assertEquals(ItemResult.Outcome.SUCCESS, first.get(1).outcome());
        assertNull(sink.document("i", "1"), "a failed item is not applied");
        assertTrue(results(sink, bulk).stream().allMatch(ItemResult::isDone));
    }

    @Test
    void aFailedRequestCompletesExceptionallyAndAppliesNothing() {
        RecordingBulkSink sink = new RecordingBulkSink().enqueue(RecordingBulkSink.Reply.unavailable());
        CompletableFuture<List<ItemResult>> f = sink.execute(List.of(DocumentAction.index("i", "1", Map.of())))
                .toCompletableFuture();
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof RetriableSyncException);
        assertTrue(sink.documents().isEmpty());
    }

    @Test
    void manualModeLetsTheTestCompleteInAnyOrderAndDetectsOverlaps() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink().manual(true);
        CompletableFuture<List<ItemResult>> a = sink.execute(List.of(DocumentAction.index("i", "1", Map.of("v", 1))))
                .toCompletableFuture();
        CompletableFuture<List<ItemResult>> b = sink.execute(List.of(DocumentAction.index("i", "2", Map.of("v", 1))))
                .toCompletableFuture();
        assertEquals(2, sink.pending().size());
        assertFalse(a.isDone());
        sink.pending().get(1).complete();
        assertTrue(b.isDone());
        assertFalse(a.isDone());
        assertEquals(List.of(), sink.overlaps());
        sink.execute(List.of(DocumentAction.index("i", "1", Map.of("v", 2))));
        assertEquals(1, sink.overlaps().size(), "document 1 is in two requests in flight");
        RecordingBulkSink.Request first = sink.pending().get(0);
        first.complete();
        assertThrows(IllegalStateException.class, first::complete);
    }

    @Test
    void delayedRepliesCompleteOnAnotherThread() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink().delay(Duration.ofMillis(10));
        assertEquals(1, results(sink, List.of(DocumentAction.index("i", "1", Map.of()))).size());
        assertTrue(sink.awaitRequests(1, Duration.ofSeconds(1)));
        sink.close();
        assertTrue(sink.isClosed());
    }

    @Test
    void aConditionalDeleteAppliesOnlyWithTheDocumentsCurrentSeqNoElseConflicts() throws Exception {
        RecordingBulkSink sink = new RecordingBulkSink();
        sink.start();
        results(sink, List.of(DocumentAction.index("i", "1", Map.of("a", 1))));
        long read = sink.seqNo("i", "1");
        // a write after the read: the delete conditional on the old seqNo must not remove it
        results(sink, List.of(DocumentAction.index("i", "1", Map.of("a", 2))));
        List<ItemResult> stale = results(sink, List.of(DocumentAction.deleteIf("i", "1", read, 1)));
        assertEquals(ItemResult.Outcome.CONFLICT, stale.get(0).outcome());
        assertEquals(Map.of("a", 2), sink.document("i", "1"));
        List<ItemResult> current = results(sink, List.of(DocumentAction.deleteIf("i", "1", sink.seqNo("i", "1"), 1)));
        assertEquals(ItemResult.Outcome.SUCCESS, current.get(0).outcome());
        assertNull(sink.document("i", "1"));
        List<ItemResult> gone = results(sink, List.of(DocumentAction.deleteIf("i", "1", read, 1)));
        assertEquals(ItemResult.Outcome.CONFLICT, gone.get(0).outcome());
    }
}
