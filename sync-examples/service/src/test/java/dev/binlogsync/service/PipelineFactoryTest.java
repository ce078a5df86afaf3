package dev.binlogsync.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.binlogsync.core.config.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The standard factory's naming rule (building real pipelines is ServiceIT's part). */
class PipelineFactoryTest {

    @Test
    void aThreadNameOtherThanThePipelinesKeyIsRefusedBeforeAnythingIsCreated() {
        ServiceConfig config = ServiceConfig.parse("{\"pipelines\": {\"orders\": {\"settings\": {\"threadName\": \"worker\"},"
                + " \"rules\": [{\"database\": \"shop\", \"table\": \"orders\", \"index\": \"orders\"}]}}}",
                ServiceConfig.Format.JSON, Map.of());

        ConfigException e = assertThrows(ConfigException.class,
                () -> PipelineFactory.standard().create("orders", config.pipelines().get("orders")));

        assertEquals("settings.threadName: must be left out or be the pipeline's name 'orders', not 'worker': the name"
                + " tags its metrics, status and alerts", e.getMessage());
    }
}
