package dev.binlogsync.examples.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.PipelineDefinition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.FileSystemResource;

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
        SyncPipeline pipeline = new PipelineConfiguration().syncPipeline(properties);
        try {
            assertEquals("from-spring", pipeline.name());
            assertEquals(PipelineState.NEW, pipeline.state());
        } finally {
            pipeline.close(); // never started: closes the Kafka consumer and the client it made
        }
        assertEquals(PipelineState.CLOSED, pipeline.state());
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
    void aMissingFileIsRefusedByName() {
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class, () -> PipelineConfiguration.load(
                new BinlogSyncProperties(new FileSystemResource(dir.resolve("absent.json")), null)));
        assertTrue(e.getMessage().contains("absent.json"), e.getMessage());
    }
}
