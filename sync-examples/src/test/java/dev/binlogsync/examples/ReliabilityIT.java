package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.core.testing.ForwardingSource;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.examples.testbed.BinlogCanalRelay;
import dev.binlogsync.examples.testbed.KafkaCanalMessageSink;
import dev.binlogsync.kafka.KafkaDeadLetterSink;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import dev.binlogsync.testing.EmbeddedMariaDb;
import dev.binlogsync.testing.FaultProxy;
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
 * written into the topic. Each instance's sink has two hosts, a {@link FaultProxy} of its own and
 * the node, and the proxy holds a bulk past the socket timeout and forwards it late, answers
 * 502/504 or resets the connection and forwards the bulk anyway, stalls reads, or delays responses
 * while a rebalance drains ({@link Fault}). Dead letters go to a second broker, which is stopped for
 * a while, and whose topic is deleted for a while, while poison arrives: the instances must stay in
 * the group and commit nothing past an undelivered letter. After the workload stops, the group has
 * committed everything and every proxy has forwarded what it held, the documents
 * {@link ShopOracle} computes from MySQL with its own SQL must equal every document in the indexes
 * (zero missing, extra or stale) and every malformed message must be in the dead-letter topic.
 *
 * <p>System properties: {@code reliability.seed} (default: a random seed, printed), which replays
 * a run's operations and fault sequence (the moments depend on timing too);
 * {@code reliability.seconds} and {@code reliability.rate} (workload length and transactions per
 * second; 40 and 120, with {@code -Dstress=true} 120 and 200 for each of three runs, seeds N, N+1,
 * N+2); {@code reliability.hardCases}, the workload's {@link ShopWorkload.HardCase}s as a
 * comma-separated list, {@code all} or {@code none} (default {@link #DEFAULT_HARD_CASES});
 * {@code reliability.faults}, the {@link Fault} kinds to inject, comma-separated or {@code all}
 * (default; each kind at least once per run). A failing run prints the command that reruns its
 * seed. The summary table is printed and appended to {@code target/reliability-summary.md}.
 */
class ReliabilityIT {

    private static final String TOPIC = "shop-binlog";
    private static final String DLQ = "shop-binlog-dlq";
    private static final String GROUP = "reliability";
    private static final int PARTITIONS = 4;

    /** The hard cases of the normal run: every one (see docs/reliability.md for what each covers). */
    static final String DEFAULT_HARD_CASES = "all";

    /** The sink gives up on a silent connection after this long; a request it gave up on is in doubt. */
    static final Duration SOCKET_TIMEOUT = Duration.ofMillis(1500);
    /** How long {@link Fault#ES_LATE} holds a request before forwarding it (past {@link #SOCKET_TIMEOUT}). */
    static final Duration LATE_HOLD = Duration.ofMillis(2500);
    /** How long {@link Fault#ES_STALL} reads nothing from the client before forwarding the request. */
    static final Duration STALL = Duration.ofMillis(2500);
    /** How long the proxy waits before forwarding a request it answered 502/504 to or reset. */
    static final Duration FORWARD_DELAY = Duration.ofMillis(1000);
    /** How long {@link Fault#SLOW_REVOKE_DRAIN} delays responses (below the socket timeout: answered late, not failed). */
    static final Duration SLOW_RESPONSE = Duration.ofMillis(1000);
    /**
     * The sink's late-write fence: longer than any request stays held in the proxy after the
     * client gave up (at most {@link #LATE_HOLD} and {@link #STALL}, counted from when the proxy
     * took the request), with room for the node to apply it.
     */
    static final Duration LATE_WRITE_FENCE = Duration.ofMillis(4000);
    /** The consumer's {@code max.poll.interval.ms}: a crashed instance leaves the group after this. */
    static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(12);
    /**
     * Revoke drain and close timeout: below {@link #MAX_POLL_INTERVAL} with 4 s left for the commit,
     * and above a drain that waits out an in-doubt bulk (socket timeout, fence, retry).
     */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(8);

    enum Fault {
        CRASH_PIPELINE, STOP_ELASTICSEARCH, ADD_INSTANCE, REMOVE_INSTANCE, RESTART_KAFKA, MALFORMED_MESSAGE,
        ES_LATE, ES_502_FORWARDED, ES_504_FORWARDED, ES_RESET_AFTER_SEND, ES_STALL,
        DLQ_TOPIC_MISSING, DLQ_UNREACHABLE, SLOW_REVOKE_DRAIN;

        /** The kinds named by {@code spec}: a comma-separated list, or {@code all}. */
        static Set<Fault> parse(String spec) {
            if (spec.isBlank() || spec.trim().equalsIgnoreCase("all")) {
                return java.util.EnumSet.allOf(Fault.class);
            }
            Set<Fault> kinds = java.util.EnumSet.noneOf(Fault.class);
            for (String name : spec.split(",")) {
                kinds.add(Fault.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            }
            return kinds;
        }
    }

    record RunResult(long seed, Map<Fault, Integer> faults, long transactions, long rowsRelayed, long records,
            Duration catchUp, ShopOracle.Result check, int malformedSent, int malformedInDlq, int instancesStarted,
            Map<ShopWorkload.Op, Long> ops, Duration slowestDrain, int commitsHeldAtLetter, Set<String> unexpectedInDlq) {
    }

    @Test
    void survivesCrashesOutagesRebalancesBrokerRestartsAndPoisonWithNothingMissingExtraOrStale() throws Exception {
        boolean stress = Boolean.getBoolean("stress");
        int runs = stress ? 3 : 1;
        Duration workload = Duration.ofSeconds(Long.getLong("reliability.seconds", stress ? 120 : 40));
        int rate = Integer.getInteger("reliability.rate", stress ? 200 : 120);
        Set<ShopWorkload.HardCase> hardCases = ShopWorkload.HardCase.parse(System.getProperty("reliability.hardCases", DEFAULT_HARD_CASES));
        Set<Fault> kinds = Fault.parse(System.getProperty("reliability.faults", "all"));
        Long pinned = Long.getLong("reliability.seed");
        long baseSeed = pinned != null ? pinned : java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 1L << 40);
        List<RunResult> results = new ArrayList<>();
        for (int run = 0; run < runs; run++) {
            long seed = baseSeed + run;
            String rerun = rerunCommand(seed, workload, rate, hardCases, kinds);
            System.out.println("reliability run with seed " + seed + ", hard cases " + hardCases + ", faults " + kinds
                    + "; rerun with: " + rerun);
            try {
                results.add(run(seed, workload, rate, hardCases, kinds));
            } catch (Exception | AssertionError e) {
                System.out.println("reliability run with seed " + seed + " FAILED; rerun with: " + rerun);
                throw new AssertionError("seed " + seed + " failed; rerun with: " + rerun, e);
            }
        }
        writeSummary(summary(results, workload, rate, hardCases));
        for (RunResult r : results) {
            String rerun = "seed " + r.seed() + " (rerun: " + rerunCommand(r.seed(), workload, rate, hardCases, kinds) + ")";
            assertTrue(r.check().isClean(), rerun + ": " + report(r.check()));
            assertEquals(r.malformedSent(), r.malformedInDlq(), rerun + ": malformed messages in the DLQ");
            assertTrue(r.unexpectedInDlq().isEmpty(), rerun + ": only the malformed messages may be dead-lettered, "
                    + "but the DLQ also holds " + r.unexpectedInDlq());
            for (Fault f : kinds) {
                assertTrue(r.faults().getOrDefault(f, 0) > 0, rerun + " injected " + f + ": " + r.faults());
            }
        }
    }

    /** The Maven command that reruns {@code seed} with the same workload and fault kinds. */
    static String rerunCommand(long seed, Duration workload, int rate, Set<ShopWorkload.HardCase> hardCases, Set<Fault> kinds) {
        StringBuilder cases = new StringBuilder();
        for (ShopWorkload.HardCase c : hardCases) {
            cases.append(cases.length() == 0 ? "" : ",").append(c.name());
        }
        StringBuilder faults = new StringBuilder();
        for (Fault f : kinds) {
            faults.append(faults.length() == 0 ? "" : ",").append(f.name());
        }
        return "./mvnw -B -ntp -q -pl sync-examples -am verify -Dit.test=ReliabilityIT -Dtest=none"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false"
                + " -Dreliability.seed=" + seed + " -Dreliability.seconds=" + workload.toSeconds() + " -Dreliability.rate=" + rate
                + " -Dreliability.hardCases=" + (cases.length() == 0 ? "none" : cases)
                + (kinds.size() == Fault.values().length ? "" : " -Dreliability.faults=" + faults);
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

    private RunResult run(long seed, Duration workloadTime, int rate, Set<ShopWorkload.HardCase> hardCases, Set<Fault> kinds)
            throws Exception {
        Random random = new Random(seed);
        Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
        List<Instance> instances = new CopyOnWriteArrayList<>();
        List<Instance> all = new CopyOnWriteArrayList<>();
        Set<String> malformed = new HashSet<>();
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start();
                EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                // the dead letters' own cluster; no auto-creation, so a deleted topic stays missing
                EmbeddedKafka dlqKafka = EmbeddedKafka.builder().brokerProperty("auto.create.topics.enable", "false").start();
                EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("reliability-" + seed).build().start();
                RestClient rest = es.newClient()) {
            Shop.createSchema(db);
            kafka.createTopic(TOPIC, PARTITIONS);
            dlqKafka.createTopic(DLQ, 1);
            CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.builder().syncedTables(Shop.syncedTables()).fullRowImage(true).build();
            Injector injector = new Injector(seed, random, kafka, dlqKafka, es, decoder, instances, all, malformed);
            long transactions;
            Duration catchUp;
            try (BinlogCanalRelay relay = BinlogCanalRelay.builder().mariaDb(db).databases(Set.of(Shop.DATABASE))
                    .sink(KafkaCanalMessageSink.create(kafka.bootstrapServers(), TOPIC)).build().start()) {
                Instance first = injector.startInstance();
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
                List<Fault> plan = new ArrayList<>(kinds);
                Collections.shuffle(plan, random);
                long end = System.nanoTime() + workloadTime.toNanos();
                int next = 0;
                // the workload goes on past its time until every planned kind has been injected
                long giveUp = end + TimeUnit.MINUTES.toNanos(3);
                while ((System.nanoTime() < end || next < plan.size()) && workloadFailure.get() == null) {
                    if (System.nanoTime() - giveUp > 0) {
                        throw new AssertionError("not injected 3 minutes after the workload's time: " + plan.subList(next, plan.size()));
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1000 + random.nextInt(2500))); // time between faults
                    Fault planned = next < plan.size() ? plan.get(next) : plan.get(random.nextInt(plan.size()));
                    Fault fault = planned;
                    if (fault == Fault.REMOVE_INSTANCE && instances.size() < 2) {
                        fault = Fault.ADD_INSTANCE;
                    } else if (fault == Fault.ADD_INSTANCE && instances.size() >= 3) {
                        fault = Fault.REMOVE_INSTANCE;
                    }
                    // an Elasticsearch fault that found no bulk to hit is not counted and stays planned
                    long faultStart = System.nanoTime();
                    boolean injected = injector.inject(fault);
                    System.out.printf(Locale.ROOT, "%s fault %s: %s (%d ms)%n", Instant.now(), fault,
                            injected ? "injected" : "hit nothing, tried again later", (System.nanoTime() - faultStart) / 1_000_000);
                    if (injected) {
                        faults.merge(fault, 1, Integer::sum);
                    }
                    if (injected && fault == planned && next < plan.size()) {
                        next++; // a substituted kind stays planned for the next turn
                    } else if (fault == planned && next < plan.size()) {
                        plan.add(plan.remove(next)); // one that hit nothing is tried again after the others
                    }
                    for (Instance i : instances) {
                        if (i.pipeline.state() == PipelineState.FAILED) {
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
                for (Instance i : all) {
                    // nothing a proxy still holds may land after the check
                    assertTrue(i.proxy.awaitLateForwards(Duration.ofSeconds(30)), "proxy of instance " + i.id + " drained");
                }
                rest.performRequest(new Request("POST", "/_refresh"));
                ShopOracle.Result check = ShopOracle.of(db, rest).verify();
                int inDlq = injector.countInDlq();
                long records = 0;
                for (Instance i : all) {
                    records += i.pipeline.metrics().records();
                }
                return new RunResult(seed, faults, transactions, relay.rowsRelayed(), records, catchUp, check,
                        malformed.size(), inDlq, all.size(), ops.get(), injector.slowestDrain,
                        injector.commitsHeldAtLetter, injector.unexpectedInDlq);
            } finally {
                for (Instance i : all) {
                    i.shutdown();
                }
            }
        }
    }


    /** Injects the faults of one run and keeps their bookkeeping; used by the test thread only. */
    private static final class Injector {
        final long seed;
        final Random random;
        final EmbeddedKafka kafka;
        final EmbeddedKafka dlqKafka;
        final EmbeddedElasticsearch es;
        final CanalFlatMessageDecoder decoder;
        final List<Instance> instances;
        final List<Instance> all;
        final Set<String> malformed;
        /** Malformed payloads read from the dead-letter topic so far (kept across its deletion). */
        final Set<String> inDlq = new HashSet<>();
        /**
         * Other payloads read from the dead-letter topic: nothing but the malformed messages may be
         * there (a TRUNCATE of a synced table, a rejected document or any decode error would be).
         */
        final Set<String> unexpectedInDlq = new java.util.TreeSet<>();
        /** Longest time from a {@link Fault#SLOW_REVOKE_DRAIN} rebalance's start to a revoke drained and committed. */
        Duration slowestDrain = Duration.ZERO;
        /** Poisoned partitions whose commit stood exactly at the undelivered letter when its outage ended. */
        int commitsHeldAtLetter;

        Injector(long seed, Random random, EmbeddedKafka kafka, EmbeddedKafka dlqKafka, EmbeddedElasticsearch es,
                CanalFlatMessageDecoder decoder, List<Instance> instances, List<Instance> all, Set<String> malformed) {
            this.seed = seed;
            this.random = random;
            this.kafka = kafka;
            this.dlqKafka = dlqKafka;
            this.es = es;
            this.decoder = decoder;
            this.instances = instances;
            this.all = all;
            this.malformed = malformed;
        }

        Instance startInstance() {
            Instance instance = Instance.start(kafka, dlqKafka, es, decoder, all.size());
            instances.add(instance);
            all.add(instance);
            return instance;
        }

        /** Injects {@code fault}; false if it found nothing to hit (an Elasticsearch fault no request came through). */
        boolean inject(Fault fault) throws Exception {
            switch (fault) {
                case CRASH_PIPELINE: {
                    Instance victim = instances.remove(random.nextInt(instances.size()));
                    victim.crash();
                    startInstance();
                    return true;
                }
                case STOP_ELASTICSEARCH:
                    es.stop();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2000 + random.nextInt(4000))); // the outage
                    es.start();
                    return true;
                case ADD_INSTANCE:
                    startInstance();
                    return true;
                case REMOVE_INSTANCE: {
                    Instance leaving = instances.remove(random.nextInt(instances.size()));
                    leaving.pipeline.close(DRAIN_TIMEOUT);
                    return true;
                }
                case RESTART_KAFKA:
                    kafka.restart();
                    return true;
                case MALFORMED_MESSAGE:
                    sendMalformed(1 + random.nextInt(3));
                    return true;
                case ES_LATE:
                    return proxyFault(FaultProxy.Fault.holdThenForward(LATE_HOLD, false), FaultProxy.Kind.HOLD_THEN_FORWARD);
                case ES_502_FORWARDED:
                    return proxyFault(FaultProxy.Fault.errorWhileForwarding(502, FORWARD_DELAY), FaultProxy.Kind.ERROR_WHILE_FORWARDING);
                case ES_504_FORWARDED:
                    return proxyFault(FaultProxy.Fault.errorWhileForwarding(504, FORWARD_DELAY), FaultProxy.Kind.ERROR_WHILE_FORWARDING);
                case ES_RESET_AFTER_SEND:
                    return proxyFault(FaultProxy.Fault.resetAfterSend(FORWARD_DELAY), FaultProxy.Kind.RESET_AFTER_SEND);
                case ES_STALL:
                    return proxyFault(FaultProxy.Fault.stallReads(STALL, random.nextBoolean()), FaultProxy.Kind.STALL_READS);
                case DLQ_TOPIC_MISSING:
                    return deadLetterTopicMissing();
                case DLQ_UNREACHABLE:
                    return deadLetterClusterUnreachable();
                case SLOW_REVOKE_DRAIN:
                    return slowRevokeDrain();
                default:
                    throw new AssertionError(fault);
            }
        }

        /** Writes {@code count} malformed messages into random partitions; returns partition to the first one's offset. */
        private Map<Integer, Long> sendMalformed(int count) {
            Map<Integer, Long> first = new java.util.HashMap<>();
            for (int i = 0; i < count; i++) {
                String payload = "malformed-" + malformed.size() + " {\"data\": [ not json";
                int partition = random.nextInt(PARTITIONS);
                long offset = kafka.send(TOPIC, partition, payload).offset();
                first.putIfAbsent(partition, offset);
                malformed.add(payload);
            }
            return first;
        }

        /**
         * Applies {@code f} to the next POST through the proxy of an instance whose sink sends
         * requests there now (about half its bulks; after failures the sink avoids the proxy for a
         * while, up to a minute, and sends everything to the node).
         *
         * @return whether a request got it within 5 s (otherwise the fault is withdrawn)
         */
        private boolean proxyFault(FaultProxy.Fault f, FaultProxy.Kind kind) throws InterruptedException {
            Map<Instance, Integer> passed = new java.util.HashMap<>();
            for (Instance i : instances) {
                passed.put(i, i.proxy.passed());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500)); // a sample of each proxy's traffic
            List<Instance> used = new ArrayList<>();
            for (Instance i : instances) {
                if (!i.owned.isEmpty() && passed.containsKey(i) && i.proxy.passed() > passed.get(i)) {
                    used.add(i);
                }
            }
            if (used.isEmpty()) {
                return false;
            }
            Instance target = used.get(random.nextInt(used.size()));
            int before = target.proxy.injected(kind);
            target.proxy.inject(f, 1);
            // not taken within 5 s is an answer: the method reports whether the fault was injected
            Await.every(Duration.ofMillis(20)).holdsWithinTimeout(Duration.ofSeconds(5), () -> !target.proxy.faultPending());
            target.proxy.passThrough();
            return target.proxy.injected(kind) > before;
        }

        /**
         * Deletes the dead-letter topic (after every letter so far was read from it), writes poison
         * while it is missing, checks that the group stays, keeps every instance and commits nothing
         * past an undelivered letter, then creates the topic again.
         */
        private boolean deadLetterTopicMissing() throws Exception {
            awaitInDlq(malformed, Duration.ofSeconds(60));
            Set<String> notYet = new HashSet<>(malformed);
            notYet.removeAll(inDlq);
            // deleting the topic now would delete letters not read yet
            assertTrue(notYet.isEmpty(), "dead letters not delivered within 60 s: " + notYet);
            dlqKafka.admin().deleteTopics(List.of(DLQ)).all().get(30, TimeUnit.SECONDS);
            Await.every(Duration.ofMillis(100)).untilHolds(Duration.ofSeconds(30), "dead-letter topic deleted",
                    () -> !dlqKafka.admin().listTopics().names().get(10, TimeUnit.SECONDS).contains(DLQ));
            Set<String> letters = undeliverableLetters(Fault.DLQ_TOPIC_MISSING);
            dlqKafka.createTopic(DLQ, 1);
            awaitDelivered(letters, Fault.DLQ_TOPIC_MISSING);
            return true;
        }

        /** Stops the dead-letter cluster while poison arrives, checks as above, restarts it on the same port. */
        private boolean deadLetterClusterUnreachable() throws Exception {
            dlqKafka.stop();
            Set<String> letters = undeliverableLetters(Fault.DLQ_UNREACHABLE);
            dlqKafka.start();
            awaitDelivered(letters, Fault.DLQ_UNREACHABLE);
            return true;
        }

        /**
         * Writes poison while its letters cannot be delivered, waits 3-6 s, and checks: no live
         * instance failed or lost its partitions (left the group), and no committed offset passed
         * a poison message.
         *
         * @return the poison payloads written
         */
        private Set<String> undeliverableLetters(Fault fault) throws Exception {
            Map<Instance, Integer> lostBefore = new java.util.HashMap<>();
            for (Instance i : instances) {
                lostBefore.put(i, i.lost.get());
            }
            Set<String> before = new HashSet<>(malformed);
            Map<Integer, Long> poison = sendMalformed(1 + random.nextInt(2));
            Set<String> letters = new HashSet<>(malformed);
            letters.removeAll(before);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(3000 + random.nextInt(3000))); // the outage
            Map<TopicPartition, OffsetAndMetadata> committed = kafka.admin().listConsumerGroupOffsets(GROUP)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            for (Map.Entry<Integer, Long> p : poison.entrySet()) {
                OffsetAndMetadata c = committed.get(new TopicPartition(TOPIC, p.getKey()));
                assertTrue(c == null || c.offset() <= p.getValue(), fault + ": partition " + p.getKey() + " committed "
                        + c.offset() + ", past the undelivered letter of offset " + p.getValue());
                if (c != null && c.offset() == p.getValue()) {
                    commitsHeldAtLetter++; // everything before the poison was committed, the poison itself not
                }
            }
            for (Instance i : instances) {
                assertEquals(PipelineState.RUNNING, i.pipeline.state(), fault + ": instance " + i.id);
                assertEquals(lostBefore.get(i), i.lost.get(), fault + ": instance " + i.id + " lost its partitions (left the group)");
            }
            return letters;
        }

        /** Asserts that {@code letters} reach the dead-letter topic once it is back (within 60 s). */
        private void awaitDelivered(Set<String> letters, Fault fault) {
            awaitInDlq(letters, Duration.ofSeconds(60));
            Set<String> notYet = new HashSet<>(letters);
            notYet.removeAll(inDlq);
            assertTrue(notYet.isEmpty(), fault + ": dead letters not delivered within 60 s after the topic was back: " + notYet);
        }

        /**
         * Delays the responses of the next bulks through every live instance's proxy, then starts
         * a rebalance (an instance joins, or one of three leaves): the revoking instances' drains
         * wait for those responses. Records the longest drain.
         */
        private boolean slowRevokeDrain() throws InterruptedException {
            List<Instance> delayed = new ArrayList<>(instances);
            Map<Instance, Integer> before = new java.util.HashMap<>();
            for (Instance i : delayed) {
                before.put(i, i.proxy.injected(FaultProxy.Kind.HOLD_THEN_FORWARD));
                i.proxy.inject(FaultProxy.Fault.holdThenForward(SLOW_RESPONSE, true), 3);
            }
            long start = System.nanoTime();
            if (instances.size() >= 3) {
                Instance leaving = instances.remove(random.nextInt(instances.size()));
                leaving.pipeline.close(DRAIN_TIMEOUT);
                slowestDrain = max(slowestDrain, Duration.ofNanos(System.nanoTime() - start));
            } else {
                startInstance().awaitAssigned(); // the others revoke partitions (drained) before it gets them
            }
            boolean hit = false;
            for (Instance i : delayed) {
                i.proxy.passThrough();
                hit |= i.proxy.injected(FaultProxy.Kind.HOLD_THEN_FORWARD) > before.get(i);
                long revoked = i.lastRevoked.get();
                if (revoked - start > 0) {
                    // from the rebalance's start to the revoke's end (drained and committed)
                    slowestDrain = max(slowestDrain, Duration.ofNanos(revoked - start));
                }
            }
            return hit;
        }

        private static Duration max(Duration a, Duration b) {
            return a.compareTo(b) >= 0 ? a : b;
        }

        /** How many malformed messages were found in the dead-letter topic (waiting up to 30 s for missing ones). */
        int countInDlq() {
            awaitInDlq(malformed, Duration.ofSeconds(30));
            readDlqToEnd();
            int found = 0;
            for (String m : malformed) {
                found += inDlq.contains(m) ? 1 : 0;
            }
            return found;
        }

        /** Reads the whole dead-letter topic as it is now, so every letter in it is seen. */
        private void readDlqToEnd() {
            TopicPartition tp = new TopicPartition(DLQ, 0);
            try (KafkaConsumer<byte[], byte[]> consumer = dlqKafka.consumer("dlq-end-" + seed)) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                long end = consumer.endOffsets(List.of(tp)).get(tp);
                Await.value(Duration.ofSeconds(30), "the dead-letter topic read to its end (" + end + ")", () -> {
                    if (consumer.position(tp) < end) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                            String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
                            if (malformed.contains(value)) {
                                inDlq.add(value);
                            } else {
                                unexpectedInDlq.add(value.length() > 200 ? value.substring(0, 200) + "..." : value);
                            }
                        }
                    }
                    return consumer.position(tp);
                }, position -> position >= end);
            }
        }

        /** Reads the dead-letter topic until it holds every payload of {@code wanted}, or the timeout. */
        private void awaitInDlq(Set<String> wanted, Duration timeout) {
            TopicPartition tp = new TopicPartition(DLQ, 0);
            try (KafkaConsumer<byte[], byte[]> consumer = dlqKafka.consumer("dlq-check-" + seed)) {
                consumer.assign(List.of(tp));
                consumer.seekToBeginning(List.of(tp));
                // not all within the timeout is an answer: the callers check what arrived
                Await.holdsWithin(timeout, () -> {
                    if (!inDlq.containsAll(wanted)) {
                        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                            String value = r.value() == null ? "" : new String(r.value(), StandardCharsets.UTF_8);
                            if (malformed.contains(value)) {
                                inDlq.add(value);
                            } else {
                                unexpectedInDlq.add(value.length() > 200 ? value.substring(0, 200) + "..." : value);
                            }
                        }
                    }
                    return inDlq.containsAll(wanted);
                });
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
        Await.every(Duration.ofMillis(250)).valueOf(timeout, "the group to commit everything up to the end " + ends, () -> {
            for (Instance i : instances) {
                if (i.pipeline.state() == PipelineState.FAILED) {
                    throw new AssertionError("pipeline " + i.id + " failed while catching up", i.pipeline.failure());
                }
            }
            return admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
        }, committed -> {
            boolean done = true;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                done &= e.getValue() == 0 || (c != null && c.offset() >= e.getValue());
            }
            return done;
        });
    }

    private static String summary(List<RunResult> results, Duration workload, int rate, Set<ShopWorkload.HardCase> hardCases) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n### Reliability run %s (%d run(s), %d s workload at %d tx/s each, hard cases %s)%n%n",
                Instant.now(), results.size(), workload.toSeconds(), rate, hardCases.isEmpty() ? "none" : hardCases));
        b.append("| run | seed | transactions | row events | Kafka records | instances | malformed (in DLQ) | commits held at a letter | slowest revoke drain s | catch-up s | docs | missing | extra | stale |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        int n = 1;
        for (RunResult r : results) {
            b.append(String.format(Locale.ROOT, "| %d | %d | %d | %d | %d | %d | %d (%d) | %d | %.1f | %.1f | %d | %d | %d | %d |%n",
                    n++, r.seed(), r.transactions(), r.rowsRelayed(), r.records(), r.instancesStarted(), r.malformedSent(),
                    r.malformedInDlq(), r.commitsHeldAtLetter(), r.slowestDrain().toMillis() / 1000.0, r.catchUp().toMillis() / 1000.0, r.check().actual(),
                    r.check().missingCount(), r.check().extraCount(), r.check().staleCount()));
        }
        b.append(String.format(Locale.ROOT, "%nFaults injected per kind:%n%n| run | seed |"));
        for (Fault f : Fault.values()) {
            b.append(' ').append(f.name()).append(" |");
        }
        b.append(String.format(Locale.ROOT, "%n| --- | --- |"));
        for (int i = 0; i < Fault.values().length; i++) {
            b.append(" --- |");
        }
        n = 1;
        for (RunResult r : results) {
            b.append(String.format(Locale.ROOT, "%n| %d | %d |", n++, r.seed()));
            for (Fault f : Fault.values()) {
                b.append(' ').append(r.faults().getOrDefault(f, 0)).append(" |");
            }
        }
        b.append(String.format(Locale.ROOT, "%n"));
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
    static final class CrashableSource extends ForwardingSource {
        private final Crash crash;

        CrashableSource(Source delegate, Crash crash) {
            super(delegate);
            this.crash = crash;
        }

        @Override
        public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
            if (crash.crashed) {
                crash.released.await();
                throw new SyncException("crashed");
            }
            return super.poll(timeout);
        }

        @Override
        public void commit(Map<String, SourcePosition> lastDone) {
            if (crash.crashed) {
                throw new SyncException("crashed");
            }
            super.commit(lastDone);
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

    /** One pipeline instance in the group, with its own fault proxy in front of Elasticsearch. */
    static final class Instance {
        final int id;
        final SyncPipeline pipeline;
        final FaultProxy proxy;
        final Crash crash = new Crash();
        final CountDownLatch assigned = new CountDownLatch(1);
        /** Partitions it owns now. */
        final Set<String> owned = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** How often it lost partitions (evicted from the group). */
        final java.util.concurrent.atomic.AtomicInteger lost = new java.util.concurrent.atomic.AtomicInteger();
        /** {@link System#nanoTime()} when a revoke last finished (drained and committed). */
        final java.util.concurrent.atomic.AtomicLong lastRevoked = new java.util.concurrent.atomic.AtomicLong();

        private Instance(int id, EmbeddedKafka kafka, EmbeddedKafka dlqKafka, EmbeddedElasticsearch es,
                CanalFlatMessageDecoder decoder) throws java.io.IOException {
            this.id = id;
            this.proxy = FaultProxy.start(es.httpHost().getHostName(), es.httpHost().getPort());
            KafkaSource source = KafkaSource.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .groupId(GROUP)
                    .topics(TOPIC)
                    .decoder(decoder)
                    .property("client.id", "reliability-" + id)
                    .property("session.timeout.ms", 6000)
                    .property("heartbeat.interval.ms", 500)
                    .property("max.poll.interval.ms", (int) MAX_POLL_INTERVAL.toMillis())
                    .property("reconnect.backoff.max.ms", 1000)
                    .build();
            // two hosts: the proxy and the node itself, so the sink's own host choice is exercised
            ElasticsearchSink sink = Demo.elasticsearchSinkBuilder(proxy.url(), es.httpUrl())
                    .connectTimeout(Duration.ofSeconds(1))
                    .socketTimeout(SOCKET_TIMEOUT)
                    .lateWriteFence(LATE_WRITE_FENCE)
                    .build();
            this.pipeline = SyncPipeline.builder()
                    .source(new CrashableSource(source, crash))
                    .ruleSet(Shop.rules())
                    .sink(new CrashableSink(sink, crash))
                    .deadLetterSink(KafkaDeadLetterSink.builder().bootstrapServers(dlqKafka.bootstrapServers()).topic(DLQ)
                            .property("reconnect.backoff.max.ms", 1000).build())
                    .onDecodeFailure(FailurePolicy.DEAD_LETTER)
                    .retryInitialBackoff(Duration.ofMillis(100)).retryMaxBackoff(Duration.ofSeconds(1))
                    .commitInterval(Duration.ofMillis(500))
                    .drainTimeout(DRAIN_TIMEOUT)
                    .threadName("reliability-pipeline-" + id)
                    .listener(new dev.binlogsync.core.PipelineListener() {
                        @Override
                        public void onPartitionsAssigned(java.util.Collection<String> partitions) {
                            owned.addAll(partitions);
                            assigned.countDown();
                        }

                        @Override
                        public void onPartitionsRevoked(java.util.Collection<String> partitions) {
                            owned.removeAll(partitions);
                            lastRevoked.set(System.nanoTime());
                        }

                        @Override
                        public void onPartitionsLost(java.util.Collection<String> partitions) {
                            owned.removeAll(partitions);
                            lost.incrementAndGet();
                        }
                    })
                    .build();
        }

        static Instance start(EmbeddedKafka kafka, EmbeddedKafka dlqKafka, EmbeddedElasticsearch es,
                CanalFlatMessageDecoder decoder, int id) {
            Instance instance;
            try {
                instance = new Instance(id, kafka, dlqKafka, es, decoder);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            instance.pipeline.start();
            return instance;
        }

        void awaitAssigned() throws InterruptedException {
            assertTrue(assigned.await(60, TimeUnit.SECONDS), "instance " + id + " got no partitions");
        }

        void crash() {
            crash.crashed = true;
        }

        /** Releases a crashed instance's thread (it fails), closes what is left, then its proxy. */
        void shutdown() {
            crash.released.countDown();
            try {
                pipeline.close(DRAIN_TIMEOUT);
            } catch (RuntimeException e) {
                // a crashed instance fails on release; nothing to keep
            }
            proxy.close();
        }
    }
}
