package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingBulkSink.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * After a bulk failed in doubt ({@link RequestInDoubtException}: the server may still apply it
 * late), its retry goes at once, other documents keep flowing, and a newer write of one of its
 * documents waits for the fence. Driven by a manual clock: no sleeps, no timing.
 */
class LateWriteFenceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String P = "orders-0";

    private final InMemorySource source = new InMemorySource();
    private final RecordingBulkSink sink = new RecordingBulkSink();
    private final ManualClock clock = new ManualClock();
    private SyncPipeline pipeline;

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close(Duration.ofSeconds(5));
        }
    }

    private void start() {
        start(TestRules.byOperation());
    }

    private void start(RuleSet rules) {
        pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(sink).clock(clock)
                .lanes(1).maxInFlightRequests(1).flushInterval(Duration.ofMillis(1)).commitInterval(Duration.ZERO)
                .retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(Duration.ofMillis(1)).threadName("fence-pipeline").build();
        pipeline.start();
    }

    /** Moves the clock on by {@code d} and lets the pipeline loop a few times. */
    private void advance(Duration d) throws InterruptedException {
        clock.advance(d);
        assertTrue(source.awaitPolls(source.polls() + 3, WAIT), "the pipeline polls");
    }

    /** Waits until every appended record was polled and processed (the loop came back to poll). */
    private void processed() throws InterruptedException {
        assertTrue(source.awaitDelivered(WAIT));
        assertTrue(source.awaitPolls(source.polls() + 2, WAIT));
    }

    private List<String> ids(RecordingBulkSink.Request r) {
        List<String> ids = new ArrayList<>();
        r.actions().forEach(a -> ids.add(a.type() + " " + a.id()));
        return ids;
    }

    /** Starts the pipeline and sends the insert of document 1, whose bulk fails in doubt (fence 10 s). */
    private void firstInsertFailsInDoubtWithAFenceOf10s() throws Exception {
        sink.enqueue(Reply.failRequest(new RequestInDoubtException("test: socket timeout after sending", null,
                Duration.ofSeconds(10))));
        start();
        source.append(P, Events.insert("shop", "orders", row(1, "v", 1)));
        processed();
        advance(Duration.ofMillis(2));
        assertTrue(sink.awaitRequests(1, WAIT), () -> sink.requests().toString());
    }

    @Test
    void newerWriteOfAnInDoubtBulksDocumentWaitsForTheFenceWhileTheRetryAndOtherDocumentsGo() throws Exception {
        firstInsertFailsInDoubtWithAFenceOf10s();

        source.append(P, Events.update("shop", "orders", row(1, "v", 2), java.util.Map.of()));
        source.append(P, Events.insert("shop", "orders", row(2, "v", 1)));
        processed();
        advance(Duration.ofMillis(2)); // the retry is due
        advance(Duration.ofMillis(2)); // and the lane's buffer
        assertTrue(sink.awaitRequests(3, WAIT), () -> sink.requests().toString());
        assertEquals(List.of("INDEX 1"), ids(sink.requests().get(1)), "the retry: the same write, not held back");
        assertEquals(List.of("INDEX 2"), ids(sink.requests().get(2)), "another document is not held back");

        advance(Duration.ofSeconds(9));
        assertEquals(3, sink.requests().size(), "document 1's newer write waits for the fence");
        assertEquals(0, source.committed(P).offset(), "and its record stays uncommitted");

        advance(Duration.ofSeconds(1));
        assertTrue(sink.awaitRequests(4, WAIT), () -> sink.requests().toString());
        assertEquals(List.of("UPSERT 1"), ids(sink.requests().get(3)));
        assertTrue(source.awaitCommitted(P, 2, WAIT));
        assertEquals(2, ((Number) sink.document("idx", "1").get("v")).intValue());
    }

    @Test
    void failureThatProvesNothingWasSentIsRetriedWithoutAFence() throws Exception {
        sink.enqueue(Reply.failRequest(new RetriableSyncException("test: connection refused")));
        start();
        source.append(P, Events.insert("shop", "orders", row(1, "v", 1)));
        processed();
        advance(Duration.ofMillis(2));
        assertTrue(sink.awaitRequests(1, WAIT), () -> sink.requests().toString());
        source.append(P, Events.update("shop", "orders", row(1, "v", 2), java.util.Map.of()));
        processed();
        advance(Duration.ofMillis(2));
        advance(Duration.ofMillis(2));
        assertTrue(sink.awaitRequests(3, WAIT), () -> sink.requests().toString());
        assertEquals(List.of("UPSERT 1"), ids(sink.requests().get(2)));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
    }

    /** The published metrics once {@code accept} holds for them (they are published every loop). */
    private PipelineMetrics metrics(String what, Predicate<PipelineMetrics> accept) {
        return Await.value(WAIT, what, pipeline::metrics, accept);
    }

    @Test
    void countsEachInDoubtBulkAndEachDocumentWriteHeldBackByAFenceOnce() throws Exception {
        firstInsertFailsInDoubtWithAFenceOf10s();
        PipelineMetrics failed = metrics("the in-doubt failure counted", m -> m.failedBulks() == 1);
        assertEquals(1, failed.inDoubtBulks());
        assertEquals(0, failed.fencedWrites(), "a fence was set, but nothing newer of its document waits yet");

        source.append(P, Events.update("shop", "orders", row(1, "v", 2), java.util.Map.of()));
        source.append(P, Events.insert("shop", "orders", row(2, "v", 1)));
        processed();
        advance(Duration.ofMillis(2)); // the retry goes
        advance(Duration.ofMillis(2)); // document 2 goes, document 1's newer write is held back
        assertTrue(sink.awaitRequests(3, WAIT), () -> sink.requests().toString());
        source.append(P, Events.update("shop", "orders", row(1, "v", 3), java.util.Map.of()));
        processed();
        advance(Duration.ofMillis(2)); // the lane is taken again: document 1 still waits, behind the same fence
        advance(Duration.ofSeconds(9));
        assertEquals(3, sink.requests().size(), "document 1's newer writes wait for the fence");
        PipelineMetrics held = metrics("the held-back write counted", m -> m.fencedWrites() >= 1);
        assertEquals(1, held.fencedWrites(), "one document waited behind one fence, however often the lane was taken");
        assertEquals(1, held.inDoubtBulks());
        assertEquals(1, held.failedBulks());

        advance(Duration.ofSeconds(1));
        assertTrue(sink.awaitRequests(4, WAIT), () -> sink.requests().toString());
        assertTrue(source.awaitCommitted(P, 3, WAIT));
        PipelineMetrics done = metrics("every bulk completed", m -> m.bulks() == 4);
        assertEquals(1, done.inDoubtBulks());
        assertEquals(1, done.fencedWrites());
        assertEquals(3, ((Number) sink.document("idx", "1").get("v")).intValue());
    }

    @Test
    void aFailureThatProvesNothingWasSentIsNotCountedInDoubtAndAZeroFenceHoldsNothingBack() throws Exception {
        sink.enqueue(Reply.failRequest(new RetriableSyncException("test: connection refused")),
                Reply.failRequest(new RequestInDoubtException("test: in doubt, no fence", null, Duration.ZERO)));
        start();
        source.append(P, Events.insert("shop", "orders", row(1, "v", 1)));
        processed();
        advance(Duration.ofMillis(2));
        assertTrue(sink.awaitRequests(1, WAIT), () -> sink.requests().toString());
        PipelineMetrics refused = metrics("the refused request counted", m -> m.failedBulks() == 1);
        assertEquals(0, refused.inDoubtBulks());

        advance(Duration.ofMillis(2)); // the retry goes and fails in doubt, with a zero fence
        assertTrue(sink.awaitRequests(2, WAIT), () -> sink.requests().toString());
        PipelineMetrics inDoubt = metrics("the in-doubt retry counted", m -> m.failedBulks() == 2);
        assertEquals(1, inDoubt.inDoubtBulks());

        source.append(P, Events.update("shop", "orders", row(1, "v", 2), java.util.Map.of()));
        processed();
        advance(Duration.ofMillis(2));
        advance(Duration.ofMillis(2));
        assertTrue(sink.awaitRequests(4, WAIT), () -> sink.requests().toString());
        assertEquals(List.of("UPSERT 1"), ids(sink.requests().get(3)));
        assertTrue(source.awaitCommitted(P, 1, WAIT));
        PipelineMetrics done = metrics("every bulk completed", m -> m.bulks() == 4);
        assertEquals(2, done.failedBulks());
        assertEquals(1, done.inDoubtBulks());
        assertEquals(0, done.fencedWrites());
    }

    /**
     * A row whose routing value changes is deleted under the old routing and written under the new one.
     * Elasticsearch keeps an id unique per shard only, and two routing values can pick the same shard
     * (always in a one-shard index): then the delete and the write address the same document and must
     * be applied in their order. {@link RecordingBulkSink}'s index keys documents by index and id, as
     * one shard does. Driven by a manual clock: no sleeps, no timing.
     */
    @Test
    void aRowMovedToOtherRoutingWhileItsOldDocumentIsFencedIsNotDeletedByTheDelayedDeleteOfTheOldRouting()
            throws Exception {
        // orders routed by customer, as the shop's monthly index
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("idx")
                .routing("customer").build()).build();
        // the insert's bulk fails in doubt: its document (routed to "ada") is fenced for 10 s
        sink.enqueue(Reply.failRequest(new RequestInDoubtException("test: socket timeout after sending", null,
                Duration.ofSeconds(10))));
        start(rules);
        source.append(P, Events.full(Events.insert("shop", "orders", row(1, "customer", "ada", "total", 10))));
        processed();
        advance(Duration.ofMillis(2));
        assertTrue(sink.awaitRequests(1, WAIT), () -> sink.requests().toString());

        // the customer changes: delete under "ada", write under "edsger"
        source.append(P, Events.full(Events.update("shop", "orders", row(1, "customer", "edsger", "total", 10),
                Map.of("customer", "ada"))));
        processed();
        advance(Duration.ofMillis(2)); // the in-doubt bulk's retry
        advance(Duration.ofMillis(2)); // the lane's buffer
        advance(Duration.ofSeconds(10)); // the fence ends
        advance(Duration.ofMillis(2));
        assertTrue(source.awaitCommitted(P, 1, WAIT), () -> sink.requests().toString());

        assertEquals(Map.of("id", 1, "customer", "edsger", "total", 10), sink.document("idx", "1"),
                () -> "the row as it is now, written under its new routing; writes: " + sink.history("idx", "1"));
        List<DocumentAction> history = sink.history("idx", "1");
        assertEquals("edsger", history.get(history.size() - 1).routing(), () -> "the last write: " + history);
    }
}
