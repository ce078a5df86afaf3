package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.testing.Events;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.testing.EmbeddedElasticsearch;
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
class RulesOnNodeIT {
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
                + "\"settings\": {\"flushInterval\": \"20ms\", \"commitInterval\": \"0s\"}"
                + "}";
        PipelineDefinition pc = ConfigLoader.create().withEnv(Map.of("ES_URL", node.httpUrl())).fromJson(config);
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
            assertEquals(PipelineState.RUNNING, pipeline.state());
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

    /** Runs {@code changes} through a pipeline built from {@code rules} (JSON), each committed before the next. */
    private static void runOneByOne(String rules, ChangeEvent... changes) throws Exception {
        String config = "{"
                + "\"sink\": {\"type\": \"elasticsearch\", \"hosts\": [\"${ES_URL}\"], \"socketTimeout\": \"20s\"},"
                + "\"rules\": [" + rules + "],"
                + "\"settings\": {\"flushInterval\": \"5ms\", \"commitInterval\": \"0s\"}"
                + "}";
        PipelineDefinition pc = ConfigLoader.create().withEnv(Map.of("ES_URL", node.httpUrl())).fromJson(config);
        InMemorySource source = new InMemorySource();
        try (SyncPipeline pipeline = pc.toPipelineBuilder().source(source).build()) {
            pipeline.start();
            for (ChangeEvent change : changes) {
                SourcePosition at = source.append("canal-0", change);
                assertTrue(source.awaitCommitted("canal-0", at.offset(), WAIT), "committed: " + pipeline.failure());
            }
            assertEquals(PipelineState.RUNNING, pipeline.state());
        }
    }

    private static ChangeEvent at(ChangeEvent e, long timeMillis) {
        return new ChangeEvent(e.database(), e.table(), e.operation(), e.row(), e.oldValues(), e.primaryKeys(),
                timeMillis, e.position());
    }

    @Test
    void childChangesNeverCreateADeletedOrFilteredOutParentOnARealNode() throws Exception {
        runOneByOne("{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"phantom-orders\","
                        + " \"where\": \"status <> 'CANCELLED'\"},"
                        + "{\"database\": \"shop\", \"table\": \"order_shipping\", \"index\": \"phantom-orders\","
                        + " \"mergeInto\": \"order_id\", \"nestUnder\": \"shipping\", \"include\": [\"carrier\"]}",
                // order 1 is deleted, then its shipping row changes and is deleted (clear)
                Events.insert("shop", "orders", row("id", "1", "status", "NEW")),
                Events.insert("shop", "order_shipping", row("id", "50", "order_id", "1", "carrier", "ups")),
                Events.delete("shop", "orders", row("id", "1", "status", "NEW")),
                Events.update("shop", "order_shipping", row("id", "50", "order_id", "1", "carrier", "dhl"),
                        row("carrier", "ups")),
                Events.delete("shop", "order_shipping", row("id", "50", "order_id", "1", "carrier", "dhl")),
                // order 2 is cancelled (leaves the index), then its shipping row changes
                Events.insert("shop", "orders", row("id", "2", "status", "NEW")),
                Events.insert("shop", "order_shipping", row("id", "51", "order_id", "2", "carrier", "ups")),
                Events.update("shop", "orders", row("id", "2", "status", "CANCELLED"), row("status", "NEW")),
                Events.update("shop", "order_shipping", row("id", "51", "order_id", "2", "carrier", "dhl"),
                        row("carrier", "ups")),
                // order 3 lives: its shipping row merges in
                Events.insert("shop", "orders", row("id", "3", "status", "NEW")),
                Events.insert("shop", "order_shipping", row("id", "52", "order_id", "3", "carrier", "ups")));
        assertNull(EsDocs.get(client, "phantom-orders", "1"), "no phantom of the deleted order");
        assertNull(EsDocs.get(client, "phantom-orders", "2"), "no phantom of the cancelled order");
        assertEquals(Map.of("id", "3", "status", "NEW", "shipping", Map.of("carrier", "ups"), "@version", 2),
                EsDocs.get(client, "phantom-orders", "3"));
        assertEquals(1, EsDocs.count(client, "phantom-orders"));
    }

