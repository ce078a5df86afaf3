package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.Operation;
import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link KafkaSource} against a real in-process broker. */
@Timeout(120)
class KafkaSourceBrokerIT {

    static final EmbeddedKafka kafka = EmbeddedKafka.shared();
    static final AtomicInteger SEQ = new AtomicInteger();

    static String newTopic(int partitions) {
        String t = "src-" + SEQ.incrementAndGet();
        kafka.createTopic(t, partitions);
        return t;
    }

    static KafkaSource.Builder source(String topic, String group) {
        return source(topic, group, "classic");
    }

    /** A source for the classic or the new ("consumer") group protocol; fast heartbeats either way. */
    static KafkaSource.Builder source(String topic, String group, String protocol) {
        KafkaSource.Builder b = KafkaSource.builder()
                .bootstrapServers(kafka.bootstrapServers())
                .groupId(group)
                .topics(topic)
                .decoder(CanalFlatMessageDecoder.create())
                .property("group.protocol", protocol)
                .closeTimeout(Duration.ofSeconds(5));
        // the new protocol takes its heartbeat interval from the broker (500 ms in EmbeddedKafka)
        return protocol.equals("classic") ? b.property("heartbeat.interval.ms", 300) : b;
    }

    /** Polls until {@code done} holds for everything read so far, or fails after 30 s. */
    static List<SourceRecord> pollUntil(KafkaSource s, Predicate<List<SourceRecord>> done) throws InterruptedException {
        List<SourceRecord> all = new ArrayList<>();
        // observes nothing once done, else the records read so far
        Await.value(Duration.ofSeconds(30), "the condition on the records read", () -> {
            if (done.test(all)) {
                return null;
            }
            all.addAll(s.poll(Duration.ofMillis(200)));
            return all.size() + " records: " + all.stream().map(r -> r.position().toString()).collect(Collectors.joining(","));
        }, Objects::isNull);
        return all;
    }

    static List<SourceRecord> pollCount(KafkaSource s, int n) throws InterruptedException {
        return pollUntil(s, l -> l.size() >= n);
    }

    static long idOf(SourceRecord r) {
        return ((Number) r.events().get(0).row().get("id")).longValue();
    }

    @Test
    void decodesEachRecordWithItsTopicPartitionOffsetBytesAndTimestamp() throws Exception {
        String topic = newTopic(2);
        byte[] value = Canal.insert(1, "new");
        kafka.send(topic, 1, null, value, 1_700_000_000_000L);
        kafka.send(topic, 1, "k".getBytes(StandardCharsets.UTF_8), Canal.update(1, "paid", "new"), 1_700_000_000_500L);
        try (KafkaSource s = source(topic, "g-decode").build()) {
            s.open(new RecordingListener());
            List<SourceRecord> records = pollCount(s, 2);
            assertEquals(2, records.size());
            SourceRecord first = records.get(0);
            assertEquals(new SourcePosition(topic + "-1", 0), first.position());
            assertEquals(1_700_000_000_000L, first.timestampMillis());
            assertTrue(java.util.Arrays.equals(value, first.value()));
            assertFalse(first.isFailed());
            assertEquals(Operation.INSERT, first.events().get(0).operation());
            assertEquals(first.position(), first.events().get(0).position());
            SourceRecord second = records.get(1);
            assertEquals(new SourcePosition(topic + "-1", 1), second.position());
            assertEquals("k", new String(second.key(), StandardCharsets.UTF_8));
            assertEquals(Map.of("status", "new"), second.events().get(0).oldValues());
        }
    }

    @Test
    void commitsNothingByItselfAndCommitsLastDonePlusOneWhenAsked() throws Exception {
        String topic = newTopic(1);
        for (int i = 0; i < 6; i++) {
            kafka.send(topic, 0, null, Canal.insert(i, "s"), null);
        }
        String group = "g-commit";
        try (KafkaSource s = source(topic, group).build()) {
            s.open(new RecordingListener());
            pollCount(s, 6);
            assertTrue(kafka.committedOffsets(group).isEmpty(), "nothing committed before commit()");
            s.commit(Map.of(topic + "-0", new SourcePosition(topic + "-0", 2)));
            assertEquals(Map.of(new TopicPartition(topic, 0), 3L), kafka.committedOffsets(group));
        }
        // close() committed nothing more; a new member resumes right after the last done record
        assertEquals(Map.of(new TopicPartition(topic, 0), 3L), kafka.committedOffsets(group));
        try (KafkaSource s = source(topic, group).build()) {
            s.open(new RecordingListener());
            List<SourceRecord> again = pollCount(s, 3);
            assertEquals(List.of(3L, 4L, 5L), again.stream().map(r -> r.position().offset()).collect(Collectors.toList()));
        }
    }

