package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.testing.EmbeddedElasticsearch;
import dev.binlogsync.examples.testbed.BinlogCanalRelay;
import dev.binlogsync.examples.testbed.EmbeddedMariaDb;
import dev.binlogsync.examples.testbed.KafkaCanalMessageSink;
import dev.binlogsync.kafka.KafkaDeadLetterSink;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.kafka.testing.EmbeddedKafka;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

/**
 * The reliability suite: random DML on MariaDB, relayed through Kafka into Elasticsearch by
 * SyncPipeline instances of one consumer group, while faults hit at random moments: a pipeline
 * crashes (no {@code close()}: its thread stops in {@code poll}, its consumer is abandoned, its sink
 * sends nothing more) and a new one starts; the Elasticsearch node stops for some seconds; a second
 * instance joins the group and later one leaves; the Kafka broker restarts; malformed messages are
 * written into the topic. After the workload stops and the group has committed everything, the
 * documents {@link ShopOracle} computes from MySQL with its own SQL must equal every document in
 * the indexes (zero missing, extra or stale) and every malformed message must be in the dead-letter
 * topic.
 *
 * <p>System properties: {@code reliability.seed} (default: a random seed, printed), which replays
 * a run's operations and fault sequence (the moments depend on timing too);
 * {@code reliability.seconds} and {@code reliability.rate} (workload length and transactions per
 * second; 40 and 120, with {@code -Dstress=true} 120 and 200 for each of three runs, seeds N, N+1,
 * N+2); {@code reliability.hardCases}, the workload's {@link ShopWorkload.HardCase}s as a
 * comma-separated list, {@code all} or {@code none} (default {@link #DEFAULT_HARD_CASES}). A failing
 * run prints the command that reruns its seed. The summary table is printed and appended to
 * {@code target/reliability-summary.md}.
 */
class ReliabilityTest {

    private static final String TOPIC = "shop-binlog";
    private static final String DLQ = "shop-binlog-dlq";
    private static final String GROUP = "reliability";
    private static final int PARTITIONS = 4;

    /** The hard cases of the normal run: every one (see docs/reliability.md for what each covers). */
    static final String DEFAULT_HARD_CASES = "all";

    enum Fault { CRASH_PIPELINE, STOP_ELASTICSEARCH, ADD_INSTANCE, REMOVE_INSTANCE, RESTART_KAFKA, MALFORMED_MESSAGE }

    record RunResult(long seed, Map<Fault, Integer> faults, long transactions, long rowsRelayed, long records,
            Duration catchUp, ShopOracle.Result check, int malformedSent, int malformedInDlq, int instancesStarted,
            Map<ShopWorkload.Op, Long> ops) {
    }

