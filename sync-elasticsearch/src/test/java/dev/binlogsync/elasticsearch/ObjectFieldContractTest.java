package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.InMemorySource;
import java.time.Duration;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.ItemResult.Outcome;
import dev.binlogsync.core.PartialObject;
import dev.binlogsync.core.StoredDocument;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What {@link ElasticsearchSink} must do with a partial write (UPSERT, UPDATE) whose document has
 * an object field, against a server that runs painless scripts: each field replaced whole (a key
 * the new object lacks is gone), a {@link PartialObject} merged key by key, a missing document
 * created by an UPSERT and left missing by an UPDATE, noops, routing and {@code if_seq_no} as for
 * a {@code doc}. Each expectation is the {@code _source} a plain GET reads back, written out in the
 * test. Subclasses provide a running server: the {@code compat} profile's Elasticsearch 7.10 and
 * OpenSearch 2.19 (the in-process Elasticsearch 8.19 node has no painless module; what the sink
 * does there is {@link ObjectFieldWithoutPainlessNodeIT}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ObjectFieldContractTest {

    private RestClient client;
    private ElasticsearchSink sink;

    /** The server's base URL, e.g. {@code http://127.0.0.1:9200}; called once, before the tests. */
    protected abstract String httpUrl();

    @BeforeAll
    public void startSink() {
        client = RestClient.builder(org.apache.http.HttpHost.create(httpUrl())).build();
        sink = ElasticsearchSink.builder().hosts(httpUrl()).refresh(ElasticsearchSink.Refresh.WAIT_FOR).build();
        sink.start();
    }

    @AfterAll
    public void closeClients() throws IOException {
        sink.close();
        client.close();
    }

    private List<ItemResult> write(DocumentAction... actions) {
        return sink.execute(List.of(actions)).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static Map<String, Object> doc(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** The stored {@code _source} read back with a plain GET, or null when absent. */
    private Map<String, Object> source(String index, String id) {
        Map<String, Object> d = EsDocs.get(client, index, id);
        if (d != null) {
            d.remove("@version");
        }
        return d;
    }

    private int version(String index, String id) {
        return (Integer) EsDocs.get(client, index, id).get("@version");
    }

    @Test
    public void upsertReplacesAnObjectFieldWholeSoAKeyTheRowNoLongerHasGoes() {
        List<ItemResult> created = write(DocumentAction.upsert("json-upsert", "1",
                doc("name", "shirt", "attrs", doc("color", "red", "size", "L", "dims", doc("w", 1, "h", 2)))));
        assertEquals(Outcome.SUCCESS, created.get(0).outcome(), created.toString());
        assertEquals(Map.of("name", "shirt", "attrs", Map.of("color", "red", "size", "L", "dims", Map.of("w", 1, "h", 2))),
                source("json-upsert", "1"), "a missing document is created with exactly the fields");

        write(DocumentAction.upsert("json-upsert", "1", doc("attrs", doc("color", "red", "dims", doc("w", 1)))));
        assertEquals(Map.of("name", "shirt", "attrs", Map.of("color", "red", "dims", Map.of("w", 1))),
                source("json-upsert", "1"), "size and dims.h are gone, name (not carried) stays");

        write(DocumentAction.upsert("json-upsert", "1", doc("attrs", doc("color", "blue", "fit", "slim"))));
        assertEquals(Map.of("name", "shirt", "attrs", Map.of("color", "blue", "fit", "slim")), source("json-upsert", "1"));

        write(DocumentAction.upsert("json-upsert", "1", doc("attrs", null, "tags", doc("new", true))));
        Map<String, Object> expected = new HashMap<>(Map.of("name", "shirt", "tags", Map.of("new", true)));
        expected.put("attrs", null);
        assertEquals(expected, source("json-upsert", "1"));
    }

    @Test
    public void anUnchangedObjectUpsertIsANoopThatKeepsTheVersion() {
        Map<String, Object> fields = doc("name", "shirt", "attrs", doc("color", "red", "n", 2, "p", 1.5));
        write(DocumentAction.upsert("json-noop", "1", fields));
        int before = version("json-noop", "1");
        List<ItemResult> r = write(DocumentAction.upsert("json-noop", "1", fields),
                DocumentAction.update("json-noop", "1", doc("attrs", doc("color", "red", "n", 2, "p", 1.5))));
        assertTrue(r.stream().allMatch(i -> i.outcome() == Outcome.SUCCESS), r.toString());
        assertEquals(before, version("json-noop", "1"), "nothing changed: noop, no new version");
    }

    /**
     * Values that painless's {@code ==} takes as equal although they differ (numbers of different
     * classes as the server parses them: Integer, Long, BigInteger, Double) must be written, not
     * answered noop. The index stores unmapped fields ({@code dynamic: false}) so no mapping refuses
     * a value.
     */
    @Test
    public void aValueOfAnotherNumericTypeIsWrittenNotTakenAsUnchanged() {
        EsDocs.send(client, "PUT", "/json-types", "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},"
                + "\"mappings\":{\"dynamic\":false}}", "application/json");
        BigInteger twoTo63Plus5 = BigInteger.ONE.shiftLeft(63).add(BigInteger.valueOf(5));
        BigInteger tenGPlus2To64 = BigInteger.ONE.shiftLeft(64).add(BigInteger.valueOf(10_000_000_000L));
        write(DocumentAction.index("json-types", "1", doc("u", 5, "attrs", doc("d", 10_000_000_000L, "x", 5,
                "l", List.of(1, doc("y", 5))), "ship", doc("w", 5, "big", 9_007_199_254_740_993L))));

        List<ItemResult> r = write(DocumentAction.upsert("json-types", "1", doc("u", twoTo63Plus5,
                "attrs", doc("d", tenGPlus2To64, "x", new BigDecimal("5.00"), "l", List.of(1, doc("y", new BigDecimal("5.0")))))));
        assertEquals(Outcome.SUCCESS, r.get(0).outcome(), r.toString());
        assertEquals(Map.of("u", twoTo63Plus5, "attrs", Map.of("d", tenGPlus2To64, "x", 5.0, "l", List.of(1, Map.of("y", 5.0))),
                "ship", Map.of("w", 5, "big", 9_007_199_254_740_993L)), source("json-types", "1"),
                "2^63+5 is not 5, 2^64+10^10 is not 10^10, 5.00 is not 5");

        r = write(DocumentAction.update("json-types", "1", doc("ship",
                new PartialObject(doc("w", new BigDecimal("5.0"), "big", 9_007_199_254_740_992.0)))));
        assertEquals(Outcome.SUCCESS, r.get(0).outcome(), r.toString());
        assertEquals(Map.of("w", 5.0, "big", 9_007_199_254_740_992.0), source("json-types", "1").get("ship"),
                "a merged key of another numeric type is written too");
    }

    @Test
    public void mergeUpdateReplacesANestedObjectWholeAndAPartialObjectKeyByKey() {
        write(DocumentAction.index("json-merge", "1", doc("name", "order",
                "shipping", doc("carrier", "dhl", "city", "Oslo", "box", doc("a", 1, "b", 2)))));
        List<ItemResult> r = write(DocumentAction.update("json-merge", "1",
                doc("shipping", doc("carrier", "dhl", "box", doc("a", 1)))));
        assertEquals(Outcome.SUCCESS, r.get(0).outcome(), r.toString());
        assertEquals(Map.of("name", "order", "shipping", Map.of("carrier", "dhl", "box", Map.of("a", 1))),
                source("json-merge", "1"), "city and box.b are gone");

        write(DocumentAction.update("json-merge", "1",
                doc("shipping", new PartialObject(doc("box", doc("c", 3), "city", "Bergen")))));
        assertEquals(Map.of("name", "order", "shipping", Map.of("carrier", "dhl", "city", "Bergen", "box", Map.of("c", 3))),
                source("json-merge", "1"), "a partial row keeps the columns it lacks and replaces the ones it has");

        write(DocumentAction.update("json-merge", "1", doc("shipping", null)),
                DocumentAction.update("json-merge", "1", doc("shipping", new PartialObject(doc("city", "Bergen")))));
        assertEquals(Map.of("name", "order", "shipping", Map.of("city", "Bergen")), source("json-merge", "1"));
    }

    @Test
    public void anObjectUpdateOfAMissingDocumentIsMissingAndCreatesNothingWhileAnUpsertCreatesIt() {
        write(DocumentAction.index("json-missing", "other", doc("v", 1)));
        List<ItemResult> r = write(
                DocumentAction.update("json-missing", "1", doc("shipping", doc("carrier", "dhl"))),
                DocumentAction.update("json-missing", "2", doc("shipping", new PartialObject(doc("carrier", "dhl")))),
                DocumentAction.upsert("json-missing", "3", doc("shipping", new PartialObject(doc("carrier", "dhl")))));
        assertEquals(Outcome.MISSING, r.get(0).outcome(), r.toString());
        assertEquals(Outcome.MISSING, r.get(1).outcome(), r.toString());
        assertEquals(Outcome.SUCCESS, r.get(2).outcome(), r.toString());
        assertNull(source("json-missing", "1"));
        assertNull(source("json-missing", "2"));
        assertEquals(Map.of("shipping", Map.of("carrier", "dhl")), source("json-missing", "3"));
    }

    @Test
    public void aConditionalObjectUpdateAppliesOnlyWhileTheDocumentIsUnchangedSinceItWasRead() {
        write(DocumentAction.index("json-cond", "1", doc("shipping", doc("carrier", "dhl", "city", "Oslo"))),
                DocumentAction.index("json-cond", "2", doc("shipping", doc("carrier", "ups", "city", "Oslo"))));
        List<StoredDocument> read = sink.read(List.of(new DocumentRef("json-cond", "1", null),
                new DocumentRef("json-cond", "2", null))).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
        write(DocumentAction.index("json-cond", "2", doc("shipping", doc("carrier", "fedex", "city", "Oslo"))));
        List<ItemResult> r = write(
                new DocumentAction("json-cond", "1", null, ActionType.UPDATE, doc("shipping", doc("carrier", "dhl")),
                        null, null, read.get(0).seqNo(), read.get(0).primaryTerm()),
                new DocumentAction("json-cond", "2", null, ActionType.UPDATE, doc("shipping", doc("carrier", "ups")),
                        null, null, read.get(1).seqNo(), read.get(1).primaryTerm()));
        assertEquals(Outcome.SUCCESS, r.get(0).outcome(), r.toString());
        assertEquals(Outcome.CONFLICT, r.get(1).outcome(), r.toString());
        assertEquals(Map.of("shipping", Map.of("carrier", "dhl")), source("json-cond", "1"));
        assertEquals(Map.of("shipping", Map.of("carrier", "fedex", "city", "Oslo")), source("json-cond", "2"));
    }

    @Test
    public void anObjectUpsertKeepsItsRouting() {
        List<ItemResult> r = write(
                DocumentAction.upsert("json-routed", "1", doc("attrs", doc("a", 1, "b", 2))).withRouting("r1"),
                DocumentAction.upsert("json-routed", "1", doc("attrs", doc("a", 1))).withRouting("r1"));
        assertTrue(r.stream().allMatch(i -> i.outcome() == Outcome.SUCCESS), r.toString());
        Map<String, Object> stored = EsDocs.get(client, "json-routed", "1", "r1");
        stored.remove("@version");
        assertEquals(Map.of("attrs", Map.of("a", 1)), stored);
    }

    private static ChangeEvent change(Operation op, String table, Map<String, Object> row, Map<String, Object> old,
            RowImage image) {
        return new ChangeEvent("shop", table, op, row, old, List.of("id"), 1_700_000_000_000L,
                new SourcePosition("p", 0), image);
    }

    /**
     * Through a pipeline (rules, coalescing, sink, server): an upserted order with a JSON column,
     * its shipping row merged under {@code shipping}, full rows and one that may lack columns;
     * once each change committed before the next (every write reaches the server), once all at once
     * (the buffer coalesces them).
     */
    @Test
    public void aPipelineKeepsJsonColumnsAndMergedRowsEqualToTheirRows() throws Exception {
        Rules rules = Rules.builder()
                .rule(TableRule.builder().table("orders").index("json-pipeline").build())
                .rule(TableRule.builder().table("order_shipping").index("json-pipeline").mergeInto("order_id")
                        .nestUnder("shipping").exclude("order_id").build())
                .build();
        for (int order : new int[] {1, 2}) {
            List<ChangeEvent> changes = List.of(
                    change(Operation.INSERT, "orders", doc("id", order, "status", "NEW", "attrs", doc("color", "red", "size", "L")),
                            Map.of(), RowImage.FULL),
                    change(Operation.INSERT, "order_shipping", doc("id", 10 + order, "order_id", order, "carrier", "dhl",
                            "box", doc("w", 1, "h", 2)), Map.of(), RowImage.FULL),
                    change(Operation.UPDATE, "orders", doc("id", order, "status", "PAID", "attrs", doc("color", "red")),
                            doc("status", "NEW", "attrs", doc("color", "red", "size", "L")), RowImage.FULL),
                    change(Operation.UPDATE, "order_shipping", doc("id", 10 + order, "order_id", order, "carrier", "ups",
                            "box", doc("w", 1)), doc("carrier", "dhl"), RowImage.FULL),
                    change(Operation.UPDATE, "order_shipping", doc("id", 10 + order, "order_id", order, "box", doc("w", 3)),
                            doc("box", doc("w", 1)), RowImage.UNKNOWN));
            InMemorySource source = new InMemorySource();
            // the pipeline starts and closes its own sink
            ElasticsearchSink own = ElasticsearchSink.builder().hosts(httpUrl()).refresh(ElasticsearchSink.Refresh.WAIT_FOR).build();
            try (SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(rules).sink(own)
                    .commitInterval(Duration.ZERO).flushInterval(Duration.ofMillis(5)).build()) {
                pipeline.start();
                SourcePosition last = null;
                if (order == 1) {
                    for (ChangeEvent c : changes) {
                        last = source.append("p", c);
                        assertTrue(source.awaitCommitted("p", last.offset(), Duration.ofSeconds(60)), "committed: " + pipeline.failure());
                    }
                } else {
                    last = source.append("p", changes);
                }
                assertTrue(source.awaitCommitted("p", last.offset(), Duration.ofSeconds(60)), "committed: " + pipeline.failure());
                assertEquals(PipelineState.RUNNING, pipeline.state(), String.valueOf(pipeline.failure()));
            }
            assertEquals(Map.of("id", order, "status", "PAID", "attrs", Map.of("color", "red"),
                            "shipping", Map.of("id", 10 + order, "carrier", "ups", "box", Map.of("w", 3))),
                    source("json-pipeline", Integer.toString(order)), order == 1 ? "one by one" : "coalesced");
        }
    }
}
