package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A pipeline built from a configuration runs with the configured components, rules and limits. */
class ConfiguredPipelineTest {

    static ChangeEvent order(int id, String type, Operation op) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", String.valueOf(id));
        row.put("type", type);
        return new ChangeEvent("shop", "order_" + (id % 4), op, row, Map.of(), List.of("id"), 1L,
                new SourcePosition("p", 0));
    }

    @Test
    void configuredPipelineWritesFilteredRowsInBulksOfTheConfiguredSize() throws Exception {
        String json = "{"
                + "\"source\": {\"type\": \"memory\", \"name\": \"src-1\"},"
                + "\"sink\": {\"type\": \"recording\", \"name\": \"sink-1\"},"
                + "\"rules\": [{\"table\": \"order_*\", \"index\": \"orders\", \"where\": \"type IN (1,2)\"}],"
                + "\"settings\": {\"maxBulkActions\": 2, \"flushInterval\": \"20ms\", \"commitInterval\": \"0s\","
                + " \"maxInFlightRequests\": 1, \"lanes\": 1}"
                + "}";
        PipelineDefinition config = ConfigLoader.create().fromJson(json);
        try (SyncPipeline pipeline = config.toPipelineBuilder().build()) {
            InMemorySource source = (InMemorySource) TestProviders.CREATED.get("src-1");
            RecordingBulkSink sink = (RecordingBulkSink) TestProviders.CREATED.get("sink-1");
            assertNotNull(source);
            SourcePosition last = null;
            for (int i = 1; i <= 7; i++) {
                last = source.append("p", order(i, i % 3 == 0 ? "3" : "1", Operation.INSERT));
            }
            pipeline.start();
            assertTrue(source.awaitCommitted("p", last.offset(), Duration.ofSeconds(20)), "all committed");
            assertEquals(5, sink.actions().size(), "type 3 rows filtered out: " + sink.actions());
            assertTrue(sink.requests().stream().allMatch(r -> r.actions().size() <= 2), "settings.maxBulkActions applied");
            assertEquals("1", sink.document("orders", "7").get("type"));
            assertNull(sink.document("orders", "3"), "filtered out");
        }
    }

    @Test
    void engineRejectionsNameTheConfigPath() {
        PipelineDefinition config = ConfigLoader.create().fromJson("{\"rules\": [{\"table\": \"t\", \"index\": \"i\"}],"
                + "\"source\": {\"type\": \"memory\", \"name\": \"src-2\", \"maxPollRecords\": 0}}");
        ConfigException e = assertThrows(ConfigException.class, config::toPipelineBuilder);
        assertEquals("source", e.path());
        assertTrue(e.getMessage().contains("maxPollRecords"), e.getMessage());
    }
}
