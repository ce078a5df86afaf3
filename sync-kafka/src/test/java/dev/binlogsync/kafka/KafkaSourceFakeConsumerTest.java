package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PartitionNotOwnedException;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.kafka.decode.MessageDecoder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.IllegalGenerationException;
import org.apache.kafka.common.errors.StaleMemberEpochException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.Test;

/**
 * {@link KafkaSource} over kafka-clients' {@link MockConsumer}: the order of the consumer calls it
 * makes while positioning, and how it classifies what the consumer throws. What the broker does
 * is covered by {@link KafkaSourceBrokerIT}.
 */
class KafkaSourceFakeConsumerTest {

    static final String TOPIC = "orders";
    static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    static final Instant START = Instant.ofEpochMilli(1_700_000_000_000L);

    /**
     * One partition holding five records older than {@link #START}; a sixth, newer one is written
     * right after the source's first offset look-up ({@code offsetsForTimes} or
     * {@code endOffsets}, whichever comes first), i.e. between its two look-ups. A pending
     * {@link #wakeup()} makes the next look-up throw {@link WakeupException}, as the real
     * consumer's blocking calls do.
     */
    static final class PartitionConsumer extends MockConsumer<byte[], byte[]> {
        long end = 5;
        boolean writeBetweenLookups;
        boolean wakeupPending;
        final List<String> calls = new ArrayList<>();
        RuntimeException commitFailure;
        /** How many of the next commits throw {@link WakeupException} first (several wakeups in a row). */
        int commitWakeups;
        /** Records the partition holds once it is assigned (a mock consumer takes records only for assigned partitions). */
        final List<ConsumerRecord<byte[], byte[]>> held = new ArrayList<>();

        PartitionConsumer() {
            super("earliest");
            updateBeginningOffsets(Map.of(TP, 0L));
        }

        private void lookup(String what) {
            calls.add(what);
            if (wakeupPending) {
                wakeupPending = false;
                throw new WakeupException();
            }
        }

        private void afterLookup() {
            if (writeBetweenLookups) {
                writeBetweenLookups = false;
                addRecord(new ConsumerRecord<>(TOPIC, 0, end, null, Canal.insert(end, "new")));
                end++;
            }
        }

        @Override
        public synchronized Map<TopicPartition, OffsetAndTimestamp> offsetsForTimes(Map<TopicPartition, Long> query) {
            lookup("offsetsForTimes");
            Map<TopicPartition, OffsetAndTimestamp> out = new HashMap<>();
            // offsets 0..4 are older than START; anything from 5 on was written after it
            out.put(TP, end > 5 ? new OffsetAndTimestamp(5, START.toEpochMilli() + 1) : null);
            afterLookup();
            return out;
        }

        @Override
        public synchronized Map<TopicPartition, Long> endOffsets(Collection<TopicPartition> partitions) {
            lookup("endOffsets");
            Map<TopicPartition, Long> out = Map.of(TP, end);
            afterLookup();
            return out;
        }

        @Override
        public synchronized void wakeup() {
            wakeupPending = true;
        }