    @Test
    void undecodableRecordBecomesAFailedRecordNamingTopicPartitionOffsetAndReadingGoesOn() throws Exception {
        String topic = newTopic(1);
        kafka.send(topic, 0, null, Canal.insert(1, "ok"), null);
        kafka.send(topic, 0, null, "{\"data\":[{\"id\":".getBytes(StandardCharsets.UTF_8), null);
        kafka.send(topic, 0, null, "{\"data\":[{\"id\":\"x\"}],\"database\":\"shop\",\"table\":\"orders\",\"type\":\"INSERT\",\"mysqlType\":{\"id\":\"int(11)\"}}"
                .getBytes(StandardCharsets.UTF_8), null);
        kafka.send(topic, 0, null, Canal.insert(2, "ok"), null);
        try (KafkaSource s = source(topic, "g-poison").build()) {
            s.open(new RecordingListener());
            List<SourceRecord> records = pollCount(s, 4);
            assertEquals(4, records.size());
            assertFalse(records.get(0).isFailed());
            SourceRecord malformed = records.get(1);
            assertTrue(malformed.isFailed());
            assertTrue(malformed.events().isEmpty());
            String m = malformed.failure().getMessage();
            assertTrue(m.contains("topic " + topic + ", partition 0, offset 1"), m);
            assertTrue(m.contains("malformed JSON"), m);
            assertNotNull(malformed.value(), "raw bytes kept for a dead letter");
            String m2 = records.get(2).failure().getMessage();
            assertTrue(m2.contains("offset 2") && m2.contains("shop.orders.id (int(11))") && m2.contains("'x'"), m2);
            assertFalse(records.get(3).isFailed());
            assertEquals(2L, idOf(records.get(3)));
        }
    }

    @Test
    void timestampStartSeeksToFirstRecordAtOrAfterItIgnoringCommittedAndEndWhereNoneIsNewer() throws Exception {
        String topic = newTopic(2);
        kafka.send(topic, 0, null, Canal.insert(0, "a"), 1_000L);
        kafka.send(topic, 0, null, Canal.insert(1, "b"), 2_000L);
        kafka.send(topic, 0, null, Canal.insert(2, "c"), 3_000L);
        kafka.send(topic, 1, null, Canal.insert(10, "old"), 1_500L);
        String group = "g-ts";
        // the group had already committed past the timestamp on partition 0: the timestamp wins
        try (KafkaSource s = source(topic, group).build()) {
            s.open(new RecordingListener());
            pollCount(s, 4);
            s.commit(Map.of(topic + "-0", new SourcePosition(topic + "-0", 2)));
        }
        try (KafkaSource s = source(topic, group).startPosition(StartPosition.timestamp(Instant.ofEpochMilli(2_000L))).build()) {
            s.open(new RecordingListener());
            List<SourceRecord> p0 = pollCount(s, 2);
            assertEquals(List.of(topic + "-0@1", topic + "-0@2"),
                    p0.stream().map(r -> r.position().toString()).collect(Collectors.toList()),
                    "partition 1 has no record at or after the timestamp: nothing of it is read");
            kafka.send(topic, 1, null, Canal.insert(11, "new"), 5_000L);
            List<SourceRecord> p1 = pollCount(s, 1);
            assertEquals(topic + "-1@1", p1.get(0).position().toString(), "partition 1 started at its end offset");
        }
    }

