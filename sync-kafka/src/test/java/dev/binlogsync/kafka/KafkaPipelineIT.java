package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link KafkaSource} under the real {@link SyncPipeline} engine, against a real broker. */
@Timeout(180)
class KafkaPipelineIT {

    static final EmbeddedKafka KAFKA = EmbeddedKafka.shared();
    static final AtomicInteger SEQ = new AtomicInteger();

    /** Every Canal row becomes an index of orders/{id} with the whole row. */
    static final RuleSet ORDERS = (event, out) ->
            out.collect(DocumentAction.index("orders", String.valueOf(event.row().get("id")), event.row()));

    static String topic(int partitions) {
        String t = "pipe-" + SEQ.incrementAndGet();
        KAFKA.createTopic(t, partitions);
        return t;
    }

    static KafkaSource.Builder kafkaSource(String topic, String group) {
        return kafkaSource(topic, group, "classic");
    }

    static KafkaSource.Builder kafkaSource(String topic, String group, String protocol) {
        KafkaSource.Builder b = KafkaSource.builder().bootstrapServers(KAFKA.bootstrapServers()).groupId(group).topics(topic)
                .decoder(CanalFlatMessageDecoder.create()).property("group.protocol", protocol)
                .closeTimeout(Duration.ofSeconds(5));
        // the new protocol takes heartbeats from the broker and rejects the client setting
        return protocol.equals("classic") ? b.property("heartbeat.interval.ms", 300) : b;
    }

    static SyncPipeline.Builder pipeline(Source source, BulkSink sink) {
        return SyncPipeline.builder().source(source).ruleSet(ORDERS).sink(sink)
                .flushInterval(Duration.ofMillis(20)).commitInterval(Duration.ofMillis(20)).pollTimeout(Duration.ofMillis(50))
                .drainTimeout(Duration.ofSeconds(5));
    }

    static void await(String what, BooleanSupplier condition) {
        Await.until(Duration.ofSeconds(60), what, condition::getAsBoolean);
    }

    static long committed(String group, String topic, int partition) {
        Long offset = KAFKA.committedOffsets(group).get(new TopicPartition(topic, partition));
        return offset == null ? -1 : offset;
    }

    /** A Source that forwards to a KafkaSource, records commits and polls, and can "crash" (hang in poll forever). */
    static final class ObservedSource implements Source {
        final KafkaSource delegate;
        final List<Map<String, SourcePosition>> commits = new CopyOnWriteArrayList<>();
        final AtomicInteger polls = new AtomicInteger();
        final AtomicBoolean crashed = new AtomicBoolean();
        final CountDownLatch released = new CountDownLatch(1);

        ObservedSource(KafkaSource delegate) {
            this.delegate = delegate;
        }

        @Override
        public void open(PartitionListener listener) {
            delegate.open(listener);
        }

        @Override
        public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
            if (crashed.get()) {
                released.await(); // the thread hangs: no more polls, commits or heartbeat-driven progress
                return List.of();
            }
            polls.incrementAndGet();
            return delegate.poll(timeout);
        }

        @Override
        public void commit(Map<String, SourcePosition> lastDone) {
            delegate.commit(lastDone);
            commits.add(Map.copyOf(lastDone));
        }

        @Override
        public void pause() {
            delegate.pause();
        }

        @Override
        public void resume() {
            delegate.resume();
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Lets several pipelines write into one recording sink (each pipeline closes its own sink). */
    static BulkSink shared(RecordingBulkSink sink) {
        return new BulkSink() {
            @Override
            public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
                return sink.execute(actions);
            }
        };
    }

