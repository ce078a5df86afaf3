package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class KafkaDeadLetterSinkBrokerIT {

    static final EmbeddedKafka KAFKA = EmbeddedKafka.shared();

    static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = KAFKA.consumer("reader-" + topic)) {
            c.subscribe(List.of(topic));
            Await.value(Duration.ofSeconds(30), n + " records in " + topic, () -> {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
                return out.size();
            }, size -> size >= n);
        }
        return out;
    }

    static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> h = new HashMap<>();
        for (Header header : r.headers()) {
            h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return h;
    }

    @Test
    void writesTheOriginalBytesWithReasonKindSourceAndTimeHeadersOnceAcknowledged() throws Exception {
        String dlq = "dlq-1";
        KAFKA.createTopic(dlq, 1);
        byte[] key = "k1".getBytes(StandardCharsets.UTF_8);
        byte[] value = "{not json".getBytes(StandardCharsets.UTF_8);
        SourcePosition pos = new SourcePosition("canal.shop-orders-2", 41);
        SourceRecord failed = SourceRecord.failed(pos, key, value, new DecodeException("malformed JSON"));
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrapServers()).topic(dlq).build()) {
            sink.send(new DeadLetter(DeadLetter.Kind.UNDECODABLE, "cannot decode: malformed JSON", failed, List.of(pos),
                    null, null, 1_700_000_000_000L)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        List<ConsumerRecord<byte[], byte[]>> records = readAll(dlq, 1);
        assertEquals(1, records.size());
        ConsumerRecord<byte[], byte[]> r = records.get(0);
        assertArrayEquals(key, r.key());
        assertArrayEquals(value, r.value());
        Map<String, String> h = headers(r);
        assertEquals("cannot decode: malformed JSON", h.get(KafkaDeadLetterSink.HEADER_REASON));
        assertEquals("UNDECODABLE", h.get(KafkaDeadLetterSink.HEADER_KIND));
        assertEquals("canal.shop-orders", h.get(KafkaDeadLetterSink.HEADER_TOPIC));
        assertEquals("2", h.get(KafkaDeadLetterSink.HEADER_PARTITION));
        assertEquals("41", h.get(KafkaDeadLetterSink.HEADER_OFFSET));
        assertEquals("1700000000000", h.get(KafkaDeadLetterSink.HEADER_TIME));
        assertEquals("canal.shop-orders-2@41", h.get(KafkaDeadLetterSink.HEADER_POSITIONS));
        assertFalse(h.containsKey(KafkaDeadLetterSink.HEADER_ID));
    }

    @Test
    void rejectedDocumentKeepsTheOriginalValueAndAddsIndexIdAndError() throws Exception {
        String dlq = "dlq-2";
        KAFKA.createTopic(dlq, 1);
        byte[] value = "{\"data\":[{\"id\":\"7\"}]}".getBytes(StandardCharsets.UTF_8);
        SourcePosition p1 = new SourcePosition("orders-0", 5);
        SourcePosition p2 = new SourcePosition("orders-0", 9);
        SourceRecord rec = new SourceRecord(p2, List.of(), null, value, 0L, null);
        DocumentAction action = DocumentAction.index("orders", "7", Map.of("id", 7));
        ItemResult result = ItemResult.permanent(400, "mapper_parsing_exception", "failed to parse field [id]");
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrapServers()).topic(dlq).build()) {
            sink.send(new DeadLetter(DeadLetter.Kind.REJECTED, "mapper_parsing_exception: failed to parse field [id]", rec,
                    List.of(p1, p2), action, result, 5L)).toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        ConsumerRecord<byte[], byte[]> r = readAll(dlq, 1).get(0);
        assertArrayEquals(value, r.value(), "the original record, not the document");
        Map<String, String> h = headers(r);
        assertEquals("REJECTED", h.get(KafkaDeadLetterSink.HEADER_KIND));
        assertEquals("orders", h.get(KafkaDeadLetterSink.HEADER_INDEX));
        assertEquals("7", h.get(KafkaDeadLetterSink.HEADER_ID));
        assertEquals("mapper_parsing_exception", h.get(KafkaDeadLetterSink.HEADER_ERROR_TYPE));
        assertEquals("400", h.get(KafkaDeadLetterSink.HEADER_STATUS));
        assertEquals("orders-0@5,orders-0@9", h.get(KafkaDeadLetterSink.HEADER_POSITIONS));
        assertEquals("9", h.get(KafkaDeadLetterSink.HEADER_OFFSET));
    }

    @Test
    void aLetterLargerThanMaxRequestSizeIsWrittenWithItsHeadersAndATruncatedValue() throws Exception {
        String dlq = "dlq-large";
        KAFKA.createTopic(dlq, 1);
        byte[] key = "k-large".getBytes(StandardCharsets.UTF_8);
        byte[] value = new byte[20_000];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) ('a' + i % 26);
        }
        SourcePosition pos = new SourcePosition("orders-0", 77);
        SourceRecord rec = SourceRecord.failed(pos, key, value, new DecodeException("too deep"));
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrapServers()).topic(dlq)
                .property("max.request.size", 4096).build()) {
            sink.send(new DeadLetter(DeadLetter.Kind.UNDECODABLE, "cannot decode: too deep", rec, List.of(pos), null, null, 3L))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        ConsumerRecord<byte[], byte[]> r = readAll(dlq, 1).get(0);
        Map<String, String> h = headers(r);
        assertEquals("true", h.get(KafkaDeadLetterSink.HEADER_TRUNCATED));
        assertEquals("20000", h.get(KafkaDeadLetterSink.HEADER_ORIGINAL_VALUE_SIZE));
        assertEquals("cannot decode: too deep", h.get(KafkaDeadLetterSink.HEADER_REASON));
        assertEquals("77", h.get(KafkaDeadLetterSink.HEADER_OFFSET));
        assertArrayEquals(key, r.key());
        assertTrue(r.value().length > 0 && r.value().length < 4096, "truncated to fit: " + r.value().length);
        assertArrayEquals(java.util.Arrays.copyOf(value, r.value().length), r.value(), "the value's first bytes");
    }

    @Test
    void aLetterWhoseKeyAloneExceedsMaxRequestSizeIsWrittenAsItsHeaders() throws Exception {
        String dlq = "dlq-large-key";
        KAFKA.createTopic(dlq, 1);
        byte[] key = new byte[8_000];
        SourcePosition pos = new SourcePosition("orders-0", 78);
        SourceRecord rec = SourceRecord.failed(pos, key, new byte[] {1, 2, 3}, new DecodeException("x"));
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrapServers()).topic(dlq)
                .property("max.request.size", 4096).build()) {
            sink.send(new DeadLetter(DeadLetter.Kind.UNDECODABLE, "x", rec, List.of(pos), null, null, 3L))
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
        ConsumerRecord<byte[], byte[]> r = readAll(dlq, 1).get(0);
        Map<String, String> h = headers(r);
        assertEquals("true", h.get(KafkaDeadLetterSink.HEADER_TRUNCATED));
        assertEquals("3", h.get(KafkaDeadLetterSink.HEADER_ORIGINAL_VALUE_SIZE));
        assertEquals("8000", h.get(KafkaDeadLetterSink.HEADER_ORIGINAL_KEY_SIZE));
        assertEquals("78", h.get(KafkaDeadLetterSink.HEADER_OFFSET));
        assertEquals(null, r.key());
        assertEquals(null, r.value());
    }

    @Test
    void aWriteKafkaRefusesCompletesTheStageExceptionally() {
        SourcePosition pos = new SourcePosition("orders-0", 1);
        SourceRecord rec = SourceRecord.failed(pos, null, new byte[] {1}, new DecodeException("x"));
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrapServers())
                .topic("not a valid topic!").property("max.block.ms", 2000).build()) {
            CompletionException e = assertThrows(CompletionException.class, () -> sink.send(
                    new DeadLetter(DeadLetter.Kind.UNDECODABLE, "x", rec, List.of(pos), null, null, 1L)).toCompletableFuture().join());
            assertInstanceOf(SyncException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("orders-0@1"), e.getCause().getMessage());
        }
    }

    @Test
    void acksOtherThanAllIdempotenceOffAndSerializersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> KafkaDeadLetterSink.builder().property("acks", "1"));
        assertThrows(IllegalArgumentException.class, () -> KafkaDeadLetterSink.builder().property("enable.idempotence", false));
        assertThrows(IllegalArgumentException.class, () -> KafkaDeadLetterSink.builder().property("value.serializer", "x"));
        assertThrows(IllegalStateException.class, () -> KafkaDeadLetterSink.builder().topic("t").build());
        assertThrows(IllegalStateException.class, () -> KafkaDeadLetterSink.builder().bootstrapServers("h:1").build());
        KafkaDeadLetterSink.Builder b = KafkaDeadLetterSink.builder().bootstrapServers("h:1").topic("t").property("acks", "all")
                .security(KafkaSecurity.saslPlain("u", "hidden-pw"));
        assertEquals("all", b.effectiveConfig().get("acks"));
        assertEquals("true", b.effectiveConfig().get("enable.idempotence"));
        assertFalse(b.toString().contains("hidden-pw"), b.toString());
    }
}
