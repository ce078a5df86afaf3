package dev.binlogsync.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.PipelineListener;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.RecordingBulkSink;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedKafka;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KafkaDeadLetterSink} when its topic is missing or its cluster unreachable: sending never
 * blocks the caller (the pipeline thread), and a pipeline waiting for such a letter keeps polling
 * and commits nothing past it. A broker of its own, with topic auto-creation off.
 */
@Timeout(180)
class KafkaDeadLetterSinkUnavailableIT {

    static final EmbeddedKafka KAFKA = EmbeddedKafka.builder().brokerProperty("auto.create.topics.enable", "false").start();
    static final RuleSet ORDERS = (event, out) ->
            out.collect(DocumentAction.index("orders", String.valueOf(event.row().get("id")), event.row()));

    @AfterAll
    static void stopBroker() {
        KAFKA.close();
    }

    static DeadLetter letter(String partition, long offset) {
        SourcePosition pos = new SourcePosition(partition, offset);
        SourceRecord rec = SourceRecord.failed(pos, null, "{not json".getBytes(StandardCharsets.UTF_8),
                new DecodeException("malformed"));
        return new DeadLetter(DeadLetter.Kind.UNDECODABLE, "malformed", rec, List.of(pos), null, null, 1L);
    }

    static Throwable failureOf(CompletionStage<Void> stage) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> stage.toCompletableFuture().get(60, TimeUnit.SECONDS));
        return e.getCause();
    }

    static int closedLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean senderThreadAlive(String topic) {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive() && t.getName().equals("binlog-sync-dead-letters-" + topic));
    }

    static void await(String what, BooleanSupplier condition) {
        Await.until(Duration.ofSeconds(60), what, condition::getAsBoolean);
    }

    @Test
    void aMissingTopicFailsTheStageRetriablyNamingTheTopicWithoutBlockingTheCaller() throws Exception {
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrapServers())
                .topic("dlq-missing").property("max.block.ms", 2000).build()) {
            CompletionStage<Void> stage = sink.send(letter("orders-0", 7));
            assertFalse(stage.toCompletableFuture().isDone(), "send returned before the producer gave up on the topic");
            Throwable cause = failureOf(stage);
            assertInstanceOf(RetriableSyncException.class, cause);
            assertTrue(cause.getMessage().contains("topic dlq-missing") && cause.getMessage().contains("orders-0@7"),
                    cause.getMessage());
        }
    }

    @Test
    void anUnreachableClusterFailsTheStageRetriablyNamingTheTopicWithoutBlockingTheCaller() throws Exception {
        String servers = "127.0.0.1:" + closedLoopbackPort();
        try (KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(servers)
                .topic("dlq-unreachable").property("max.block.ms", 2000).build()) {
            CompletionStage<Void> stage = sink.send(letter("orders-1", 8));
            assertFalse(stage.toCompletableFuture().isDone(), "send returned before the producer gave up on the cluster");
            Throwable cause = failureOf(stage);
            assertInstanceOf(RetriableSyncException.class, cause);
            assertTrue(cause.getMessage().contains("topic dlq-unreachable") && cause.getMessage().contains(servers),
                    cause.getMessage());
        }
    }

    @Test
    void closeFailsTheLettersNotYetWrittenAndEndsTheSenderThread() throws Exception {
        String servers = "127.0.0.1:" + closedLoopbackPort();
        KafkaDeadLetterSink sink = KafkaDeadLetterSink.builder().bootstrapServers(servers)
                .topic("dlq-closed").property("max.block.ms", 60_000).closeTimeout(Duration.ofSeconds(1)).build();
        CompletionStage<Void> first = sink.send(letter("orders-2", 1));
        CompletionStage<Void> second = sink.send(letter("orders-2", 2));
        assertTrue(senderThreadAlive("dlq-closed"));
        sink.close();
        assertFalse(senderThreadAlive("dlq-closed"), "close() ends the sender thread");
        assertTrue(first.toCompletableFuture().isCompletedExceptionally());
        assertTrue(second.toCompletableFuture().isCompletedExceptionally());
        assertTrue(sink.send(letter("orders-2", 3)).toCompletableFuture().isCompletedExceptionally(), "send after close");
    }

    @Test
    void aPipelineWaitingForALetterToAMissingTopicKeepsPollingAndCommitsNothingPastIt() throws Exception {
        String topic = "dl-source";
        KAFKA.createTopic(topic, 1);
        KAFKA.send(topic, 0, null, Canal.insert(1, "new"), null);                       // offset 0
        KAFKA.send(topic, 0, null, "{not json".getBytes(StandardCharsets.UTF_8), null); // offset 1: undecodable
        KAFKA.send(topic, 0, null, Canal.insert(2, "new"), null);                       // offset 2
        String group = "dl-group";
        // the producer gives up on the missing topic only after 4 s, longer than the consumer may go without polling
        KafkaDeadLetterSink dlq = KafkaDeadLetterSink.builder().bootstrapServers(KAFKA.bootstrapServers())
                .topic("dlq-never-created").property("max.block.ms", 4000).build();
        AtomicInteger failedLetters = new AtomicInteger();
        DeadLetterSink counting = new DeadLetterSink() {
            @Override
            public CompletionStage<Void> send(DeadLetter letter) {
                return dlq.send(letter).whenComplete((v, e) -> {
                    if (e != null) {
                        failedLetters.incrementAndGet();
                    }
                });
            }

            @Override
            public void close() {
                dlq.close();
            }
        };
        List<String> rebalances = new CopyOnWriteArrayList<>();
        PipelineListener listener = new PipelineListener() {
            @Override
            public void onPartitionsRevoked(Collection<String> partitions) {
                rebalances.add("revoked " + partitions);
            }

            @Override
            public void onPartitionsLost(Collection<String> partitions) {
                rebalances.add("lost " + partitions);
            }
        };
        KafkaSource source = KafkaSource.builder().bootstrapServers(KAFKA.bootstrapServers()).groupId(group).topics(topic)
                .decoder(CanalFlatMessageDecoder.create()).property("group.protocol", "classic")
                .property("heartbeat.interval.ms", 300).property("max.poll.interval.ms", 3000)
                .closeTimeout(Duration.ofSeconds(5)).build();
        RecordingBulkSink sink = new RecordingBulkSink();
        try (SyncPipeline pipeline = SyncPipeline.builder().source(source).ruleSet(ORDERS).sink(sink)
                .deadLetterSink(counting).onDecodeFailure(FailurePolicy.DEAD_LETTER)
                .flushInterval(Duration.ofMillis(20)).commitInterval(Duration.ofMillis(20))
                .retryInitialBackoff(Duration.ofMillis(50)).retryMaxBackoff(Duration.ofMillis(100))
                .drainTimeout(Duration.ofSeconds(2)).listener(listener).build()) {
            pipeline.start();
            await("the record before the letter committed", () -> committed(group, topic) == 1L);
            await("two attempts at the letter failed", () -> failedLetters.get() >= 2);
            assertEquals(List.of(), rebalances, "the consumer stayed in its group");
            assertEquals(PipelineState.RUNNING, pipeline.state());
            assertTrue(sink.history("orders", "2").size() == 1, "the record after the letter was written");
            assertEquals(1L, committed(group, topic), "nothing committed past the undelivered letter");
        }
        assertEquals(1L, committed(group, topic), "nor on close");
    }

    static long committed(String group, String topic) {
        Long offset = KAFKA.committedOffsets(group).get(new TopicPartition(topic, 0));
        return offset == null ? -1 : offset;
    }
}
