package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.ConfigSection;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ObjectFieldsConfigTest {

    private static String described(Map<String, Object> values) {
        ConfigSection c = new ConfigSection("sink", values, Map.of());
        BulkSink sink = new ElasticsearchSinkProvider().create(c);
        c.finish();
        sink.close();
        return sink.toString();
    }

    @Test
    void theFileKeyChoosesTheModeAndAutoIsTheDefault() {
        assertTrue(described(Map.of("hosts", "http://localhost:9200", "objectFields", "merge"))
                .contains("objectFields=MERGE"));
        assertTrue(described(Map.of("hosts", "http://localhost:9200", "objectFields", "replace"))
                .contains("objectFields=REPLACE"));
        String auto = described(Map.of("hosts", "http://localhost:9200"));
        assertFalse(auto.contains("objectFields"), auto);
    }

    @Test
    void anUnknownModeIsRejectedAtItsPath() {
        ConfigException e = assertThrows(ConfigException.class, () -> described(
                Map.of("hosts", "http://localhost:9200", "objectFields", "deep")));
        assertTrue(e.getMessage().contains("sink.objectFields"), e.getMessage());
    }

    @Test
    void theBuilderRejectsNull() {
        assertThrows(NullPointerException.class, () -> ElasticsearchSink.builder().objectFields(null));
    }
}
