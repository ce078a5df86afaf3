package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The sync-core pipeline writing through {@link ElasticsearchSink} into real nodes. */
class ElasticsearchPipelineIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static EmbeddedElasticsearch shared;
    private static RestClient client;

    @BeforeAll
    static void connect() {
        shared = EmbeddedElasticsearch.shared();
        client = shared.newClient();
    }

    @AfterAll
    static void disconnect() throws IOException {
        client.close();
    }

    /** One INDEX action per event into {@code index}, id from the row's {@code id}. */
    private static RuleSet indexInto(String index) {
        return (event, out) -> out.collect(
                DocumentAction.index(index, String.valueOf(event.row().get("id")), new HashMap<>(event.row())));
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static void appendOrders(InMemorySource source, String partition) {
        source.append(partition, Events.insert("shop", "orders", row("id", 0, "qty", 10)));
        source.append(partition, Events.insert("shop", "orders", row("id", 1, "qty", 11)));
        source.append(partition, Events.insert("shop", "orders", row("id", 2, "qty", "twelve"))); // offset 2: rejected
        source.append(partition, Events.insert("shop", "orders", row("id", 3, "qty", 13)));
        source.append(partition, Events.insert("shop", "orders", row("id", 4, "qty", 14)));
    }

    private static ElasticsearchSink sinkFor(EmbeddedElasticsearch es) {
        return ElasticsearchSink.builder().hosts(es.httpUrl())
                .connectTimeout(Duration.ofSeconds(1)).socketTimeout(Duration.ofSeconds(20)).build();
    }

    @Test
    void mappingConflictStopsThePipelineByDefaultAndNothingPastItIsCommitted() throws Exception {
        EsDocs.createIndex(client, "pipe-stop", "{\"qty\":{\"type\":\"long\"}}");
        InMemorySource source = new InMemorySource();
        appendOrders(source, "orders-0");
        SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(indexInto("pipe-stop"))
                .sink(sinkFor(shared)).commitInterval(Duration.ZERO).build();
        pipeline.start();
        try {
            assertTrue(pipeline.awaitTermination(WAIT), "the pipeline stops on its own");
            assertEquals(PipelineState.FAILED, pipeline.state());
            String message = pipeline.failure().getMessage();
            assertTrue(message.contains("pipe-stop/2") && message.contains("orders-0@2"), message);
            assertTrue(message.contains("failed to parse field [qty] of type [long]"), message);

            assertEquals(1, source.committed("orders-0").offset(), "commits what came before the rejected record, nothing after");
            assertNotNull(EsDocs.get(client, "pipe-stop", "1"));
            assertNull(EsDocs.get(client, "pipe-stop", "2"));
        } finally {
            pipeline.close();
        }
    }

    @Test
    void mappingConflictGoesToTheDeadLetterSinkAndThePipelineContinues() throws Exception {
        EsDocs.createIndex(client, "pipe-dlq", "{\"qty\":{\"type\":\"long\"}}");
        InMemorySource source = new InMemorySource();
        RecordingDeadLetterSink deadLetters = new RecordingDeadLetterSink();
        appendOrders(source, "orders-0");
        SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(indexInto("pipe-dlq"))
                .sink(sinkFor(shared)).deadLetterSink(deadLetters).onRejected(FailurePolicy.DEAD_LETTER)
                .commitInterval(Duration.ZERO).build();
        pipeline.start();
        try {
            assertTrue(source.awaitCommitted("orders-0", 4, WAIT), "commits past the rejected document");
            assertEquals(PipelineState.RUNNING, pipeline.state());
            assertEquals(1, deadLetters.letters().size());
            DeadLetter letter = deadLetters.letters().get(0);
            assertEquals(DeadLetter.Kind.REJECTED, letter.kind());
            assertEquals("2", letter.action().id());
            assertEquals(ItemResult.Outcome.PERMANENT, letter.result().outcome());
            assertTrue(letter.result().reason().contains("failed to parse field [qty] of type [long]"), letter.result().reason());
            assertEquals(2, letter.positions().get(0).offset());

            source.append("orders-0", Events.insert("shop", "orders", row("id", 5, "qty", 15)));
            assertTrue(source.awaitCommitted("orders-0", 5, WAIT), "keeps going after the dead letter");
            assertEquals(5, EsDocs.count(client, "pipe-dlq"));
        } finally {
            pipeline.close();
        }
    }

    @Test
    void nodeStoppedMidStreamAndStartedAgainLosesNothingAndKeepsOrder() throws Exception {
        int keys = 20;
        int total = 2500;
        try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("outage-pipeline").build().start();
                RestClient esClient = es.newClient()) {
            InMemorySource source = new InMemorySource();
            // every record: the latest state of one of 20 documents (order), and a log entry of its own (loss)
            RuleSet rules = (event, out) -> {
                long seq = ((Number) event.row().get("seq")).longValue();
                out.collect(DocumentAction.index("pipe-latest", Long.toString(seq % keys), Map.of("seq", seq)));
                out.collect(DocumentAction.index("pipe-log", Long.toString(seq), Map.of("seq", seq)));
            };
            SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(sinkFor(es))
                    .maxBulkActions(50).maxBufferedActions(200).maxInFlightRequests(2)
                    .flushInterval(Duration.ofMillis(20)).retryInitialBackoff(Duration.ofMillis(50)).retryMaxBackoff(Duration.ofMillis(500))
                    .commitInterval(Duration.ZERO).build();
            pipeline.start();
            try {
                int seq = 0;
                for (; seq < 500; seq++) {
                    source.append("changes-0", Events.insert("shop", "orders", row("seq", seq)));
                }
                assertTrue(source.awaitCommitted("changes-0", 499, WAIT));

                for (; seq < 1500; seq++) {
                    source.append("changes-0", Events.insert("shop", "orders", row("seq", seq)));
                }
                es.stop(); // mid-stream: bulks are being written
                for (; seq < total; seq++) {
                    source.append("changes-0", Events.insert("shop", "orders", row("seq", seq)));
                }

                assertTrue(source.awaitPaused(true, WAIT), "the source is paused while the node is down");
                Await.until(WAIT, "bulks fail while the node is down", () -> pipeline.metrics().failedBulks() > 0);
                long committedWhileDown = source.committed("changes-0").offset();
                assertTrue(committedWhileDown < total - 1, "not everything can be committed: " + committedWhileDown);
                assertEquals(PipelineState.RUNNING, pipeline.state(), "an outage does not stop the pipeline");

                es.start();
                assertTrue(source.awaitCommitted("changes-0", total - 1, WAIT), "catches up after the node is back");
                assertTrue(pipeline.metrics().retried() > 0, "failed work was retried");
                assertEquals(PipelineState.RUNNING, pipeline.state());
            } finally {
                pipeline.close();
            }

            assertEquals(total, EsDocs.count(esClient, "pipe-log"), "every record's document is there");
            for (int key = 0; key < keys; key++) {
                int last = total - keys + key; // the last seq with seq % keys == key
                assertEquals(last, ((Number) EsDocs.get(esClient, "pipe-latest", Integer.toString(key)).get("seq")).intValue(),
                        "document " + key + " holds its latest change");
            }
        }
    }
}
