package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.RequestInDoubtException;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ShadowWriteSinkTest {

    private static List<ItemResult> join(CompletionStage<List<ItemResult>> stage) {
        return stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }

    private static List<String> described(List<DocumentAction> actions) {
        List<String> out = new ArrayList<>();
        for (DocumentAction a : actions) {
            out.add(a.type() + " " + a.describe());
        }
        return out;
    }

    @Test
    void copiesTheShadowedIndexsActionsBehindTheOriginalsInTheirOrder() {
        RecordingBulkSink recording = new RecordingBulkSink();
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        sink.shadow("items", "items-v2");
        List<ItemResult> results = join(sink.execute(List.of(
                DocumentAction.index("items", "1", Map.of("v", 1)),
                DocumentAction.index("other", "1", Map.of("v", 1)),
                DocumentAction.delete("items", "1"),
                DocumentAction.index("items", "2", Map.of("v", 2)))));
        assertEquals(4, results.size(), "one result per action the pipeline sent");
        assertEquals(List.of("INDEX items/1", "INDEX other/1", "DELETE items/1", "INDEX items/2",
                "INDEX items-v2/1", "DELETE items-v2/1", "INDEX items-v2/2"),
                described(recording.requests().get(0).actions()), "one request, the copies behind, in order");
        assertEquals(null, recording.document("items-v2", "1"));
        assertEquals(Map.of("v", 2), recording.document("items-v2", "2"));
        assertEquals(Map.of("v", 1), recording.document("other", "1"));
        assertEquals(null, recording.document("other-v2", "1"), "another index is not copied");
    }

    @Test
    void copiesAVersionedRulesWritesAndDeletesWithTheirExternalVersionsAndTheBackfillsCreates() {
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("items").index("items")
                .writeMode(WriteMode.INDEX).versionColumn("v").versionType(VersionType.EXTERNAL).build()).build();
        List<DocumentAction> actions = new ArrayList<>();
        rules.apply(new ChangeEvent("shop", "items", Operation.INSERT, Map.of("id", 1, "v", 7), Map.of(), List.of("id"),
                1L, new SourcePosition("binlog", 1), RowImage.FULL), actions::add);
        rules.apply(new ChangeEvent("shop", "items", Operation.DELETE, Map.of("id", 1, "v", 7), Map.of(), List.of("id"),
                2L, new SourcePosition("binlog", 2), RowImage.FULL), actions::add);
        actions.add(DocumentAction.create("items", "2", Map.of("id", 2, "v", 3)));
        RecordingBulkSink recording = new RecordingBulkSink();
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        sink.shadow("items", "items-v2");
        join(sink.execute(actions));
        List<DocumentAction> sent = recording.requests().get(0).actions();
        assertEquals(6, sent.size(), String.valueOf(sent));
        // the expected copies spelled out: what the rules make, in the shadow index
        assertEquals(new DocumentAction("items-v2", "1", null, ActionType.INDEX, Map.of("id", 1, "v", 7), 7L,
                VersionType.EXTERNAL), sent.get(3));
        assertEquals(new DocumentAction("items-v2", "1", null, ActionType.DELETE, null, 7L, VersionType.EXTERNAL_GTE),
                sent.get(4));
        assertEquals(new DocumentAction("items-v2", "2", null, ActionType.CREATE, Map.of("id", 2, "v", 3), null, null),
                sent.get(5));
    }

    @Test
    void sendsTheActionsUnchangedWhenNoShadowIsOnAndAfterItStopped() {
        RecordingBulkSink recording = new RecordingBulkSink();
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        List<DocumentAction> actions = List.of(DocumentAction.index("items", "1", Map.of("v", 1)));
        join(sink.execute(actions));
        sink.shadow("items", "items-v2");
        sink.stopShadow("items");
        join(sink.execute(actions));
        assertEquals(List.of("INDEX items/1"), described(recording.requests().get(0).actions()));
        assertEquals(List.of("INDEX items/1"), described(recording.requests().get(1).actions()));
    }

    @Test
    void aCopyThatFailsFailsItsActionNamingTheShadowIndex() {
        RecordingBulkSink recording = new RecordingBulkSink().defaultReply(RecordingBulkSink.Reply.each(a ->
                a.index().equals("items-v2") && a.id().equals("1")
                        ? ItemResult.permanent(400, "mapper_parsing_exception", "failed to parse field [name]")
                        : a.index().equals("items-v2") && a.id().equals("2")
                                ? ItemResult.retryable(429, "es_rejected_execution_exception", "busy")
                                : ItemResult.success()));
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        sink.shadow("items", "items-v2");
        List<ItemResult> results = join(sink.execute(List.of(
                DocumentAction.index("items", "1", Map.of("name", "x")),
                DocumentAction.index("items", "2", Map.of("name", "y")),
                DocumentAction.index("items", "3", Map.of("name", "z")))));
        assertEquals(ItemResult.Outcome.PERMANENT, results.get(0).outcome());
        assertTrue(results.get(0).reason().contains("items-v2"), results.get(0).reason());
        assertEquals(ItemResult.Outcome.RETRYABLE, results.get(1).outcome());
        assertEquals(ItemResult.Outcome.SUCCESS, results.get(2).outcome());
    }

    @Test
    void theOriginalsPermanentFailureOutranksTheCopysRetryableOne() {
        RecordingBulkSink recording = new RecordingBulkSink().defaultReply(RecordingBulkSink.Reply.each(a ->
                a.index().equals("items-v2") ? ItemResult.retryable(429, "es_rejected_execution_exception", "busy")
                        : ItemResult.permanent(400, "mapper_parsing_exception", "bad")));
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        sink.shadow("items", "items-v2");
        ItemResult r = join(sink.execute(List.of(DocumentAction.index("items", "1", Map.of())))).get(0);
        assertEquals(ItemResult.Outcome.PERMANENT, r.outcome());
        assertEquals("bad", r.reason());
    }

    @Test
    void awaitEarlierBulksWaitsForRequestsSentBeforeTheShadowWasTurnedOn() throws Exception {
        RecordingBulkSink recording = new RecordingBulkSink().manual(true);
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        CompletionStage<List<ItemResult>> before = sink.execute(List.of(DocumentAction.index("items", "1", Map.of())));
        sink.shadow("items", "items-v2");
        CompletionStage<List<ItemResult>> after = sink.execute(List.of(DocumentAction.index("items", "2", Map.of())));
        assertThrows(TimeoutException.class, () -> sink.awaitEarlierBulks(Duration.ZERO),
                "a request without the copies is still in flight");
        recording.requests().get(0).complete();
        join(before);
        sink.awaitEarlierBulks(Duration.ZERO);
        assertFalse(recording.requests().get(1).isCompleted(), "a request with the copies is not waited for");
        recording.requests().get(1).complete();
        join(after);
    }

    @Test
    void whileHeldNoRequestReachesTheDelegateAndAwaitEarlierBulksWaitsOnlyForThoseSentBefore() throws Exception {
        RecordingBulkSink recording = new RecordingBulkSink().manual(true);
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        sink.shadow("items", "items-v2");
        CompletionStage<List<ItemResult>> before = sink.execute(List.of(DocumentAction.index("items", "1", Map.of())));
        sink.hold();
        CompletionStage<List<ItemResult>> held = sink.execute(List.of(DocumentAction.index("items", "2", Map.of())));
        assertEquals(1, recording.requests().size(), "the request made while held is kept");
        assertThrows(TimeoutException.class, () -> sink.awaitEarlierBulks(Duration.ZERO),
                "the request sent before the hold is in flight");
        recording.requests().get(0).complete();
        join(before);
        sink.awaitEarlierBulks(Duration.ZERO); // nothing is in flight: the kept request is not
        assertFalse(held.toCompletableFuture().isDone(), "answered only once sent");

        sink.release();
        assertEquals(2, recording.requests().size(), "sent by the release");
        assertEquals(List.of("INDEX items/2", "INDEX items-v2/2"), described(recording.requests().get(1).actions()),
                "with the shadows of the moment it is sent");
        recording.requests().get(1).complete();
        assertEquals(1, join(held).size());
        sink.execute(List.of(DocumentAction.index("items", "3", Map.of())));
        assertEquals(3, recording.requests().size(), "released: requests go out at once");
    }

    @Test
    void closeSendsWhatIsHeldBeforeClosingTheDelegate() {
        RecordingBulkSink recording = new RecordingBulkSink();
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        sink.hold();
        CompletionStage<List<ItemResult>> held = sink.execute(List.of(DocumentAction.index("items", "1", Map.of())));
        sink.close();
        assertEquals(1, join(held).size());
        assertTrue(recording.isClosed());
    }

    @Test
    void startRestoresTheShadowsBeforeTheFirstWrite() {
        RecordingBulkSink recording = new RecordingBulkSink();
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording, () -> Map.of("items", "items-v2"));
        assertTrue(sink.covers("items", "items-v2"), "nothing was written yet");
        sink.start();
        join(sink.execute(List.of(DocumentAction.index("items", "1", Map.of()))));
        assertEquals(List.of("INDEX items/1", "INDEX items-v2/1"), described(recording.requests().get(0).actions()));
        assertTrue(sink.covers("items", "items-v2"));
    }

    @Test
    void aSinkThatWroteWithoutTheShadowDoesNotCoverIt() {
        ShadowWriteSink sink = ShadowWriteSink.wrap(new RecordingBulkSink());
        sink.start();
        join(sink.execute(List.of(DocumentAction.index("items", "1", Map.of()))));
        assertFalse(sink.covers("items", "items-v2"));
    }

    @Test
    void refusesAShadowIntoItselfAndChains() {
        ShadowWriteSink sink = ShadowWriteSink.wrap(new RecordingBulkSink());
        assertThrows(IllegalArgumentException.class, () -> sink.shadow("items", "items"));
        sink.shadow("items", "items-v2");
        assertThrows(IllegalArgumentException.class, () -> sink.shadow("items-v2", "items-v3"));
        assertThrows(IllegalArgumentException.class, () -> sink.shadow("other", "items"));
    }

    @Test
    void aCopyTheShadowIndexRejectsStopsThePipelineBeforeItsRecordIsCommitted() throws Exception {
        InMemorySource source = new InMemorySource();
        SourcePosition first = source.append("p-0", Events.full(Events.insert("shop", "items", Map.of("id", 1, "name", "a"))));
        SourcePosition second = source.append("p-0", Events.full(Events.insert("shop", "items", Map.of("id", 2, "name", "b"))));
        RecordingBulkSink recording = new RecordingBulkSink().defaultReply(RecordingBulkSink.Reply.permanent(
                a -> a.index().equals("items-v2") && a.id().equals("2"), "failed to parse field [name]"));
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording, () -> Map.of("items", "items-v2"));
        SyncPipeline pipeline = SyncPipeline.builder().source(source)
                .ruleSet(Rules.builder().rule(TableRule.builder().database("shop").table("items").index("items").build())
                        .build())
                .sink(sink).commitInterval(Duration.ZERO).build();
        pipeline.start();
        try {
            assertTrue(pipeline.awaitTermination(Duration.ofSeconds(30)), "the pipeline stops on its own");
            assertEquals(PipelineState.FAILED, pipeline.state());
            assertTrue(pipeline.failure().getMessage().contains("items-v2"), pipeline.failure().getMessage());
            SourcePosition committed = source.committed("p-0");
            assertTrue(committed == null || committed.offset() < second.offset(),
                    "nothing from the record whose copy was rejected on: " + committed + ", first " + first);
            assertEquals(Map.of("id", 2, "name", "b"), recording.document("items", "2"),
                    "the original was written; its record still is not done");
        } finally {
            pipeline.close();
        }
    }

    @Test
    void afterTheShadowStopsAwaitEarlierBulksWaitsForTheLateWriteFenceOfARequestWithCopiesInDoubt() throws Exception {
        RecordingBulkSink recording = new RecordingBulkSink().manual(true);
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        sink.shadow("items", "items-v2");
        CompletionStage<List<ItemResult>> withCopies = sink.execute(List.of(DocumentAction.index("items", "1", Map.of())));
        recording.requests().get(0).fail(new RequestInDoubtException("read timed out", null, Duration.ofDays(1)));
        assertThrows(CompletionException.class, () -> join(withCopies));
        sink.shadow("items", "items-v2");
        sink.awaitEarlierBulks(Duration.ZERO); // the copies' index is still shadowed: nothing to wait for
        sink.stopShadow("items");
        TimeoutException e = assertThrows(TimeoutException.class, () -> sink.awaitEarlierBulks(Duration.ZERO),
                "the node may still write the copy into items-v2: deleting it now could let the copy re-create it");
        assertTrue(e.getMessage().contains("in doubt"), e.getMessage());
    }

    @Test
    void aRequestInDoubtWithoutCopiesOrWithoutAFenceIsNotWaitedFor() throws Exception {
        RecordingBulkSink recording = new RecordingBulkSink().manual(true);
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording);
        sink.start();
        CompletionStage<List<ItemResult>> without = sink.execute(List.of(DocumentAction.index("items", "1", Map.of())));
        recording.requests().get(0).fail(new RequestInDoubtException("read timed out", null, Duration.ofDays(1)));
        assertThrows(CompletionException.class, () -> join(without));
        sink.shadow("items", "items-v2");
        CompletionStage<List<ItemResult>> unfenced = sink.execute(List.of(DocumentAction.index("items", "2", Map.of())));
        recording.requests().get(1).fail(new RequestInDoubtException("reset", null, Duration.ZERO));
        assertThrows(CompletionException.class, () -> join(unfenced));
        sink.stopShadow("items");
        sink.awaitEarlierBulks(Duration.ZERO);
    }

    @Test
    void aRestartDoesNotForgetAWriteMadeWithoutTheShadow() {
        ShadowWriteSink sink = ShadowWriteSink.wrap(new RecordingBulkSink());
        sink.start();
        join(sink.execute(List.of(DocumentAction.index("items", "1", Map.of()))));
        sink.close();
        sink.start();
        assertFalse(sink.covers("items", "items-v2"),
                "the write before the restart went to items without its copy into items-v2");
    }

    @Test
    void anAnswerWithoutTheCopiesResultsFailsTheRequest() {
        BulkSink originalsOnly = new BulkSink() {
            @Override
            public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
                return CompletableFuture.completedFuture(List.of(ItemResult.success()));
            }
        };
        ShadowWriteSink sink = ShadowWriteSink.wrap(originalsOnly);
        sink.start();
        sink.shadow("items", "items-v2");
        CompletionException e = assertThrows(CompletionException.class,
                () -> join(sink.execute(List.of(DocumentAction.index("items", "1", Map.of())))));
        assertInstanceOf(dev.binlogsync.core.SyncException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("contract"), e.getCause().getMessage());
    }

    @Test
    void aShadowStoppedWhileStartReadsTheStateIsNotRestored() {
        ShadowWriteSink[] holder = new ShadowWriteSink[1];
        RecordingBulkSink recording = new RecordingBulkSink();
        ShadowWriteSink sink = ShadowWriteSink.wrap(recording, () -> {
            // the state still said SHADOWING when read; the re-sync then finished and stopped the shadow
            holder[0].stopShadow("items");
            return Map.of("items", "items-v2");
        });
        holder[0] = sink;
        sink.start();
        assertEquals(Map.of(), sink.shadows());
        join(sink.execute(List.of(DocumentAction.index("items", "1", Map.of()))));
        assertEquals(List.of("INDEX items/1"), described(recording.requests().get(0).actions()));
    }
}
