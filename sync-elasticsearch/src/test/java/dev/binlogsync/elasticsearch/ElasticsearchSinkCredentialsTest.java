package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigSection;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Where credentials may go: never in a host URL, and a warning when they would cross the network in clear. */
class ElasticsearchSinkCredentialsTest {

    private static final String[] URLS_WITH_USER_INFO = {
        "https://elastic:hunter2@es:9200", "http://elastic:hunter2@es", "elastic:hunter2@es:9200",
        "https://hunter2@es:9200",
    };

    /** What the sink logs (slf4j-simple writes to System.err) while {@code action} runs. */
    private static String logged(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static void buildAndClose(Supplier<ElasticsearchSink.Builder> builder) {
        builder.get().build().close();
    }

    @Test
    void aHostUrlWithUserInfoIsRefusedWithoutEchoingIt() {
        for (String url : URLS_WITH_USER_INFO) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ElasticsearchSink.builder().hosts(url), url);
            String m = e.getMessage();
            assertFalse(m.contains("hunter2"), m);
            assertTrue(m.contains("basicAuth"), m);
        }
    }

    @Test
    void theConfigFileRefusesAHostUrlWithUserInfoWithoutEchoingIt() {
        for (String url : URLS_WITH_USER_INFO) {
            ConfigSection c = new ConfigSection("sink", Map.of("hosts", List.of("http://es0:9200", url)), Map.of());
            ConfigException e = assertThrows(ConfigException.class, () -> {
                BulkSink made = new ElasticsearchSinkProvider().create(c);
                made.close();
            }, url);
            String m = e.getMessage();
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains("hunter2"), t.toString());
            }
            assertTrue(m.contains("sink.hosts") && m.contains("username") && m.contains("password"), m);
        }
    }

    @Test
    void credentialsOverPlainHttpGetAWarningWithoutTheSecret() {
        String basic = logged(() -> buildAndClose(() -> ElasticsearchSink.builder().hosts("http://127.0.0.1:9200")
                .basicAuth("elastic", "hunter2")));
        String apiKey = logged(() -> buildAndClose(() -> ElasticsearchSink.builder().hosts("http://127.0.0.1:9200")
                .apiKey("id", "hunter2")));
        String bearer = logged(() -> buildAndClose(() -> ElasticsearchSink.builder().hosts("http://127.0.0.1:9200")
                .bearerToken("hunter2")));

        for (String[] log : new String[][] {{"basicAuth", basic}, {"apiKey", apiKey}, {"bearerToken", bearer}}) {
            String text = log[1];
            assertTrue(text.contains("WARN") && text.contains(log[0]) && text.contains("http://127.0.0.1:9200")
                    && text.contains("https"), text);
            assertFalse(text.contains("hunter2") || text.contains("aWQ6aHVudGVyMg") || text.contains("ZWxhc3RpYzpodW50ZXIy"),
                    text);
        }
    }

    @Test
    void credentialsOverHttpsOrNoCredentialsOverHttpGetNoWarning() {
        String https = logged(() -> buildAndClose(() -> ElasticsearchSink.builder().hosts("https://127.0.0.1:9200")
                .basicAuth("elastic", "hunter2")));
        String anonymous = logged(() -> buildAndClose(() -> ElasticsearchSink.builder().hosts("http://127.0.0.1:9200")));
        assertFalse(https.contains("WARN"), https);
        assertFalse(anonymous.contains("WARN"), anonymous);
    }
}
