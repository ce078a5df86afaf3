package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.elasticsearch.ElasticsearchCheckpointStore;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.examples.testbed.BinlogCanalRelay;
import dev.binlogsync.examples.testbed.BinlogPositionStore;
import dev.binlogsync.examples.testbed.KafkaCanalMessageSink;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.annotation.Nullable;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The backfill's end-to-end proof on the test bed: a table pre-filled with rows <em>before</em> the
 * stream starts (so only the backfill can bring them to the index), the binlog relay started at the
 * current binlog position into Kafka, a {@link SyncPipeline} streaming into Elasticsearch, then a
 * {@link Backfill} of the table while a seeded workload updates, deletes and re-inserts the same
 * rows (most of them just ahead of and behind the backfill's position). In the middle of the
 * backfill, in a seeded order and at seeded points of its progress: the pipeline crashes (no
 * drain, no commit; a new instance takes over once the group evicts the dead one), the backfill
 * crashes inside a chunk at a seeded step (after saving the pending chunk, with its creates applied
 * but unanswered, after the verification's read, or before saving the done chunk: from then on its
 * data source, sink and checkpoint store refuse everything, as a dead process's would) and a new
 * backfill over the same checkpoint index resumes, and the Elasticsearch node restarts. When the
 * backfill is done, the workload stops and the stream has caught up, {@link ProductsOracle} compares
 * every document with MySQL: nothing may be missing, extra or stale.
 *
 * <p>The backfill runs as an application would run it: a failure that says trying again may help
 * (a checkpoint save refused while the node is down) ends the run; the application then waits until
 * Elasticsearch answers and starts a new one, which resumes from the checkpoint. Such restarts are
 * counted and printed.
 *
 * <p>System properties: {@code backfill.seed} (default random, printed) pins the first run's seed,
 * the next runs take seed+1, seed+2...; {@code backfill.rows} the tables' sizes, comma-separated,
 * one run each (default {@code 200000,20000,20000}; with {@code -Dstress=true}
 * {@code 500000,200000,200000,200000}); {@code backfill.rate}, workload transactions per
 * second (default 200, 300 with {@code -Dstress=true}). Every run prints its seed and the command
 * that reruns it; the summary table is appended to {@code target/backfill-e2e-summary.md}.
 */
class BackfillEndToEndIT {

    /** The sinks give up on a silent connection after this long; such a request is in doubt. */
    static final Duration SOCKET_TIMEOUT = Duration.ofMillis(1500);
    /** The sinks' late-write fence, and the restarted backfill's wait before verifying a pending chunk. */
    static final Duration LATE_WRITE_FENCE = Duration.ofMillis(4000);
    /** The consumer's {@code max.poll.interval.ms}: a crashed instance leaves the group after this. */
    static final Duration MAX_POLL_INTERVAL = Duration.ofSeconds(8);
    /** Below {@link #MAX_POLL_INTERVAL}, above a drain that waits out an in-doubt bulk. */
    static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(6);
    private static final int PARTITIONS = 4;
    private static final String CHECKPOINTS = "binlog-sync-backfill";

    enum Fault {
        CRASH_PIPELINE, CRASH_BACKFILL, RESTART_ELASTICSEARCH
    }

    /** Where inside a chunk the backfill dies. */
    enum CrashPoint {
        /** After its pending chunk was saved, before a create was sent. */
        AFTER_PENDING_SAVED,
        /** Its creates were applied by Elasticsearch, the answer never read. */
        CREATES_APPLIED_UNANSWERED,
        /** After the verification read the chunk's documents, before the re-select. */
        AFTER_VERIFY_READ,
        /** Verified, before the save that records it done (usually the next chunk's pending save). */
        BEFORE_DONE_SAVED
    }

    record RunResult(long seed, int rows, Duration fill, Duration backfill, Duration total, long transactions,
            Map<ProductsWorkload.Op, Long> ops, long rowsRelayed, int backfillRuns, int outageRestarts, CrashPoint crashPoint,
            List<String> faultsAt, long created, long existed, long removed, double lastRunRate, ProductsOracle.Result check) {
    }

    @Test
    void backfillUnderUpdatesDeletesReinsertsPipelineCrashBackfillCrashAndElasticsearchRestartEndsEqualToMysql()
            throws Exception {
        boolean stress = Boolean.getBoolean("stress");
        String rowsSpec = System.getProperty("backfill.rows", stress ? "500000,200000,200000,200000" : "200000,20000,20000");
        List<Integer> sizes = new ArrayList<>();
        for (String s : rowsSpec.split(",")) {
            sizes.add(Integer.parseInt(s.trim()));
        }
        int rate = Integer.getInteger("backfill.rate", stress ? 300 : 200);
        Long pinned = Long.getLong("backfill.seed");
        long baseSeed = pinned != null ? pinned : java.util.concurrent.ThreadLocalRandom.current().nextLong(1, 1L << 40);
        List<RunResult> results = new ArrayList<>();
        long start = System.nanoTime();
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start();
                EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("backfill-e2e").build().start();
                RestClient rest = es.newClient()) {
            for (int run = 0; run < sizes.size(); run++) {
                long seed = baseSeed + run;
                String rerun = rerunCommand(seed, sizes.get(run), rate);
                System.out.println("backfill end-to-end run " + run + " with seed " + seed + ", " + sizes.get(run)
                        + " rows; rerun with: " + rerun);
                RunResult r;
                try {
                    r = new Run(run, seed, sizes.get(run), rate, db, kafka, es, rest).execute();
                } catch (Exception | AssertionError e) {
                    System.out.println("backfill end-to-end run with seed " + seed + " FAILED; rerun with: " + rerun);
                    throw new AssertionError("seed " + seed + " failed; rerun with: " + rerun, e);
                }
                results.add(r);
                System.out.println(summaryRow(r));
                assertTrue(r.check().isClean(), "seed " + r.seed() + " (rerun: " + rerun + "): " + r.check());
            }
        }
        writeSummary(summary(results, rate, Duration.ofNanos(System.nanoTime() - start)));
    }

    static String rerunCommand(long seed, int rows, int rate) {
        return "./mvnw -B -ntp -q -pl sync-examples -am verify -Dit.test=BackfillEndToEndIT -Dtest=none"
                + " -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false"
                + " -Dbackfill.seed=" + seed + " -Dbackfill.rows=" + rows + " -Dbackfill.rate=" + rate;
    }

    /** One seed: its own database, topic, group and index on the shared servers. */
    private static final class Run {
        final int number;
        final long seed;
        final int rows;
        final int rate;
        final EmbeddedMariaDb db;
        final EmbeddedKafka kafka;
        final EmbeddedElasticsearch es;
        final RestClient rest;
        final Random random;
        final String database;
        final String index;
        final String topic;
        final String group;
        final Rules rules;
        /** The key up to which the backfill has saved done chunks (0 before the first). */
        final AtomicLong front = new AtomicLong();
        /** Holds the backfill at a fault's point until the fault is injected. */
        final Gate gate = new Gate();
        final List<StreamInstance> instances = new ArrayList<>();

        Run(int number, long seed, int rows, int rate, EmbeddedMariaDb db, EmbeddedKafka kafka, EmbeddedElasticsearch es,
                RestClient rest) {
            this.number = number;
            this.seed = seed;
            this.rows = rows;
            this.rate = rate;
            this.db = db;
            this.kafka = kafka;
            this.es = es;
            this.rest = rest;
            this.random = new Random(seed);
            this.database = "backfill_" + number;
            this.index = "products-" + number;
            this.topic = "products-binlog-" + number;
            this.group = "products-" + number;
            // an owned rule with the default write mode: the stream indexes whole rows
            this.rules = Rules.builder().rule(TableRule.builder().database(database).table("products").index(index).build())
                    .build();
        }

        RunResult execute() throws Exception {
            long runStart = System.nanoTime();
            db.execute("CREATE DATABASE " + database,
                    "CREATE TABLE " + database + ".products (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(64) NOT NULL,"
                            + " qty INT NOT NULL, price DECIMAL(12,2) NOT NULL, note VARCHAR(255) NULL)"
                            + " DEFAULT CHARSET=utf8mb4");
            long fillStart = System.nanoTime();
            fill();
            Duration fill = Duration.ofNanos(System.nanoTime() - fillStart);
            System.out.printf(Locale.ROOT, "%s seed %d: %d rows filled in %d ms%n", Instant.now(), seed, rows, fill.toMillis());
            kafka.createTopic(topic, PARTITIONS);
            // created here, with the client's own timeouts: creating it can take longer than the sinks' short socket timeout
            Request create = new Request("PUT", "/" + index);
            create.setJsonEntity("{\"settings\":{\"number_of_shards\":2,\"number_of_replicas\":0},"
                    + "\"mappings\":{\"properties\":{\"name\":{\"type\":\"keyword\"},\"price\":{\"type\":\"double\"}}}}");
            rest.performRequest(create);
            // the stream starts here: the rows written so far reach the index only through the backfill
            BinlogPositionStore from = BinlogPositionStore.inMemory();
            from.save(db.currentBinlogPosition());
            CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.builder().fullRowImage(true).build();
            List<Fault> plan = new ArrayList<>(List.of(Fault.values()));
            Collections.shuffle(plan, random);
            CrashPoint crashPoint = CrashPoint.values()[random.nextInt(CrashPoint.values().length)];
            List<String> faultsAt = new ArrayList<>();
            try (BinlogCanalRelay relay = BinlogCanalRelay.builder().mariaDb(db).databases(java.util.Set.of(database))
                    .positionStore(from).sink(KafkaCanalMessageSink.create(kafka.bootstrapServers(), topic)).build().start()) {
                StreamInstance first = startInstance(decoder);
                first.awaitAssigned();

                BackfillRunner runner = new BackfillRunner(crashPoint);
                ProductsWorkload workload = new ProductsWorkload(db, database, seed, rows, front, rows >= 100_000 ? 1000 : 500);
                AtomicBoolean stop = new AtomicBoolean();
                AtomicReference<Exception> workloadFailure = new AtomicReference<>();
                Thread writer = new Thread(() -> {
                    try (workload) {
                        long start = System.nanoTime();
                        long interval = 1_000_000_000L / rate;
                        for (long i = 0; !stop.get(); i++) {
                            long wait = start + i * interval - System.nanoTime();
                            if (wait > 0) {
                                LockSupport.parkNanos(wait); // pacing the workload
                            }
                            workload.step();
                        }
                    } catch (Exception e) {
                        workloadFailure.set(e);
                    }
                }, "backfill-e2e-workload");
                writer.start();
                long backfillStart = System.nanoTime();
                Thread backfillThread = new Thread(runner, "backfill-e2e-application");
                backfillThread.start();
                Duration backfillTime;
                try {
                    // each fault at a seeded point of the backfill's progress, in a seeded order
                    for (int slot = 0; slot < plan.size(); slot++) {
                        long at = Math.round(rows * (0.15 + 0.22 * slot + 0.1 * random.nextDouble()));
                        Fault fault = plan.get(slot);
                        // the backfill waits at the first save past the point until the fault is injected, so
                        // every fault comes before the backfill finished, however fast it runs
                        gate.closeAt(at);
                        Await.every(Duration.ofMillis(5)).untilHolds(Duration.ofMinutes(5), "the backfill past key " + at
                                + " for " + fault, () -> {
                                    checkAlive(runner, workloadFailure);
                                    return front.get() >= at;
                                });
                        assertTrue(runner.finished.get() == null, fault + " comes after the backfill finished");
                        faultsAt.add(fault + "@" + front.get());
                        System.out.printf(Locale.ROOT, "%s seed %d: %s at key %d of %d%n", Instant.now(), seed, fault,
                                front.get(), rows);
                        inject(fault, runner, decoder);
                    }
                    Await.every(Duration.ofMillis(50)).untilHolds(Duration.ofMinutes(10), "the backfill to finish", () -> {
                        checkAlive(runner, workloadFailure);
                        return runner.finished.get() != null;
                    });
                    backfillTime = Duration.ofNanos(System.nanoTime() - backfillStart);
                } finally {
                    gate.open();
                    stop.set(true);
                    writer.join();
                    runner.stopped.set(true);
                    backfillThread.join(TimeUnit.MINUTES.toMillis(1));
                }
                if (workloadFailure.get() != null) {
                    throw workloadFailure.get();
                }
                assertEquals(Boolean.TRUE, runner.finished.get(), "the backfill finished");
                assertEquals(1, runner.crashes, "the backfill crashed once, on purpose");
                assertTrue(workload.transactions > 0, "the workload changed nothing");

                relay.awaitShipped(db.currentBinlogPosition(), Duration.ofSeconds(120));
                awaitCommitted(kafka.admin(), Duration.ofSeconds(180));
                rest.performRequest(new Request("POST", "/" + index + "/_refresh"));
                ProductsOracle.Result check = new ProductsOracle(db, database, rest, index).verify();
                return new RunResult(seed, rows, fill, backfillTime, Duration.ofNanos(System.nanoTime() - runStart),
                        workload.transactions, workload.counts(), relay.rowsRelayed(), runner.runs, runner.outageRestarts,
                        crashPoint, faultsAt, created, existed, removed, lastRate, check);
            } finally {
                for (StreamInstance i : instances) {
                    i.shutdown();
                }
            }
        }

        private void checkAlive(BackfillRunner runner, AtomicReference<Exception> workloadFailure) {
            if (runner.failure.get() != null) {
                throw new AssertionError("the backfill failed", runner.failure.get());
            }
            if (workloadFailure.get() != null) {
                throw new AssertionError("the workload failed", workloadFailure.get());
            }
            for (StreamInstance i : instances) {
                if (!i.crash.crashed && i.pipeline.state() == PipelineState.FAILED) {
                    throw new AssertionError("pipeline " + i.id + " failed", i.pipeline.failure());
                }
            }
        }

        private void inject(Fault fault, BackfillRunner runner, CanalFlatMessageDecoder decoder) throws Exception {
            switch (fault) {
                case CRASH_PIPELINE:
                    instances.get(instances.size() - 1).crash.crashed = true;
                    startInstance(decoder); // takes the partitions once the group evicts the dead one
                    gate.open();
                    break;
                case CRASH_BACKFILL: {
                    int before = runner.runs;
                    runner.armCrash();
                    gate.open(); // the armed crash comes at its point of the chunks still to do
                    // the next backfill started: the crashed one is gone
                    Await.every(Duration.ofMillis(5)).untilHolds(Duration.ofMinutes(2), "the crashed backfill replaced",
                            () -> {
                                if (runner.failure.get() != null) {
                                    throw new AssertionError("the backfill failed", runner.failure.get());
                                }
                                return runner.runs > before || runner.finished.get() != null;
                            });
                    assertTrue(runner.finished.get() == null, "the backfill finished before its crash");
                    break;
                }
                case RESTART_ELASTICSEARCH:
                    es.stop();
                    gate.open(); // the backfill goes on into the outage
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500 + random.nextInt(2500))); // the outage
                    es.start();
                    break;
                default:
                    throw new AssertionError(fault);
            }
        }

        /** Pre-fills the table with {@code rows} rows, before the stream starts. */
        private void fill() throws SQLException {
            Random fillRandom = new Random(seed ^ 0x5eed);
            try (Connection c = db.connect(database)) {
                c.setAutoCommit(false);
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO products (id, name, qty, price, note) VALUES (?,?,?,?,?)")) {
                    for (int id = 1; id <= rows; id++) {
                        ProductsWorkload.bind(ps, id, fillRandom, 1);
                        ps.addBatch();
                        if (id % 2000 == 0) {
                            ps.executeBatch();
                            c.commit();
                        }
                    }
                    ps.executeBatch();
                }
                c.commit();
            }
        }

        private StreamInstance startInstance(CanalFlatMessageDecoder decoder) {
            StreamInstance i = new StreamInstance(instances.size(), this, decoder);
            instances.add(i);
            i.pipeline.start();
            return i;
        }

        /** Waits until the group has committed every record the topic holds now. */
        private void awaitCommitted(Admin admin, Duration timeout) throws Exception {
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                request.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(request).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
            Await.every(Duration.ofMillis(250)).valueOf(timeout, "the group to commit everything up to " + ends, () -> {
                for (StreamInstance i : instances) {
                    if (!i.crash.crashed && i.pipeline.state() == PipelineState.FAILED) {
                        throw new AssertionError("pipeline " + i.id + " failed while catching up", i.pipeline.failure());
                    }
                }
                return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            }, committed -> {
                boolean done = true;
                for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    done &= e.getValue() == 0 || (c != null && c.offset() >= e.getValue());
                }
                return done;
            });
        }

        /** The sink settings of every process of this run (the stream's and the backfill's). */
        ElasticsearchSink newSink() {
            return ElasticsearchSink.builder().hosts(es.httpUrl())
                    .connectTimeout(Duration.ofSeconds(1))
                    .socketTimeout(SOCKET_TIMEOUT)
                    .lateWriteFence(LATE_WRITE_FENCE)
                    .build();
        }

        /**
         * The application running the backfill: one {@link BackfillProcess} after the other until one
         * finishes. A deliberately crashed one is replaced at once; one stopped by a retriable failure
         * (Elasticsearch down) is replaced once Elasticsearch answers; any other failure ends the test.
         */
        private final class BackfillRunner implements Runnable {
            final CrashPoint crashPoint;
            final AtomicReference<Boolean> finished = new AtomicReference<>();
            final AtomicReference<Throwable> failure = new AtomicReference<>();
            final AtomicBoolean stopped = new AtomicBoolean();
            volatile boolean crashArmed;
            volatile int runs;
            volatile int crashes;
            volatile int outageRestarts;

            BackfillRunner(CrashPoint crashPoint) {
                this.crashPoint = crashPoint;
            }

            void armCrash() {
                crashArmed = true;
            }

            @Override
            public void run() {
                try {
                    while (!stopped.get()) {
                        BackfillProcess p = new BackfillProcess(this);
                        runs++;
                        try {
                            boolean done = p.backfill.run();
                            if (done) {
                                finished.set(true);
                                return;
                            }
                        } catch (RuntimeException e) {
                            if (p.crash.crashed) {
                                crashes++;
                                System.out.printf(Locale.ROOT, "%s seed %d: backfill crashed at %s (%s); starting a new one%n",
                                        Instant.now(), seed, crashPoint, e);
                            } else if (retriable(e) && outageRestarts < 10) {
                                outageRestarts++;
                                System.out.printf(Locale.ROOT, "%s seed %d: backfill stopped by a retriable failure, restarting once"
                                        + " Elasticsearch answers: %s%n", Instant.now(), seed, e);
                                Await.every(Duration.ofMillis(100)).untilHolds(Duration.ofMinutes(2), "Elasticsearch back",
                                        this::elasticsearchAnswers);
                            } else {
                                throw e;
                            }
                        } finally {
                            p.close();
                        }
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }

            private boolean elasticsearchAnswers() {
                try {
                    rest.performRequest(new Request("GET", "/_cluster/health"));
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            }

            private boolean retriable(Throwable e) {
                for (Throwable t = e; t != null; t = t.getCause()) {
                    if (t instanceof RetriableSyncException) {
                        return true;
                    }
                }
                return false;
            }
        }

        /**
         * One backfill process: its own data source, sink and checkpoint store (over the shared
         * checkpoint index), each behind a kill switch that, once thrown, refuses every call as a dead
         * process makes none.
         */
        private final class BackfillProcess implements AutoCloseable {
            final ReliabilityIT.Crash crash = new ReliabilityIT.Crash();
            final ElasticsearchSink sink;
            final Backfill backfill;

            BackfillProcess(BackfillRunner runner) {
                sink = newSink();
                sink.start();
                MariaDbDataSource real;
                try {
                    real = new MariaDbDataSource(db.jdbcUrl() + "?user=" + db.user());
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
                DataSource dataSource = (DataSource) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                        new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                            if (crash.crashed) {
                                throw new SQLException("crashed");
                            }
                            try {
                                return method.invoke(real, args);
                            } catch (java.lang.reflect.InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
                CrashingSink crashing = new CrashingSink(sink, runner);
                CrashingStore store = new CrashingStore(ElasticsearchCheckpointStore.of(rest, CHECKPOINTS), runner);
                backfill = Backfill.builder()
                        .dataSource(dataSource)
                        .rules(rules)
                        .sink(crashing)
                        .checkpointStore(store)
                        .chunkSize(rows >= 100_000 ? 1000 : 500)
                        .restartFence(LATE_WRITE_FENCE)
                        .retryBackoff(Duration.ofMillis(100))
                        // the small tables paced so that the workload races them for a while
                        .maxRowsPerSecond(rows >= 100_000 ? 0 : 4000)
                        .build();
            }

            /** Whether the armed crash fires now, at {@code point}. */
            boolean crashesAt(BackfillRunner runner, CrashPoint point) {
                if (runner.crashArmed && runner.crashPoint == point && !crash.crashed) {
                    runner.crashArmed = false;
                    crash.crashed = true;
                    return true;
                }
                return false;
            }

            @Override
            public void close() {
                BackfillProgress p = backfill.progress();
                if (p != null) {
                    // counted per process; a crashed process's last chunk is not in its progress
                    Run.this.addCounts(p);
                }
                sink.close();
            }

            /** The backfill's sink and reader behind the kill switch. */
            private final class CrashingSink implements BulkSink, DocumentReader {
                private final ElasticsearchSink delegate;
                private final BackfillRunner runner;

                CrashingSink(ElasticsearchSink delegate, BackfillRunner runner) {
                    this.delegate = delegate;
                    this.runner = runner;
                }

                @Override
                public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
                    if (crash.crashed) {
                        return CompletableFuture.failedFuture(new SyncException("crashed"));
                    }
                    boolean creates = !actions.isEmpty() && actions.get(0).type() == dev.binlogsync.core.ActionType.CREATE;
                    return delegate.execute(actions).thenCompose(results -> {
                        if (creates && crashesAt(runner, CrashPoint.CREATES_APPLIED_UNANSWERED)) {
                            // the node applied them; the process died before reading the answer
                            return CompletableFuture.failedFuture(new SyncException("crashed"));
                        }
                        return CompletableFuture.completedFuture(results);
                    });
                }

                @Override
                public CompletionStage<List<StoredDocument>> read(List<DocumentRef> refs) {
                    if (crash.crashed) {
                        return CompletableFuture.failedFuture(new SyncException("crashed"));
                    }
                    return delegate.read(refs).thenCompose(docs -> crashesAt(runner, CrashPoint.AFTER_VERIFY_READ)
                            ? CompletableFuture.failedFuture(new SyncException("crashed"))
                            : CompletableFuture.completedFuture(docs));
                }
            }

            /** The checkpoint store behind the kill switch; also tracks the backfill's front. */
            private final class CrashingStore implements CheckpointStore {
                private final CheckpointStore delegate;
                private final BackfillRunner runner;

                CrashingStore(CheckpointStore delegate, BackfillRunner runner) {
                    this.delegate = delegate;
                    this.runner = runner;
                }

                @Override
                @Nullable
                public Checkpoint load(String table) {
                    if (crash.crashed) {
                        throw new SyncException("crashed");
                    }
                    return delegate.load(table);
                }

                @Override
                public void save(String table, Checkpoint checkpoint) {
                    // every save with a last key records the chunks up to it as done
                    if (crash.crashed || (checkpoint.lastKey() != null && crashesAt(runner, CrashPoint.BEFORE_DONE_SAVED))) {
                        throw new SyncException("crashed");
                    }
                    delegate.save(table, checkpoint);
                    if (checkpoint.lastKey() != null) {
                        front.set(((Number) checkpoint.lastKey().get(0)).longValue());
                    }
                    gate.pass(front.get(), () -> crash.crashed || runner.stopped.get());
                    if (!checkpoint.pending().isEmpty() && crashesAt(runner, CrashPoint.AFTER_PENDING_SAVED)) {
                        throw new SyncException("crashed");
                    }
                }
            }
        }

        private long created;
        private long existed;
        private long removed;
        /** Rows per second of the last backfill process, over its whole run. */
        private double lastRate;

        synchronized void addCounts(BackfillProgress p) {
            lastRate = p.rowsPerSecond();
            created += p.created();
            existed += p.existed();
            removed += p.resurrectionsRemoved();
        }
    }

    /**
     * Where the test holds the backfill: closed at a key, it keeps the backfill's checkpoint saves
     * past that key waiting until it is opened again. Thread-safe.
     */
    private static final class Gate {
        private long closedAt = Long.MAX_VALUE;

        /** Saves whose front reaches {@code key} wait from now on. */
        synchronized void closeAt(long key) {
            closedAt = key;
        }

        /** Lets every waiting and later save go on. */
        synchronized void open() {
            closedAt = Long.MAX_VALUE;
            notifyAll();
        }

        /**
         * Waits while the gate is closed at or below {@code front}, unless {@code gone} says the
         * process is gone; gives up after 10 minutes (the test's own waits fail first).
         */
        synchronized void pass(long front, java.util.function.BooleanSupplier gone) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (front >= closedAt && !gone.getAsBoolean() && System.nanoTime() < deadline) {
                try {
                    wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** A pipeline instance of the run's group, crashable as in {@link ReliabilityIT}. */
    private static final class StreamInstance {
        final int id;
        final ReliabilityIT.Crash crash = new ReliabilityIT.Crash();
        final SyncPipeline pipeline;
        final java.util.concurrent.CountDownLatch assigned = new java.util.concurrent.CountDownLatch(1);

        StreamInstance(int id, Run run, CanalFlatMessageDecoder decoder) {
            this.id = id;
            KafkaSource source = KafkaSource.builder()
                    .bootstrapServers(run.kafka.bootstrapServers())
                    .groupId(run.group)
                    .topics(run.topic)
                    .decoder(decoder)
                    .property("client.id", run.group + "-" + id)
                    .property("session.timeout.ms", 6000)
                    .property("heartbeat.interval.ms", 500)
                    .property("max.poll.interval.ms", (int) MAX_POLL_INTERVAL.toMillis())
                    .build();
            this.pipeline = SyncPipeline.builder()
                    .source(new ReliabilityIT.CrashableSource(source, crash))
                    .ruleSet(run.rules)
                    .sink(new ReliabilityIT.CrashableSink(run.newSink(), crash))
                    .retryInitialBackoff(Duration.ofMillis(100)).retryMaxBackoff(Duration.ofSeconds(1))
                    .commitInterval(Duration.ofMillis(500))
                    .drainTimeout(DRAIN_TIMEOUT)
                    .threadName("backfill-e2e-pipeline-" + run.number + "-" + id)
                    .listener(new dev.binlogsync.core.PipelineListener() {
                        @Override
                        public void onPartitionsAssigned(java.util.Collection<String> partitions) {
                            assigned.countDown();
                        }
                    })
                    .build();
        }

        void awaitAssigned() throws InterruptedException {
            assertTrue(assigned.await(60, TimeUnit.SECONDS), "instance " + id + " got no partitions");
        }

        /** Releases a crashed instance's thread (it fails), closes what is left. */
        void shutdown() {
            crash.released.countDown();
            try {
                pipeline.close(DRAIN_TIMEOUT);
            } catch (RuntimeException e) {
                // a crashed instance fails on release; nothing to keep
            }
        }
    }

    private static String summaryRow(RunResult r) {
        return String.format(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.0f | %.0f | %.1f | %d | %d | %d | %d | %s | %s | %d | %d | %d | %d | %d | %d | %d |",
                r.seed(), r.rows(), r.fill().toMillis() / 1000.0, r.backfill().toMillis() / 1000.0,
                r.rows() / Math.max(0.001, r.backfill().toMillis() / 1000.0), r.lastRunRate(), r.total().toMillis() / 1000.0,
                r.transactions(), r.rowsRelayed(), r.backfillRuns(), r.outageRestarts(), r.crashPoint(),
                String.join(" ", r.faultsAt()), r.created(), r.existed(), r.removed(), r.check().documents(),
                r.check().missingCount(), r.check().extraCount(), r.check().staleCount());
    }

    private static String summary(List<RunResult> results, int rate, Duration total) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%n### Backfill end-to-end %s (%d run(s), workload %d tx/s, %.0f s in all)%n%n",
                Instant.now(), results.size(), rate, total.toMillis() / 1000.0));
        b.append("| seed | rows | fill s | backfill s | rows/s | last run rows/s | run s | transactions | row events | backfill runs"
                + " | outage restarts | crash point | faults at key | created | kept stream copy | removed | docs | missing | extra | stale |\n");
        b.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (RunResult r : results) {
            b.append(summaryRow(r)).append('\n');
        }
        for (RunResult r : results) {
            b.append(String.format(Locale.ROOT, "%nseed %d operations: %s", r.seed(), r.ops()));
        }
        b.append(String.format(Locale.ROOT, "%n"));
        return b.toString();
    }

    private static void writeSummary(String table) throws java.io.IOException {
        System.out.println(table);
        Path out = Path.of("target", "backfill-e2e-summary.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, table + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
