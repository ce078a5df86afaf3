package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

/** The node goes away and comes back on the same port: the sink reports retriable failures, then works again. */
class ElasticsearchSinkOutageIT {

    @Test
    void failsRetriablyWhileTheNodeIsDownAndRecoversWhenItIsBack() throws Exception {
        try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("outage-sink").build().start();
                RestClient client = es.newClient();
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(es.httpUrl())
                        .connectTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(10)).build()) {
            sink.start();
            List<DocumentAction> first = List.of(DocumentAction.index("outage", "1", Map.of("n", 1)));
            assertEquals(List.of(ItemResult.success(201)), sink.execute(first).toCompletableFuture().join());

            es.stop();
            CompletionException down = assertThrows(CompletionException.class, () -> sink.execute(
                    List.of(DocumentAction.index("outage", "2", Map.of("n", 2)))).toCompletableFuture()
                    .orTimeout(60, TimeUnit.SECONDS).join());
            assertInstanceOf(RetriableSyncException.class, down.getCause());

            es.start();
            List<ItemResult> after = sink.execute(List.of(DocumentAction.index("outage", "2", Map.of("n", 2))))
                    .toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
            assertEquals(ItemResult.Outcome.SUCCESS, after.get(0).outcome());
            assertEquals(2, EsDocs.count(client, "outage"));
        }
    }
}