    @Test
    void explicitOffsetsApplyToTheirPartitionsAndOthersStartFromCommittedOrEarliest() throws Exception {
        String topic = newTopic(2);
        for (int i = 0; i < 4; i++) {
            kafka.send(topic, 0, null, Canal.insert(i, "a"), null);
        }
        kafka.send(topic, 1, null, Canal.insert(100, "b"), null);
        try (KafkaSource s = source(topic, "g-offsets").startPosition(StartPosition.offsets(Map.of(topic + "-0", 2L))).build()) {
            s.open(new RecordingListener());
            List<SourceRecord> records = pollCount(s, 3);
            assertEquals(List.of(topic + "-0@2", topic + "-0@3", topic + "-1@0"),
                    records.stream().map(r -> r.position().toString()).sorted().collect(Collectors.toList()));
        }
    }

    @Test
    void pauseReturnsNothingWhilePollingKeepsTheMemberInItsGroupAndResumeContinues() throws Exception {
        String topic = newTopic(2);
        RecordingListener listener = new RecordingListener();
        try (KafkaSource s = source(topic, "g-pause").property("max.poll.interval.ms", 2000).build()) {
            s.open(listener);
            pollUntil(s, l -> s.assignment().size() == 2);
            s.pause();
            kafka.send(topic, 0, null, Canal.insert(1, "a"), null);
            kafka.send(topic, 1, null, Canal.insert(2, "b"), null);
            // poll paused for over twice max.poll.interval.ms: no records, no eviction
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(4500);
            while (System.nanoTime() < until) {
                assertTrue(s.poll(Duration.ofMillis(100)).isEmpty(), "paused partitions return nothing");
            }
            assertEquals(List.of("assigned:[" + topic + "-0, " + topic + "-1]"), listener.calls);
            s.resume();
            assertEquals(2, pollCount(s, 2).size());
            assertEquals(1, listener.calls.size(), "never revoked or lost while paused");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void rebalanceRevokesBeforeReassigningAndCommitsInsideRevokeKeepsOffsets(String protocol) throws Exception {
        String topic = newTopic(4);
        String group = "g-rebalance-" + protocol;
        for (int p = 0; p < 4; p++) {
            kafka.send(topic, p, null, Canal.insert(p, "x"), null);
        }
        List<SourceRecord> readByA = new ArrayList<>();
        KafkaSource[] a = new KafkaSource[1];
        Consumer<java.util.Collection<String>> commitOnRevoke = partitions -> {
            Map<String, SourcePosition> done = new java.util.HashMap<>();
            for (SourceRecord r : readByA) {
                if (partitions.contains(r.position().partition())) {
                    done.merge(r.position().partition(), r.position(), (x, y) -> x.offset() > y.offset() ? x : y);
                }
            }
            a[0].commit(done);
        };
        RecordingListener la = new RecordingListener(commitOnRevoke);
        RecordingListener lb = new RecordingListener();
        try (KafkaSource sa = source(topic, group, protocol).build();
                KafkaSource sb = source(topic, group, protocol).build()) {
            a[0] = sa;
            sa.open(la);
            readByA.addAll(pollCount(sa, 4));
            sb.open(lb);
            Await.value(Duration.ofSeconds(60), "the rebalance to finish (listener calls of a / b)", () -> {
                if (sa.assignment().size() + sb.assignment().size() == 4 && !sb.assignment().isEmpty()) {
                    return null;
                }
                readByA.addAll(sa.poll(Duration.ofMillis(100)));
                assertTrue(sb.poll(Duration.ofMillis(100)).isEmpty(), "b must not re-read records a committed");
                return la.calls + " / " + lb.calls;
            }, Objects::isNull);
            assertTrue(la.calls.stream().anyMatch(c -> c.startsWith("revoked:")), la.calls.toString());
            assertTrue(la.calls.stream().noneMatch(c -> c.startsWith("lost:")), la.calls.toString());
            assertTrue(lb.calls.get(0).startsWith("assigned:"), lb.calls.toString());
            Map<TopicPartition, Long> committed = kafka.committedOffsets(group);
            for (String name : sb.assignment()) {
                TopicPartition tp = new TopicPartition(topic, Integer.parseInt(name.substring(name.lastIndexOf('-') + 1)));
                assertEquals(1L, committed.get(tp), "revoked partition " + name + " committed inside onRevoked");
            }
        }
    }

    @Test
    void lagCountsRecordsNotYetRead() throws Exception {
        String topic = newTopic(1);
        for (int i = 0; i < 5; i++) {
            kafka.send(topic, 0, null, Canal.insert(i, "a"), null);
        }
        try (KafkaSource s = source(topic, "g-lag").property("max.poll.records", 2).build()) {
            s.open(new RecordingListener());
            pollCount(s, 2);
            Map<String, Long> lag = s.lag();
            assertTrue(lag.containsKey(topic + "-0"), lag.toString());
            assertTrue(lag.get(topic + "-0") >= 1 && lag.get(topic + "-0") <= 3, lag.toString());
            pollCount(s, 3);
            assertEquals(0L, s.lag().get(topic + "-0"));
        }
    }

    static boolean insideConsumerPoll(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith("org.apache.kafka.clients.consumer") && f.getMethodName().equals("poll")) {
                return true;
            }
        }
        return false;
    }

