package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.ManualClock;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingBulkSink.Reply;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A row whose routing value changes is deleted under the old routing and written under the new one.
 * Elasticsearch keeps an id unique per shard only, and two routing values can pick the same shard
 * (always in a one-shard index): then the delete and the write address the same document and must
 * be applied in their order. {@link RecordingBulkSink}'s index keys documents by index and id, as
 * one shard does. Driven by a manual clock: no sleeps, no timing.
 */
class RoutingMoveOrderTest {
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

    @Test
    void aRowMovedToOtherRoutingWhileItsOldDocumentIsFencedIsNotDeletedByTheDelayedDeleteOfTheOldRouting()
            throws Exception {
        // orders routed by customer, as the shop's monthly index
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("orders").index("idx")
                .routing("customer").build()).build();
        // the insert's bulk fails in doubt: its document (routed to "ada") is fenced for 10 s
        sink.enqueue(Reply.failRequest(new RequestInDoubtException("test: socket timeout after sending", null,
                Duration.ofSeconds(10))));
        pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(sink).clock(clock)
                .lanes(1).maxInFlightRequests(1).flushInterval(Duration.ofMillis(1)).commitInterval(Duration.ZERO)
                .retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(Duration.ofMillis(1))
                .threadName("routing-move-pipeline").build();
        pipeline.start();
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