    @Test
    void updatesOfOneRowWithinOneSecondAreAllAppliedWithBinlogTimeVersionsOnARealNode() throws Exception {
        long second = 1_700_000_000_000L;
        runOneByOne("{\"database\": \"shop\", \"table\": \"users\", \"index\": \"versioned-users\","
                        + " \"writeMode\": \"index\", \"versionFromBinlogTime\": true}",
                at(Events.insert("shop", "users", row("id", "1", "name", "a")), second),
                at(Events.update("shop", "users", row("id", "1", "name", "b"), row("name", "a")), second),
                at(Events.update("shop", "users", row("id", "1", "name", "c"), row("name", "b")), second),
                // a late write from an earlier second is rejected (stale): the newer row stays
                at(Events.update("shop", "users", row("id", "1", "name", "old"), row("name", "x")), second - 1000));
        assertEquals(Map.of("id", "1", "name", "c", "@version", second), EsDocs.get(client, "versioned-users", "1"));
    }

    /** The shard a routing value sends documents to in {@code index}. */
    private static int shardOf(String index, String routing) throws IOException {
        org.elasticsearch.client.Request r = new org.elasticsearch.client.Request("GET", "/" + index + "/_search_shards");
        r.addParameter("routing", routing);
        com.fasterxml.jackson.databind.JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(client.performRequest(r).getEntity().getContent());
        return body.get("shards").get(0).get(0).get("shard").asInt();
    }

    @Test
    void aRowWhoseRoutingAndTemplatedDateChangeMovesToItsNewShardAndIndexOnARealNode() throws Exception {
        for (String month : new String[] {"2024.03", "2024.04"}) {
            assertEquals(200, EsDocs.send(client, "PUT", "/moved-orders-" + month,
                    "{\"settings\":{\"number_of_shards\":4,\"number_of_replicas\":0}}", "application/json"));
        }
        // two tenants whose documents live on different shards, so a stale copy would survive a re-write
        String from = "t0";
        String to = null;
        for (int i = 1; to == null; i++) {
            if (shardOf("moved-orders-2024.03", "t" + i) != shardOf("moved-orders-2024.03", from)) {
                to = "t" + i;
            }
        }
        runOneByOne("{\"database\": \"shop\", \"table\": \"orders\","
                        + " \"index\": \"moved-orders-{created_at:yyyy.MM}\", \"routing\": \"tenant\"}",
                Events.insert("shop", "orders", row("id", "1", "tenant", from, "created_at", "2024-03-05 10:00:00")),
                Events.insert("shop", "orders", row("id", "2", "tenant", from, "created_at", "2024-03-05 10:00:00")),
                // order 1 changes tenant (routing): another shard of the same index
                Events.update("shop", "orders", row("id", "1", "tenant", to, "created_at", "2024-03-05 10:00:00"),
                        row("tenant", from)),
                // order 2 changes tenant and month: another shard of another index
                Events.update("shop", "orders", row("id", "2", "tenant", to, "created_at", "2024-04-01 00:00:00"),
                        row("tenant", from, "created_at", "2024-03-05 10:00:00")));
        assertNull(EsDocs.get(client, "moved-orders-2024.03", "1", from), "old copy deleted from its old shard");
        assertEquals(to, EsDocs.get(client, "moved-orders-2024.03", "1", to).get("tenant"));
        assertNull(EsDocs.get(client, "moved-orders-2024.03", "2", from), "old copy deleted from its old index");
        assertEquals(to, EsDocs.get(client, "moved-orders-2024.04", "2", to).get("tenant"));
        assertEquals(1, EsDocs.count(client, "moved-orders-2024.03"));
        assertEquals(1, EsDocs.count(client, "moved-orders-2024.04"));
    }
}
