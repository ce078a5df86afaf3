package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two {@link KafkaSource}s in one group, driven by a minimal offset-after-write loop (write to a
 * list, then commit; commit on revocation): a member joining and a member leaving mid-stream lose
 * nothing, duplicate nothing, and keep every key's order.
 */
@Timeout(180)
class KafkaSourceGroupIT {

    static final EmbeddedKafka KAFKA = EmbeddedKafka.shared();
    static final int KEYS = 40;
    static final int VERSIONS = 30;

    /** (id, version) as written by a member, in write order. */
    record Written(String member, long id, long version) {
    }

    /** A minimal pipeline: poll, "write" every record, commit what was written; commit on revocation too. */
    static final class Member implements Runnable, PartitionListener {
        final String name;
        final KafkaSource source;
        final ConcurrentLinkedQueue<Written> sink;
        final Map<String, SourcePosition> written = new HashMap<>();
        final CountDownLatch assigned = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean stop;
        final Thread thread;

        Member(String name, KafkaSource source, ConcurrentLinkedQueue<Written> sink) {
            this.name = name;
            this.source = source;
            this.sink = sink;
            this.thread = new Thread(this, "member-" + name);
        }

        @Override
        public void run() {
            try {
                source.open(this);
                while (!stop) {
                    for (SourceRecord r : source.poll(Duration.ofMillis(100))) {
                        var e = r.events().get(0);
                        sink.add(new Written(name, ((Number) e.row().get("id")).longValue(),
                                Long.parseLong((String) e.row().get("status"))));
                        written.put(r.position().partition(), r.position());
                    }
                    commitWritten(written.keySet());
                }
            } catch (Throwable t) {
                failure.set(t);
            } finally {
                source.close(); // leaves the group; commits nothing by itself
            }
        }

        void commitWritten(Collection<String> partitions) {
            Map<String, SourcePosition> done = new HashMap<>();
            for (String p : partitions) {
                SourcePosition pos = written.get(p);
                if (pos != null) {
                    done.put(p, pos);
                }
            }
            source.commit(done);
        }

        @Override
        public void onAssigned(Collection<String> partitions) {
            assigned.countDown();
        }

        @Override
        public void onRevoked(Collection<String> partitions) {
            commitWritten(partitions);
            partitions.forEach(written::remove);
        }

        @Override
        public void onLost(Collection<String> partitions) {
            partitions.forEach(written::remove);
        }
    }

    static KafkaSource source(String topic, String group, String protocol) {
        KafkaSource.Builder b = KafkaSource.builder().bootstrapServers(KAFKA.bootstrapServers()).groupId(group).topics(topic)
                .decoder(dev.binlogsync.kafka.decode.CanalFlatMessageDecoder.create()).property("group.protocol", protocol)
                .property("max.poll.records", 50);
        return protocol.equals("classic") ? b.property("heartbeat.interval.ms", 300).build() : b.build();
    }

    /** Writes versions [from, to) of every key; a key always goes to partition id % 4, like Canal's partitionHash. */
    static void produce(String topic, int from, int to) {
        List<org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int v = from; v < to; v++) {
            for (int id = 0; id < KEYS; id++) {
                records.add(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, id % 4, null,
                        Canal.insert(id, Integer.toString(v))));
            }
        }
        KAFKA.sendAll(records);
    }

    static void awaitCount(ConcurrentLinkedQueue<Written> sink, int n, Member... members) {
        Await.every(Duration.ofMillis(20)).valueOf(Duration.ofSeconds(90), n + " written (written so far)", () -> {
            for (Member m : members) {
                if (m.failure.get() != null) {
                    throw new AssertionError("member " + m.name + " failed", m.failure.get());
                }
            }
            return sink.size();
        }, size -> size >= n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"classic", "consumer"})
    void memberJoiningAndMemberLeavingMidStreamLoseNothingDuplicateNothingAndKeepKeyOrder(String protocol) throws Exception {
        String topic = "group-" + protocol;
        String group = "g-" + topic;
        KAFKA.createTopic(topic, 4);
        ConcurrentLinkedQueue<Written> sink = new ConcurrentLinkedQueue<>();
        Member a = new Member("a", source(topic, group, protocol), sink);
        Member b = new Member("b", source(topic, group, protocol), sink);
        try {
            a.thread.start();
            assertTrue(a.assigned.await(60, TimeUnit.SECONDS), "a never got partitions");
            produce(topic, 0, 10);
            b.thread.start(); // joins mid-stream
            produce(topic, 10, 20);
            assertTrue(b.assigned.await(60, TimeUnit.SECONDS), "b never got partitions");
            awaitCount(sink, KEYS * 15, a, b);
            a.stop = true; // leaves mid-stream
            a.thread.join(30_000);
            produce(topic, 20, VERSIONS);
            awaitCount(sink, KEYS * VERSIONS, a, b);
        } finally {
            a.stop = true;
            b.stop = true;
            a.thread.join(30_000);
            b.thread.join(30_000);
        }
        if (a.failure.get() != null) {
            throw new AssertionError("member a failed", a.failure.get());
        }
        if (b.failure.get() != null) {
            throw new AssertionError("member b failed", b.failure.get());
        }
        List<Written> all = new ArrayList<>(sink);
        assertEquals(KEYS * VERSIONS, all.size(), "nothing lost, nothing written twice");
        Map<Long, Long> last = new HashMap<>();
        for (Written w : all) {
            long expected = last.getOrDefault(w.id(), -1L) + 1;
            assertEquals(expected, w.version(), "key " + w.id() + " out of order (written by " + w.member() + ")");
            last.put(w.id(), w.version());
        }
        assertTrue(all.stream().anyMatch(w -> w.member().equals("b")), "b took part");
        assertTrue(all.stream().anyMatch(w -> w.member().equals("a")), "a took part");
    }
}
