package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.elasticsearch.FakeHttpServer.Answer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Text the sink did not write itself (error bodies and reasons, which quote row values; index
 * names and ids rendered from rows) reaches item results, exceptions and logs escaped and capped,
 * so it can neither forge a log line nor flood a log, a health reason or a dead-letter header.
 */
class ElasticsearchSinkUntrustedTextTest {

    private static final String ES_ROOT = "{\"version\":{\"number\":\"8.19.21\"}}";
    private static final String FORGED = "\n12:00:00.000 [main] INFO forged entry\r\n";
    private static final String HUGE = "x".repeat(100 * 1024);
    /** Enough for a server's reason or error body and the sink's own words around it. */
    private static final int MAX_SHOWN = 2048;

    /** The JSON string literal of {@code s}. */
    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\"", "\\\"") + "\"";
    }

    private static void assertShownSafely(String text) {
        assertFalse(text.contains("\n") || text.contains("\r"), "a raw line break in: " + text.substring(0, Math.min(200, text.length())));
        assertTrue(text.length() <= MAX_SHOWN, "not capped: " + text.length() + " chars");
    }

    private static void assertEveryMessageShownSafely(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertShownSafely(String.valueOf(t.getMessage()));
        }
    }

    @Test
    void anItemReasonWithLineBreaksAnd100KilobytesIsEscapedAndCappedInTheItemResult() {
        String item = "{\"index\":{\"status\":400,\"error\":{\"type\":" + json("mapper_parsing_exception" + FORGED)
                + ",\"reason\":" + json("failed to parse [" + FORGED + HUGE + "]")
                + ",\"caused_by\":{\"type\":\"x\",\"reason\":" + json(FORGED + HUGE) + "}}}}";
        try (FakeHttpServer server = new FakeHttpServer(r -> r.path().equals("/_bulk")
                        ? new Answer(200, "{\"errors\":true,\"items\":[" + item + "]}") : new Answer(200, ES_ROOT));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            List<ItemResult> r = sink.execute(List.of(DocumentAction.index("i", "1", Map.of("n", 1))))
                    .toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();

            assertEquals(ItemResult.Outcome.PERMANENT, r.get(0).outcome());
            assertShownSafely(r.get(0).reason());
            assertShownSafely(r.get(0).errorType());
            assertTrue(r.get(0).reason().startsWith("failed to parse [\\n12:00:00.000"), r.get(0).reason());
            assertTrue(r.get(0).reason().contains("more chars]"), "the cut is marked");
        }
    }

    @Test
    void aWholeRequestErrorBodyIsEscapedAndCappedInTheException() {
        String body = "{\"error\":{\"type\":\"security_exception\",\"reason\":" + json(FORGED + HUGE) + "}}";
        try (FakeHttpServer server = new FakeHttpServer(r -> r.path().equals("/_bulk")
                        ? new Answer(403, body) : new Answer(200, ES_ROOT));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            CompletionException e = assertThrows(CompletionException.class, () -> sink.execute(List.of(
                    DocumentAction.index("i", "1", Map.of("n", 1)))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join());

            assertTrue(e.getCause().getMessage().contains("HTTP 403") && e.getCause().getMessage().contains("security_exception"),
                    e.getCause().getMessage());
            assertEveryMessageShownSafely(e.getCause());
        }
    }

    @Test
    void indexNamesAndIdsFromRowsAreEscapedInWholeRequestErrors() {
        for (int status : new int[] {400, 503}) {
            try (FakeHttpServer server = new FakeHttpServer(r -> r.path().equals("/_bulk")
                            ? new Answer(status, "{}") : new Answer(200, ES_ROOT));
                    ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
                sink.start();
                CompletionException e = assertThrows(CompletionException.class, () -> sink.execute(List.of(
                        DocumentAction.index("i" + FORGED, "id" + FORGED + HUGE, Map.of("n", 1))))
                        .toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join());

                assertTrue(e.getCause().getMessage().contains("i\\n12:00:00.000"), e.getCause().getMessage());
                assertEveryMessageShownSafely(e.getCause());
            }
        }
    }

    @Test
    void anIndexSetupErrorBodyIsEscapedAndCappedInTheException() {
        String body = "{\"error\":{\"type\":\"mapper_parsing_exception\",\"reason\":" + json(FORGED + HUGE) + "}}";
        try (FakeHttpServer server = new FakeHttpServer(r -> switch (r.method()) {
                    case "HEAD" -> new Answer(404, "");
                    case "PUT" -> new Answer(400, body);
                    default -> new Answer(200, ES_ROOT);
                });
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url())
                        .ensureIndex("orders", "{\"mappings\":{}}").build()) {
            SyncException e = assertThrows(SyncException.class, sink::start);

            assertTrue(e.getMessage().contains("orders") && e.getMessage().contains("mapper_parsing_exception"), e.getMessage());
            assertEveryMessageShownSafely(e);
        }
    }
}
