package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.RequestInDoubtException;
import dev.binlogsync.elasticsearch.FakeHttpServer.Answer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A 2xx answer to a bulk that cannot be read item by item (a proxy's HTML page, a cut body, items
 * missing, without a status or without the action key) proves nothing about any document: it
 * never counts as a success or as a rejection, and the whole request is in doubt (the node may
 * have applied it; resending it is idempotent).
 */
class ElasticsearchSinkMalformedResponseTest {

    private static final String ES_ROOT = "{\"version\":{\"number\":\"8.19.21\"}}";

    private static Map<String, Answer> malformedAnswers() {
        Map<String, Answer> answers = new LinkedHashMap<>();
        answers.put("a proxy's HTML page", new Answer(200, "<html><body>\n<h1>Welcome</h1>\n</body></html>",
                Map.of("Content-Type", "text/html")));
        answers.put("an empty body", new Answer(200, ""));
        answers.put("a cut body", new Answer(200, "{\"errors\":false,\"items\":[{\"index\":{\"status\":201}},"));
        answers.put("no items", new Answer(200, "{\"errors\":false}"));
        answers.put("an array", new Answer(200, "[]"));
        answers.put("too few items", new Answer(200, "{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}"));
        answers.put("too many items", new Answer(200, "{\"errors\":false,\"items\":[{\"index\":{\"status\":201}},"
                + "{\"index\":{\"status\":201}},{\"index\":{\"status\":201}}]}"));
        answers.put("an item without a status", new Answer(200, "{\"errors\":true,\"items\":[{\"index\":{\"status\":201}},"
                + "{\"index\":{\"_id\":\"2\",\"error\":{\"type\":\"x\",\"reason\":\"y\"}}}]}"));
        answers.put("items without the action key", new Answer(200, "{\"errors\":false,\"items\":[{\"status\":201},"
                + "{\"status\":201}]}"));
        answers.put("an item answering another action", new Answer(200, "{\"errors\":false,\"items\":["
                + "{\"index\":{\"status\":201}},{\"delete\":{\"status\":200}}]}"));
        answers.put("an item with two action keys", new Answer(200, "{\"errors\":false,\"items\":["
                + "{\"index\":{\"status\":201},\"delete\":{\"status\":400}},{\"index\":{\"status\":201}}]}"));
        answers.put("a status that is not a number", new Answer(200, "{\"errors\":false,\"items\":["
                + "{\"index\":{\"status\":\"201\"}},{\"index\":{\"status\":201}}]}"));
        answers.put("a status that is not an HTTP status", new Answer(200, "{\"errors\":false,\"items\":["
                + "{\"index\":{\"status\":0}},{\"index\":{\"status\":201}}]}"));
        return answers;
    }

    @Test
    void aMalformedBulkResponseIsInDoubtAndNeverASuccessOrARejection() {
        for (Map.Entry<String, Answer> malformed : malformedAnswers().entrySet()) {
            try (FakeHttpServer server = new FakeHttpServer(r -> r.path().equals("/_bulk")
                            ? malformed.getValue() : new Answer(200, ES_ROOT));
                    ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url())
                            .lateWriteFence(Duration.ofSeconds(7)).build()) {
                sink.start();
                List<DocumentAction> actions = List.of(
                        DocumentAction.index("i", "1", Map.of("n", 1)), DocumentAction.index("i", "2", Map.of("n", 2)));

                CompletionException e = assertThrows(CompletionException.class,
                        () -> sink.execute(actions).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join(),
                        malformed.getKey() + " counted as an answer");

                RequestInDoubtException d = assertInstanceOf(RequestInDoubtException.class, e.getCause(), malformed.getKey());
                assertEquals(Duration.ofSeconds(7), d.fence(), malformed.getKey());
                assertTrue(d.getMessage().contains(server.url()) && d.getMessage().contains("i/1"), d.getMessage());
                assertFalse(d.getMessage().contains("\n"), d.getMessage());
            }
        }
    }
}