    @Test
    void wakeupMakesABlockedPollReturnEmpty() throws Exception {
        String topic = newTopic(1);
        try (KafkaSource s = source(topic, "g-wakeup").build()) {
            s.open(new RecordingListener());
            Thread poller = Thread.currentThread();
            Thread waker = new Thread(() -> {
                // wait until the poller is inside KafkaConsumer.poll (polling a condition), then wake it up
                try {
                    Await.every(Duration.ofMillis(1)).untilHolds(Duration.ofSeconds(60), "the poller inside KafkaConsumer.poll",
                            () -> insideConsumerPoll(poller));
                } finally {
                    s.wakeup();
                }
            });
            waker.start();
            assertTrue(s.poll(Duration.ofMinutes(10)).isEmpty());
            waker.join();
        }
    }

    @Test
    void abandonedConsumerWithoutCloseLosesNothingAfterRestart() throws Exception {
        String topic = newTopic(1);
        String group = "g-crash";
        for (int i = 0; i < 10; i++) {
            kafka.send(topic, 0, null, Canal.insert(i, "a"), null);
        }
        KafkaSource crashed = source(topic, group).property("max.poll.interval.ms", 1000).build();
        try {
            crashed.open(new RecordingListener());
            List<SourceRecord> read = pollCount(crashed, 10);
            crashed.commit(Map.of(topic + "-0", read.get(4).position())); // 0..4 written, 5..9 in flight
            // crash: the pipeline thread is gone; no close(), no commit, the consumer is just abandoned
            try (KafkaSource restarted = source(topic, group).build()) {
                restarted.open(new RecordingListener());
                List<SourceRecord> again = pollCount(restarted, 5);
                assertEquals(List.of(5L, 6L, 7L, 8L, 9L), again.stream().map(KafkaSourceBrokerIT::idOf).collect(Collectors.toList()));
            }
        } finally {
            crashed.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
    void consumesFromASaslListenerWithTheBuilderCredentials(String mechanism) throws Exception {
        String topic = newTopic(1);
        kafka.send(topic, 0, null, Canal.insert(42, "sasl"), null);
        KafkaSecurity security = mechanism.equals("PLAIN") ? KafkaSecurity.saslPlain("alice", "alice-secret")
                : mechanism.equals("SCRAM-SHA-256") ? KafkaSecurity.scramSha256("alice", "alice-secret")
                : KafkaSecurity.scramSha512("alice", "alice-secret");
        try (KafkaSource s = source(topic, "g-sasl-" + mechanism).bootstrapServers(kafka.saslBootstrapServers())
                .security(security).build()) {
            assertFalse(s.toString().contains("alice-secret"), s.toString());
            s.open(new RecordingListener());
            assertEquals(42L, idOf(pollCount(s, 1).get(0)));
        }
    }

    @Test
    void wrongSaslPasswordFailsThePollInsteadOfHanging() throws Exception {
        String topic = newTopic(1);
        try (KafkaSource s = source(topic, "g-sasl-bad").bootstrapServers(kafka.saslBootstrapServers())
                .security(KafkaSecurity.scramSha256("alice", "wrong")).build()) {
            s.open(new RecordingListener());
            SyncException e = assertThrows(SyncException.class, () -> pollUntil(s, l -> false));
            assertTrue(e.getMessage().contains("uthentication"), e.getMessage());
        }
    }

    @Test
    void aFailingListenerIsRethrownFromPollAndNoRecordIsSkipped() throws Exception {
        String topic = newTopic(1);
        for (int i = 0; i < 3; i++) {
            kafka.send(topic, 0, null, Canal.insert(i, "a"), null);
        }
        java.util.concurrent.atomic.AtomicBoolean fail = new java.util.concurrent.atomic.AtomicBoolean(true);
        PartitionListener listener = new PartitionListener() {
            @Override
            public void onAssigned(java.util.Collection<String> partitions) {
                if (fail.getAndSet(false)) {
                    throw new IllegalStateException("listener failed");
                }
            }

            @Override
            public void onRevoked(java.util.Collection<String> partitions) {
            }

            @Override
            public void onLost(java.util.Collection<String> partitions) {
            }
        };
        try (KafkaSource s = source(topic, "g-listener-fails").build()) {
            s.open(listener);
            IllegalStateException thrown = Await.value(Duration.ofSeconds(30), "the listener failure to surface", () -> {
                try {
                    assertTrue(s.poll(Duration.ofMillis(200)).isEmpty(), "no records before the failure surfaced");
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            }, Objects::nonNull);
            assertEquals("listener failed", thrown.getMessage());
            assertEquals(List.of(0L, 1L, 2L), pollCount(s, 3).stream().map(r -> r.position().offset()).collect(Collectors.toList()));
        }
    }

    @Test
    void commitForAPartitionNotAssignedIsRefusedAndCommitsTheOwnedOnes() throws Exception {
        String topic = newTopic(1);
        kafka.send(topic, 0, null, Canal.insert(1, "a"), null);
        String group = "g-not-owned";
        try (KafkaSource s = source(topic, group).build()) {
            s.open(new RecordingListener());
            pollCount(s, 1);
            SyncException e = assertThrows(SyncException.class, () -> s.commit(Map.of(
                    topic + "-0", new SourcePosition(topic + "-0", 0),
                    "elsewhere-3", new SourcePosition("elsewhere-3", 7))));
            assertTrue(e.getMessage().contains("elsewhere-3@7") && e.getMessage().contains("no longer assigned"), e.getMessage());
            assertEquals(Map.of(new TopicPartition(topic, 0), 1L), kafka.committedOffsets(group));
        }
    }

    @Test
    void partitionsReassignedWhilePausedStayPausedUntilResume() throws Exception {
        String topic = newTopic(4);
        String group = "g-paused-rebalance";
        RecordingListener la = new RecordingListener();
        try (KafkaSource a = source(topic, group).build(); KafkaSource b = source(topic, group).build()) {
            a.open(la);
            pollUntil(a, l -> a.assignment().size() == 4);
            a.pause();
            for (int p = 0; p < 4; p++) {
                kafka.send(topic, p, null, Canal.insert(p, "x"), null);
            }
            b.open(new RecordingListener());
            List<SourceRecord> readByB = new ArrayList<>();
            // the classic protocol's eager rebalance revokes all of a's partitions and assigns some back
            Await.value(Duration.ofSeconds(60), "the rebalance to finish (listener calls of a)", () -> {
                if (!b.assignment().isEmpty() && !a.assignment().isEmpty() && readByB.size() >= b.assignment().size()) {
                    return null;
                }
                assertTrue(a.poll(Duration.ofMillis(100)).isEmpty(), "a is paused: nothing from re-assigned partitions");
                readByB.addAll(b.poll(Duration.ofMillis(100)));
                return la.calls.toString();
            }, Objects::isNull);
            assertTrue(la.calls.size() >= 3, "a was revoked and re-assigned: " + la.calls);
            for (int i = 0; i < 5; i++) {
                assertTrue(a.poll(Duration.ofMillis(100)).isEmpty(), "still paused");
            }
            assertTrue(a.isPaused());
            a.resume();
            int expected = a.assignment().size();
            List<SourceRecord> readByA = pollCount(a, expected);
            assertEquals(expected, readByA.size());
            for (SourceRecord r : readByA) {
                assertTrue(a.assignment().contains(r.position().partition()));
            }
        }
    }
}
