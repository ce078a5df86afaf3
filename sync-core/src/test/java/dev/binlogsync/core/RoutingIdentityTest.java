package dev.binlogsync.core;

import static dev.binlogsync.core.TestRules.INDEX;
import static dev.binlogsync.core.TestRules.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingBulkSink.Reply;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same index and id with different routing may be one document in Elasticsearch (an id is unique
 * per shard, and two routing values can hash to the same shard): the pipeline's retry bookkeeping
 * keeps such actions in their order, as one document's. {@link RecordingBulkSink} keys its simulated
 * index by index and id, as one shard does.
 */
class RoutingIdentityTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String P = "orders-0";

    private final InMemorySource source = new InMemorySource();
    private final RecordingBulkSink sink = new RecordingBulkSink();
    private SyncPipeline pipeline;

    @AfterEach
    void close() {
        if (pipeline != null) {
            pipeline.close(Duration.ofSeconds(5));
        }
    }

    /** INSERT -> INDEX(row) routed by the row's {@code tenant}. */
    private static RuleSet routedByTenant() {
        return (event, out) -> out.collect(DocumentAction.index(INDEX, String.valueOf(event.row().get("id")), event.row())
                .withRouting(String.valueOf(event.row().get("tenant"))));
    }

    private static List<String> described(RecordingBulkSink.Request r) {
        List<String> out = new ArrayList<>();
        r.actions().forEach(a -> out.add(a.type() + " " + a.id() + " routing " + a.routing()));
        return out;
    }

    @Test
    void retryOfADocumentAlsoSendsAgainTheLaterWriteOfTheSameIdWithOtherRouting() throws Exception {
        // the first request: document 1 routed to "a" fails retryably, document 1 routed to "b" succeeds
        sink.enqueue(Reply.retryable(a -> "a".equals(a.routing())));
        pipeline = SyncPipeline.builder().source(source).ruleSet(routedByTenant()).sink(sink)
                .lanes(1).maxInFlightRequests(1).flushInterval(Duration.ofMillis(1)).commitInterval(Duration.ZERO)
                .retryInitialBackoff(Duration.ofMillis(1)).retryMaxBackoff(Duration.ofMillis(1)).threadName("routing-pipeline").build();
        source.append(P, Events.insert("shop", "orders", row(1, "tenant", "a")),
                Events.insert("shop", "orders", row(1, "tenant", "b")));
        pipeline.start();

        assertTrue(sink.awaitRequests(2, WAIT), () -> sink.requests().toString());
        assertEquals(List.of("INDEX 1 routing a", "INDEX 1 routing b"), described(sink.requests().get(0)),
                "one bulk with both writes");
        assertEquals(List.of("INDEX 1 routing a", "INDEX 1 routing b"), described(sink.requests().get(1)),
                "the write routed to b follows the retried one again: on one shard they are the same document");
        assertTrue(source.awaitCommitted(P, 0, WAIT), "the record (both inserts) is committed");
        assertEquals(row(1, "tenant", "b"), sink.document(INDEX, "1"), "the last write wins, as in the source");
        assertEquals(2, pipeline.metrics().retried(), "both actions retried");
    }
}
