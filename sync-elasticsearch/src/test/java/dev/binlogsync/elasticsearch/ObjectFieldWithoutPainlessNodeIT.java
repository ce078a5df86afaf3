package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * A partial write with an object field against a server that cannot run it: the in-process
 * Elasticsearch 8.19 node, which has no painless module (as a cluster that forbids inline scripts
 * answers it too). The item is a permanent failure whose reason says what to allow, the stored
 * document is unchanged (never merged key by key instead), and the bulk's other items are written.
 * The semantics where painless runs: {@link ObjectFieldContractTest}.
 */
class ObjectFieldWithoutPainlessNodeIT {

    @Test
    void anObjectPartialWriteIsAPermanentFailureNamingTheCauseAndChangesNothing() throws Exception {
        String url = EmbeddedElasticsearch.shared().httpUrl();
        try (RestClient client = RestClient.builder(org.apache.http.HttpHost.create(url)).build();
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(url)
                        .refresh(ElasticsearchSink.Refresh.WAIT_FOR).build()) {
            sink.start();
            List<ItemResult> r = sink.execute(List.of(
                    DocumentAction.index("no-painless", "1", Map.of("name", "shirt", "attrs", Map.of("color", "red", "size", "L"))),
                    DocumentAction.upsert("no-painless", "1", Map.of("attrs", Map.of("color", "red"))),
                    DocumentAction.update("no-painless", "1", Map.of("attrs", Map.of("color", "blue"))),
                    DocumentAction.upsert("no-painless", "1", Map.of("name", "dress"))))
                    .toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
            assertEquals(Outcome.SUCCESS, r.get(0).outcome(), r.toString());
            for (ItemResult refused : r.subList(1, 3)) {
                assertEquals(Outcome.PERMANENT, refused.outcome(), r.toString());
                assertTrue(refused.reason().startsWith(ItemClassifier.SCRIPTS_NOT_ALLOWED)
                        && refused.reason().contains("painless"), refused.reason());
            }
            assertEquals(Outcome.SUCCESS, r.get(3).outcome(), "a document without objects is a doc: " + r);
            Map<String, Object> stored = EsDocs.get(client, "no-painless", "1");
            stored.remove("@version");
            assertEquals(Map.of("name", "dress", "attrs", Map.of("color", "red", "size", "L")), stored);
        }
    }
}