    @Test
    void commitsAnOffsetOnlyAfterTheSinkAcknowledgedItsBulk() throws Exception {
        String topic = topic(1);
        String group = "g-" + topic;
        for (int i = 0; i < 6; i++) {
            KAFKA.send(topic, 0, null, Canal.insert(i, "s" + i), null);
        }
        RecordingBulkSink sink = new RecordingBulkSink().manual(true);
        ObservedSource source = new ObservedSource(kafkaSource(topic, group).build());
        try (SyncPipeline p = pipeline(source, sink).maxBulkActions(3).lanes(1).maxInFlightRequests(1).build()) {
            p.start();
            assertTrue(sink.awaitPending(1, Duration.ofSeconds(60)), "no bulk sent");
            assertEquals(3, sink.pending().get(0).actions().size());
            // the pipeline keeps polling (and could commit) many times while the bulk is unacknowledged
            int polls = source.polls.get();
            await("20 more polls", () -> source.polls.get() >= polls + 20);
            assertEquals(List.of(), source.commits, "nothing committed before the sink acknowledged");
            assertEquals(-1L, committed(group, topic, 0));

            sink.pending().get(0).complete();
            await("offset 3 committed", () -> committed(group, topic, 0) == 3L);
            assertTrue(sink.awaitPending(1, Duration.ofSeconds(60)), "second bulk not sent");
            int polls2 = source.polls.get();
            await("20 more polls", () -> source.polls.get() >= polls2 + 20);
            assertEquals(3L, committed(group, topic, 0), "the second bulk is not acknowledged yet");
            for (Map<String, SourcePosition> c : source.commits) {
                assertTrue(c.get(topic + "-0").offset() <= 2, "committed past the acknowledged records: " + c);
            }

            sink.pending().get(0).complete();
            await("offset 6 committed", () -> committed(group, topic, 0) == 6L);
            assertEquals(6, sink.documents().size());
        }
    }

