package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The default write mode on a real node: one table feeds an index its rule owns (AUTO: full rows
 * are indexed) and, through a second rule, an index written with explicit UPSERT. Both end with the
 * same documents (the same numbers: an upsert stores a decimal as Elasticsearch re-renders it, so
 * {@code 11.00} becomes {@code 11.0}), and the indexed ones keep every digit of a DECIMAL(30,10),
 * which an update of an existing document loses (Elasticsearch re-parses the stored document to
 * merge into it).
 */
class AutoWriteModeOnNodeIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** A DECIMAL(30,10) value wider than a double. */
    private static final String WIDE = "12345678901234567890.1234567890";
    private static final ObjectMapper EXACT = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static EmbeddedElasticsearch node;
    private static RestClient client;

    @BeforeAll
    static void connect() {
        node = EmbeddedElasticsearch.shared();
        client = node.newClient();
    }

    @AfterAll
    static void disconnect() throws IOException {
        client.close();
    }

    private static Map<String, Object> order(int id, String status, String amount) {
        Map<String, Object> m = new HashMap<>();
        m.put("id", id);
        m.put("status", status);
        m.put("amount", new BigDecimal(amount));
        return m;
    }

    /** The stored {@code _source} of a document, numbers read without rounding. */
    private static Map<String, Object> source(String index, String id) throws IOException {
        byte[] body = client.performRequest(new Request("GET", "/" + index + "/_source/" + id)).getEntity()
                .getContent().readAllBytes();
        return EXACT.readValue(new String(body, StandardCharsets.UTF_8), new TypeReference<Map<String, Object>>() { });
    }

    /** The document with each decimal as its number, scale ignored ({@code 11.00} and {@code 11.0} alike). */
    private static Map<String, Object> numeric(Map<String, Object> doc) {
        Map<String, Object> out = new HashMap<>(doc);
        out.replaceAll((k, v) -> v instanceof BigDecimal ? ((BigDecimal) v).stripTrailingZeros() : v);
        return out;
    }

    @Test
    void autoGivesTheSameDocumentsAsUpsertOnAnOwnedIndexAndKeepsEveryDigitOfAWideDecimal() throws Exception {
        String config = "{"
                + "\"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"${ES_URL}\"], \"socketTimeout\": \"20s\"},"
                + "\"rules\": ["
                + "  {\"database\": \"shop\", \"table\": \"orders\", \"index\": \"auto-orders\", \"where\": \"status <> 'gone'\"},"
                + "  {\"database\": \"shop\", \"table\": \"orders\", \"index\": \"upsert-orders\", \"where\": \"status <> 'gone'\","
                + "   \"writeMode\": \"upsert\"}"
                + "],"
                + "\"settings\": {\"flushInterval\": \"5ms\", \"commitInterval\": \"0s\"}"
                + "}";
        PipelineDefinition pc = ConfigLoader.create().withEnv(Map.of("ES_URL", node.httpUrl())).fromJson(config);
        assertTrue(pc.rules().indexesFullRows(0), "the AUTO rule owns auto-orders");
        assertFalse(pc.rules().indexesFullRows(1));
        ChangeEvent[] changes = {
            Events.insert("shop", "orders", order(1, "new", WIDE)),
            Events.update("shop", "orders", order(1, "paid", WIDE), Map.of("status", "new")),
            Events.insert("shop", "orders", order(2, "new", "10.50")),
            // order 2 leaves the filter, then comes back whole
            Events.update("shop", "orders", order(2, "gone", "10.50"), Map.of("status", "new")),
            Events.update("shop", "orders", order(2, "back", "11.00"), Map.of("status", "gone", "amount", new BigDecimal("10.50"))),
            Events.insert("shop", "orders", order(3, "new", "1.00")),
            Events.delete("shop", "orders", order(3, "new", "1.00")),
        };
        InMemorySource source = new InMemorySource();
        try (SyncPipeline pipeline = pc.toPipelineBuilder().source(source).build()) {
            pipeline.start();
            for (ChangeEvent change : changes) {
                // each change written before the next, so nothing coalesces: every update reaches the node
                SourcePosition at = source.append("canal-0", Events.full(change));
                assertTrue(source.awaitCommitted("canal-0", at.offset(), WAIT), "committed: " + pipeline.failure());
            }
            assertEquals(PipelineState.RUNNING, pipeline.state());
        }

        assertEquals(2, EsDocs.count(client, "auto-orders"));
        assertEquals(2, EsDocs.count(client, "upsert-orders"));
        assertEquals(EsDocs.get(client, "upsert-orders", "2").get("status"), EsDocs.get(client, "auto-orders", "2").get("status"));
        assertEquals(Map.of("id", 2, "status", "back", "amount", new BigDecimal("11.00")), source("auto-orders", "2"));
        assertEquals(numeric(source("upsert-orders", "2")), numeric(source("auto-orders", "2")),
                "written whole after the filter transition; the upsert drops the decimal's trailing zeros");

        Map<String, Object> indexed = source("auto-orders", "1");
        assertEquals(Map.of("id", 1, "status", "paid", "amount", new BigDecimal(WIDE)), indexed, "every digit kept");
        Map<String, Object> upserted = source("upsert-orders", "1");
        assertEquals("paid", upserted.get("status"));
        assertEquals(new BigDecimal(WIDE).doubleValue(), ((BigDecimal) upserted.get("amount")).doubleValue(),
                "the same number as far as a double holds it");
        assertFalse(new BigDecimal(WIDE).equals(upserted.get("amount")),
                "the update re-parsed the stored document and rounded the decimal: " + upserted);
        assertEquals(null, EsDocs.get(client, "auto-orders", "3"));
    }
}
