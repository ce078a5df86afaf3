package dev.binlogsync.elasticsearch.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code "type": "elasticsearch"} sections create an {@link ElasticsearchSink}, with path-aware errors. */
class ElasticsearchSinkProviderTest {
    static final String RULES = "\"rules\": [{\"table\": \"t\", \"index\": \"i\"}]";

    static BulkSink create(String sink, Map<String, String> env) {
        return ConfigLoader.create().withEnv(env).fromJson("{" + RULES + ", \"sink\": " + sink + "}").createSink();
    }

    static ConfigException fails(String sink) {
        return assertThrows(ConfigException.class, () -> create(sink, Map.of()));
    }

    @Test
    void createsASinkWithInterpolatedHostsAndMaskedPassword() {
        BulkSink sink = create("{\"type\": \"elasticsearch\", \"hosts\": [\"http://${ES_HOST}:9200\", \"http://es2:9201\"],"
                + " \"username\": \"elastic\", \"password\": \"${ES_PASSWORD}\", \"connectTimeout\": \"2s\","
                + " \"socketTimeout\": \"30s\", \"compression\": true, \"refresh\": \"wait_for\","
                + " \"ensureIndices\": {\"orders\": {\"settings\": {\"number_of_replicas\": 0}}}}",
                Map.of("ES_HOST", "es1", "ES_PASSWORD", "hunter2"));
        try {
            assertInstanceOf(ElasticsearchSink.class, sink);
            assertTrue(sink.toString().contains("es1:9200") && sink.toString().contains("es2:9201"), sink.toString());
            assertFalse(sink.toString().contains("hunter2"), "password masked: " + sink);
        } finally {
            sink.close();
        }
        BulkSink os = create("{\"type\": \"opensearch\", \"hosts\": \"http://os1:9200\"}", Map.of());
        os.close();
    }

    @Test
    void rejectsBadSettingsNamingTheirPath() {
        assertEquals("sink.hosts", fails("{\"type\": \"elasticsearch\"}").path());
        assertEquals("sink.hosts", fails("{\"type\": \"elasticsearch\", \"hosts\": [\"ftp://x\"]}").path());
        assertEquals("sink.hostz", fails("{\"type\": \"elasticsearch\", \"hosts\": \"http://x:9200\", \"hostz\": 1}").path());
        assertEquals("sink.password", fails("{\"type\": \"elasticsearch\", \"hosts\": \"http://x:9200\", \"username\": \"u\"}").path());
        assertEquals("sink.refresh", fails("{\"type\": \"elasticsearch\", \"hosts\": \"http://x:9200\", \"refresh\": \"often\"}").path());
        ConfigException both = fails("{\"type\": \"elasticsearch\", \"hosts\": \"http://x:9200\", \"username\": \"u\","
                + " \"password\": \"p\", \"bearerToken\": \"t\"}");
        assertEquals("sink", both.path());
        assertTrue(both.getMessage().contains("choose one"), both.getMessage());
    }
}