    @Test
    void survivesCrashesOutagesRebalancesBrokerRestartsAndPoisonWithNothingMissingExtraOrStale() throws Exception {
        boolean stress = Boolean.getBoolean("stress");
        int runs = stress ? 3 : 1;
        Duration workload = Duration.ofSeconds(Long.getLong("reliability.seconds", stress ? 120 : 40));
        int rate = Integer.getInteger("reliability.rate", stress ? 200 : 120);
        Set<ShopWorkload.HardCase> hardCases = ShopWorkload.HardCase.parse(System.getProperty("reliability.hardCases", DEFAULT_HARD_CASES));
        Long pinned = Long.getLong("reliability.seed");
        long baseSeed = pinned != null ? pinned : java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 1L << 40);
        List<RunResult> results = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            long seed = baseSeed + run;
            String rerun = rerunCommand(seed, workload, rate, hardCases);
            System.out.println("reliability run with seed " + seed + ", hard cases " + hardCases + "; rerun with: " + rerun);
            try {
                results.add(run(seed, workload, rate, hardCases));
            } catch (Exception | AssertionError e) {
                System.out.println("reliability run with seed " + seed + " FAILED; rerun with: " + rerun);
                throw new AssertionError("seed " + seed + " failed; rerun with: " + rerun, e);
            }
        }
        writeSummary(summary(results, workload, rate, hardCases));
        for (RunResult r : results) {
            String rerun = "seed " + r.seed() + " (rerun: " + rerunCommand(r.seed(), workload, rate, hardCases) + ")";
            assertTrue(r.check().isClean(), rerun + ": " + report(r.check()));
            assertEquals(r.malformedSent(), r.malformedInDlq(), rerun + ": malformed messages in the DLQ");
            for (Fault f : Fault.values()) {
                assertTrue(r.faults().getOrDefault(f, 0) > 0, rerun + " injected " + f + ": " + r.faults());
            }
        }
    }

    /** The Maven command that reruns {@code seed} with the same workload. */
    static String rerunCommand(long seed, Duration workload, int rate, Set<ShopWorkload.HardCase> hardCases) {
        StringBuilder cases = new StringBuilder();
        for (ShopWorkload.HardCase c : hardCases) {
            cases.append(cases.length() == 0 ? "" : ",").append(c.name());
        }
        return "./mvnw -B -ntp -q -pl sync-examples -am verify -Dtest=ReliabilityTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dreliability.seed=" + seed + " -Dreliability.seconds=" + workload.toSeconds() + " -Dreliability.rate=" + rate
                + " -Dreliability.hardCases=" + (cases.length() == 0 ? "none" : cases);
    }

    private static String report(ShopOracle.Result check) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%d MySQL rows, %d expected documents, %d in Elasticsearch: missing %d, extra %d, stale %d",
                check.rows(), check.expected(), check.actual(), check.missingCount(), check.extraCount(), check.staleCount()));
        check.missing().forEach(m -> b.append("\n  missing ").append(m));
        check.extra().forEach(m -> b.append("\n  extra ").append(m));
        check.stale().forEach(m -> b.append("\n  stale ").append(m));
        return b.toString();
    }

    private static void writeSummary(String table) throws java.io.IOException {
        System.out.println(table);
        Path out = Path.of("target", "reliability-summary.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private RunResult run(long seed, Duration workloadTime, int rate, Set<ShopWorkload.HardCase> hardCases) throws Exception {
        Random random = new Random(seed);
        Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        List<Instance> instances = new CopyOnWriteArrayList<>();
        List<Instance> all = new CopyOnWriteArrayList<>();
        Set<String> malformed = new HashSet<>();
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start();
                EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("reliability-" + seed).build().start();
                RestClient rest = es.newClient()) {
            Shop.createSchema(db);
            kafka.createTopic(TOPIC, PARTITIONS);
            kafka.createTopic(DLQ, 1);
            CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.builder().syncedTables(Shop.syncedTables()).build();
            long transactions;
            Duration catchUp;
            try (BinlogCanalRelay relay = BinlogCanalRelay.builder().mariaDb(db).databases(Set.of(Shop.DATABASE))
                    .sink(KafkaCanalMessageSink.create(kafka.bootstrapServers(), TOPIC)).build().start()) {
                Instance first = Instance.start(kafka, es, decoder, all.size());
                instances.add(first);
                all.add(first);
                first.awaitAssigned();

                AtomicBoolean stop = new AtomicBoolean();
                AtomicReference<Exception> workloadFailure = new AtomicReference<>();
                long[] txCount = new long[1];
                AtomicReference<Map<ShopWorkload.Op, Long>> ops = new AtomicReference<>(Map.of());
                Thread writer = new Thread(() -> {
                    try (ShopWorkload shop = new ShopWorkload(db, seed, hardCases)) {
                        long start = System.nanoTime();
                        long interval = 1_000_000_000L / rate;
                        for (long i = 0; !stop.get(); i++) {
                            long wait = start + i * interval - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait); // pacing the workload
                            }
                            shop.step();
                            txCount[0]++;
                        }
                        ops.set(shop.counts());
                    } catch (Exception e) {
                        workloadFailure.set(e);
                    }
                }, "reliability-workload");
                writer.start();

                // every kind once, in a seeded order, then random ones until the workload ends
                List<Fault> plan = new ArrayList<>(List.of(Fault.values()));
                Collections.shuffle(plan, random);
                long end = System.nanoTime() + workloadTime.toNanos();
                int next = 0;
                // the workload goes on past its time until every planned kind has been injected
                while ((System.nanoTime() < end || next < plan.size()) && workloadFailure.get() == null) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2000 + random.nextInt(3000))); // time between faults
                    Fault planned = next < plan.size() ? plan.get(next) : Fault.values()[random.nextInt(Fault.values().length)];
                    Fault fault = planned;
                    if (fault == Fault.REMOVE_INSTANCE && instances.size() < 2) {
                        fault = Fault.ADD_INSTANCE;
                    } else if (fault == Fault.ADD_INSTANCE && instances.size() >= 3) {
                        fault = Fault.REMOVE_INSTANCE;
                    }
                    if (fault == planned && next < plan.size()) {
                        next++; // a substituted kind stays planned for the next turn
                    }
                    inject(fault, random, kafka, es, decoder, instances, all, malformed);
                    faults.merge(fault, 1, Integer::sum);
                    for (Instance i : instances) {
                        if (i.pipeline.state() == SyncPipeline.State.FAILED) {
                            throw new AssertionError("pipeline " + i.id + " failed after " + fault, i.pipeline.failure());
                        }
                    }
                }
                stop.set(true);
                writer.join();
                if (workloadFailure.get() != null) {
                    throw workloadFailure.get();
                }
                transactions = txCount[0];
                long catchUpStart = System.nanoTime();
                relay.awaitShipped(db.currentBinlogPosition(), Duration.ofSeconds(120));
                awaitCommitted(kafka.admin(), instances, Duration.ofSeconds(180));
                catchUp = Duration.ofNanos(System.nanoTime() - catchUpStart);
                rest.performRequest(new Request("POST", "/_refresh"));
                ShopOracle.Result check = ShopOracle.of(db, rest).verify();
                int inDlq = countInDlq(kafka, malformed, seed);
                long records = 0;
                for (Instance i : all) {
                    records += i.pipeline.metrics().records();
                }
                return new RunResult(seed, faults, transactions, relay.rowsRelayed(), records, catchUp, check,
                        malformed.size(), inDlq, all.size(), ops.get());
            } finally {
                for (Instance i : all) {
                    i.shutdown();
                }
            }
        }
    }

    private static void inject(Fault fault, Random random, EmbeddedKafka kafka, EmbeddedElasticsearch es,
            CanalFlatMessageDecoder decoder, List<Instance> instances, List<Instance> all, Set<String> malformed) {
        switch (fault) {
            case CRASH_PIPELINE: {
                Instance victim = instances.remove(random.nextInt(instances.size()));
                victim.crash();
                Instance replacement = Instance.start(kafka, es, decoder, all.size());
                instances.add(replacement);
                all.add(replacement);
                break;
            }
            case STOP_ELASTICSEARCH:
                es.stop();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2000 + random.nextInt(4000))); // the outage
                es.start();
                break;
            case ADD_INSTANCE: {
                Instance added = Instance.start(kafka, es, decoder, all.size());
                instances.add(added);
                all.add(added);
                break;
            }
            case REMOVE_INSTANCE: {
                Instance leaving = instances.remove(random.nextInt(instances.size()));
                leaving.pipeline.close(Duration.ofSeconds(30));
                break;
            }
            case RESTART_KAFKA:
                kafka.restart();
                break;
            default: {
                int count = 1 + random.nextInt(3);
                for (int i = 0; i < count; i++) {
                    String payload = "malformed-" + malformed.size() + " {\"data\": [ not json";
                    kafka.send(TOPIC, random.nextInt(PARTITIONS), payload);
                    malformed.add(payload);
                }
            }
        }
    }

    /** Waits until the group has committed every record the topic holds now. */
    private static void awaitCommitted(Admin admin, List<Instance> instances, Duration timeout) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new java.util.HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new java.util.HashMap<>();
        admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, OffsetAndMetadata> committed = Map.of();
        while (System.nanoTime() < deadline) {
            for (Instance i : instances) {
                if (i.pipeline.state() == SyncPipeline.State.FAILED) {
                    throw new AssertionError("pipeline " + i.id + " failed while catching up", i.pipeline.failure());
                }
            }
            committed = admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            boolean done = true;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                done &= e.getValue() == 0 || (c != null && c.offset() >= e.getValue());
            }
            if (done) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(250)); // polling with a deadline
        }
        throw new AssertionError("group did not commit everything within " + timeout + ": end " + ends + " committed " + committed);
    }

    private static int countInDlq(EmbeddedKafka kafka, Set<String> malformed, long seed) {
        Set<String> found = new HashSet<>();
        try (KafkaConsumer<byte[], byte[]> consumer = kafka.consumer("dlq-check-" + seed)) {
            consumer.subscribe(List.of(DLQ));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (found.size() < malformed.size() && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
                    if (malformed.contains(value)) {
                        found.add(value);
                    }
                }
            }
        }
        return found.size();
    }

    private static String summary(List<RunResult> results, Duration workload, int rate, Set<ShopWorkload.HardCase> hardCases) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n### Reliability run %s (%d run(s), %d s workload at %d tx/s each, hard cases %s)%n%n",
                Instant.now(), results.size(), workload.toSeconds(), rate, hardCases.isEmpty() ? "none" : hardCases));
        b.append("| run | seed | crash | ES stop | add | remove | Kafka restart | malformed (in DLQ) | instances | transactions | row events | Kafka records | catch-up s | docs | missing | extra | stale |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        int n = 1;
        for (RunResult r : results) {
            b.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d | %d (%d) | %d | %d | %d | %d | %.1f | %d | %d | %d | %d |%n",
                    n++, r.seed(), r.faults().getOrDefault(Fault.CRASH_PIPELINE, 0), r.faults().getOrDefault(Fault.STOP_ELASTICSEARCH, 0),
                    r.faults().getOrDefault(Fault.ADD_INSTANCE, 0), r.faults().getOrDefault(Fault.REMOVE_INSTANCE, 0),
                    r.faults().getOrDefault(Fault.RESTART_KAFKA, 0), r.malformedSent(), r.malformedInDlq(), r.instancesStarted(),
                    r.transactions(), r.rowsRelayed(), r.records(), r.catchUp().toMillis() / 1000.0, r.check().actual(),
                    r.check().missingCount(), r.check().extraCount(), r.check().staleCount()));
        }
        for (RunResult r : results) {
            b.append(String.format(Locale.ROOT, "%nseed %d operations: %s", r.seed(), r.ops()));
            if (!r.check().isClean()) {
                b.append(String.format(Locale.ROOT, "%nseed %d: %s", r.seed(), report(r.check())));
            }
        }
        b.append(String.format(Locale.ROOT, "%n"));
        return b.toString();
    }

    /** A kill switch shared by a pipeline's source and sink, standing in for the process dying. */
    static final class Crash {
        final CountDownLatch released = new CountDownLatch(1);
        volatile boolean crashed;
    }

    /**
     * A source that, once crashed, blocks its caller (the pipeline thread) in {@code poll} until the
     * test releases it: nothing is polled or committed any more, and the abandoned consumer drops
     * out of the group only when its {@code max.poll.interval.ms} expires.
     */
    static final class CrashableSource implements Source {
        private final Source delegate;
        private final Crash crash;

        CrashableSource(Source delegate, Crash crash) {
            this.delegate = delegate;
            this.crash = crash;
        }

        @Override
        public void open(PartitionListener listener) {
            delegate.open(listener);
        }

        @Override
        public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
            if (crash.crashed) {
                crash.released.await();
                throw new SyncException("crashed");
            }
            return delegate.poll(timeout);
        }

        @Override
        public void commit(Map<String, SourcePosition> lastDone) {
            if (crash.crashed) {
                throw new SyncException("crashed");
            }
            delegate.commit(lastDone);
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
        public Map<String, Long> lag() {
            return delegate.lag();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** A sink that, once crashed, sends nothing more: a dead process retries nothing. */
    static final class CrashableSink implements BulkSink {
        private final BulkSink delegate;
        private final Crash crash;

        CrashableSink(BulkSink delegate, Crash crash) {
            this.delegate = delegate;
            this.crash = crash;
        }

        @Override
        public void start() {
            delegate.start();
        }

        @Override
        public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
            if (crash.crashed) {
                return CompletableFuture.failedFuture(new SyncException("crashed"));
            }
            return delegate.execute(actions);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** One pipeline instance in the group. */
    static final class Instance {
        final int id;
        final SyncPipeline pipeline;
        final Crash crash = new Crash();
        final CountDownLatch assigned = new CountDownLatch(1);

        private Instance(int id, EmbeddedKafka kafka, EmbeddedElasticsearch es, CanalFlatMessageDecoder decoder) {
            this.id = id;
            KafkaSource source = KafkaSource.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .groupId(GROUP)
                    .topics(TOPIC)
                    .decoder(decoder)
                    .property("client.id", "reliability-" + id)
                    .property("session.timeout.ms", 6000)
                    .property("heartbeat.interval.ms", 500)
                    .property("max.poll.interval.ms", 8000)
                    .property("reconnect.backoff.max.ms", 1000)
                    .build();
            this.pipeline = SyncPipeline.builder()
                    .source(new CrashableSource(source, crash))
                    .ruleSet(Shop.rules())
                    .sink(new CrashableSink(Demo.elasticsearchSink(es), crash))
                    .deadLetterSink(KafkaDeadLetterSink.builder().bootstrapServers(kafka.bootstrapServers()).topic(DLQ).build())
                    .onDecodeFailure(FailurePolicy.DEAD_LETTER)
                    .retryBackoff(Duration.ofMillis(100), Duration.ofSeconds(1))
                    .commitInterval(Duration.ofMillis(500))
                    .drainTimeout(Duration.ofSeconds(20))
                    .threadName("reliability-pipeline-" + id)
                    .listener(new dev.binlogsync.core.PipelineListener() {
                        @Override
                        public void onPartitionsAssigned(java.util.Collection<String> partitions) {
                            assigned.countDown();
                        }
                    })
                    .build();
        }

        static Instance start(EmbeddedKafka kafka, EmbeddedElasticsearch es, CanalFlatMessageDecoder decoder, int id) {
            Instance instance = new Instance(id, kafka, es, decoder);
            instance.pipeline.start();
            return instance;
        }

        void awaitAssigned() throws InterruptedException {
            assertTrue(assigned.await(60, TimeUnit.SECONDS), "instance " + id + " got no partitions");
        }

        void crash() {
            crash.crashed = true;
        }

        /** Releases a crashed instance's thread (it fails) and closes what is left. */
        void shutdown() {
            crash.released.countDown();
            try {
                pipeline.close(Duration.ofSeconds(30));
            } catch (RuntimeException e) {
                // a crashed instance fails on release; nothing to keep
            }
        }
    }
}
