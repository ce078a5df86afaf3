package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.elasticsearch.FakeHttpServer.Answer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Redirects are refused: the sink sends its credentials as a default header, which an HTTP client
 * following a redirect copies to the {@code Location} (another host, plain http), and a 303 on
 * {@code POST /_bulk} would turn into a GET whose answer is read as the bulk's result.
 */
class ElasticsearchSinkRedirectTest {

    private static final String ES_ROOT = "{\"version\":{\"number\":\"8.19.21\"}}";
    private static final int[] REDIRECTS = {301, 302, 303, 307, 308};
    /** What the place redirected to answers: a bulk result claiming both documents were written. */
    private static final String WRITTEN = "{\"errors\":false,\"items\":[{\"index\":{\"status\":201}},{\"index\":{\"status\":201}}]}";

    private static List<DocumentAction> actions() {
        return List.of(DocumentAction.index("i", "1", Map.of("n", 1)), DocumentAction.index("i", "2", Map.of("n", 2)));
    }

    /** A Location with user info, on plain http, at another server: none of it may appear anywhere. */
    private static String location(FakeHttpServer elsewhere, String path) {
        return elsewhere.url().replace("http://", "http://leaked:hunter2@") + path;
    }

    @Test
    void aRedirectedBulkIsRefusedNothingCountsAsWrittenAndNothingReachesTheLocation() {
        for (int status : REDIRECTS) {
            try (FakeHttpServer elsewhere = new FakeHttpServer(r -> new Answer(200, WRITTEN));
                    FakeHttpServer node = new FakeHttpServer(r -> r.path().equals("/_bulk")
                            ? new Answer(status, "", Map.of("Location", location(elsewhere, "/_bulk")))
                            : new Answer(200, ES_ROOT));
                    ElasticsearchSink sink = ElasticsearchSink.builder().hosts(node.url()).apiKey("secret-api-key").build()) {
                sink.start();

                CompletionException e = assertThrows(CompletionException.class,
                        () -> sink.execute(actions()).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join(),
                        "HTTP " + status + ": no document may count as written");

                Throwable t = e.getCause();
                assertInstanceOf(SyncException.class, t, "HTTP " + status);
                assertFalse(t instanceof RetriableSyncException, "a redirect does not heal by retrying: " + t);
                String m = t.getMessage();
                assertTrue(m.contains("HTTP " + status) && m.contains(node.url()) && m.contains("redirect"), m);
                assertFalse(m.contains("hunter2") || m.contains("leaked") || m.contains(elsewhere.url()), m);
                assertEquals(List.of(), elsewhere.requests, "HTTP " + status + ": the Location got a request");
            }
        }
    }

    @Test
    void aRedirectAtStartIsRefusedWithoutFollowingIt() {
        for (int status : REDIRECTS) {
            try (FakeHttpServer elsewhere = new FakeHttpServer(r -> new Answer(200, ES_ROOT));
                    FakeHttpServer node = new FakeHttpServer(r -> new Answer(status, "",
                            Map.of("Location", location(elsewhere, r.path()))));
                    ElasticsearchSink sink = ElasticsearchSink.builder().hosts(node.url())
                            .basicAuth("elastic", "hunter2").build()) {
                SyncException e = assertThrows(SyncException.class, sink::start, "HTTP " + status);

                assertFalse(e instanceof RetriableSyncException, e.toString());
                String m = e.getMessage();
                assertTrue(m.contains("HTTP " + status) && m.contains(node.url()) && m.contains("redirect"), m);
                assertFalse(m.contains("hunter2") || m.contains("leaked"), m);
                assertEquals(List.of(), elsewhere.requests, "HTTP " + status + ": the credentials followed the redirect");
            }
        }
    }
}
