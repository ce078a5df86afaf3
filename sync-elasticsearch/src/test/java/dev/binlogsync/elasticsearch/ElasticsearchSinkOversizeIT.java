package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.ItemResult.Outcome;
import dev.binlogsync.elasticsearch.internal.BulkBodyEncoder;
import dev.binlogsync.elasticsearch.internal.ByteBuf;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node that accepts at most 16 KiB per request: bulks above that come back 413 and are split. */
class ElasticsearchSinkOversizeIT {

    private static EmbeddedElasticsearch es;
    private static RestClient client;

    @BeforeAll
    static void startNode() {
        es = EmbeddedElasticsearch.builder().nodeName("small-requests").setting("http.max_content_length", "16kb").build().start();
        client = es.newClient();
    }

    @AfterAll
    static void stopNode() throws IOException {
        client.close();
        es.close();
    }

    private static List<DocumentAction> rows(String index, int n, int padding) {
        List<DocumentAction> actions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            actions.add(DocumentAction.index(index, Integer.toString(i), Map.of("n", i, "pad", "x".repeat(padding))));
        }
        return actions;
    }

    @Test
    void bulkLargerThanTheServerAcceptsIsSplitAndFullyWritten() throws IOException {
        List<DocumentAction> actions = rows("split", 400, 200); // ~100 KB of NDJSON
        ByteBuf raw = new ByteBuf(1024);
        new BulkBodyEncoder().encode(actions, raw);
        assertEquals(413, EsDocs.send(client, "POST", "/_bulk", new String(raw.array(), 0, raw.size(), StandardCharsets.UTF_8),
                "application/x-ndjson"), "the node refuses the body as one request");

        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts(es.httpUrl()).build()) {
            sink.start();
            List<ItemResult> r = sink.execute(actions).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
            assertEquals(400, r.size());
            assertTrue(r.stream().allMatch(i -> i.outcome() == Outcome.SUCCESS), r.toString());
        }
        assertEquals(400, EsDocs.count(client, "split"));
    }

    @Test
    void anActionLargerThanTheServerAcceptsIsPermanentAndItsNeighboursAreWritten() {
        List<DocumentAction> actions = new ArrayList<>(rows("oversize", 3, 10));
        actions.set(1, DocumentAction.index("oversize", "1", Map.of("pad", "y".repeat(40_000))));
        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts(es.httpUrl()).build()) {
            sink.start();
            List<ItemResult> r = sink.execute(actions).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
            assertEquals(Outcome.SUCCESS, r.get(0).outcome());
            assertEquals(Outcome.PERMANENT, r.get(1).outcome());
            assertEquals(413, r.get(1).status());
            assertEquals(Outcome.SUCCESS, r.get(2).outcome());
        }
        assertEquals(2, EsDocs.count(client, "oversize"));
    }
}