    @Test
    void crashWithoutCloseThenRestartResumesFromTheLastCommitAndLosesNothing() throws Exception {
        String topic = topic(1);
        String group = "g-" + topic;
        for (int i = 0; i < 10; i++) {
            KAFKA.send(topic, 0, null, Canal.insert(i, "v" + i), null);
        }
        RecordingBulkSink first = new RecordingBulkSink().manual(true);
        ObservedSource crashing = new ObservedSource(kafkaSource(topic, group).property("max.poll.interval.ms", 1500).build());
        SyncPipeline p1 = pipeline(crashing, first).maxBulkActions(4).lanes(1).maxInFlightRequests(1).build();
        RecordingBulkSink second = new RecordingBulkSink();
        try {
            p1.start();
            assertTrue(first.awaitPending(1, Duration.ofSeconds(60)));
            first.pending().get(0).complete(); // ids 0..3 written
            await("offset 4 committed", () -> committed(group, topic, 0) == 4L);
            assertTrue(first.awaitPending(1, Duration.ofSeconds(60)), "ids 4..7 in flight");
            crashing.crashed.set(true); // the process "dies": no close(), no more commits, bulk 4..7 never acknowledged

            try (SyncPipeline p2 = pipeline(new ObservedSource(kafkaSource(topic, group).build()), second)
                    .lanes(1).maxInFlightRequests(1).build()) {
                p2.start();
                await("ids 4..9 written after the restart", () -> second.documents().size() == 6);
                await("offset 10 committed", () -> committed(group, topic, 0) == 10L);
            }
            assertEquals(List.of("4", "5", "6", "7", "8", "9"),
                    second.actions().stream().map(DocumentAction::id).collect(java.util.stream.Collectors.toList()),
                    "resumed right after the last commit: 0..3 not read again, 4..9 read once");
            Map<String, Map<String, Object>> all = new HashMap<>(first.documents());
            all.putAll(second.documents());
            for (int i = 0; i < 10; i++) {
                assertEquals("v" + i, all.get("orders/" + i).get("status"), "id " + i + " lost");
            }
            assertEquals(4, first.documents().size(), "only the acknowledged bulk reached the first sink");
        } finally {
            crashing.released.countDown();
            p1.close(Duration.ofSeconds(1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void pipelineJoiningAndPipelineLeavingMidStreamLoseNothingAndKeepEveryKeysOrder(String protocol) throws Exception {
        String topic = topic(4);
        String group = "g-" + topic;
        int keys = 40;
        int versions = 30;
        RecordingBulkSink sink = new RecordingBulkSink();
        KafkaSource.Builder a = kafkaSource(topic, group, protocol).property("max.poll.records", 50);
        KafkaSource.Builder b = kafkaSource(topic, group, protocol).property("max.poll.records", 50);
        CountDownLatch aAssigned = new CountDownLatch(1);
        CountDownLatch bAssigned = new CountDownLatch(1);
        SyncPipeline pa = pipeline(a.build(), shared(sink)).listener(new dev.binlogsync.core.PipelineListener() {
            @Override
            public void onPartitionsAssigned(java.util.Collection<String> partitions) {
                aAssigned.countDown();
            }
        }).build();
        SyncPipeline pb = pipeline(b.build(), shared(sink)).listener(new dev.binlogsync.core.PipelineListener() {
            @Override
            public void onPartitionsAssigned(java.util.Collection<String> partitions) {
                bAssigned.countDown();
            }
        }).build();
        try {
            pa.start();
            assertTrue(aAssigned.await(60, TimeUnit.SECONDS));
            produce(topic, keys, 0, 10);
            pb.start(); // joins mid-stream
            produce(topic, keys, 10, 20);
            assertTrue(bAssigned.await(60, TimeUnit.SECONDS));
            pa.close(); // leaves mid-stream: drains, commits, leaves the group
            assertEquals(PipelineState.CLOSED, pa.state(), String.valueOf(pa.failure()));
            produce(topic, keys, 20, versions);
            await("every key at its last version", () -> {
                Map<String, Map<String, Object>> docs = sink.documents();
                for (int id = 0; id < keys; id++) {
                    Map<String, Object> d = docs.get("orders/" + id);
                    if (d == null || !d.get("status").equals(Integer.toString(versions - 1))) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            pa.close();
            pb.close();
        }
        assertNull(pb.failure());
        assertEquals(List.of(), sink.overlaps());
        for (int id = 0; id < keys; id++) {
            int last = -1;
            for (DocumentAction act : sink.history("orders", Integer.toString(id))) {
                int v = Integer.parseInt((String) act.document().get("status"));
                assertTrue(v >= last, "key " + id + " went back from version " + last + " to " + v);
                last = v;
            }
            assertEquals(versions - 1, last);
        }
        assertTrue(committed(group, topic, 0) >= 0 && committed(group, topic, 3) >= 0);
        long total = 0;
        for (int p = 0; p < 4; p++) {
            total += committed(group, topic, p);
        }
        assertEquals(keys * versions, total, "every record's offset committed");
    }

    static void produce(String topic, int keys, int from, int to) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int v = from; v < to; v++) {
            for (int id = 0; id < keys; id++) {
                records.add(new ProducerRecord<>(topic, id % 4, null, Canal.insert(id, Integer.toString(v))));
            }
        }
        KAFKA.sendAll(records);
    }

    @Test
    void poisonMessagesAndRejectedDocumentsReachTheDeadLetterTopicWithHeadersAndConsumptionGoesOn() throws Exception {
        String topic = topic(1);
        String dlq = topic + ".dlq";
        KAFKA.createTopic(dlq, 1);
        String group = "g-" + topic;
        byte[] poison = "{\"data\":[{\"id\":\"1\"".getBytes(StandardCharsets.UTF_8);
        byte[] rejected = Canal.insert(666, "bad");
        KAFKA.send(topic, 0, null, Canal.insert(0, "ok"), null);
        KAFKA.send(topic, 0, "poison-key".getBytes(StandardCharsets.UTF_8), poison, null);
        KAFKA.send(topic, 0, null, rejected, null);
        KAFKA.send(topic, 0, null, Canal.insert(3, "ok"), null);
        RecordingBulkSink sink = new RecordingBulkSink().defaultReply(
                RecordingBulkSink.Reply.permanent(a -> a.id().equals("666"), "failed to parse field [status]"));
        KafkaDeadLetterSink dead = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrapServers()).topic(dlq).build();
        try (SyncPipeline p = pipeline(kafkaSource(topic, group).build(), sink).deadLetterSink(dead)
                .onDecodeFailure(FailurePolicy.DEAD_LETTER).onRejected(FailurePolicy.DEAD_LETTER).build()) {
            p.start();
            await("all four offsets committed", () -> committed(group, topic, 0) == 4L);
            assertEquals(PipelineState.RUNNING, p.state());
        }
        assertEquals(java.util.Set.of("orders/0", "orders/3"), sink.documents().keySet());

        List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = KAFKA.consumer("reader-" + dlq)) {
            c.subscribe(List.of(dlq));
            Await.value(Duration.ofSeconds(30), "two dead letters in " + dlq, () -> {
                c.poll(Duration.ofMillis(200)).forEach(letters::add);
                return letters.size();
            }, size -> size >= 2);
        }
        assertEquals(2, letters.size());
        letters.sort(java.util.Comparator.comparing(r -> headers(r).get(KafkaDeadLetterSink.HEADER_OFFSET)));
        ConsumerRecord<byte[], byte[]> undecodable = letters.get(0);
        assertArrayEquals("poison-key".getBytes(StandardCharsets.UTF_8), undecodable.key());
        assertArrayEquals(poison, undecodable.value());
        Map<String, String> h1 = headers(undecodable);
        assertEquals("UNDECODABLE", h1.get(KafkaDeadLetterSink.HEADER_KIND));
        assertEquals(topic, h1.get(KafkaDeadLetterSink.HEADER_TOPIC));
        assertEquals("0", h1.get(KafkaDeadLetterSink.HEADER_PARTITION));
        assertEquals("1", h1.get(KafkaDeadLetterSink.HEADER_OFFSET));
        assertTrue(h1.get(KafkaDeadLetterSink.HEADER_REASON).contains("partition 0, offset 1"), h1.toString());
        assertTrue(Long.parseLong(h1.get(KafkaDeadLetterSink.HEADER_TIME)) > 0);
        ConsumerRecord<byte[], byte[]> rejection = letters.get(1);
        assertArrayEquals(rejected, rejection.value(), "the original Canal message, not the document");
        Map<String, String> h2 = headers(rejection);
        assertEquals("REJECTED", h2.get(KafkaDeadLetterSink.HEADER_KIND));
        assertEquals("2", h2.get(KafkaDeadLetterSink.HEADER_OFFSET));
        assertEquals("orders", h2.get(KafkaDeadLetterSink.HEADER_INDEX));
        assertEquals("666", h2.get(KafkaDeadLetterSink.HEADER_ID));
        assertEquals("mapper_parsing_exception", h2.get(KafkaDeadLetterSink.HEADER_ERROR_TYPE));
    }

    static Map<String, String> headers(ConsumerRecord<byte[], byte[]> r) {
        Map<String, String> h = new HashMap<>();
        for (Header header : r.headers()) {
            h.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return h;
    }

    @Test
    void commitsPastAPoisonMessageOnlyAfterTheDeadLetterBrokerAcknowledged() throws Exception {
        String topic = topic(1);
        String group = "g-" + topic;
        String dlq = "dlq-of-" + topic;
        KAFKA.send(topic, 0, null, Canal.insert(0, "ok"), null);
        KAFKA.send(topic, 0, null, "not json at all".getBytes(StandardCharsets.UTF_8), null);
        KAFKA.send(topic, 0, null, Canal.insert(2, "ok"), null);
        try (EmbeddedKafka dlqBroker = EmbeddedKafka.builder().start()) {
            dlqBroker.createTopic(dlq, 1);
            dlqBroker.stop(); // the dead-letter cluster is down
            KafkaDeadLetterSink dead = KafkaDeadLetterSink.builder().bootstrapServers(dlqBroker.bootstrapServers()).topic(dlq)
                    .property("max.block.ms", 500).property("request.timeout.ms", 1000).property("delivery.timeout.ms", 2000)
                    .build();
            RecordingBulkSink sink = new RecordingBulkSink();
            ObservedSource source = new ObservedSource(kafkaSource(topic, group).build());
            try (SyncPipeline p = pipeline(source, sink).deadLetterSink(dead).onDecodeFailure(FailurePolicy.DEAD_LETTER)
                    .retryInitialBackoff(Duration.ofMillis(50)).retryMaxBackoff(Duration.ofMillis(200)).build()) {
                p.start();
                await("both good records written", () -> sink.documents().size() == 2);
                await("offset 1 committed", () -> committed(group, topic, 0) == 1L);
                int polls = source.polls.get();
                await("30 more polls", () -> source.polls.get() >= polls + 30);
                assertEquals(1L, committed(group, topic, 0), "the poison record's dead letter is not stored yet");
                assertEquals(PipelineState.RUNNING, p.state(), String.valueOf(p.failure()));

                dlqBroker.start(); // same port, same data
                await("offset 3 committed once the dead letter is stored", () -> committed(group, topic, 0) == 3L);
            }
            try (KafkaConsumer<byte[], byte[]> c = dlqBroker.consumer("reader")) {
                c.subscribe(List.of(dlq));
                List<ConsumerRecord<byte[], byte[]>> letters = new ArrayList<>();
                Await.value(Duration.ofSeconds(30), "the dead letter in " + dlq, () -> {
                    c.poll(Duration.ofMillis(200)).forEach(letters::add);
                    return letters.size();
                }, size -> size >= 1);
                assertEquals(1, letters.size());
                assertEquals("not json at all", new String(letters.get(0).value(), StandardCharsets.UTF_8));
                assertEquals("1", headers(letters.get(0)).get(KafkaDeadLetterSink.HEADER_OFFSET));
            }
        }
    }
}
