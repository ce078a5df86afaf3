package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.PipelineConfig;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.elasticsearch.testing.EmbeddedElasticsearch;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules and filters end to end: a configuration (as a configuration center would hand it over)
 * drives the engine writing through the configured {@code elasticsearch} sink into a real node.
 * Sharded tables feed one date-templated index family, filter transitions delete and re-create
 * documents, a templated date moving to another month moves the document, and a second table is
 * merged into the order documents.
 */
class RulesOnNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(90);
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

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static Map<String, Object> order(int id, String status, String createdAt) {
        return row("id", String.valueOf(id), "status", status, "created_at", createdAt, "amount", "10." + id);
    }

    @Test
    void shardedTablesTemplatedIndexFilterTransitionsAndMergedTableOnARealNode() throws Exception {
        String config = "{"
                + "\"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"${ES_URL}\"], \"socketTimeout\": \"20s\"},"
                + "\"rules\": ["
                + "  {\"database\": \"shop\", \"table\": \"order_[0-9]+\", \"index\": \"rules-orders-{created_at:yyyy.MM}\","
                + "   \"where\": \"status <> 'deleted'\"},"
                + "  {\"database\": \"shop\", \"table\": \"order_shipping\", \"index\": \"rules-orders-{created_at:yyyy.MM}\","
                + "   \"mergeInto\": \"order_id\", \"nestUnder\": \"shipping\", \"include\": [\"carrier\"]}"
                + "],"
                + "\"flush\": {\"interval\": \"20ms\", \"commitInterval\": \"0s\"}"
                + "}";
        PipelineConfig pc = ConfigLoader.create().withEnv(Map.of("ES_URL", node.httpUrl())).fromJson(config);
        InMemorySource source = new InMemorySource();
        String p = "canal-0";
        // three shards of one logical table, two months
        source.append(p, Events.insert("shop", "order_0", order(1, "paid", "2024-03-05 10:00:00")));
        source.append(p, Events.insert("shop", "order_7", order(2, "new", "2024-04-01 08:00:00")));
        source.append(p, Events.insert("shop", "order_63", order(3, "new", "2024-03-31 23:59:59")));
        // filter transitions on order 1: stops matching (deleted), then matches again (full row)
        source.append(p, Events.update("shop", "order_0", order(1, "deleted", "2024-03-05 10:00:00"), row("status", "paid")));
        source.append(p, Events.update("shop", "order_0", order(1, "refunded", "2024-03-05 10:00:00"), row("status", "deleted")));
        // order 3's date moves to April: deleted from March, written to April
        source.append(p, Events.update("shop", "order_63", order(3, "new", "2024-04-02 00:00:00"),
                row("created_at", "2024-03-31 23:59:59")));
        // a row that never matches: nothing written, and its delete does nothing
        source.append(p, Events.insert("shop", "order_5", order(4, "deleted", "2024-03-06 00:00:00")));
        source.append(p, Events.delete("shop", "order_5", order(4, "deleted", "2024-03-06 00:00:00")));
        // a second table merged into order 2's document, then removed (fields cleared)
        source.append(p, Events.insert("shop", "order_shipping",
                row("id", "50", "order_id", "2", "carrier", "ups", "created_at", "2024-04-01 09:00:00")));
        source.append(p, Events.insert("shop", "order_shipping",
                row("id", "51", "order_id", "3", "carrier", "dhl", "created_at", "2024-04-02 01:00:00")));
        SourcePosition last = source.append(p, Events.delete("shop", "order_shipping",
                row("id", "50", "order_id", "2", "carrier", "ups", "created_at", "2024-04-01 09:00:00")));

        try (SyncPipeline pipeline = pc.toPipelineBuilder().source(source).build()) {
            pipeline.start();
            assertTrue(source.awaitCommitted(p, last.offset(), WAIT), "all committed: " + pipeline.failure());
            assertEquals(SyncPipeline.State.RUNNING, pipeline.state());
        }

        Map<String, Object> one = EsDocs.get(client, "rules-orders-2024.03", "1");
        assertNotNull(one, "order 1 re-created after it matched again");
        assertEquals("refunded", one.get("status"));
        assertEquals("10.1", one.get("amount"), "re-created with the full row");

        Map<String, Object> two = EsDocs.get(client, "rules-orders-2024.04", "2");
        assertEquals("new", two.get("status"));
        assertTrue(two.containsKey("shipping") && two.get("shipping") == null, "merged fields cleared: " + two);

        assertNull(EsDocs.get(client, "rules-orders-2024.03", "3"), "moved out of March");
        Map<String, Object> three = EsDocs.get(client, "rules-orders-2024.04", "3");
        assertEquals("2024-04-02 00:00:00", three.get("created_at"));
        assertEquals(Map.of("carrier", "dhl"), three.get("shipping"), "merged into the order's document");

        assertNull(EsDocs.get(client, "rules-orders-2024.03", "4"), "never matched, never written");
        assertEquals(1, EsDocs.count(client, "rules-orders-2024.03"));
        assertEquals(2, EsDocs.count(client, "rules-orders-2024.04"));
    }
}