        @Override
        public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
            if (commitFailure != null) {
                throw commitFailure;
            }
            if (commitWakeups > 0) {
                commitWakeups--;
                throw new WakeupException();
            }
            super.commitSync(offsets, timeout);
        }
    }

    static KafkaSource source(PartitionConsumer consumer, StartPosition start, MessageDecoder decoder) {
        return KafkaSource.builder()
                .bootstrapServers("127.0.0.1:9")
                .groupId("g")
                .topics(TOPIC)
                .decoder(decoder)
                .startPosition(start)
                .consumerFactory(config -> consumer)
                .build();
    }

    static List<SourceRecord> pollTwice(KafkaSource s) throws InterruptedException {
        List<SourceRecord> out = new ArrayList<>(s.poll(Duration.ZERO));
        out.addAll(s.poll(Duration.ZERO));
        return out;
    }

    /** Assigns the partition from inside the next poll, as Kafka does. */
    static void assignOnNextPoll(PartitionConsumer consumer, Runnable beforeRebalance) {
        consumer.schedulePollTask(() -> {
            beforeRebalance.run();
            consumer.rebalance(List.of(TP));
            consumer.held.forEach(consumer::addRecord);
        });
    }

    @Test
    void timestampStartReadsARecordWrittenBetweenTheEndOffsetAndTimestampLookups() throws Exception {
        PartitionConsumer consumer = new PartitionConsumer();
        consumer.writeBetweenLookups = true;
        try (KafkaSource s = source(consumer, StartPosition.timestamp(START), CanalFlatMessageDecoder.create())) {
            s.open(new RecordingListener());
            assignOnNextPoll(consumer, () -> { });
            List<SourceRecord> read = pollTwice(s);
            assertEquals(List.of("endOffsets", "offsetsForTimes"), consumer.calls, "the end is taken before the search");
            assertEquals(List.of(new SourcePosition(TOPIC + "-0", 5)),
                    read.stream().map(SourceRecord::position).toList(), "the record written meanwhile is read");
        }
    }

    @Test
    void timestampStartWithNoNewerRecordStartsAtTheEndOffsetTakenBeforeTheSearch() throws Exception {
        PartitionConsumer consumer = new PartitionConsumer();
        try (KafkaSource s = source(consumer, StartPosition.timestamp(START), CanalFlatMessageDecoder.create())) {
            s.open(new RecordingListener());
            assignOnNextPoll(consumer, () -> { });
            assertTrue(pollTwice(s).isEmpty());
            assertEquals(5, consumer.position(TP));
            consumer.addRecord(new ConsumerRecord<>(TOPIC, 0, 5, null, Canal.insert(5, "new")));
            assertEquals(List.of(new SourcePosition(TOPIC + "-0", 5)),
                    pollTwice(s).stream().map(SourceRecord::position).toList());
        }
    }

    @Test
    void aWakeupDuringPositioningIsNotAFailureAndThePartitionStartsWhereConfigured() throws Exception {
        PartitionConsumer consumer = new PartitionConsumer();
        consumer.held.add(new ConsumerRecord<>(TOPIC, 0, 0, null, Canal.insert(0, "old")));
        consumer.held.add(new ConsumerRecord<>(TOPIC, 0, 5, null, Canal.insert(5, "new")));
        consumer.end = 6;
        try (KafkaSource s = source(consumer, StartPosition.timestamp(START), CanalFlatMessageDecoder.create())) {
            s.open(new RecordingListener());
            // a bulk completing during the rebalance wakes the source up while it positions the partition
            assignOnNextPoll(consumer, s::wakeup);
            List<SourceRecord> read = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                read.addAll(s.poll(Duration.ZERO));
            }
            assertEquals(List.of(new SourcePosition(TOPIC + "-0", 5)), read.stream().map(SourceRecord::position).toList(),
                    "started at the first record at or after the timestamp");
        }
    }

    @Test
    void aDecoderStackOverflowBecomesADecodeFailureNamingTopicPartitionOffset() throws Exception {
        PartitionConsumer consumer = new PartitionConsumer();
        consumer.held.add(new ConsumerRecord<>(TOPIC, 0, 0, null, Canal.insert(0, "deep")));
        consumer.held.add(new ConsumerRecord<>(TOPIC, 0, 1, null, Canal.insert(1, "fine")));
        MessageDecoder overflowing = (key, value, pos) -> {
            if (pos.offset() == 0) {
                throw new StackOverflowError();
            }
            return CanalFlatMessageDecoder.create().decode(key, value, pos);
        };
        try (KafkaSource s = source(consumer, StartPosition.committedOrEarliest(), overflowing)) {
            s.open(new RecordingListener());
            assignOnNextPoll(consumer, () -> { });
            List<SourceRecord> read = pollTwice(s);
            assertEquals(2, read.size());
            assertTrue(read.get(0).isFailed());
            String message = read.get(0).failure().getMessage();
            assertTrue(message.contains("topic orders, partition 0, offset 0") && message.contains("StackOverflowError"),
                    message);
            assertFalse(read.get(1).isFailed());
        }
    }

    @Test
    void aDecoderOutOfMemoryErrorIsRethrownNotTurnedIntoADecodeFailure() throws Exception {
        PartitionConsumer consumer = new PartitionConsumer();
        consumer.held.add(new ConsumerRecord<>(TOPIC, 0, 0, null, Canal.insert(0, "x")));
        OutOfMemoryError oom = new OutOfMemoryError("test");
        try (KafkaSource s = source(consumer, StartPosition.committedOrEarliest(), (key, value, pos) -> {
            throw oom;
        })) {
            s.open(new RecordingListener());
            assignOnNextPoll(consumer, () -> { });
            assertSame(oom, assertThrows(OutOfMemoryError.class, () -> pollTwice(s)));
        }
    }

    static SyncException commitFailingWith(RuntimeException failure) throws Exception {
        PartitionConsumer consumer = new PartitionConsumer();
        try (KafkaSource s = source(consumer, StartPosition.committedOrEarliest(), CanalFlatMessageDecoder.create())) {
            s.open(new RecordingListener());
            assignOnNextPoll(consumer, () -> { });
            pollTwice(s);
            consumer.commitFailure = failure;
            return assertThrows(SyncException.class,
                    () -> s.commit(Map.of(TOPIC + "-0", new SourcePosition(TOPIC + "-0", 41))));
        }
    }

    @Test
    void authorizationAndFencingCommitErrorsAreFatalAndNameThePositions() throws Exception {
        for (RuntimeException fatal : List.of(new GroupAuthorizationException("not authorized", "g"),
                new TopicAuthorizationException("not authorized to access " + TOPIC),
                new FencedInstanceIdException("fenced by another instance with the same group.instance.id"),
                new KafkaException("something else"))) {
            SyncException e = commitFailingWith(fatal);
            assertFalse(e instanceof RetriableSyncException || e instanceof PartitionNotOwnedException,
                    fatal + " must be fatal: " + e);
            assertTrue(e.getMessage().contains("orders-0@41"), e.getMessage());
            assertSame(fatal, e.getCause());
        }
    }

    @Test
    void commitErrorsOfAMemberThatLostItsPartitionsMeanNotOwnedNotFatal() throws Exception {
        for (RuntimeException lost : List.of(new CommitFailedException("rebalanced"),
                new IllegalGenerationException("old generation"), new StaleMemberEpochException("stale epoch"))) {
            assertInstanceOf(PartitionNotOwnedException.class, commitFailingWith(lost), lost.toString());
        }
        assertInstanceOf(RetriableSyncException.class, commitFailingWith(new TimeoutException("slow coordinator")));
    }

    @Test
    void severalWakeupsInARowDuringACommitStillCommit() throws Exception {
        // close() and each completed bulk call wakeup(); a commit on the way out can meet several
        PartitionConsumer consumer = new PartitionConsumer();
        try (KafkaSource s = source(consumer, StartPosition.committedOrEarliest(), CanalFlatMessageDecoder.create())) {
            s.open(new RecordingListener());
            assignOnNextPoll(consumer, () -> { });
            pollTwice(s);
            consumer.commitWakeups = 3;
            s.commit(Map.of(TOPIC + "-0", new SourcePosition(TOPIC + "-0", 41)));
            assertEquals(42, consumer.committed(java.util.Set.of(TP)).get(TP).offset());
        }
    }
}
