package dev.binlogsync.kafka.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.config.ConfigSection;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decoder key {@code fullRowImage} (default false for canal and maxwell, true for debezium) of each format's object in a file. */
class DecoderRowImageConfigTest {
    private static final SourcePosition POS = new SourcePosition("t-0", 1);

    private static RowImage imageOf(Map<String, Object> source, String message) {
        return KafkaSourceProvider.decoder(new ConfigSection("source", source, Map.of()))
                .decode(null, message.getBytes(StandardCharsets.UTF_8), POS).get(0).rowImage();
    }

    @Test
    void canalAndMaxwellRowsAreFullOnlyWhenTheFileSaysSoDebeziumRowsUnlessItSaysNot() {
        String canal = "{\"data\":[{\"id\":\"1\"}],\"database\":\"shop\",\"mysqlType\":{\"id\":\"int(11)\"},"
                + "\"pkNames\":[\"id\"],\"table\":\"orders\",\"type\":\"INSERT\"}";
        assertEquals(RowImage.UNKNOWN, imageOf(Map.of("format", "canal"), canal));
        assertEquals(RowImage.UNKNOWN, imageOf(Map.of("canal", Map.of()), canal));
        assertEquals(RowImage.FULL, imageOf(Map.of("canal", Map.of("fullRowImage", true)), canal));
        assertEquals(RowImage.UNKNOWN, imageOf(Map.of("canal", Map.of("fullRowImage", false)), canal));

        String debezium = "{\"before\":null,\"after\":{\"id\":1},\"source\":{\"db\":\"shop\",\"table\":\"orders\"},"
                + "\"op\":\"c\",\"ts_ms\":1}";
        assertEquals(RowImage.FULL, imageOf(Map.of("format", "debezium"), debezium));
        assertEquals(RowImage.UNKNOWN, imageOf(Map.of("format", "debezium", "debezium", Map.of("fullRowImage", false)),
                debezium));

        String maxwell = "{\"database\":\"shop\",\"table\":\"orders\",\"type\":\"insert\",\"ts\":1,\"data\":{\"id\":1}}";
        assertEquals(RowImage.UNKNOWN, imageOf(Map.of("format", "maxwell"), maxwell));
        assertEquals(RowImage.UNKNOWN, imageOf(Map.of("format", "maxwell", "maxwell", Map.of("fullRowImage", false)),
                maxwell));
        assertEquals(RowImage.FULL, imageOf(Map.of("format", "maxwell", "maxwell", Map.of("fullRowImage", true)),
                maxwell));
    }
}
