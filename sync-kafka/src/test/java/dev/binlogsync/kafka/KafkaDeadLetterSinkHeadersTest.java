package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.testing.Events;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** The headers of a dead letter carry its reason without the credentials the reason may quote. */
class KafkaDeadLetterSinkHeadersTest {

    private static Map<String, String> headers(String reason) {
        SourcePosition pos = new SourcePosition("canal.shop-orders-2", 41);
        SourceRecord record = SourceRecord.of(pos, List.of(Events.insert("shop", "orders", Map.of("id", 1))));
        Map<String, String> out = new LinkedHashMap<>();
        for (Header h : KafkaDeadLetterSink.headers(new DeadLetter(DeadLetter.Kind.UNMAPPABLE, reason, record,
                List.of(pos), null, null, 1_700_000_000_000L))) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void theReasonHeaderHasCredentialsRemovedAndKeepsTheHost() {
        String reason = headers("cannot map: https://admin:hunter2@es.example:9200/x failed, password=hunter2")
                .get(KafkaDeadLetterSink.HEADER_REASON);

        assertFalse(reason.contains("hunter2"), reason);
        assertEquals("cannot map: https://es.example:9200/**** failed, password=****", reason);
    }

    @Test
    void aReasonWithoutSecretsIsKeptAsItIs() {
        Map<String, String> h = headers("cannot map an event of shop.orders (INSERT) at canal.shop-orders-2@41: bad");
        assertEquals("cannot map an event of shop.orders (INSERT) at canal.shop-orders-2@41: bad",
                h.get(KafkaDeadLetterSink.HEADER_REASON));
        assertEquals("41", h.get(KafkaDeadLetterSink.HEADER_OFFSET));
    }

    @Test
    void aLongReasonIsCutWithTheCutNamed() {
        String reason = headers("x".repeat(10_000)).get(KafkaDeadLetterSink.HEADER_REASON);
        assertTrue(reason.startsWith("x".repeat(2048) + "...[7952 more chars]"), reason.substring(2040));
    }
}
