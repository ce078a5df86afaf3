package dev.binlogsync.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineListener;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.PipelineDefinition;
import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.UrlResource;

/** How {@link PipelineConfiguration} reads {@code binlog-sync.config-file}. */
class PipelineConfigurationTest {

    @TempDir
    Path dir;

    @Test
    void theShippedConfigurationBuildsAPipelineWithPlaceholdersFromSpringProperties() {
        BinlogSyncProperties properties = new BinlogSyncProperties(new ClassPathResource("binlog-sync.json"), Map.of(
                "KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9",
                "ES_URL", "http://127.0.0.1:9",
                "PIPELINE_NAME", "from-spring"));
        List<String> heard = new CopyOnWriteArrayList<>();
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean("listener", new PipelineListener() {
            @Override
            public void onStateChange(PipelineState from, PipelineState to) {
                heard.add(from + "->" + to);
            }
        });
        beans.addBean("another", new PipelineListener() {
            @Override
            public void onStateChange(PipelineState from, PipelineState to) {
                heard.add("another " + from + "->" + to);
            }
        });
        SyncPipeline pipeline = new PipelineConfiguration().syncPipeline(properties,
                beans.getBeanProvider(PipelineListener.class));
        try {
            assertEquals("from-spring", pipeline.name());
            assertEquals(PipelineState.NEW, pipeline.state());
        } finally {
            pipeline.close(); // never started: closes the Kafka consumer and the client it made
        }
        assertEquals(PipelineState.CLOSED, pipeline.state());
        assertEquals(List.of("NEW->CLOSED", "another NEW->CLOSED"), heard, "each PipelineListener bean hears the pipeline");
    }

    @Test
    void readsATomlFileByItsName() throws Exception {
        Path file = Files.writeString(dir.resolve("orders.toml"), String.join("\n",
                "[[rules]]",
                "database = \"shop\"",
                "table = \"orders\"",
                "index = \"orders\"",
                "[settings]",
                "flushInterval = \"${FLUSH:200ms}\"",
                ""));
        PipelineDefinition definition = PipelineConfiguration.load(
                new BinlogSyncProperties(new FileSystemResource(file), Map.of("FLUSH", "75ms")));
        assertEquals(Duration.ofMillis(75), definition.settings().flushInterval());
    }

    @Test
    void anInvalidFileIsRefusedWithThePathOfTheOffendingKey() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.json"), "{\"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}],"
                + " \"settings\": {\"maxInFlightRequests\": \"many\"}}");
        ConfigException e = assertThrows(ConfigException.class, () -> PipelineConfiguration.load(
                new BinlogSyncProperties(new FileSystemResource(file), null)));
        assertTrue(e.getMessage().startsWith("settings.maxInFlightRequests"), e.getMessage());
    }

    @Test
    void aFileThatIsNeitherJsonNorTomlIsRefusedByName() throws Exception {
        Path file = Files.writeString(dir.resolve("pipeline.yaml"), "rules: []");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipelineConfiguration.load(
                new BinlogSyncProperties(new FileSystemResource(file), null)));
        assertTrue(e.getMessage().contains("pipeline.yaml"), e.getMessage());
    }

    @Test
    void aUrlsCredentialsNeverReachTheErrorOfAFileThatCannotBeRead() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        server.start();
        try {
            String url = "http://sync:hunter2@127.0.0.1:" + server.getAddress().getPort() + "/pipelines/orders.json";
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> PipelineConfiguration.load(
                    new BinlogSyncProperties(new UrlResource(url), null)));
            assertTrue(e.getMessage().contains("http://****@127.0.0.1:"), e.getMessage());
            assertTrue(e.getMessage().contains("/pipelines/orders.json"), e.getMessage());
            assertNoSecretInAnyMessage(e, "hunter2");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aUrlsCredentialsNeverReachTheErrorOfAFileThatIsNeitherJsonNorToml() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PipelineConfiguration.load(
                new BinlogSyncProperties(new UrlResource(URI.create("https://sync:hunter2@config.example/orders.yaml")), null)));
        assertTrue(e.getMessage().contains("https://****@config.example/orders.yaml"), e.getMessage());
        assertNoSecretInAnyMessage(e, "hunter2");
    }

    /** Neither {@code e} nor any of its causes or suppressed exceptions mention {@code secret}. */
    static void assertNoSecretInAnyMessage(Throwable e, String secret) {
        StringWriter all = new StringWriter();
        e.printStackTrace(new PrintWriter(all)); // what a logger prints: messages of causes and suppressed included
        assertFalse(all.toString().contains(secret), all.toString());
    }

    @Test
    void aMissingFileIsRefusedByName() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> PipelineConfiguration.load(
                new BinlogSyncProperties(new FileSystemResource(dir.resolve("absent.json")), null)));
        assertTrue(e.getMessage().contains("absent.json"), e.getMessage());
    }
}
