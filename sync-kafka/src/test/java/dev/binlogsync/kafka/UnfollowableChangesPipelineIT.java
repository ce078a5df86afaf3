package dev.binlogsync.kafka;

import static dev.binlogsync.kafka.KafkaPipelineIT.KAFKA;
import static dev.binlogsync.kafka.KafkaPipelineIT.await;
import static dev.binlogsync.kafka.KafkaPipelineIT.committed;
import static dev.binlogsync.kafka.KafkaPipelineIT.kafkaSource;
import static dev.binlogsync.kafka.KafkaPipelineIT.pipeline;
import static dev.binlogsync.kafka.KafkaPipelineIT.topic;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.core.testing.RecordingDeadLetterSink;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Changes the index cannot follow (a TRUNCATE, a statement-format change, a tinyint(1) value that
 * is not a boolean where booleans were asked for) reach the decode-failure policy through a real
 * broker and the real engine, named by topic, partition and offset; nothing is dropped silently.
 */
@Timeout(180)
class UnfollowableChangesPipelineIT {

    static byte[] truncate() {
        return utf8("{\"data\":null,\"database\":\"shop\",\"es\":1700000000000,\"id\":8,\"isDdl\":true,\"mysqlType\":null,"
                + "\"old\":null,\"pkNames\":null,\"sql\":\"TRUNCATE TABLE orders\",\"sqlType\":null,\"table\":\"orders\","
                + "\"ts\":1700000000123,\"type\":\"TRUNCATE\"}");
    }

    static byte[] statement() {
        return utf8("{\"data\":null,\"database\":\"shop\",\"es\":1700000000000,\"id\":9,\"isDdl\":false,\"mysqlType\":null,"
                + "\"old\":null,\"pkNames\":null,\"sql\":\"DELETE FROM orders WHERE id < 5\",\"sqlType\":null,\"table\":\"orders\","
                + "\"ts\":1700000000123,\"type\":\"QUERY\"}");
    }

    static byte[] flag(long id, int value) {
        return utf8("{\"data\":[{\"id\":\"" + id + "\",\"paid\":\"" + value + "\"}],\"database\":\"shop\",\"es\":1700000000000,"
                + "\"id\":7,\"isDdl\":false,\"mysqlType\":{\"id\":\"bigint(20)\",\"paid\":\"tinyint(1)\"},\"old\":null,"
                + "\"pkNames\":[\"id\"],\"sql\":\"\",\"sqlType\":{\"id\":-5,\"paid\":-6},\"table\":\"orders\","
                + "\"ts\":1700000000123,\"type\":\"INSERT\"}");
    }

    @Test
    void aTruncateOfASyncedTableStopsThePipelineAtItsOffsetByDefault() throws Exception {
        String topic = topic(1);
        String group = "g-" + topic;
        KAFKA.send(topic, 0, null, Canal.insert(0, "ok"), null);
        KAFKA.send(topic, 0, null, truncate(), null);
        KAFKA.send(topic, 0, null, Canal.insert(2, "ok"), null);
        RecordingBulkSink sink = new RecordingBulkSink();
        try (SyncPipeline p = pipeline(kafkaSource(topic, group).build(), sink).build()) {
            p.start();
            await("the pipeline to stop on the truncate", () -> p.state() == PipelineState.FAILED);
            String failure = String.valueOf(p.failure());
            assertTrue(failure.contains("topic " + topic + ", partition 0, offset 1"), failure);
            assertTrue(failure.contains("shop.orders: TRUNCATE TABLE cannot be applied to the index"), failure);
        }
        assertTrue(committed(group, topic, 0) <= 1L, "nothing committed past the truncate: " + committed(group, topic, 0));
        assertEquals(null, sink.document("orders", "2"), "nothing after the truncate was applied");
    }

    @Test
    void withDeadLettersEachUnfollowableChangeIsALetterNamingItsOffsetAndConsumptionGoesOn() throws Exception {
        String topic = topic(1);
        String group = "g-" + topic;
        KAFKA.send(topic, 0, null, flag(0, 1), null);
        KAFKA.send(topic, 0, null, truncate(), null);
        KAFKA.send(topic, 0, null, statement(), null);
        KAFKA.send(topic, 0, null, flag(3, 2), null);
        KAFKA.send(topic, 0, null, flag(4, 0), null);
        RecordingBulkSink sink = new RecordingBulkSink();
        RecordingDeadLetterSink dead = new RecordingDeadLetterSink();
        KafkaSource source = kafkaSource(topic, group)
                .decoder(CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).build()).build();
        try (SyncPipeline p = pipeline(source, sink).deadLetterSink(dead).onDecodeFailure(FailurePolicy.DEAD_LETTER).build()) {
            p.start();
            await("all five offsets committed", () -> committed(group, topic, 0) == 5L);
            assertEquals(PipelineState.RUNNING, p.state());
        }
        assertEquals(Set.of("orders/0", "orders/4"), sink.documents().keySet());
        assertEquals(Boolean.TRUE, sink.document("orders", "0").get("paid"));
        assertEquals(Boolean.FALSE, sink.document("orders", "4").get("paid"));
        List<DeadLetter> letters = dead.letters();
        assertEquals(3, letters.size(), letters.toString());
        Map<Long, String> reasons = new java.util.TreeMap<>();
        for (DeadLetter l : letters) {
            assertEquals(DeadLetter.Kind.UNDECODABLE, l.kind());
            reasons.put(l.record().position().offset(), l.reason());
        }
        assertEquals(Set.of(1L, 2L, 3L), reasons.keySet());
        assertTrue(reasons.get(1L).contains("offset 1") && reasons.get(1L).contains("TRUNCATE TABLE"), reasons.get(1L));
        assertTrue(reasons.get(2L).contains("offset 2") && reasons.get(2L).contains("statement-format change"), reasons.get(2L));
        assertTrue(reasons.get(3L).contains("offset 3") && reasons.get(3L).contains("value '2' is not 0 or 1"), reasons.get(3L));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
