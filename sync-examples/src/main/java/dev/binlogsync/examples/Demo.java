package dev.binlogsync.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.PipelineListener;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillListener;
import dev.binlogsync.core.backfill.ProgressReporter;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.elasticsearch.ElasticsearchCheckpointStore;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.examples.testbed.AckTrackingSink;
import dev.binlogsync.examples.testbed.BinlogCanalRelay;
import dev.binlogsync.examples.testbed.BinlogPositionStore;
import dev.binlogsync.elasticsearch.HeartbeatCheck;
import dev.binlogsync.examples.testbed.HeartbeatWriter;
import dev.binlogsync.examples.testbed.KafkaCanalMessageSink;
import dev.binlogsync.kafka.KafkaDeadLetterSink;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.elasticsearch.client.Request;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.common.logging.LogConfigurator;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The demo (README's first command): starts MariaDB with its binlog on, a Kafka broker and an
 * Elasticsearch node, all in-process or as child processes it owns; creates the {@link Shop}
 * schema and fills it with history ({@link ShopWorkload#fillHistory} of
 * {@link Shop#backfilledTables()}: orders over several months, some cancelled, their items in the
 * four item shards, the shipped ones with their shipping rows); relays the binlog into Kafka as Canal flat messages from the position
 * <em>after</em> the fill, so the stream carries only the changes from then on; runs a binlog-sync
 * pipeline from Kafka into Elasticsearch; once the stream is current (a progress interval's p99
 * below {@link #STREAM_CURRENT}, or {@link #FIRST_BACKFILL_AT} into the workload) backfills the existing rows ({@link Backfill}, through the
 * pipeline's rules and sink, yielding to the pipeline: before each chunk it waits while the stream's
 * latency is above {@link #MAX_STREAM_LATENCY}) while the workload inserts, updates and deletes rows (shipping rows
 * also deleted and inserted again), the pre-filled ones included; prints the backfill's progress
 * per table and the workload's (transactions and events per second, consumer lag, end-to-end latency
 * p50/p99 from the MySQL write to the Elasticsearch acknowledgement); then waits for the pipeline to
 * catch up and prints a check of every MySQL row against its document ({@link ShopOracle}: the
 * expected documents computed from MySQL by hand-written SQL, not by the pipeline's rules), a sample
 * search and the heartbeat age. It takes about two minutes and leaves nothing running.
 *
 * <p>Arguments (all optional): {@code --seconds N} (workload duration, default 60), {@code --rate N}
 * (transactions per second, default 200), {@code --seed N} (default 1), {@code --orders N} (orders
 * the shop holds before the stream starts, default 15000), {@code --backfill false} (skip the
 * backfill: the check then finds the pre-filled rows the workload did not touch missing),
 * {@code --yield false} (the backfill does not yield to the stream: chunks back to back). Exit
 * status 0 when every row matched, 1 otherwise.
 */
public final class Demo {

    static final String TOPIC = "shop-binlog";
    static final String DLQ_TOPIC = "shop-binlog-dlq";
    static final String GROUP = "shop-to-es";
    static final int PARTITIONS = 4;
    /** How far back the history filled before the stream starts goes. */
    static final int HISTORY_MONTHS = 6;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Held so the level set on it is not lost to garbage collection. */
    private static final java.util.logging.Logger BINLOG_CLIENT_LOG = java.util.logging.Logger.getLogger("com.github.shyiko.mysql.binlog");

    private Demo() {
    }

    /**
     * What a demo run does.
     *
     * @param workloadTime how long the workload runs
     * @param rate the workload's transactions per second
     * @param seed the seed of the fill and the workload
     * @param historyOrders orders the shop holds before the stream starts (with their items and
     *     shipping rows), over the last {@link #HISTORY_MONTHS} months
     * @param backfill whether the pre-filled rows are backfilled (without, the check finds them
     *     missing unless the workload changed them)
     * @param yieldToStream whether the backfill yields to the pipeline
     *     ({@code Backfill.Builder#yieldTo}, target {@link #MAX_STREAM_LATENCY})
     */
    public record Settings(Duration workloadTime, int rate, long seed, int historyOrders, boolean backfill,
            boolean yieldToStream) {
        /** Settings whose backfill yields to the stream. */
        public Settings(Duration workloadTime, int rate, long seed, int historyOrders, boolean backfill) {
            this(workloadTime, rate, seed, historyOrders, backfill, true);
        }

        /** The defaults: 60 s at 200 transactions/s, seed 1, 15,000 orders of history, backfilled, yielding. */
        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(60), 200, 1, 15_000, true, true);
        }
    }

    /**
     * The stream's latency above which the demo's backfill waits before its next chunk:
     * {@link Backfill#DEFAULT_MAX_STREAM_LATENCY} (5 s), above what the signal reads for a healthy stream.
     */
    public static final Duration MAX_STREAM_LATENCY = Backfill.DEFAULT_MAX_STREAM_LATENCY;
    /** The backfill starts once the p99 of a progress line's interval is below this (the stream is current) ... */
    static final Duration STREAM_CURRENT = Duration.ofSeconds(1);
    /** ... or this long after the workload started, whichever comes first (or when a short workload ends). */
    static final Duration FIRST_BACKFILL_AT = Duration.ofSeconds(20);

    /** Runs the demo; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        quietLogging();
        Map<String, String> options = options(args);
        Settings defaults = Settings.defaults();
        Settings settings = new Settings(
                Duration.ofSeconds(Long.parseLong(options.getOrDefault("seconds", Long.toString(defaults.workloadTime().toSeconds())))),
                Integer.parseInt(options.getOrDefault("rate", Integer.toString(defaults.rate()))),
                Long.parseLong(options.getOrDefault("seed", Long.toString(defaults.seed()))),
                Integer.parseInt(options.getOrDefault("orders", Integer.toString(defaults.historyOrders()))),
                Boolean.parseBoolean(options.getOrDefault("backfill", Boolean.toString(defaults.backfill()))),
                Boolean.parseBoolean(options.getOrDefault("yield", Boolean.toString(defaults.yieldToStream()))));
        System.exit(run(System.out, settings).isClean() ? 0 : 1);
    }

    /**
     * Runs the whole demo, printing to {@code out}.
     *
     * @return the final check of every MySQL row against its Elasticsearch document
     */
    public static ShopOracle.Result run(PrintStream out, Settings settings) throws Exception {
        long t0 = System.nanoTime();
        out.println("binlog-sync demo: MariaDB binlog -> Canal flat messages on Kafka -> binlog-sync -> Elasticsearch");
        out.println("starting MariaDB, Kafka and Elasticsearch ...");
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start();
                EmbeddedKafka kafka = EmbeddedKafka.builder().start();
                EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("demo").build().start();
                RestClient rest = es.newClient()) {
            out.printf(Locale.ROOT, "  MariaDB %s on 127.0.0.1:%d (%s)%n", db.version(), db.port(), db.launcher());
            out.printf(Locale.ROOT, "  Kafka on %s, topic %s with %d partitions%n", kafka.bootstrapServers(), TOPIC, PARTITIONS);
            out.printf(Locale.ROOT, "  Elasticsearch on %s%n", es.httpUrl());
            out.printf(Locale.ROOT, "  ready in %.1f s%n", (System.nanoTime() - t0) / 1e9);

            Shop.createSchema(db);
            kafka.createTopic(TOPIC, PARTITIONS);
            kafka.createTopic(DLQ_TOPIC, 1);
            // a TRUNCATE of a table without a rule is skipped, one of a synced table stops the pipeline
            CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.builder().syncedTables(Shop.syncedTables()).fullRowImage(true).build();
            // in this order: the shop holds data, then the stream starts after it (the existing rows
            // reach the index only through the backfill); the workload goes on from the filled shop
            try (ShopWorkload workload = filledShop(out, db, settings);
                    HeartbeatWriter heartbeat = HeartbeatWriter.start(db, Shop.HEARTBEAT_TABLE, "demo", Duration.ofSeconds(2));
                    BinlogCanalRelay relay = BinlogCanalRelay.builder().mariaDb(db).databases(Set.of(Shop.DATABASE))
                            .positionStore(streamStart(out, db))
                            .sink(KafkaCanalMessageSink.create(kafka.bootstrapServers(), TOPIC)).build().start()) {
                CountDownLatch assigned = new CountDownLatch(1);
                ElasticsearchSink elasticsearch = elasticsearchSink(es);
                AckTrackingSink sink = new AckTrackingSink(elasticsearch, "updated_ms", System::currentTimeMillis);
                Rules rules = Shop.rules();
                SyncPipeline pipeline = SyncPipeline.builder()
                        .source(KafkaSource.builder().bootstrapServers(kafka.bootstrapServers()).groupId(GROUP)
                                .topics(TOPIC).decoder(decoder).build())
                        .ruleSet(rules)
                        .sink(sink)
                        .deadLetterSink(KafkaDeadLetterSink.builder().bootstrapServers(kafka.bootstrapServers())
                                .topic(DLQ_TOPIC).build())
                        .onDecodeFailure(FailurePolicy.DEAD_LETTER)
                        .listener(new PipelineListener() {
                            @Override
                            public void onPartitionsAssigned(Collection<String> partitions) {
                                assigned.countDown();
                            }
                        })
                        .build();
                pipeline.start();
                BackfillThread backfill = null;
                try {
                    // the backfill and the workload start once the pipeline is in its group and the indexes exist
                    if (!assigned.await(60, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the pipeline got no partitions within 60 s: " + pipeline.state(), pipeline.failure());
                    }
                    if (settings.backfill()) {
                        // the pipeline's rules and Elasticsearch sink (the pipeline started it), the stream decoder's values
                        Backfill.Builder builder = Backfill.builder()
                                .dataSource(dataSource(db))
                                .rules(rules)
                                .sink(elasticsearch)
                                .values(decoder.backfillValues())
                                .checkpointStore(ElasticsearchCheckpointStore.of(elasticsearch, "binlog-sync-backfill"))
                                .listener(ProgressReporter.every(Duration.ofSeconds(3), line -> out.println("  backfill " + line)))
                                .listener(new BackfillListener() {
                                    @Override
                                    public void tablesResolved(List<String> tables) {
                                        out.println("backfilling " + tables);
                                    }
                                });
                        if (settings.yieldToStream()) {
                            // before each chunk, waits (at most 10 s) while the stream's latency is above 5 s
                            builder.yieldTo(pipeline, MAX_STREAM_LATENCY);
                        }
                        // named one by one (without table(...) it loads every table the rules match, the
                        // shards of a pattern listed from information_schema)
                        Shop.backfilledTables().forEach(table -> builder.table(Shop.DATABASE, table));
                        // started by the workload's loop once the stream is current (a backfill beside a running stream)
                        backfill = new BackfillThread(out, builder.build(), sink, settings.yieldToStream());
                    } else {
                        out.println("backfill: skipped (--backfill false): the rows filled before the stream reach"
                                + " Elasticsearch only if the workload changes them");
                    }
                    BackfillThread toStart = backfill;
                    runWorkload(out, workload, kafka.admin(), relay, sink, pipeline, settings.workloadTime(),
                            settings.rate(), settings.seed(), toStart == null ? () -> { } : toStart::start);
                    if (backfill != null) {
                        backfill.awaitDone(out);
                        backfill.printStreamLatency(out);
                    }
                    long catchUpStart = System.nanoTime();
                    awaitCaughtUp(db, relay, kafka.admin(), pipeline, Duration.ofSeconds(120));
                    out.printf(Locale.ROOT, "caught up %.1f s after the workload stopped%n", (System.nanoTime() - catchUpStart) / 1e9);
                    refresh(rest);

                    ShopOracle.Result result = ShopOracle.of(db, rest).verify();
                    out.println();
                    out.printf(Locale.ROOT, "check: %d MySQL rows -> %d expected documents; Elasticsearch holds %d%n",
                            result.rows(), result.expected(), result.actual());
                    out.printf(Locale.ROOT, "       missing %d, extra %d, stale %d  => %s%n", result.missingCount(),
                            result.extraCount(), result.staleCount(), result.isClean() ? "EVERY ROW MATCHES" : "MISMATCH");
                    if (!result.isClean()) {
                        printExamples(out, "missing", result.missing());
                        printExamples(out, "extra", result.extra());
                        printExamples(out, "stale", result.stale());
                    }
                    sampleSearch(out, rest);
                    HeartbeatCheck.of(rest, Shop.HEARTBEAT_INDEX).newest().ifPresentOrElse(
                            beat -> out.printf(Locale.ROOT, "heartbeat: newest beat from '%s' is %d ms old%n", beat.id(), beat.age().toMillis()),
                            () -> out.println("heartbeat: none in Elasticsearch yet"));
                    long[] p = sink.percentiles(0, 50, 99);
                    out.printf(Locale.ROOT, "latency MySQL write -> Elasticsearch ack over the run: p50 %d ms, p99 %d ms (%d samples)%n",
                            p.length > 0 ? p[0] : 0, p.length > 0 ? p[1] : 0, sink.samples());
                    out.printf(Locale.ROOT, "done in %.1f s; shutting everything down%n", (System.nanoTime() - t0) / 1e9);
                    return result;
                } finally {
                    if (backfill != null) {
                        backfill.stop(); // done already, unless the demo failed before
                    }
                    pipeline.close();
                }
            }
        }
    }

    /** A workload over the shop filled with {@code historyOrders} orders of history. */
    private static ShopWorkload filledShop(PrintStream out, EmbeddedMariaDb db, Settings settings) throws Exception {
        out.printf(Locale.ROOT, "filling the shop with %d orders over the last %d months, before the stream starts ...%n",
                settings.historyOrders(), HISTORY_MONTHS);
        long start = System.nanoTime();
        // shipping rows deleted and inserted again under the same key, besides the ordinary changes
        ShopWorkload workload = new ShopWorkload(db, settings.seed(), EnumSet.of(ShopWorkload.HardCase.LIVE_SHIPPING_DELETED));
        Map<String, Long> rows = workload.fillHistory(settings.historyOrders(), HISTORY_MONTHS, Shop.backfilledTables());
        out.printf(Locale.ROOT, "  %d rows in %.1f s: %s%n", rows.values().stream().mapToLong(Long::longValue).sum(),
                (System.nanoTime() - start) / 1e9, rows);
        return workload;
    }

    /** Where the relay starts: the binlog's current end. */
    private static BinlogPositionStore streamStart(PrintStream out, EmbeddedMariaDb db) {
        BinlogPositionStore from = BinlogPositionStore.inMemory();
        from.save(db.currentBinlogPosition());
        out.printf(Locale.ROOT, "the stream starts at binlog position %s, after the fill%n", from.load().orElseThrow());
        return from;
    }

    /** The demo server's MariaDB as a {@link DataSource} (the application brings its JDBC driver). */
    private static DataSource dataSource(EmbeddedMariaDb db) throws java.sql.SQLException {
        return new MariaDbDataSource(db.jdbcUrl() + "?user=" + db.user());
    }

    /** The backfill on a thread of its own, as an application runs it beside its pipeline. */
    private static final class BackfillThread {
        private final PrintStream out;
        private final Backfill backfill;
        private final Thread thread;
        private final AckTrackingSink sink;
        private final boolean yielding;
        private volatile long startNanos;
        private volatile long startSample;
        private volatile long endNanos;
        private volatile long endSample;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        BackfillThread(PrintStream out, Backfill backfill, AckTrackingSink sink, boolean yielding) {
            this.out = out;
            this.backfill = backfill;
            this.sink = sink;
            this.yielding = yielding;
            this.thread = new Thread(() -> {
                try {
                    backfill.run();
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    endNanos = System.nanoTime();
                    endSample = sink.samples();
                }
            }, "shop-backfill");
            thread.setDaemon(true);
        }

        /** Starts the backfill; called once. */
        void start() {
            out.printf(Locale.ROOT, "backfill starting while the workload runs%s%n",
                    yielding ? ", yielding to the stream above " + MAX_STREAM_LATENCY.toMillis() + " ms" : "");
            startNanos = System.nanoTime();
            startSample = sink.samples();
            thread.start();
        }

        /** Waits for the backfill to end; throws its failure. */
        void awaitDone(PrintStream out) throws InterruptedException {
            if (thread.isAlive()) {
                out.println("waiting for the backfill to finish ...");
            }
            thread.join();
            if (failure.get() != null) {
                throw new IllegalStateException("the backfill failed: " + failure.get().getMessage(), failure.get());
            }
            out.printf(Locale.ROOT, "backfill done in %.1f s%n", (endNanos - startNanos) / 1e9);
        }

        /** The stream's latency (MySQL write to Elasticsearch ack) while the backfill ran. */
        void printStreamLatency(PrintStream out) {
            long[] p = sink.percentilesBetween(startSample, endSample, 50, 99);
            out.printf(Locale.ROOT, "latency MySQL write -> Elasticsearch ack while the backfill ran: p50 %d ms, p99 %d ms"
                    + " (%d samples)%n", p.length > 0 ? p[0] : 0, p.length > 1 ? p[1] : 0, endSample - startSample);
        }

        /** Makes the backfill stop after its chunk (when the demo ends early) and waits a little for it. */
        void stop() throws InterruptedException {
            backfill.stop();
            thread.join(10_000);
        }
    }

    private static void printExamples(PrintStream out, String kind, List<String> examples) {
        for (String example : examples) {
            out.println("       " + kind + ": " + example);
        }
    }

    /**
     * The servers log a lot at INFO; the demo's own output is the point, so only their warnings
     * (Kafka: errors) are shown.
     */
    static void quietLogging() {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.setProperty("org.slf4j.simpleLogger.log.dev.binlogsync", System.getProperty("org.slf4j.simpleLogger.log.dev.binlogsync", "warn"));
        System.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "error");
        System.setProperty("org.slf4j.simpleLogger.log.kafka", "error");
        LogConfigurator.configureESLogging(); // must precede any other Elasticsearch class
        Configurator.setRootLevel(Level.WARN);
        BINLOG_CLIENT_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    static ElasticsearchSink elasticsearchSink(EmbeddedElasticsearch es) {
        return elasticsearchSinkBuilder(es.httpUrl()).build();
    }

    /** The demo's sink settings (the shop's indexes) for the given host URLs; the caller may add settings. */
    static ElasticsearchSink.Builder elasticsearchSinkBuilder(String... hostUrls) {
        String settings = "\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}";
        return ElasticsearchSink.builder()
                .hosts(hostUrls)
                .ensureIndex(Shop.ORDERS_INDEX, "{" + settings + ",\"mappings\":{\"properties\":{"
                        + "\"customer\":{\"type\":\"keyword\"},\"status\":{\"type\":\"keyword\"},"
                        + "\"total\":{\"type\":\"double\"},\"updated_ms\":{\"type\":\"long\"}}}}")
                // several shards, so a document written with the wrong routing lands beside the right one
                .ensureIndexTemplate("orders_by_month", "{\"index_patterns\":[\"" + Shop.ORDERS_BY_MONTH_PREFIX + "*\"],"
                        + "\"template\":{\"settings\":{\"number_of_shards\":3,\"number_of_replicas\":0},"
                        + "\"mappings\":{\"_routing\":{\"required\":true},\"properties\":{"
                        + "\"customer\":{\"type\":\"keyword\"},\"status\":{\"type\":\"keyword\"},"
                        + "\"total\":{\"type\":\"double\"},\"updated_ms\":{\"type\":\"long\"}}}}}")
                .ensureIndex(Shop.ITEMS_INDEX, "{" + settings + ",\"mappings\":{\"properties\":{"
                        + "\"sku\":{\"type\":\"keyword\"},\"price\":{\"type\":\"double\"},\"updated_ms\":{\"type\":\"long\"}}}}")
                .ensureIndex(Shop.HEARTBEAT_INDEX, "{" + settings + ",\"mappings\":{\"properties\":{"
                        + "\"beat_ms\":{\"type\":\"long\"}}}}");
    }

    private static void runWorkload(PrintStream out, ShopWorkload workload, Admin admin, BinlogCanalRelay relay,
            AckTrackingSink sink, SyncPipeline pipeline, Duration duration, int rate, long seed, Runnable whenStreamCurrent)
            throws Exception {
        out.printf(Locale.ROOT, "running the shop workload for %d s at %d transactions/s (seed %d)%n", duration.toSeconds(), rate, seed);
        out.println("    time    tx/s  relayed rows/s  acked docs/s   lag   p50 ms   p99 ms  pipeline");
        AtomicLong transactions = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                long start = System.nanoTime();
                long interval = 1_000_000_000L / rate;
                for (long i = 0; !stop.get(); i++) {
                    long due = start + i * interval;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait); // pacing the workload, not synchronisation
                    }
                    workload.step();
                    transactions.incrementAndGet();
                }
            } catch (Exception e) {
                failure.set(e);
            }
        }, "shop-workload");
        writer.start();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long lastTx = 0;
        long lastRows = 0;
        long lastAcked = 0;
        long lastSample = 0;
        long lastTime = start;
        boolean current = false;
        while (System.nanoTime() < end && failure.get() == null && pipeline.state() == PipelineState.RUNNING) {
            LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
            long now = System.nanoTime();
            double secs = (now - lastTime) / 1e9;
            long tx = transactions.get();
            long rows = relay.rowsRelayed();
            long acked = sink.acked();
            long samples = sink.samples();
            long[] p = sink.percentiles(lastSample, 50, 99);
            out.printf(Locale.ROOT, "  %5.0fs  %6.0f  %14.0f  %12.0f  %4d  %7s  %7s  %s%n", (now - start) / 1e9,
                    (tx - lastTx) / secs, (rows - lastRows) / secs, (acked - lastAcked) / secs, lag(admin),
                    p.length > 0 ? Long.toString(p[0]) : "-", p.length > 0 ? Long.toString(p[1]) : "-",
                    pipeline.metrics().paused() ? "paused" : "running");
            if (!current && (p.length > 0 && p[1] < STREAM_CURRENT.toMillis() || now - start >= FIRST_BACKFILL_AT.toNanos())) {
                // the stream is past its start (the first bulks of a cold node and JVM): the backfill starts now
                current = true;
                whenStreamCurrent.run();
            }
            lastTx = tx;
            lastRows = rows;
            lastAcked = acked;
            lastSample = samples;
            lastTime = now;
        }
        stop.set(true);
        writer.join();
        if (!current && failure.get() == null && pipeline.state() == PipelineState.RUNNING) {
            whenStreamCurrent.run();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("the workload failed: " + failure.get().getMessage(), failure.get());
        }
        if (pipeline.state() != PipelineState.RUNNING) {
            throw new IllegalStateException("the pipeline stopped: " + pipeline.state(), pipeline.failure());
        }
        out.printf(Locale.ROOT, "workload done: %d transactions, %d rows relayed%n", transactions.get(), relay.rowsRelayed());
    }

    /** Records the group has not committed yet, over all partitions of the topic. */
    static long lag(Admin admin) {
        try {
            Map<TopicPartition, Long> ends = endOffsets(admin);
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            long lag = 0;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                lag += e.getValue() - (c == null ? 0 : c.offset());
            }
            return lag;
        } catch (Exception e) {
            return -1;
        }
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            request.put(new TopicPartition(TOPIC, p), OffsetSpec.latest());
        }
        Map<TopicPartition, Long> ends = new HashMap<>();
        admin.listOffsets(request).all().get(10, TimeUnit.SECONDS).forEach((tp, info) -> ends.put(tp, info.offset()));
        return ends;
    }

    /**
     * Waits until the relay has shipped the whole binlog and the group has committed every record
     * written until then (a commit happens only after Elasticsearch acknowledged the documents).
     */
    static void awaitCaughtUp(EmbeddedMariaDb db, BinlogCanalRelay relay, Admin admin, SyncPipeline pipeline, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        relay.awaitShipped(db.currentBinlogPosition(), timeout);
        Map<TopicPartition, Long> ends = endOffsets(admin);
        while (true) {
            if (pipeline.state() != PipelineState.RUNNING) {
                throw new IllegalStateException("the pipeline stopped: " + pipeline.state(), pipeline.failure());
            }
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            boolean done = true;
            for (Map.Entry<TopicPartition, Long> e : ends.entrySet()) {
                OffsetAndMetadata c = committed.get(e.getKey());
                if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) {
                    done = false;
                }
            }
            if (done) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("not caught up within " + timeout + ": end offsets " + ends + ", committed " + committed);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200)); // polling with a deadline
        }
    }

    static void refresh(RestClient rest) throws Exception {
        rest.performRequest(new Request("POST", "/" + Shop.ORDERS_INDEX + "," + Shop.ORDERS_BY_MONTH_PREFIX + "*," + Shop.ITEMS_INDEX
                + "," + Shop.HEARTBEAT_INDEX + "/_refresh"));
    }

    private static void sampleSearch(PrintStream out, RestClient rest) throws Exception {
        Request search = new Request("POST", "/" + Shop.ORDERS_INDEX + "/_search");
        search.setJsonEntity("{\"size\":3,\"query\":{\"bool\":{\"filter\":[{\"term\":{\"status\":\"SHIPPED\"}},"
                + "{\"term\":{\"customer\":\"ada\"}}]}},\"sort\":[{\"total\":\"desc\"}]}");
        out.println("sample search: ada's three largest shipped orders (status = SHIPPED AND customer = ada, by total)");
        try (InputStream in = rest.performRequest(search).getEntity().getContent()) {
            JsonNode hits = JSON.readTree(in).path("hits");
            out.printf(Locale.ROOT, "  %d matching orders%n", hits.path("total").path("value").asLong());
            for (JsonNode hit : hits.path("hits")) {
                JsonNode s = hit.path("_source");
                out.printf(Locale.ROOT, "  order %s  total %s  items %s  shipped by %s, tracking %s%n", hit.path("_id").asText(),
                        s.path("total").asText(), s.path("items").asText(), s.path("shipping").path("carrier").asText("-"),
                        s.path("shipping").path("tracking").asText("-"));
            }
        }
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Demo [--seconds N] [--rate N] [--seed N] [--orders N] [--backfill true|false] [--yield true|false];"
                        + " bad argument: " + args[i]);
            }
            options.put(args[i].substring(2), args[++i]);
        }
        return options;
    }
}
