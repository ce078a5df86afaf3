package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KafkaDeadLetterSinkBuilderTest {

    private static KafkaDeadLetterSink.Builder valid() {
        return KafkaDeadLetterSink.builder().bootstrapServers("127.0.0.1:9").topic("dlq");
    }

    @Test
    void theProducerKeepsOneRequestInFlightUnlessToldOtherwiseAndIsAlwaysIdempotentWithAcksAll() {
        Map<String, Object> config = valid().effectiveConfig();
        assertEquals(1, config.get("max.in.flight.requests.per.connection"));
        assertEquals("all", config.get("acks"));
        assertEquals("true", config.get("enable.idempotence"));
        assertEquals(5, valid().property("max.in.flight.requests.per.connection", 5).effectiveConfig()
                .get("max.in.flight.requests.per.connection"));
        assertThrows(IllegalArgumentException.class, () -> valid().property("acks", "1"));
        assertThrows(IllegalArgumentException.class, () -> valid().property("enable.idempotence", false));
    }
}
