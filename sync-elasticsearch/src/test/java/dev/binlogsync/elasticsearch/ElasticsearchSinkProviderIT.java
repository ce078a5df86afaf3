package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.config.ComponentProvider;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.config.ConfigSection;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ElasticsearchSinkProviderIT {

    private static ConfigSection section(Map<String, Object> values, Map<String, String> env) {
        return new ConfigSection("sink", values, env);
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void isFoundThroughTheServiceLoader() {
        @SuppressWarnings("rawtypes")
        List<ComponentProvider> found = ServiceLoader.load(ComponentProvider.class).stream()
                .map(ServiceLoader.Provider::get).filter(p -> p.type().equals("elasticsearch")).toList();
        assertEquals(1, found.size());
        assertEquals(BulkSink.class, found.get(0).componentType());
    }

    @Test
    void createsAWorkingSinkThatSetsUpItsIndex() {
        String url = EmbeddedElasticsearch.shared().httpUrl();
        ConfigSection c = section(map(
                "hosts", List.of(url),
                "refresh", "wait-for",
                "compression", "true",
                "connectTimeout", "2s",
                "indices", List.of(map("name", "cfg-orders",
                        "body", map("mappings", map("properties", map("n", map("type", "long"))))))), Map.of());
        BulkSink sink = new ElasticsearchSinkProvider().create(c);
        c.finish();
        try {
            sink.start();
            List<ItemResult> r = sink.execute(List.of(
                    DocumentAction.index("cfg-orders", "1", Map.of("n", 1)),
                    DocumentAction.index("cfg-orders", "2", Map.of("n", "not a long"))))
                    .toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
            assertEquals(ItemResult.Outcome.SUCCESS, r.get(0).outcome());
            assertEquals(ItemResult.Outcome.PERMANENT, r.get(1).outcome(), "the configured mapping is in place");
        } finally {
            sink.close();
        }
    }

    @Test
    void takesSecretsFromTheEnvironmentAndNeverPrintsThem() {
        ConfigSection c = section(map("hosts", "http://localhost:9200", "username", "sync",
                "password", "${ES_PASSWORD}"), Map.of("ES_PASSWORD", "hunter2-secret"));
        BulkSink sink = new ElasticsearchSinkProvider().create(c);
        c.finish();
        sink.close();
        assertInstanceOf(ElasticsearchSink.class, sink);
        assertFalse(sink.toString().contains("hunter2-secret"), sink.toString());
        assertTrue(sink.toString().contains("sync:****"), sink.toString());
    }

    @Test
    void rejectsAMisspeltKey() {
        ConfigSection c = section(map("hosts", "http://localhost:9200", "socketTimout", "5s"), Map.of());
        new ElasticsearchSinkProvider().create(c).close();
        ConfigException e = assertThrows(ConfigException.class, c::finish);
        assertTrue(e.getMessage().contains("sink.socketTimout"), e.getMessage());
    }

    @Test
    void rejectsAZeroTimeoutAtItsPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ElasticsearchSinkProvider()
                .create(section(map("hosts", "http://localhost:9200", "connectTimeout", "0s"), Map.of())));
        assertTrue(e.getMessage().contains("sink.connectTimeout"), e.getMessage());
    }

    @Test
    void requiresHosts() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> new ElasticsearchSinkProvider().create(section(map("compression", true), Map.of())));
        assertTrue(e.getMessage().contains("sink.hosts"), e.getMessage());
    }

    @Test
    void requiresThePasswordWithTheUsername() {
        ConfigException e = assertThrows(ConfigException.class, () -> new ElasticsearchSinkProvider()
                .create(section(map("hosts", "http://localhost:9200", "username", "u"), Map.of())));
        assertTrue(e.getMessage().contains("sink.password"), e.getMessage());
    }
    @Test
    void buildsTheSinkFromTheOperatorsGuideTomlExample() {
        String toml = String.join("\n",
                "[sink]",
                "type = \"elasticsearch\"",
                "hosts = [\"http://es1:9200\", \"http://es2:9200\"]",
                "username = \"binlog_sync\"",
                "password = \"${ES_PASSWORD}\"",
                "socketTimeout = \"60s\"",
                "lateWriteFence = \"90s\"",
                "compression = true",
                "[[sink.indices]]",
                "name = \"orders\"",
                "body = { mappings = { properties = { total = { type = \"double\" } } } }",
                "[[rules]]",
                "database = \"shop\"",
                "table = \"orders\"",
                "index = \"orders\"",
                "");
        PipelineDefinition config = ConfigLoader.create().withEnv(Map.of("ES_PASSWORD", "pw-from-env")).fromToml(toml);
        BulkSink sink = config.createSink();
        try {
            assertInstanceOf(ElasticsearchSink.class, sink);
            String s = sink.toString();
            assertTrue(s.contains("http://es2:9200") && s.contains("ensure=[orders]") && s.contains("compression=gzip")
                    && s.contains("lateWriteFence=PT1M30S"), s);
            assertFalse(s.contains("pw-from-env"), s);
        } finally {
            sink.close();
        }
    }
}
