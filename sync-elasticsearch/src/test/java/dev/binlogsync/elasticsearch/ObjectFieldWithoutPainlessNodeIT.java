package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.ItemResult.Outcome;
import dev.binlogsync.elasticsearch.internal.ItemClassifier;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

/**
 * Partial writes with object fields against a server without painless: the in-process
 * Elasticsearch 8.19 node, built without the {@code lang-painless} module. Where painless runs:
 * {@link ObjectFieldContractTest}.
 */
class ObjectFieldWithoutPainlessNodeIT {

    private static List<ItemResult> write(ElasticsearchSink sink, DocumentAction... actions) {
        return sink.execute(List.of(actions)).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static Map<String, Object> source(RestClient client, String index, String id) {
        Map<String, Object> stored = EsDocs.get(client, index, id);
        stored.remove("@version");
        return stored;
    }

    @Test
    void requiredReplacementIsAPermanentFailureNamingTheCauseAndChangesNothing() throws Exception {
        String url = EmbeddedElasticsearch.shared().httpUrl();
        try (RestClient client = RestClient.builder(org.apache.http.HttpHost.create(url)).build();
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(url).objectFields(ObjectFields.REPLACE)
                        .refresh(ElasticsearchSink.Refresh.WAIT_FOR).build()) {
            sink.start();
            List<ItemResult> r = write(sink,
                    DocumentAction.index("no-painless", "1", Map.of("name", "shirt", "attrs", Map.of("color", "red", "size", "L"))),
                    DocumentAction.upsert("no-painless", "1", Map.of("attrs", Map.of("color", "red"))),
                    DocumentAction.update("no-painless", "1", Map.of("attrs", Map.of("color", "blue"))),
                    DocumentAction.upsert("no-painless", "1", Map.of("name", "dress")));
            assertEquals(Outcome.SUCCESS, r.get(0).outcome(), r.toString());
            for (ItemResult refused : r.subList(1, 3)) {
                assertEquals(Outcome.PERMANENT, refused.outcome(), r.toString());
                assertTrue(refused.reason().startsWith(ItemClassifier.SCRIPTS_NOT_ALLOWED)
                        && refused.reason().contains("painless"), refused.reason());
            }
            assertEquals(Outcome.SUCCESS, r.get(3).outcome(), "a document without objects is a doc: " + r);
            assertEquals(Map.of("name", "dress", "attrs", Map.of("color", "red", "size", "L")),
                    source(client, "no-painless", "1"), "never merged key by key instead");
        }
    }

    @Test
    void theDefaultFindsNoPainlessAtStartAndMergesObjectsKeyByKeyAsElasticsearchDoes() throws Exception {
        String url = EmbeddedElasticsearch.shared().httpUrl();
        try (RestClient client = RestClient.builder(org.apache.http.HttpHost.create(url)).build();
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(url)
                        .refresh(ElasticsearchSink.Refresh.WAIT_FOR).build()) {
            sink.start();
            assertEquals(ObjectFields.MERGE, sink.objectFields(), "the mode taken: " + sink);
            assertFalse(sink.replacesObjectFields(), "the pipeline coalesces objects key by key too");
            List<ItemResult> r = write(sink,
                    DocumentAction.index("no-painless-auto", "1", Map.of("attrs", Map.of("color", "red", "size", "L"))),
                    DocumentAction.upsert("no-painless-auto", "1", Map.of("attrs", Map.of("color", "blue"))));
            assertTrue(r.stream().allMatch(i -> i.outcome() == Outcome.SUCCESS), r.toString());
            assertEquals(Map.of("attrs", Map.of("color", "blue", "size", "L")), source(client, "no-painless-auto", "1"));
        }
    }
}
