package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.elasticsearch.FakeHttpServer.Answer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server's error body that quotes credentials (a URL with user info, a header, a secret-named
 * value) reaches the sink's exception without them, and still names what failed.
 */
class ElasticsearchSinkErrorSecretsTest {

    private static final String ES_ROOT = "{\"version\":{\"number\":\"8.19.21\"}}";

    @Test
    void anErrorBodyQuotingCredentialsReachesTheExceptionWithoutThem() {
        String body = "{\"error\":{\"type\":\"illegal_argument_exception\",\"reason\":\"remote "
                + "https://admin:hunter2@remote.example:9200/_search refused, Authorization: Basic aHVudGVyMg==\","
                + "\"password\":\"hunter2\"}}";
        try (FakeHttpServer server = new FakeHttpServer(r -> r.path().equals("/_bulk")
                        ? new Answer(400, body) : new Answer(200, ES_ROOT));
                ElasticsearchSink sink = ElasticsearchSink.builder().hosts(server.url()).build()) {
            sink.start();
            CompletionException e = assertThrows(CompletionException.class, () -> sink.execute(List.of(
                    DocumentAction.index("i", "1", Map.of("n", 1)))).toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join());

            String message = e.getCause().getMessage();
            assertFalse(message.contains("hunter2") || message.contains("aHVudGVyMg"), message);
            assertTrue(message.contains("HTTP 400") && message.contains("illegal_argument_exception")
                    && message.contains("https://remote.example:9200/****"), message);
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains("hunter2"), t.toString());
            }
        }
    }
}
