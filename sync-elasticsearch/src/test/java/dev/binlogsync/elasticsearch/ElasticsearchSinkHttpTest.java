package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RequestInDoubtException;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.elasticsearch.FakeHttpServer.Answer;
import dev.binlogsync.elasticsearch.FakeHttpServer.Recorded;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

/** Whole-request behaviour against a fake HTTP server: statuses a real node will not produce on demand. */
class ElasticsearchSinkHttpTest {

    private static final String ES_ROOT = "{\"name\":\"n\",\"version\":{\"number\":\"8.19.21\",\"build_flavor\":\"default\"},\"tagline\":\"You Know, for Search\"}";
    private static final String OPENSEARCH_ROOT = "{\"name\":\"n\",\"version\":{\"distribution\":\"opensearch\",\"number\":\"2.19.6\"},\"tagline\":\"The OpenSearch Project: https://opensearch.org/\"}";

    private static Function<Recorded, Answer> root(String rootBody, Function<Recorded, Answer> bulk) {
        return r -> r.path().endsWith("/_bulk") ? bulk.apply(r) : new Answer(200, rootBody);
    }

    private static List<DocumentAction> actions(int n) {
        List<DocumentAction> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(DocumentAction.index("i", Integer.toString(i), Map.of("n", i)));
        }
        return list;
    }

    private static String okItems(String body) {
        long n = body.lines().filter(l -> l.startsWith("{\"index\"")).count();
        StringBuilder sb = new StringBuilder("{\"errors\":false,\"items\":[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"index\":{\"status\":201}}");
        }
        return sb.append("]}").toString();
    }

    private static Throwable failureOf(ElasticsearchSink sink, List<DocumentAction> actions) {
        CompletionException e = assertThrows(CompletionException.class,
                () -> sink.execute(actions).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join());
        return e.getCause();
    }

    @Test
    void sendsNdjsonWithPathPrefixApiKeyAndFilterPathAndDetectsOpenSearch() {
        try (FakeHttpServer server = new FakeHttpServer(root(OPENSEARCH_ROOT, r -> new Answer(200, okItems(r.body()))));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).pathPrefix("/search")
                        .apiKey("id1", "secret").pipeline("enrich").refresh(ElasticsearchSink.Refresh.WAIT_FOR).build()) {
            sink.start();
            assertEquals(ServerInfo.of(ServerInfo.Distribution.OPENSEARCH, "2.19.6"), sink.serverInfo());

            List<ItemResult> results = sink.execute(actions(2)).toCompletableFuture().join();

            assertEquals(List.of(ItemResult.success(201), ItemResult.success(201)), results);
            Recorded bulk = server.requests.get(server.requests.size() - 1);
            assertEquals("POST", bulk.method());
            assertEquals("/search/_bulk", bulk.path());
            assertEquals("ApiKey aWQxOnNlY3JldA==", bulk.authorization());
            assertTrue(bulk.contentType().startsWith("application/x-ndjson"), bulk.contentType());
            assertTrue(bulk.query().contains("filter_path=errors,items.*.status,items.*.error"), bulk.query());
            assertTrue(bulk.query().contains("refresh=wait_for") && bulk.query().contains("pipeline=enrich"), bulk.query());
            assertTrue(bulk.body().endsWith("{\"n\":1}\n"), bulk.body());
        }
    }

    @Test
    void detectsTheVersionFromNodeInfoWhenRootIsRefused() {
        Function<Recorded, Answer> responder = r -> r.path().equals("/")
                ? new Answer(405, "{\"error\":\"Incorrect HTTP method\"}")
                : new Answer(200, "{\"nodes\":{\"abc\":{\"version\":\"7.10.2\"}}}");
        try (FakeHttpServer server = new FakeHttpServer(responder);
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            assertEquals("7.10.2", sink.serverInfo().version());
            assertEquals(7, sink.serverInfo().major());
        }
    }

    @Test
    void refusesElasticsearch6AtStart() {
        try (FakeHttpServer server = new FakeHttpServer(r -> new Answer(200, "{\"version\":{\"number\":\"6.8.23\"}}"));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            SyncException e = assertThrows(SyncException.class, sink::start);
            assertTrue(e.getMessage().contains("6.8.23"), e.getMessage());
        }
    }

    @Test
    void rejectedCredentialsAtStartAreNotRetriable() {
        try (FakeHttpServer server = new FakeHttpServer(r -> new Answer(401, "{\"error\":\"unauthorized\"}"));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).basicAuth("u", "wrong").build()) {
            SyncException e = assertThrows(SyncException.class, sink::start);
            assertFalse(e instanceof RetriableSyncException);
            assertTrue(server.requests.get(0).authorization().startsWith("Basic "));
        }
    }

    @Test
    void unreachableServerAtStartIsRetriable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts("http://127.0.0.1:" + port).build()) {
            assertThrows(RetriableSyncException.class, sink::start);
        }
    }

    @Test
    void wholeRequest429And503AreRetriable() {
        for (int status : new int[] {429, 503}) {
            try (FakeHttpServer server = new FakeHttpServer(root(ES_ROOT, r -> new Answer(status, "{\"error\":{\"type\":\"x\"},\"status\":" + status + "}")));
                    ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
                sink.start();
                Throwable t = failureOf(sink, actions(3));
                assertInstanceOf(RetriableSyncException.class, t);
                assertTrue(t.getMessage().contains("HTTP " + status) && t.getMessage().contains("i/0"), t.getMessage());
                // a 429 refused the whole request; a 503 may come from a proxy while the node works on it
                assertEquals(status == 503, t instanceof RequestInDoubtException, t.toString());
            }
        }
    }

    @Test
    void wholeRequest403IsNotRetriable() {
        try (FakeHttpServer server = new FakeHttpServer(root(ES_ROOT, r -> new Answer(403, "{\"error\":{\"type\":\"security_exception\"}}")));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            Throwable t = failureOf(sink, actions(1));
            assertInstanceOf(SyncException.class, t);
            assertFalse(t instanceof RetriableSyncException, t.toString());
            assertTrue(t.getMessage().contains("HTTP 403"), t.getMessage());
        }
    }

    @Test
    void requestTooLargeIsSplitInHalvesSentInOrder() {
        // accepts at most 2 actions per request
        Function<Recorded, Answer> bulk = r -> r.body().lines().count() > 4
                ? new Answer(413, "") : new Answer(200, okItems(r.body()));
        try (FakeHttpServer server = new FakeHttpServer(root(ES_ROOT, bulk));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            List<ItemResult> results = sink.execute(actions(7)).toCompletableFuture().join();

            assertEquals(7, results.size());
            assertTrue(results.stream().allMatch(ItemResult::isDone), results.toString());
            List<String> accepted = new ArrayList<>();
            server.requests.stream().filter(r -> r.path().equals("/_bulk") && r.body().lines().count() <= 4)
                    .forEach(r -> r.body().lines().filter(l -> l.startsWith("{\"index\""))
                            .forEach(l -> accepted.add(l.replaceAll(".*\"_id\":\"(\\d+)\".*", "$1"))));
            assertEquals(List.of("0", "1", "2", "3", "4", "5", "6"), accepted);
        }
    }

    @Test
    void aSingleActionTooLargeIsPermanent() {
        Function<Recorded, Answer> bulk = r -> r.body().contains("\"huge\"")
                ? new Answer(413, "") : new Answer(200, okItems(r.body()));
        try (FakeHttpServer server = new FakeHttpServer(root(ES_ROOT, bulk));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            List<DocumentAction> actions = List.of(
                    DocumentAction.index("i", "a", Map.of("n", 1)),
                    DocumentAction.index("i", "b", Map.of("huge", "x")),
                    DocumentAction.index("i", "c", Map.of("n", 3)));
            List<ItemResult> results = sink.execute(actions).toCompletableFuture().join();

            assertEquals(ItemResult.Outcome.SUCCESS, results.get(0).outcome());
            assertEquals(ItemResult.Outcome.PERMANENT, results.get(1).outcome());
            assertEquals(413, results.get(1).status());
            assertEquals(ItemResult.Outcome.SUCCESS, results.get(2).outcome());
        }
    }

    @Test
    void executeAfterCloseIsAnError() {
        try (FakeHttpServer server = new FakeHttpServer(root(ES_ROOT, r -> new Answer(200, okItems(r.body()))))) {
            ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build();
            sink.start();
            sink.close();
            assertThrows(IllegalStateException.class, () -> sink.execute(actions(1)));
            sink.close(); // idempotent
        }
    }
    @Test
    void sendsBasicAuthAndBearerTokenHeaders() {
        try (FakeHttpServer server = new FakeHttpServer(root(ES_ROOT, r -> new Answer(200, okItems(r.body()))))) {
            try (ElasticsearchSink basic = ElasticsearchSink.builder().hosts(server.url()).basicAuth("elastic", "pw").build()) {
                basic.start();
            }
            try (ElasticsearchSink bearer = ElasticsearchSink.builder().hosts(server.url()).bearerToken("tok").build()) {
                bearer.start();
            }
            assertEquals("Basic ZWxhc3RpYzpwdw==", server.requests.get(0).authorization());
            // each start reads / and /_script_language
            assertEquals("Bearer tok", server.requests.get(server.requests.size() - 1).authorization());
        }
    }

    @Test
    void failsOverToTheNextHostWhenOneIsDown() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (FakeHttpServer server = new FakeHttpServer(root(ES_ROOT, r -> new Answer(200, okItems(r.body()))));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts("http://127.0.0.1:" + deadPort, server.url()).build()) {
            sink.start();
            for (int i = 0; i < 4; i++) {
                List<ItemResult> r = sink.execute(actions(2)).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
                assertTrue(r.stream().allMatch(ItemResult::isDone), r.toString());
            }
        }
    }

    @Test
    void aGatewayErrorIsReportedInDoubtAndTheBulkIsNeverResentToAnotherHostBehindThePipelinesBack() {
        try (FakeHttpServer gateway = new FakeHttpServer(root(ES_ROOT, r -> new Answer(502, "{\"error\":\"bad gateway\"}")));
                FakeHttpServer node = new FakeHttpServer(root(ES_ROOT, r -> new Answer(200, okItems(r.body()))));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(gateway.url(), node.url())
                        .socketTimeout(Duration.ofSeconds(5)).build()) {
            sink.start();
            int inDoubt = 0;
            for (int i = 0; i < 4; i++) {
                try {
                    sink.execute(actions(1)).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
                } catch (CompletionException e) {
                    RequestInDoubtException d = assertInstanceOf(RequestInDoubtException.class, e.getCause());
                    assertEquals(Duration.ofSeconds(10), d.fence(), "twice the socket timeout by default");
                    inDoubt++;
                }
            }
            assertEquals(1, inDoubt, "the first bulk went to the gateway; then it is avoided for a while");
            long bulks = gateway.requests.stream().filter(r -> r.path().endsWith("/_bulk")).count()
                    + node.requests.stream().filter(r -> r.path().endsWith("/_bulk")).count();
            assertEquals(4, bulks, "each bulk was sent once: the failed one was not re-sent to the other host");
        }
    }

    @Test
    void leavesAUserSuppliedClientOpen() throws Exception {
        try (FakeHttpServer server = new FakeHttpServer(root(ES_ROOT, r -> new Answer(200, okItems(r.body()))));
                RestClient client = RestClient.builder(HttpHost.create(server.url())).build()) {
            ElasticsearchSink sink = ElasticsearchSink.builder().client(client).build();
            sink.start();
            assertEquals(1, sink.execute(actions(1)).toCompletableFuture().join().size());
            sink.close();
            assertTrue(client.isRunning(), "the caller's client stays open");
            assertTrue(sink.toString().contains("client=<given>"), sink.toString());
        }
    }
    @Test
    void aRootPageThatIsNotJsonFallsBackToNodeInfo() {
        Function<Recorded, Answer> responder = r -> r.path().equals("/")
                ? new Answer(200, "<html>proxy welcome page</html>")
                : new Answer(200, "{\"nodes\":{\"n1\":{\"version\":\"8.15.0\"}}}");
        try (FakeHttpServer server = new FakeHttpServer(responder);
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            assertEquals("8.15.0", sink.serverInfo().version());
        }
    }

    @Test
    void anUnidentifiableServerIsUsedWithAWarning() {
        // root and node info both refused
        Function<Recorded, Answer> responder = r -> r.path().endsWith("/_bulk")
                ? new Answer(200, okItems(r.body())) : new Answer(403, "{\"error\":\"forbidden\"}");
        try (FakeHttpServer server = new FakeHttpServer(responder);
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            assertEquals(ServerInfo.UNKNOWN, sink.serverInfo());
            assertEquals(1, sink.execute(actions(1)).toCompletableFuture().join().size());
        }
    }
}
