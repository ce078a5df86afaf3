package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.ItemResult.Outcome;
import dev.binlogsync.core.VersionType;
import java.io.IOException;
import java.util.ArrayList;
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
 * What {@link ElasticsearchSink} must do against any supported server: writes, upserts, deletes,
 * external versions, mapping conflicts, routing, a 1000-item bulk, index and template setup.
 * Subclasses provide a running server: {@link ElasticsearchSinkNodeIT} the in-process
 * Elasticsearch 8.19 node; the {@code compat} profile's modules OpenSearch and other versions.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SinkContractTest {

    private RestClient client;
    private ElasticsearchSink sink;

    /** The server's base URL, e.g. {@code http://127.0.0.1:9200}; called once, before the tests. */
    protected abstract String httpUrl();

    /** The distribution the sink must detect. */
    protected abstract ServerInfo.Distribution expectedDistribution();

    /** The version the sink must detect. */
    protected abstract String expectedVersion();

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
        return write(sink, List.of(actions));
    }

    private static List<ItemResult> write(ElasticsearchSink s, List<DocumentAction> actions) {
        return s.execute(actions).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static Map<String, Object> doc(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    public void detectsTheServer() {
        assertEquals(expectedDistribution(), sink.serverInfo().distribution());
        assertEquals(expectedVersion(), sink.serverInfo().version());
        assertTrue(sink.serverInfo().isSupported());
    }

    @Test
    public void indexesUpsertsAndDeletes() {
        List<ItemResult> r = write(
                DocumentAction.index("crud", "1", doc("name", "a", "qty", 1)),
                DocumentAction.upsert("crud", "2", doc("name", "created by upsert")),
                DocumentAction.upsert("crud", "1", doc("qty", 5)),
                DocumentAction.index("crud", "3", doc("name", "to delete")),
                DocumentAction.delete("crud", "3"));
        assertTrue(r.stream().allMatch(i -> i.outcome() == Outcome.SUCCESS), r.toString());

        assertEquals(Map.of("name", "a", "qty", 5, "@version", 2), EsDocs.get(client, "crud", "1"));
        assertEquals("created by upsert", EsDocs.get(client, "crud", "2").get("name"));
        assertNull(EsDocs.get(client, "crud", "3"));
    }

    private static Map<?, ?> sourceOf(StoredDocument d) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(d.source(), Map.class);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    public void createWritesOnlyAnAbsentDocumentAndLeavesAnExistingOneAsExists() {
        write(DocumentAction.index("create-only", "1", doc("v", "stream")));
        List<ItemResult> r = write(
                DocumentAction.create("create-only", "1", doc("v", "snapshot")),
                DocumentAction.create("create-only", "2", doc("v", "snapshot")));
        assertEquals(Outcome.EXISTS, r.get(0).outcome());
        assertEquals(Outcome.SUCCESS, r.get(1).outcome());
        assertEquals("stream", EsDocs.get(client, "create-only", "1").get("v"));
        assertEquals("snapshot", EsDocs.get(client, "create-only", "2").get("v"));
    }

    @Test
    public void readsSeqNoPrimaryTermAndSourceAndAnswersMissingForAbsentDocumentsAndIndexes() {
        write(DocumentAction.index("readable", "1", doc("name", "a", "qty", 2)).withRouting("r1"));
        List<StoredDocument> docs = sink.read(List.of(
                new DocumentRef("readable", "1", "r1"),
                new DocumentRef("readable", "absent", null),
                new DocumentRef("no-such-index-for-read", "1", null)))
                .toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
        assertEquals(3, docs.size());
        StoredDocument d = docs.get(0);
        assertTrue(d.found());
        assertTrue(d.seqNo() >= 0 && d.primaryTerm() >= 1, d.toString());
        assertEquals(Map.of("name", "a", "qty", 2), sourceOf(d));
        assertEquals(StoredDocument.missing(new DocumentRef("readable", "absent", null)), docs.get(1));
        assertEquals(StoredDocument.missing(new DocumentRef("no-such-index-for-read", "1", null)), docs.get(2));
    }

    @Test
    public void aReadReportsTheRoutingTheFoundDocumentWasWrittenWithEvenAtAnotherRoutingOfItsShard() {
        write(DocumentAction.index("routed-read", "1", doc("v", 1)).withRouting("new"),
                DocumentAction.index("routed-read", "2", doc("v", 2)));
        List<StoredDocument> docs = sink.read(List.of(new DocumentRef("routed-read", "1", "new"),
                new DocumentRef("routed-read", "1", "old"), new DocumentRef("routed-read", "2", null)))
                .toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
        assertEquals("new", docs.get(0).storedRouting());
        // one shard (the default): the read at another routing finds the same document
        assertTrue(docs.get(1).found(), docs.get(1).toString());
        assertEquals("new", docs.get(1).storedRouting());
        assertEquals(new DocumentRef("routed-read", "1", "new"), docs.get(1).storedRef());
        assertNull(docs.get(2).storedRouting());
    }

    @Test
    public void conditionalDeleteAppliesOnlyWhileTheDocumentIsUnchangedSinceItWasRead() {
        write(DocumentAction.index("cond-delete", "1", doc("v", 1)), DocumentAction.index("cond-delete", "2", doc("v", 1)));
        List<StoredDocument> read = sink.read(List.of(new DocumentRef("cond-delete", "1", null),
                new DocumentRef("cond-delete", "2", null))).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
        write(DocumentAction.index("cond-delete", "2", doc("v", 2))); // written after the read
        List<ItemResult> r = write(
                DocumentAction.deleteIf("cond-delete", "1", read.get(0).seqNo(), read.get(0).primaryTerm()),
                DocumentAction.deleteIf("cond-delete", "2", read.get(1).seqNo(), read.get(1).primaryTerm()));
        assertEquals(Outcome.SUCCESS, r.get(0).outcome());
        assertEquals(Outcome.CONFLICT, r.get(1).outcome());
        assertNull(EsDocs.get(client, "cond-delete", "1"));
        assertEquals(2, EsDocs.get(client, "cond-delete", "2").get("v"));
        // the document is gone now: a second conditional delete conflicts (or finds nothing), and is done
        List<ItemResult> again = write(
                DocumentAction.deleteIf("cond-delete", "1", read.get(0).seqNo(), read.get(0).primaryTerm()));
        assertTrue(again.get(0).isDone(), again.toString());
    }

    @Test
    public void deletingAMissingDocumentIsASuccess() {
        write(DocumentAction.index("gone", "x", doc("a", 1)));
        List<ItemResult> r = write(DocumentAction.delete("gone", "never-there"));
        assertEquals(new ItemResult(Outcome.SUCCESS, 404, null, null), r.get(0));
    }

    @Test
    public void lowerExternalVersionIsRejectedAndCountedStale() {
        List<ItemResult> r = write(
                DocumentAction.index("versioned", "1", doc("v", 5)).withVersion(5, VersionType.EXTERNAL),
                DocumentAction.index("versioned", "1", doc("v", 3)).withVersion(3, VersionType.EXTERNAL),
                DocumentAction.index("versioned", "1", doc("v", 5.5)).withVersion(5, VersionType.EXTERNAL_GTE),
                DocumentAction.delete("versioned", "1").withVersion(4, VersionType.EXTERNAL));

        assertEquals(Outcome.SUCCESS, r.get(0).outcome());
        assertEquals(Outcome.STALE, r.get(1).outcome());
        assertEquals(409, r.get(1).status());
        assertEquals("version_conflict_engine_exception", r.get(1).errorType());
        assertEquals(Outcome.SUCCESS, r.get(2).outcome(), "external_gte accepts an equal version");
        assertEquals(Outcome.STALE, r.get(3).outcome(), "an older delete does not remove a newer document");
        Map<String, Object> stored = EsDocs.get(client, "versioned", "1");
        assertEquals(5.5, stored.get("v"));
        assertEquals(5, stored.get("@version"));
    }

    @Test
    public void mappingConflictIsPermanentWithTheServersReasonAndTheRestIsWritten() {
        EsDocs.createIndex(client, "typed", "{\"qty\":{\"type\":\"long\"}}");
        List<ItemResult> r = write(
                DocumentAction.index("typed", "1", doc("qty", 1)),
                DocumentAction.index("typed", "2", doc("qty", "not a number")),
                DocumentAction.upsert("typed", "3", doc("qty", 3)));

        assertEquals(Outcome.SUCCESS, r.get(0).outcome());
        ItemResult bad = r.get(1);
        assertEquals(Outcome.PERMANENT, bad.outcome());
        assertEquals(400, bad.status());
        // Elasticsearch 8+: document_parsing_exception; 7.x and OpenSearch: mapper_parsing_exception
        assertTrue(List.of("document_parsing_exception", "mapper_parsing_exception").contains(bad.errorType()), bad.errorType());
        assertTrue(bad.reason().contains("failed to parse field [qty] of type [long]"), bad.reason());
        assertTrue(bad.reason().contains("not a number"), bad.reason());
        assertEquals(Outcome.SUCCESS, r.get(2).outcome());
        assertNull(EsDocs.get(client, "typed", "2"));
    }

    @Test
    public void routesDocumentsByTheirRoutingValue() {
        List<ItemResult> r = write(DocumentAction.index("routed", "1", doc("a", 1)).withRouting("customer-7"));
        assertEquals(Outcome.SUCCESS, r.get(0).outcome());
        assertNotNull(EsDocs.get(client, "routed", "1", "customer-7"));
        write(DocumentAction.delete("routed", "1").withRouting("customer-7"));
        assertNull(EsDocs.get(client, "routed", "1", "customer-7"));
    }

    @Test
    public void answersAThousandActionBulkInOrderWithGzip() {
        try (ElasticsearchSink gz = ElasticsearchSink.builder().hosts(httpUrl()).compression(true).build()) {
            gz.start();
            List<DocumentAction> actions = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                actions.add(DocumentAction.index("bulk1000", "d" + i, doc("n", i, "text", "row " + i)));
            }
            actions.set(500, DocumentAction.index("bulk1000", "d500", doc("n", doc("nested", "object for a long"))));
            List<ItemResult> r = write(gz, actions);

            assertEquals(1000, r.size());
            for (int i = 0; i < 1000; i++) {
                assertEquals(i == 500 ? Outcome.PERMANENT : Outcome.SUCCESS, r.get(i).outcome(), "item " + i);
            }
            assertEquals(999, EsDocs.count(client, "bulk1000"));
        }
    }

    @Test
    public void createsMissingIndexAndTemplateAtStartAndLeavesExistingOnesAlone() {
        String indexBody = "{\"settings\":{\"number_of_replicas\":0},\"mappings\":{\"properties\":{\"price\":{\"type\":\"double\"}}},"
                + "\"aliases\":{\"managed-alias\":{}}}";
        String templateBody = "{\"index_patterns\":[\"tmpl-*\"],\"template\":{\"settings\":{\"number_of_replicas\":0},"
                + "\"mappings\":{\"properties\":{\"code\":{\"type\":\"keyword\"}}}}}";
        try (ElasticsearchSink first = ElasticsearchSink.builder().hosts(httpUrl())
                .ensureIndex("managed", indexBody).ensureIndexTemplate("tmpl", templateBody).build()) {
            first.start();
        }
        // a second start with other definitions changes nothing
        try (ElasticsearchSink second = ElasticsearchSink.builder().hosts(httpUrl())
                .ensureIndex("managed", "{\"mappings\":{\"properties\":{\"price\":{\"type\":\"keyword\"}}}}")
                .ensureIndexTemplate("tmpl", "{\"index_patterns\":[\"other-*\"]}")
                .refresh(ElasticsearchSink.Refresh.WAIT_FOR).build()) {
            second.start();
            List<ItemResult> r = write(second, List.of(
                    DocumentAction.index("managed-alias", "1", doc("price", "not a double")),
                    DocumentAction.index("tmpl-1", "1", doc("code", 12))));
            assertEquals(Outcome.PERMANENT, r.get(0).outcome(), "price is still a double, reached through the alias");
            assertEquals(Outcome.SUCCESS, r.get(1).outcome());
        }
        assertEquals(201, EsDocs.send(client, "PUT", "/tmpl-1/_doc/2", "{\"code\":\"x\"}", "application/json"));
    }
}
