package dev.binlogsync.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.PipelineSettings;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.rules.WriteMode;
import dev.binlogsync.core.testing.Await;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.internal.BulkResponseParser;
import dev.binlogsync.kafka.KafkaSource;
import dev.binlogsync.kafka.StartPosition;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import javax.annotation.Nullable;
import org.apache.http.entity.ByteArrayEntity;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.util.EntityUtils;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;

/**
 * End-to-end benchmark (not JMH) on the in-process servers: N Canal flat messages of a realistic
 * {@code shop.orders} workload (inserts, then updates, deletes and re-inserts over a key space of
 * N/4 ids, one row per message, partitioned by id as Canal's {@code partitionHash} does) are
 * pre-loaded into a Kafka topic; the pipeline ({@link KafkaSource} + {@link CanalFlatMessageDecoder}
 * + {@link Rules} + {@link ElasticsearchSink}) drains them into Elasticsearch. In the same run the
 * same final documents are bulk-loaded raw (pre-encoded bodies, bare REST client) with the best of
 * several batch sizes: the ceiling. The bare replay ({@code bare=true}) loads every change as its
 * own pre-encoded action ({@code index} for an insert, {@code update} with the full row for an
 * update, {@code delete} for a delete) in {@value #BARE_LANES} lanes by document id: the yardstick
 * of a loader without this library. The replay ({@code replay=true}) loads every change as the
 * rules make it (write mode INDEX), in as many lanes as requests in flight. Then a second pipeline
 * on a fresh topic takes messages produced at a steady moderate rate, stamped with the send time as
 * binlog time, for the latency figures.
 *
 * <p>Prints throughput (events/s), the ratios to the ceiling and to the replays, CPU time per event
 * of the pipeline's threads (pipeline thread, REST client I/O threads, consumer background threads)
 * against the Elasticsearch node's threads and the whole process, the CPU per event of the
 * pipeline's process (all its threads: consumer, pipeline, HTTP I/O, GC, JIT; measured with
 * {@code servers=processes}, estimated otherwise, see {@link ProcessCpu}), the peak RSS (VmHWM) and
 * the heap setting, the peak heap and the pipeline's peak buffered bytes, and the sync latency
 * p50/p99/max.
 *
 * <p>Args (all optional): {@code n=100000 partitions=3 batch=(the library's default: 4000 from a 1 GiB heap) flushMs=200 inFlight=2
 * rate=1000 rateSeconds=20 rounds=5 warm=n warmRounds=3 buffer=0 servers=in-process serverHeap=2g replay=(n <= 200000) bare=true writeMode=INDEX sweep=false sweepRateSeconds=10 svg=docs/bench/end-to-end-sweep.svg};
 * for {@code sweep=lanes} also {@code sweepLanes sweepInFlight sweepBulk repetitions=3 setup combineWith}.
 * With {@code sweep=true} it also runs every combination of batch size {250, 1000, 4000} and
 * flush interval {50, 200, 1000} ms (backlog throughput and steady-rate latency each) and writes a
 * hand-made SVG chart. Command: {@code sync-benchmarks/run-end-to-end.sh n=100000}.
 *
 * <p>With {@code sweep=lanes} the run does only backlog drains (no ceiling, replays, rounds or
 * latency run): after {@code warmRounds} warm-up drains at today's defaults, which also give the
 * sweep's time estimate ({@code ESTIMATE} line), it drains the pre-loaded topic at every point of
 * lanes {@code sweepLanes=1,2,4,8} x requests in flight {@code sweepInFlight=1,2,4} (only lanes
 * &gt;= in-flight, as the library requires) x maxBulkActions {@code sweepBulk=500,1000,4000},
 * {@code repetitions=3} times in interleaved order (every point once, then every point again, every
 * other repetition backwards; see {@link LanesSweep}). Everything else is the library's default:
 * the write mode (unless {@code writeMode=}), maxBulkBytes, maxBufferedActions (unless
 * {@code buffer=}), the flush interval (unless {@code flushMs=}) and the consumer's
 * {@code max.poll.records} (unless {@code consumer.max.poll.records=}). Each drain is checked to
 * leave exactly the live documents. It prints a {@code RESULT lanes-sweep run} line per drain, a
 * {@code RESULT lanes-sweep point} line per point (median, lowest, highest, spread), whether the
 * maxBulkBytes bound was reached, a table, and the {@code DECISION} lines: the points within 5% of
 * the best, and where today's defaults stand. It writes the chart to
 * {@code docs/bench/end-to-end-lanes-sweep-<setup>.svg} ({@code svg=} to change it) and the figures
 * to the same name with {@code .csv}; the setup is {@code servers} plus {@code -escpus<cpus>} with
 * {@code esCpus} ({@code setup=} to name it). {@code combineWith=a.csv[,b.csv]} adds the setups of
 * earlier runs to the decision: the points within 5% on every setup (or, if none, the one with the
 * highest worst share of a setup's best); {@code LanesSweep}'s main prints the same from CSVs.
 * Both setups, one after the other (G1 named, since a JVM that sees one CPU would pick the serial
 * collector):
 * <pre>
 * export JAVA_OPTS="-Xmx2g -XX:+UseG1GC"
 * sync-benchmarks/run-end-to-end.sh n=1000000 sweep=lanes servers=processes \
 *   &amp;&amp; taskset -c 0 sync-benchmarks/run-end-to-end.sh n=1000000 sweep=lanes servers=processes esCpus=1 \
 *      combineWith=docs/bench/end-to-end-lanes-sweep-processes.csv
 * </pre>
 *
 * <p>With {@code servers=processes} the broker and the node each run in a JVM of their own
 * ({@link BenchServers}, {@code serverHeap} each), so the benchmark's JVM holds only the pipeline
 * (and the loaders of the ceiling and the replay), as in a deployment; the node's and broker's CPU
 * is then their whole process's, and a further line compares whole processes. {@code esCpus=1}
 * (Linux, with {@code servers=processes}) pins the node's process to those CPUs with {@code taskset};
 * run the script itself under {@code taskset -c 0} to give the node a core of its own.
 */
public final class EndToEndBenchmark {
    private static final String TABLE_TOPIC = "canal.shop.orders";
    private static final String[] STATUSES = {"NEW", "PAID", "PACKED", "SHIPPED", "DELIVERED", "CANCELLED"};
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    /** {@code buffer=}: maxBufferedActions of every pipeline; 0 = the default (or 2 full bulks per request slot if more). */
    private static int bufferedActions;
    /** {@code writeMode=}: the write mode of every pipeline's rule; null for the library's default. */
    @Nullable private static WriteMode pipelineWriteMode;
    /**
     * Whether the pipeline's consumer reads {@code max(500, batch)} records per poll (the benchmark's
     * figures); false in the lanes sweep, which leaves the consumer's default (500) as a deployment
     * at the library's defaults has it. A {@code consumer.max.poll.records=} argument wins either way.
     */
    private static boolean pollRecordsFromBatch = true;
    /** Extra Kafka consumer settings ({@code consumer.<name>=<value>} arguments), for the pipeline and the floor. */
    private static final Map<String, String> consumerProperties = new LinkedHashMap<>();

    private EndToEndBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.dev.binlogsync", "info");
        run(args);
    }

    /**
     * What a run measured, for the smoke test; medians over the rounds, 0 without rounds.
     *
     * @param medianBareEventsPerSecond the bare replay's rate; 0 also with {@code bare=false}
     * @param medianProcessCpuMicros CPU of the pipeline's process per event, us
     * @param peakRss the highest peak RSS of the rounds' drains, bytes; -1 where {@code /proc} is missing
     */
    record Summary(double medianEventsPerSecond, LatencyResult latency, double medianBareEventsPerSecond,
            double medianProcessCpuMicros, long peakRss) {
    }

    /**
     * Runs the benchmark; throws when a check fails (an index not holding exactly the live
     * documents, a pipeline that stopped or did not drain, a raw bulk with item errors).
     */
    static Summary run(String[] args) throws Exception {
        int n = intArg(args, "n", 100_000);
        int partitions = intArg(args, "partitions", 3);
        int batch = intArg(args, "batch", PipelineSettings.defaults().maxBulkActions());
        int flushMs = intArg(args, "flushMs", (int) PipelineSettings.DEFAULT_FLUSH_INTERVAL.toMillis());
        int inFlight = intArg(args, "inFlight", PipelineSettings.DEFAULT_MAX_IN_FLIGHT_REQUESTS);
        int rate = intArg(args, "rate", 1000);
        int rateSeconds = intArg(args, "rateSeconds", 20);
        String sweepMode = stringArg(args, "sweep", "false");
        if (!List.of("false", "true", "lanes").contains(sweepMode)) {
            throw new IllegalArgumentException("sweep must be false, true or lanes: " + sweepMode);
        }
        boolean sweep = sweepMode.equals("true");
        boolean lanesSweep = sweepMode.equals("lanes");
        int sweepRateSeconds = intArg(args, "sweepRateSeconds", 10);
        int rounds = intArg(args, "rounds", 5);
        int warm = intArg(args, "warm", n);
        int warmRounds = intArg(args, "warmRounds", 3);
        // the lanes sweep drains only: no replays, no ceiling, no latency run
        boolean replay = !lanesSweep
                && Boolean.parseBoolean(stringArg(args, "replay", String.valueOf(n <= 200_000)));
        boolean bare = !lanesSweep && Boolean.parseBoolean(stringArg(args, "bare", "true"));
        // the lanes sweep measures the library's defaults apart from the swept settings
        bufferedActions = intArg(args, "buffer", lanesSweep ? PipelineSettings.DEFAULT_MAX_BUFFERED_ACTIONS : 0);
        pipelineWriteMode = writeMode(stringArg(args, "writeMode", lanesSweep ? "default" : WriteMode.INDEX.name()));
        pollRecordsFromBatch = !lanesSweep;
        String serversMode = stringArg(args, "servers", "in-process");
        String childHeap = stringArg(args, "serverHeap", "2g");
        String esCpus = stringArg(args, "esCpus", null);
        boolean floors = Boolean.parseBoolean(stringArg(args, "floor", "true"));
        consumerProperties.clear();
        for (String a : args) {
            if (a.startsWith("consumer.") && a.indexOf('=') > 0) {
                consumerProperties.put(a.substring("consumer.".length(), a.indexOf('=')), a.substring(a.indexOf('=') + 1));
            }
        }
        Path svg = Path.of(stringArg(args, "svg", "docs/bench/end-to-end-sweep.svg"));
        THREADS.setThreadCpuTimeEnabled(true);
        System.out.printf(Locale.ROOT, "n=%d partitions=%d batch=%d flushMs=%d inFlight=%d rate=%d/s for %ds "
                        + "servers=%s java=%s cores=%d maxHeap=%dMiB%n", n, partitions, batch, flushMs, inFlight, rate,
                rateSeconds, serversMode,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.println("pipeline rule: shop.orders, write mode " + (pipelineWriteMode == null
                ? "not set (the library's default)" : pipelineWriteMode.name()) + " (writeMode=)");

        try (BenchServers servers = BenchServers.start(serversMode, childHeap, esCpus);
                RestClient client = servers.newClient();
                // the replays' and the ceiling's bodies are encoded before the rounds and kept in files,
                // so the heap and the RSS measured during the drains hold no copy of the workload
                LaneFiles replayFiles = replay ? LaneFiles.create("orders-replay", inFlight, batch) : null;
                LaneFiles bareFiles = bare ? LaneFiles.create("orders-bare", BARE_LANES, batch) : null;
                CeilingFiles ceilingFiles = new CeilingFiles()) {
            current = servers;
            servers.createTopic(TABLE_TOPIC, partitions);
            long t0 = System.nanoTime();
            Workload w = preload(servers, n, partitions, replayFiles, bareFiles);
            if (replayFiles != null) {
                replayFiles.finish();
            }
            if (bareFiles != null) {
                bareFiles.finish();
            }
            if (!lanesSweep) {
                ceilingFiles.write(w);
            }
            int live = w.live();
            System.out.printf(Locale.ROOT, "pre-loaded %,d messages (%,d inserts, %,d updates, %,d deletes; %,d live "
                            + "documents at the end) in %.1f s%n", n, w.inserts, w.updates, w.deletes, live,
                    (System.nanoTime() - t0) / 1e9);

            if (lanesSweep) {
                lanesSweep(args, servers, client, n, live, flushMs, warm, warmRounds,
                        stringArg(args, "setup", serversMode + (esCpus == null ? ""
                                : "-escpus" + esCpus.replaceAll("[^A-Za-z0-9-]", "_"))));
                return new Summary(0, new LatencyResult(0, 0, 0, 0, 0, 0, 0, 0), 0, 0, -1);
            }

            // warm-up of the JIT and of the node on both paths, discarded
            // on 2 cores the JIT keeps compiling the broker's and the node's code for about a minute:
            // the first rounds after a single warm-up ran 2x slower than the later ones
            for (int i = 0; i < warmRounds; i++) {
                drain(servers, client, "warm-" + i, batch, flushMs, inFlight, warm, warm >= n ? live : -1);
                ceiling(client, ceilingFiles, live);
                if (replayFiles != null) {
                    load(client, replayFiles, live);
                }
                if (bareFiles != null) {
                    load(client, bareFiles, live);
                }
            }

            // rounds: pipeline then ceiling, back to back, so both see about the same machine load
            List<Double> ratios = new ArrayList<>();
            List<Double> replayRatios = new ArrayList<>();
            List<Double> rates = new ArrayList<>();
            List<Double> bareRates = new ArrayList<>();
            List<Double> processCpus = new ArrayList<>();
            long peakRss = -1;
            for (int round = 0; round < rounds; round++) {
                BacklogResult run = drain(servers, client, "main-" + round, batch, flushMs, inFlight, n, w.live());
                Ceiling ceiling = ceiling(client, ceilingFiles, live);
                RawRun replayed = replayFiles != null ? load(client, replayFiles, live) : null;
                RawRun bareRun = bareFiles != null ? load(client, bareFiles, live) : null;
                Floor floor = floors ? floor(servers, "main-" + round, batch, n) : null;
                double ratio = 100.0 * (n / run.seconds) / (live / ceiling.seconds);
                ratios.add(ratio);
                rates.add(n / run.seconds);
                System.out.printf(Locale.ROOT, "RESULT round %d pipeline: %,d events in %.2f s from the first record "
                                + "(%.2f s incl. group join) = %,.0f events/s; %,d actions sent after %,d coalesced; "
                                + "bulk p50 %d ms%n", round, n, run.seconds, run.secondsWithJoin, n / run.seconds,
                        run.metrics.actions() - run.metrics.coalesced(), run.metrics.coalesced(),
                        run.metrics.bulkDuration().p50().toMillis());
                System.out.printf(Locale.ROOT, "RESULT round %d ceiling: %,d final documents raw, best batch %d: "
                                + "%.2f s = %,.0f docs/s (batches tried: %s)%n", round, live, ceiling.batch,
                        ceiling.seconds, live / ceiling.seconds, ceiling.tried);
                System.out.printf(Locale.ROOT, "RESULT round %d ratio: pipeline events/s / raw docs/s = %.1f%%; raw "
                                + "time for the final documents / pipeline time to the same final state = %.1f%%%n",
                        round, ratio, 100.0 * ceiling.seconds / run.seconds);
                System.out.printf(Locale.ROOT, "RESULT round %d ceiling cpu: Elasticsearch threads %.1f us/doc, GC/JIT/VM "
                                + "and other threads %.1f us/doc, whole process %.1f us/doc (best batch, final documents)%n",
                        round, ceiling.run.elasticsearchCpu / 1e3 / live,
                        (ceiling.run.processCpu - ceiling.run.elasticsearchCpu) / 1e3 / live,
                        ceiling.run.processCpu / 1e3 / live);
                if (replayed != null) {
                    replayRatios.add(100.0 * replayed.seconds / run.seconds);
                    System.out.printf(Locale.ROOT, "RESULT round %d replay: every change (%,d actions, uncoalesced, per-id "
                                    + "order kept: %d sequential lanes by id) raw at batch %d: %.2f s = %,.0f events/s; "
                                    + "pipeline / replay = %.1f%%; replay Elasticsearch %.1f us/event, whole process %.1f "
                                    + "us/event%n", round, replayFiles.actions(), inFlight, batch, replayed.seconds,
                            replayFiles.actions() / replayed.seconds, 100.0 * replayed.seconds / run.seconds,
                            replayed.elasticsearchCpu / 1e3 / replayFiles.actions(),
                            replayed.processCpu / 1e3 / replayFiles.actions());
                }
                if (bareRun != null) {
                    double bareRate = n / bareRun.seconds;
                    bareRates.add(bareRate);
                    System.out.printf(Locale.ROOT, "RESULT round %d bare replay: every change as its own pre-encoded "
                                    + "action (%,d index for the inserts, %,d update with the full row for the updates, "
                                    + "%,d delete for the deletes), %d lanes by id, each sending its bodies one after "
                                    + "the other, batch %d: %.2f s = %,.0f events/s; pipeline / bare replay = %.2fx; bare "
                                    + "replay Elasticsearch %.1f us/event, whole %s %.1f us/event%n", round,
                            bareFiles.count(ActionType.INDEX), bareFiles.count(ActionType.UPDATE),
                            bareFiles.count(ActionType.DELETE), BARE_LANES, batch, bareRun.seconds, bareRate,
                            (n / run.seconds) / bareRate, bareRun.elasticsearchCpu / 1e3 / n,
                            servers.external() ? "three processes" : "process", bareRun.processCpu / 1e3 / n);
                }
                System.out.printf(Locale.ROOT, "RESULT round %d cpu: pipeline threads %.1f us/event (%s), "
                                + "Elasticsearch %s %.1f us/event, Kafka broker and other Java threads %.1f "
                                + "us/event, GC/JIT/VM (process minus Java threads) %.1f us/event, whole %s %.1f "
                                + "us/event; pipeline = %.1f%% of Elasticsearch's CPU, %.1f%% of the process's%n",
                        round, run.cpu.pipeline / 1e3 / n, run.cpu.pipelineThreads,
                        servers.external() ? "process" : "threads", run.cpu.elasticsearch / 1e3 / n,
                        run.cpu.other / 1e3 / n,
                        (run.cpu.process - run.cpu.pipeline - run.cpu.elasticsearch - run.cpu.other) / 1e3 / n,
                        servers.external() ? "three processes" : "process", run.cpu.process / 1e3 / n,
                        100.0 * run.cpu.pipeline / run.cpu.elasticsearch, 100.0 * run.cpu.pipeline / run.cpu.process);
                if (servers.external()) {
                    long pipelineJvm = run.cpu.process - run.cpu.serverProcesses;
                    System.out.printf(Locale.ROOT, "RESULT round %d cpu by process: the pipeline's JVM %.1f us/event "
                                    + "(all its threads, GC and JIT), Elasticsearch's %.1f us/event, Kafka's %.1f "
                                    + "us/event; pipeline JVM = %.1f%% of Elasticsearch's process%n", round,
                            pipelineJvm / 1e3 / n, run.cpu.elasticsearch / 1e3 / n,
                            (run.cpu.serverProcesses - run.cpu.elasticsearch) / 1e3 / n,
                            100.0 * pipelineJvm / run.cpu.elasticsearch);
                    if (run.cpu.gc >= 0) {
                        // "other" is the broker's process plus this JVM's remaining Java threads: the benchmark's own
                        long benchmarkThreads = run.cpu.other - (run.cpu.serverProcesses - run.cpu.elasticsearch);
                        long rest = pipelineJvm - run.cpu.pipeline - benchmarkThreads - run.cpu.gc - run.cpu.jit
                                - run.cpu.vm;
                        System.out.printf(Locale.ROOT, "RESULT round %d the pipeline's JVM split: pipeline threads %.1f, "
                                        + "GC threads %.1f, JIT compiler threads %.1f, VM threads %.1f, the benchmark's own "
                                        + "Java threads %.1f, unaccounted %.1f us/event; without the benchmark's threads "
                                        + "the JVM = %.1f%% of Elasticsearch's process%n", round,
                                run.cpu.pipeline / 1e3 / n, run.cpu.gc / 1e3 / n, run.cpu.jit / 1e3 / n,
                                run.cpu.vm / 1e3 / n, benchmarkThreads / 1e3 / n, rest / 1e3 / n,
                                100.0 * (pipelineJvm - benchmarkThreads) / run.cpu.elasticsearch);
                    }
                }
                if (floor != null) {
                    double pipelineThread = run.cpu.pipelineThreadOnly / 1e3 / n;
                    System.out.printf(Locale.ROOT, "RESULT round %d floor: on one thread, a bare KafkaConsumer with the "
                                    + "same settings %.1f us/record (%,.0f B/record), plus Canal decoding %.1f us/record "
                                    + "(%,.0f B/record); the pipeline thread %.1f us/event, so rules, buffer, encoding, "
                                    + "HTTP and bookkeeping %.1f us/event; consumer = %.0f%%, decoding = %.0f%%, the rest "
                                    + "= %.0f%% of the pipeline thread%n", round, floor.consumeNanos / 1e3 / n,
                            (double) floor.consumeAllocated / n, floor.decodeNanos / 1e3 / n,
                            (double) floor.decodeAllocated / n, pipelineThread,
                            pipelineThread - floor.decodeNanos / 1e3 / n,
                            100.0 * floor.consumeNanos / run.cpu.pipelineThreadOnly,
                            100.0 * (floor.decodeNanos - floor.consumeNanos) / run.cpu.pipelineThreadOnly,
                            100.0 * (run.cpu.pipelineThreadOnly - floor.decodeNanos) / run.cpu.pipelineThreadOnly);
                }
                ProcessCpu pc = run.cpu.pipelineProcess;
                processCpus.add(pc.total / 1e3 / n);
                if (pc.estimate) {
                    System.out.printf(Locale.ROOT, "RESULT round %d process cpu: the pipeline's process %.1f us/event, "
                                    + "an estimate (the servers share this JVM): pipeline threads %.1f + their share of "
                                    + "this JVM's GC (%.0f%%, by allocation) and of its JIT, VM and other native threads "
                                    + "(%.0f%%, by Java-thread CPU) %.1f; bounds %.1f (pipeline threads only) to %.1f "
                                    + "(with all of the JVM's own threads); servers=processes measures it%n", round,
                            pc.total / 1e3 / n, pc.pipelineThreads / 1e3 / n, 100 * pc.gcShare, 100 * pc.cpuShare,
                            (pc.total - pc.pipelineThreads) / 1e3 / n, pc.pipelineThreads / 1e3 / n,
                            (pc.pipelineThreads + pc.jvmOwn) / 1e3 / n);
                } else {
                    System.out.printf(Locale.ROOT, "RESULT round %d process cpu: the pipeline's process %.1f us/event, "
                                    + "measured: this JVM's CPU (all threads) %.1f minus the benchmark's own Java threads "
                                    + "%.1f: pipeline threads %.1f + GC, JIT, VM and other native threads %.1f%n", round,
                            pc.total / 1e3 / n, pc.ownProcess / 1e3 / n, pc.harness / 1e3 / n,
                            pc.pipelineThreads / 1e3 / n, pc.jvmOwn / 1e3 / n);
                }
                peakRss = Math.max(peakRss, run.peakRss);
                System.out.printf(Locale.ROOT, "RESULT round %d rss: peak RSS %s during the drain (%s), %s in this "
                                + "process's life so far; %s; live heap after a full GC before the drain %d MiB (%s); "
                                + "%s%n", round, mib(run.peakRss), run.rssReset ? "VmHWM, reset before it"
                                : "VmHWM of the process's life: resetting it failed", mib(run.peakRssLifetime),
                        servers.external()
                                ? "this JVM holds the pipeline and the benchmark's loaders (idle meanwhile)"
                                : "this JVM holds the broker and the node too: not the pipeline's alone",
                        run.liveHeapBefore >> 20, servers.external() ? "the benchmark's own data"
                                : "the servers' and the benchmark's data", heapSetting());
                System.out.printf(Locale.ROOT, "RESULT round %d allocation: the pipeline thread allocated %,.0f "
                                + "bytes/event; this JVM ran %d garbage collections, %d ms in all%n", round,
                        (double) run.pipelineAllocated / n, run.gcCount, run.gcMillis);
                System.out.printf(Locale.ROOT, "RESULT round %d memory: peak used heap %d MiB (%s, sampled every 5 "
                                + "ms), max heap %d MiB; pipeline peak buffered %,d actions / %.1f MiB%n", round,
                        run.peakHeap >> 20, servers.external() ? "the pipeline's JVM" : "whole JVM incl. both servers",
                        Runtime.getRuntime().maxMemory() >> 20, run.peakBufferedActions,
                        run.peakBufferedBytes / 1048576.0);
            }
            if (rounds > 0) System.out.printf(Locale.ROOT, "RESULT median of %d rounds: %,.0f events/s, %.1f%% of the raw docs/s%s%n",
                    rounds, median(rates), median(ratios), replayRatios.isEmpty() ? ""
                            : String.format(Locale.ROOT, ", %.1f%% of the raw replay of every change",
                                    median(replayRatios)));
            if (rounds > 0) {
                System.out.printf(Locale.ROOT, "RESULT median of %d rounds, process: the pipeline's process %.1f us "
                                + "CPU/event (%s); peak RSS %s (%s, the highest of the rounds' drains); %s%n", rounds,
                        median(processCpus), servers.external() ? "measured, servers in processes of their own"
                                : "estimated, servers in this JVM", mib(peakRss),
                        servers.external() ? "the pipeline's JVM" : "whole JVM incl. both servers", heapSetting());
            }
            if (rounds > 0 && !bareRates.isEmpty()) {
                System.out.printf(Locale.ROOT, "RESULT median of %d rounds, bare replay: %,.0f events/s; pipeline "
                                + "%,.0f events/s = %.2fx the bare replay (median of the rounds' ratios %.2fx)%n", rounds,
                        median(bareRates), median(rates), median(rates) / median(bareRates), medianRatio(rates, bareRates));
            }

            KafkaProducer<byte[], byte[]> rateProducer = producer(servers);
            LatencyResult lat = steadyRate(servers, client, "main", batch, flushMs, inFlight, partitions, rate,
                    rateSeconds, rateProducer);
            System.out.printf(Locale.ROOT, "RESULT latency at %d events/s for %d s (batch %d, flush %d ms): p50 %d ms, "
                            + "p99 %d ms, max %d ms over %,d events; %,d bulk requests; CPU per event: pipeline threads "
                            + "%.1f us, Elasticsearch threads %.1f us, whole process %.1f us%n", rate, rateSeconds, batch,
                    flushMs, lat.p50, lat.p99, lat.max, lat.count, lat.bulks, lat.pipelineCpu, lat.esCpu,
                    lat.processCpu);

            if (sweep) {
                int[] batches = {250, 1000, 4000};
                int[] flushes = {50, 200, 1000};
                List<double[]> rows = new ArrayList<>();
                for (int b : batches) {
                    for (int f : flushes) {
                        BacklogResult r = drain(servers, client, "sweep-" + b + "-" + f, b, f, inFlight, n, w.live());
                        LatencyResult l = steadyRate(servers, client, "sweep-" + b + "-" + f, b, f, inFlight,
                                partitions, rate, sweepRateSeconds, rateProducer);
                        rows.add(new double[] {b, f, n / r.seconds, l.p50, l.p99});
                        System.out.printf(Locale.ROOT, "RESULT sweep batch=%d flushMs=%d: %,.0f events/s, latency "
                                + "p50 %d ms p99 %d ms; at the rate %,d bulks, Elasticsearch %.1f us/event, pipeline %.1f "
                                + "us/event%n", b, f, n / r.seconds, l.p50, l.p99, l.bulks, l.esCpu, l.pipelineCpu);
                    }
                }
                Files.createDirectories(svg.toAbsolutePath().getParent());
                Files.writeString(svg, Svg.chart(rows, batches, flushes, n, rate));
                System.out.println("wrote " + svg);
            }
            rateProducer.close();
            return new Summary(rates.isEmpty() ? 0 : median(rates), lat,
                    bareRates.isEmpty() ? 0 : median(bareRates), processCpus.isEmpty() ? 0 : median(processCpus), peakRss);
        }
    }

    /** The grid of {@code sweep=lanes} unless {@code sweepLanes=}, {@code sweepInFlight=}, {@code sweepBulk=} say otherwise. */
    static final int[] SWEEP_LANES = {1, 2, 4, 8};
    static final int[] SWEEP_IN_FLIGHT = {1, 2, 4};
    static final int[] SWEEP_BULK = {500, 1000, 4000};

    /**
     * {@code sweep=lanes}: backlog drains of the pre-loaded topic over lanes x requests in flight x
     * maxBulkActions ({@link LanesSweep#points}), {@code repetitions} runs of each in interleaved
     * order ({@link LanesSweep#interleaved}), every other setting the library's default; prints a
     * RESULT line per run and per point, the table and the decision, writes the chart and the CSV,
     * and with {@code combineWith=} (CSVs of other setups) the decision over every setup.
     */
    private static void lanesSweep(String[] args, BenchServers servers, RestClient client, int n, int live,
            int flushMs, int warm, int warmRounds, String setup) throws Exception {
        List<LanesSweep.Point> points = LanesSweep.points(intsArg(args, "sweepLanes", SWEEP_LANES),
                intsArg(args, "sweepInFlight", SWEEP_IN_FLIGHT), intsArg(args, "sweepBulk", SWEEP_BULK));
        int repetitions = intArg(args, "repetitions", 3);
        List<LanesSweep.Point> order = LanesSweep.interleaved(points, repetitions);
        Path svg = Path.of(stringArg(args, "svg", "docs/bench/end-to-end-lanes-sweep-" + setup + ".svg"));
        Path csv = Path.of(svg.toString().replaceFirst("\\.svg$", "") + ".csv");
        long maxBulkBytes = PipelineSettings.DEFAULT_MAX_BULK_BYTES;
        System.out.printf(Locale.ROOT, "lanes sweep, setup %s (this JVM's CPUs: %s): %d points (lanes >= inFlight) x %d "
                        + "repetitions = %d drains of %,d events, interleaved; write mode %s, maxBulkBytes %d, flushMs "
                        + "%d, maxBufferedActions %d, consumer max.poll.records %s%n", setup, allowedCpus(),
                points.size(), repetitions, order.size(), n,
                pipelineWriteMode == null ? "the library's default" : pipelineWriteMode.name(), maxBulkBytes, flushMs,
                bufferedActions, consumerProperties.getOrDefault("max.poll.records", "the consumer's default"));
        double warmWall = 0;
        for (int i = 0; i < warmRounds; i++) {
            long t = System.nanoTime();
            drain(servers, client, "warm-" + i, PipelineSettings.defaults().maxBulkActions(), flushMs,
                    PipelineSettings.DEFAULT_MAX_IN_FLIGHT_REQUESTS, 0, warm, warm >= n ? live : -1);
            warmWall = (System.nanoTime() - t) / 1e9 * n / warm;
        }
        System.out.printf(Locale.ROOT, "ESTIMATE the sweep: %d drains x %.1f s (the last warm-up drain at today's "
                        + "defaults, with its index set-up and check, scaled to n) = about %.0f min; slower points "
                        + "take longer%n", order.size(), warmWall, order.size() * warmWall / 60);
        Map<LanesSweep.Point, List<Double>> rates = new LinkedHashMap<>();
        Map<LanesSweep.Point, long[]> bytes = new LinkedHashMap<>(); // {largest bulk, bytes sent, actions sent}
        for (LanesSweep.Point p : points) {
            rates.put(p, new ArrayList<>());
            bytes.put(p, new long[3]);
        }
        long sweepStart = System.nanoTime();
        for (int i = 0; i < order.size(); i++) {
            LanesSweep.Point p = order.get(i);
            int rep = i / points.size();
            BacklogResult r = drain(servers, client, "lanes-" + p.lanes() + "-" + p.inFlight() + "-"
                    + p.bulkActions() + "-r" + rep, p.bulkActions(), flushMs, p.inFlight(), p.lanes(), n, live);
            double rate = n / r.seconds;
            rates.get(p).add(rate);
            PipelineMetrics.Sizes bulkBytes = r.metrics.bulkBytes();
            PipelineMetrics.Sizes bulkActions = r.metrics.bulkActions();
            long[] b = bytes.get(p);
            b[0] = Math.max(b[0], bulkBytes.max());
            b[1] += bulkBytes.total();
            b[2] += bulkActions.total();
            double elapsed = (System.nanoTime() - sweepStart) / 1e9;
            System.out.printf(Locale.ROOT, "RESULT lanes-sweep run %d/%d (repetition %d) %s: %.2f s = %,.0f events/s; "
                            + "%,d bulks, actions per bulk p50 %d max %d, largest bulk %,d bytes (estimated); %,d "
                            + "coalesced; source paused %.1f s; sweep %.0f s so far, about %.0f s to go%n", i + 1,
                    order.size(), rep + 1, p.label(), r.seconds, rate, r.metrics.bulks(), bulkActions.p50(),
                    bulkActions.max(), bulkBytes.max(), r.metrics.coalesced(),
                    r.metrics.pausedTime().toMillis() / 1e3, elapsed, elapsed / (i + 1) * (order.size() - i - 1));
        }
        List<LanesSweep.Row> rows = new ArrayList<>();
        long largest = 0;
        long sentBytes = 0;
        long sentActions = 0;
        for (LanesSweep.Point p : points) {
            long[] b = bytes.get(p);
            LanesSweep.Row row = new LanesSweep.Row(setup, p, maxBulkBytes, n, rates.get(p), b[0],
                    b[2] == 0 ? 0 : (double) b[1] / b[2]);
            rows.add(row);
            largest = Math.max(largest, b[0]);
            sentBytes += b[1];
            sentActions += b[2];
            LanesSweep.Stats st = row.stats();
            System.out.printf(Locale.ROOT, "RESULT lanes-sweep point %s: median %,.0f events/s (lowest %,.0f, highest "
                            + "%,.0f, spread %.1f%%) over %d runs%s%n", p.label(), st.median(), st.min(), st.max(),
                    st.spreadPercent(), rates.get(p).size(), (long) p.lanes() * p.bulkActions() > bufferedActions
                            ? String.format(Locale.ROOT, "; lanes x maxBulkActions > maxBufferedActions (%d): the "
                                    + "lanes cannot all fill a bulk by count at once", bufferedActions) : "");
        }
        double perAction = sentActions == 0 ? 0 : (double) sentBytes / sentActions;
        System.out.printf(Locale.ROOT, "RESULT lanes-sweep bulk bytes: %.0f estimated bytes per action, so maxBulkBytes "
                        + "(%d) binds at about %,.0f actions per bulk; the largest bulk of the sweep held %,d bytes = "
                        + "%.0f%% of it: the byte bound was %s at these bulk sizes%n", perAction, maxBulkBytes,
                perAction == 0 ? 0 : maxBulkBytes / perAction, largest, 100.0 * largest / maxBulkBytes,
                largest >= 0.9 * maxBulkBytes ? "reached" : "not reached");
        System.out.println("lanes sweep, " + setup + ":\n" + LanesSweep.table(rows));
        Map<String, List<LanesSweep.Row>> setups = new LinkedHashMap<>();
        String others = stringArg(args, "combineWith", null);
        if (others != null) {
            for (String other : others.split(",")) {
                for (LanesSweep.Row row : LanesSweep.parseCsv(Files.readString(Path.of(other)))) {
                    setups.computeIfAbsent(row.setup(), k -> new ArrayList<>()).add(row);
                }
            }
        }
        setups.put(setup, rows);
        System.out.print(LanesSweep.decision(setups, LanesSweep.defaults()));
        if (svg.toAbsolutePath().getParent() != null) {
            Files.createDirectories(svg.toAbsolutePath().getParent());
        }
        Files.writeString(svg, LanesSweep.chart(rows, setup, n, repetitions));
        Files.writeString(csv, LanesSweep.csv(rows));
        System.out.println("wrote " + svg + " and " + csv);
    }

    /** This JVM's allowed CPUs (Linux {@code Cpus_allowed_list}), or "unknown". */
    private static String allowedCpus() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Cpus_allowed_list:")) {
                    return line.substring("Cpus_allowed_list:".length()).trim();
                }
            }
        } catch (IOException | SecurityException e) {
            // not Linux: said as unknown
        }
        return "unknown";
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * @param serverProcesses CPU of the servers' own processes (0 when they run in this JVM)
     * @param other the broker (its process, or its threads in this JVM) and this JVM's other Java
     *     threads: with the servers in processes, those are the benchmark's own (its loop polling
     *     the metrics every 5 ms, the idle loaders)
     * @param gc CPU of the JVM's GC threads, -1 if unknown; {@code jit}, {@code vm} likewise
     */
    record Cpu(long pipeline, long elasticsearch, long other, long process, long serverProcesses,
            String pipelineThreads, long pipelineThreadOnly, long gc, long jit, long vm, ProcessCpu pipelineProcess) {
    }

    /**
     * CPU (ns) of the pipeline's process: what a JVM running only the pipeline would spend.
     *
     * @param total the figure: {@code pipelineThreads + jvmOwn} when measured; with the servers in
     *     this JVM, {@code pipelineThreads} plus the pipeline's share of {@code jvmOwn}
     * @param pipelineThreads the pipeline's Java threads (see {@link #pipelineGroup})
     * @param jvmOwn this JVM's threads that are no Java threads (GC, JIT compilers, VM, other native
     *     threads): the process's CPU minus all Java threads'
     * @param ownProcess this JVM's CPU, all threads
     * @param harness the Java threads that are neither the pipeline's nor the servers': the
     *     benchmark's own (main loop polling the metrics, idle loaders); with the servers in this
     *     JVM, also every server thread
     * @param estimate whether the servers share this JVM, so {@code total} apportions {@code jvmOwn}
     * @param gcShare with {@code estimate}: the pipeline threads' share of the bytes allocated by
     *     all Java threads, applied to the GC threads' CPU
     * @param cpuShare with {@code estimate}: the pipeline threads' share of the Java threads' CPU,
     *     applied to the rest of {@code jvmOwn}
     */
    record ProcessCpu(long total, long pipelineThreads, long jvmOwn, long ownProcess, long harness, boolean estimate,
            double gcShare, double cpuShare) {
    }

    /**
     * The pipeline's process CPU from one JVM's figures (ns, bytes); see {@link ProcessCpu}.
     *
     * @param ownProcess this JVM's CPU, all threads
     * @param pipelineJava the pipeline's Java threads
     * @param otherJava every other Java thread of this JVM
     * @param gc the GC threads (part of {@code ownProcess - pipelineJava - otherJava}), -1 if unknown
     * @param pipelineAllocated bytes the pipeline's Java threads allocated
     * @param allAllocated bytes all Java threads allocated
     * @param serversInThisJvm whether the broker and the node run in this JVM
     */
    static ProcessCpu pipelineProcessCpu(long ownProcess, long pipelineJava, long otherJava, long gc,
            long pipelineAllocated, long allAllocated, boolean serversInThisJvm) {
        // clock ticks of 10 ms and threads ending meanwhile can make the difference slightly negative
        long jvmOwn = Math.max(0, ownProcess - pipelineJava - otherJava);
        if (!serversInThisJvm) {
            return new ProcessCpu(pipelineJava + jvmOwn, pipelineJava, jvmOwn, ownProcess, otherJava, false, 1, 1);
        }
        long gcPart = gc < 0 ? 0 : Math.min(gc, jvmOwn);
        double gcShare = allAllocated > 0 ? Math.min(1, (double) pipelineAllocated / allAllocated) : 0;
        double cpuShare = pipelineJava + otherJava > 0 ? (double) pipelineJava / (pipelineJava + otherJava) : 0;
        long share = Math.round(gcPart * gcShare + (jvmOwn - gcPart) * cpuShare);
        return new ProcessCpu(pipelineJava + share, pipelineJava, jvmOwn, ownProcess, otherJava, true, gcShare,
                cpuShare);
    }

    /**
     * The same records read by a bare consumer on one thread, without and with Canal decoding: CPU
     * (ns) and bytes allocated by that thread, in all.
     */
    record Floor(long consumeNanos, long consumeAllocated, long decodeNanos, long decodeAllocated) {
    }

    /**
     * @param pipelineAllocated bytes the pipeline thread allocated
     * @param gcCount garbage collections in this JVM meanwhile
     * @param gcMillis their accumulated time (pauses and concurrent phases, as the collectors report it)
     * @param peakRss this JVM's peak resident set during the drain (VmHWM reset before it), bytes;
     *     -1 where {@code /proc} is missing; where the reset failed ({@code rssReset} false), the
     *     peak of the process's life
     * @param peakRssLifetime this JVM's peak resident set since it started, bytes (-1 likewise)
     * @param liveHeapBefore heap in use right after the full GC before the drain: the benchmark's own data
     */
    record BacklogResult(double seconds, double secondsWithJoin, PipelineMetrics metrics, Cpu cpu, long peakHeap,
            long peakBufferedActions, long peakBufferedBytes, long pipelineAllocated, long gcCount, long gcMillis,
            long peakRss, boolean rssReset, long peakRssLifetime, long liveHeapBefore) {
    }

    /** Latency percentiles (ms), bulk requests, and CPU per event (us) of the pipeline, Elasticsearch, the process. */
    record LatencyResult(long count, long p50, long p99, long max, long bulks, double pipelineCpu, double esCpu,
            double processCpu) {
    }

    record Ceiling(int batch, double seconds, String tried, RawRun run) {
    }

    /** One raw load: wall time, and the CPU the Elasticsearch threads and the whole process used meanwhile. */
    record RawRun(double seconds, long elasticsearchCpu, long processCpu) {
    }

    /** @param lanes the pipeline's lanes; 0 leaves the library's default (as many as requests in flight) */
    private static SyncPipeline pipeline(BenchServers servers, String topic, String group,
            String index, int batch, int flushMs, int inFlight, int lanes, String threadName) {
        KafkaSource.Builder source = KafkaSource.builder()
                .bootstrapServers(servers.bootstrapServers())
                .groupId(group)
                .topics(topic)
                // the workload's rows are whole rows, as from a server logging binlog_row_image=FULL
                .decoder(CanalFlatMessageDecoder.builder().fullRowImage(true).build())
                .startPosition(StartPosition.committedOrEarliest());
        if (pollRecordsFromBatch) {
            source.property("max.poll.records", Math.max(500, batch));
        }
        consumerProperties.forEach(source::property);
        SyncPipeline.Builder builder = SyncPipeline.builder();
        if (lanes > 0) {
            builder.lanes(lanes);
        }
        if (bufferedActions > 0 || batch * inFlight * 2 > PipelineSettings.DEFAULT_MAX_BUFFERED_ACTIONS) {
            // buffer= or a sweep's large bulks; otherwise the library's default, which depends on the max heap
            builder.maxBufferedActions(bufferedActions > 0 ? bufferedActions : batch * inFlight * 2);
        }
        return builder
                .source(source.build())
                .ruleSet(rules(index, pipelineWriteMode))
                .sink(ElasticsearchSink.builder().hosts(servers.httpUrl()).build())
                .maxBulkActions(batch)
                .flushInterval(Duration.ofMillis(flushMs))
                .maxInFlightRequests(inFlight)
                .summaryInterval(Duration.ZERO)
                .threadName(threadName)
                .build();
    }

    /** The {@code shop.orders} rule into {@code index}, write mode INDEX. */
    public static Rules rules(String index) {
        // Canal carries the full row: INDEX (a full replace) is the cheaper write, see docs/rules-and-filters.md, "Write modes and versions"
        return rules(index, WriteMode.INDEX);
    }

    /** The {@code shop.orders} rule into {@code index}; {@code mode} null leaves the library's default. */
    static Rules rules(String index, @Nullable WriteMode mode) {
        TableRule.Builder rule = TableRule.builder().database("shop").table("orders").index(index);
        if (mode != null) {
            rule.writeMode(mode);
        }
        return Rules.builder().rule(rule.build()).build();
    }

    /**
     * The value of {@code writeMode=}: {@code default} (null: the library's default) or a
     * {@link WriteMode} name.
     *
     * @throws IllegalArgumentException naming the value when it is neither
     */
    @Nullable
    static WriteMode writeMode(String value) {
        if (value.equals("default")) {
            return null;
        }
        try {
            return WriteMode.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("writeMode must be default or one of "
                    + Arrays.toString(WriteMode.values()) + ": " + value, e);
        }
    }

    /**
     * Sends the workload's {@code n} messages to the table topic and adds each change to the
     * replays' files, if any. The producer is created and closed here, so nothing references it
     * once this returns: a closed {@link KafkaProducer} still holds its pool of batch buffers
     * ({@code buffer.memory}, 32 MiB), which kept in the benchmark's frame stayed in the heap the
     * drains measure (a heap dump showed 128 pooled 256 KiB buffers, 32 of the 54 MiB live before
     * a drain).
     */
    private static Workload preload(BenchServers servers, int n, int partitions, @Nullable LaneFiles replayFiles,
            @Nullable LaneFiles bareFiles) {
        try (KafkaProducer<byte[], byte[]> producer = producer(servers)) {
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
            Rules replayRules = rules("orders-replay");
            Rules bareRules = rules("orders-bare");
            SourcePosition position = new SourcePosition("replay", 0);
            Workload w = Workload.generate(n, 42, (m, id) -> {
                producer.send(new ProducerRecord<>(TABLE_TOPIC, Math.floorMod(Long.hashCode(id), partitions), null, m),
                        (meta, e) -> {
                            if (e != null) {
                                sendFailure.compareAndSet(null, e);
                            }
                        });
                if (replayFiles != null || bareFiles != null) {
                    for (ChangeEvent e : decoder.decode(null, m, position)) {
                        if (replayFiles != null) {
                            replayRules.apply(e, replayFiles::add);
                        }
                        if (bareFiles != null) {
                            bareRules.apply(e, a -> bareFiles.add(bareAction(e.operation(), a)));
                        }
                    }
                }
            });
            producer.flush();
            if (sendFailure.get() != null) {
                // a missing message would leave the drains waiting for records that never come
                throw new IllegalStateException("pre-loading the topic failed", sendFailure.get());
            }
            return w;
        }
    }

    /** Runs a pipeline over the pre-loaded topic (a new group, from the earliest offset) into a fresh index. */
    private static BacklogResult drain(BenchServers servers, RestClient client, String name,
            int batch, int flushMs, int inFlight, int expected, long expectLive) throws Exception {
        return drain(servers, client, name, batch, flushMs, inFlight, 0, expected, expectLive);
    }

    /** As {@link #drain(BenchServers, RestClient, String, int, int, int, int, long)} with {@code lanes} (0: the default). */
    private static BacklogResult drain(BenchServers servers, RestClient client, String name,
            int batch, int flushMs, int inFlight, int lanes, int expected, long expectLive) throws Exception {
        String index = "orders-" + name;
        createIndex(client, index);
        String thread = "e2e-pipeline-" + name;
        SyncPipeline p = pipeline(servers, TABLE_TOPIC, "bench-" + name, index, batch, flushMs, inFlight, lanes,
                thread);
        System.gc();
        long liveHeapBefore = Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
        boolean rssReset = resetPeakRss();
        CpuSnapshot cpuBefore = threadCpu();
        long[] gcBefore = gc();
        long peakHeap = 0;
        long peakActions = 0;
        long peakBytes = 0;
        long start = System.nanoTime();
        long first = 0;
        p.start();
        PipelineMetrics m;
        while (true) {
            m = p.metrics();
            if (first == 0 && m.records() > 0) {
                first = System.nanoTime();
            }
            Runtime rt = Runtime.getRuntime();
            peakHeap = Math.max(peakHeap, rt.totalMemory() - rt.freeMemory());
            peakActions = Math.max(peakActions, m.bufferedActions());
            peakBytes = Math.max(peakBytes, m.bufferedBytes());
            if (m.records() >= expected && m.bufferedActions() == 0 && m.inFlightRequests() == 0) {
                break;
            }
            if (p.state() != PipelineState.RUNNING) {
                throw new IllegalStateException("pipeline stopped: " + p.state(), p.failure());
            }
            if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(30)) {
                throw new IllegalStateException("pipeline did not drain: " + m);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        long end = System.nanoTime();
        Cpu cpu = cpuSince(cpuBefore, thread);
        long peakRss = peakRss();
        long[] gcAfter = gc();
        long allocated = allocatedBy(thread);
        m = p.metrics();
        p.close();
        if (name.equals("main")) {
            System.out.println("metrics: " + m);
        }
        if (expectLive >= 0) {
            // nothing lost, nothing left over: the index holds exactly the live documents
            long count = count(client, index);
            if (count != expectLive) {
                throw new IllegalStateException(index + " holds " + count + " documents, expected " + expectLive);
            }
            System.out.printf(Locale.ROOT, "check: index %s holds the %,d live documents%n", index, count);
        }
        deleteIndex(client, index);
        return new BacklogResult((end - first) / 1e9, (end - start) / 1e9, m, cpu, peakHeap, peakActions, peakBytes,
                allocated, gcAfter[0] - gcBefore[0], gcAfter[1] - gcBefore[1], peakRss, rssReset,
                lifetimePeakRss, liveHeapBefore);
    }

    /** A pipeline on a fresh topic fed at {@code rate} messages/s stamped with the send time. */
    /**
     * What the pipeline thread's work costs at the least: the pre-loaded topic read by a bare
     * {@link KafkaConsumer} with the pipeline's consumer settings (byte arrays, the same
     * {@code max.poll.records}; its partitions assigned, from the earliest offset), then read again with each
     * record decoded by {@link CanalFlatMessageDecoder}, each on a thread of its own so its CPU
     * and allocation are its own. Throws when either read does not see every record and event.
     */
    private static Floor floor(BenchServers servers, String name, int batch, int n) throws Exception {
        long[] out = new long[4];
        Exception[] failure = new Exception[1];
        Thread t = new Thread(() -> {
            try {
                com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) THREADS;
                long id = Thread.currentThread().getId();
                for (int pass = 0; pass < 2; pass++) {
                    CanalFlatMessageDecoder decoder = pass == 0 ? null : CanalFlatMessageDecoder.create();
                    Map<String, Object> c = new HashMap<>();
                    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.bootstrapServers());
                    c.put(ConsumerConfig.GROUP_ID_CONFIG, "floor-" + pass + "-" + name);
                    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
                    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.max(500, batch));
                    c.putAll(consumerProperties);
                    try (KafkaConsumer<byte[], byte[]> consumer =
                            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                        // assigned, not subscribed: a group join is not what a record costs
                        List<TopicPartition> partitions = new ArrayList<>();
                        consumer.partitionsFor(TABLE_TOPIC)
                                .forEach(info -> partitions.add(new TopicPartition(TABLE_TOPIC, info.partition())));
                        consumer.assign(partitions);
                        consumer.seekToBeginning(partitions);
                        long records = 0;
                        long events = 0;
                        long cpu0 = THREADS.getCurrentThreadCpuTime();
                        long alloc0 = threads.getThreadAllocatedBytes(id);
                        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                        while (records < n) {
                            if (System.nanoTime() > deadline) {
                                throw new IllegalStateException("the bare consumer read " + records + " of " + n);
                            }
                            ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
                            for (ConsumerRecord<byte[], byte[]> r : polled) {
                                records++;
                                if (decoder != null) {
                                    events += decoder.decode(r.key(), r.value(),
                                            new SourcePosition(TABLE_TOPIC + "-" + r.partition(), r.offset())).size();
                                }
                            }
                        }
                        if (decoder != null && events != n) {
                            throw new IllegalStateException("decoded " + events + " events from " + n + " records");
                        }
                        out[2 * pass] = THREADS.getCurrentThreadCpuTime() - cpu0;
                        out[2 * pass + 1] = threads.getThreadAllocatedBytes(id) - alloc0;
                    }
                }
            } catch (Exception e) {
                failure[0] = e;
            }
        }, "e2e-floor-" + name);
        t.start();
        t.join();
        if (failure[0] != null) {
            throw failure[0];
        }
        return new Floor(out[0], out[1], out[2], out[3]);
    }

    private static LatencyResult steadyRate(BenchServers servers, RestClient client,
            String name, int batch, int flushMs, int inFlight, int partitions, int rate, int seconds,
            KafkaProducer<byte[], byte[]> producer) throws Exception {
        String topic = "canal.shop.orders.live-" + name;
        String index = "orders-live-" + name;
        servers.createTopic(topic, partitions);
        createIndex(client, index);
        SyncPipeline p = pipeline(servers, topic, "live-" + name, index, batch, flushMs, inFlight, 0,
                "e2e-live-" + name);
        p.start();
        // one message per partition without a binlog time (not counted) until the group has joined
        for (int i = 0; i < partitions; i++) {
            producer.send(new ProducerRecord<>(topic, i, null, Workload.message("INSERT", 900_000_000L + i, 0, 0L,
                    "NEW", 0)));
        }
        producer.flush();
        Await.value(Duration.ofMinutes(2), "the live pipeline to start", p::metrics,
                m -> m.records() >= partitions && m.bufferedActions() == 0);
        SplittableRandom random = new SplittableRandom(7);
        int total = rate * seconds;
        CpuSnapshot cpuBefore = threadCpu();
        long start = System.nanoTime();
        long intervalNanos = 1_000_000_000L / rate;
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            long id = random.nextLong(1, 50_000);
            producer.send(new ProducerRecord<>(topic, (int) Math.floorMod(Long.hashCode(id), partitions), null,
                    Workload.message(i % 5 == 0 ? "INSERT" : "UPDATE", id, i, System.currentTimeMillis(),
                            STATUSES[i % STATUSES.length], i)));
        }
        producer.flush();
        Await.value(Duration.ofMinutes(5), "the live pipeline to drain", () -> {
            if (p.state() != PipelineState.RUNNING) {
                throw new IllegalStateException("live pipeline did not drain: " + p.metrics(), p.failure());
            }
            return p.metrics();
        }, m -> m.records() >= partitions + total && m.bufferedActions() == 0);
        Cpu cpu = cpuSince(cpuBefore, "e2e-live-" + name);
        PipelineMetrics m = p.metrics();
        PipelineMetrics.Timing t = m.syncLatency();
        p.close();
        deleteIndex(client, index);
        return new LatencyResult(t.count(), t.p50().toMillis(), t.p99().toMillis(), t.max().toMillis(), m.bulks(),
                cpu.pipeline / 1e3 / total, cpu.elasticsearch / 1e3 / total, cpu.process / 1e3 / total);
    }

    /** The batch sizes the ceiling tries. */
    private static final int[] CEILING_BATCHES = {500, 1000, 2000, 5000};

    /**
     * The ceiling's bodies: the final documents pre-encoded for each batch size of
     * {@link #CEILING_BATCHES}, one lane each, in lane files (so a large N holds none of them on the heap).
     */
    static final class CeilingFiles implements AutoCloseable {
        private final List<LaneFiles> byBatch = new ArrayList<>();

        /** Writes the final documents of {@code w}, once; {@link #close} deletes the files. */
        void write(Workload w) throws IOException {
            if (!byBatch.isEmpty()) {
                throw new IllegalStateException("written already");
            }
            for (int b : CEILING_BATCHES) {
                byBatch.add(LaneFiles.create("orders-raw-" + b, 1, b));
            }
            w.finalDocuments("orders-raw", a -> byBatch.forEach(f -> f.add(a)));
            for (LaneFiles f : byBatch) {
                f.finish();
            }
        }

        @Override
        public void close() throws IOException {
            for (LaneFiles f : byBatch) {
                f.close();
            }
        }
    }

    /** The raw ceiling: the final documents as pre-encoded bodies, one request after the other; the best batch size. */
    private static Ceiling ceiling(RestClient client, CeilingFiles files, int live) throws Exception {
        int bestBatch = 0;
        RawRun best = null;
        StringBuilder tried = new StringBuilder();
        for (int i = 0; i < CEILING_BATCHES.length; i++) {
            int b = CEILING_BATCHES[i];
            RawRun r = load(client, files.byBatch.get(i), live);
            tried.append(tried.length() == 0 ? "" : ", ").append(b).append(String.format(Locale.ROOT, ": %,.0f/s",
                    live / r.seconds));
            if (best == null || r.seconds < best.seconds) {
                best = r;
                bestBatch = b;
            }
        }
        return new Ceiling(bestBatch, best.seconds, tried.toString(), best);
    }

    /** The bare replay's lanes (the definition of the yardstick: two, whatever {@code inFlight} is). */
    static final int BARE_LANES = 2;

    /**
     * What a bare loader writes for one change, from the action the rules (write mode INDEX) made
     * of it: {@code index} for an insert, {@code update} (the full row as {@code doc}, no upsert)
     * for an update, {@code delete} for a delete.
     */
    static DocumentAction bareAction(Operation operation, DocumentAction ruled) {
        switch (operation) {
            case INSERT:
                return DocumentAction.index(ruled.index(), ruled.id(), ruled.document());
            case UPDATE:
                return DocumentAction.update(ruled.index(), ruled.id(), ruled.document());
            default:
                return DocumentAction.delete(ruled.index(), ruled.id());
        }
    }

    /**
     * Sends pre-encoded bodies into a fresh {@code index}: the lanes concurrently, each lane's bodies
     * one after the other; then checks every item succeeded and the index holds
     * {@code expectDocs} documents.
     */
    private static RawRun raw(RestClient client, String index, List<Iterator<byte[]>> lanes, long expectDocs)
            throws Exception {
        createIndex(client, index);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        ContentType ndjson = ContentType.create("application/x-ndjson");
        System.gc();
        CpuSnapshot cpuBefore = threadCpu();
        long start = System.nanoTime();
        List<Thread> senders = new ArrayList<>();
        for (Iterator<byte[]> laneBodies : lanes) {
            Thread t = new Thread(() -> {
                try {
                    while (laneBodies.hasNext()) {
                        Request request = new Request("POST", "/_bulk");
                        request.addParameter("filter_path", BulkResponseParser.FILTER_PATH);
                        request.setEntity(new ByteArrayEntity(laneBodies.next(), ndjson));
                        byte[] reply = EntityUtils.toByteArray(client.performRequest(request).getEntity());
                        if (!new String(reply, 0, Math.min(reply.length, 20), StandardCharsets.UTF_8)
                                .contains("\"errors\":false")) {
                            throw new IllegalStateException("bulk had errors: "
                                    + new String(reply, 0, Math.min(reply.length, 500), StandardCharsets.UTF_8));
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "raw-sender");
            senders.add(t);
            t.start();
        }
        for (Thread t : senders) {
            t.join();
        }
        long elapsed = System.nanoTime() - start;
        Cpu cpu = cpuSince(cpuBefore, "-");
        if (failure.get() != null) {
            throw new IllegalStateException("raw load failed", failure.get());
        }
        long count = count(client, index);
        if (count != expectDocs) {
            throw new IllegalStateException(index + ": " + count + " documents, expected " + expectDocs);
        }
        deleteIndex(client, index);
        return new RawRun(elapsed / 1e9, cpu.elasticsearch, cpu.process);
    }

    /** Sends every lane of {@code files} into a fresh index (see {@link #raw}); checks it ends with {@code live} documents. */
    private static RawRun load(RestClient client, LaneFiles files, long live) throws Exception {
        List<LaneFiles.Bodies> lanes = files.open();
        try {
            return raw(client, files.index(), new ArrayList<>(lanes), live);
        } finally {
            for (LaneFiles.Bodies b : lanes) {
                b.close();
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // CPU accounting by thread name

    /** {count, milliseconds} of all garbage collections of this JVM so far. */
    private static long[] gc() {
        long count = 0;
        long millis = 0;
        for (java.lang.management.GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
            count += Math.max(0, b.getCollectionCount());
            millis += Math.max(0, b.getCollectionTime());
        }
        return new long[] {count, millis};
    }

    /** Bytes allocated so far by the live thread named {@code name} (the pipeline thread, before it ends). */
    private static long allocatedBy(String name) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) THREADS;
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            if (info != null && info.getThreadName().equals(name)) {
                return threads.getThreadAllocatedBytes(id);
            }
        }
        return -1;
    }

    /**
     * CPU (ns) so far of this JVM's own native threads, which {@code ThreadMXBean} does not list:
     * {GC, JIT compilers, VM thread and other VM service threads}, from Linux's
     * {@code /proc/self/task/<tid>/stat} (utime + stime in clock ticks of 10 ms; the names are the
     * JVM's, cut to 15 characters). All -1 where {@code /proc} cannot be read. A thread that ended
     * meanwhile (a compiler thread the JVM stopped) takes its CPU with it: an under-count.
     */
    static long[] jvmThreadCpu() {
        long[] out = new long[3];
        File[] tasks = new File("/proc/self/task").listFiles();
        if (tasks == null) {
            return new long[] {-1, -1, -1};
        }
        for (File task : tasks) {
            String stat;
            try {
                stat = Files.readString(new File(task, "stat").toPath());
            } catch (IOException e) {
                continue; // ended meanwhile
            }
            int open = stat.indexOf('(');
            int close = stat.lastIndexOf(')');
            if (open < 0 || close < open) {
                continue;
            }
            int group = jvmThreadGroup(stat.substring(open + 1, close));
            if (group < 0) {
                continue;
            }
            // after ") ": state(3) ppid(4) ... utime(14) stime(15), 1-based over the whole line
            String[] f = stat.substring(close + 2).split(" ");
            out[group] += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
        }
        return out;
    }

    /** 0 GC, 1 JIT, 2 VM, -1 a Java thread (or unknown). */
    static int jvmThreadGroup(String name) {
        if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
            return 0;
        }
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
            return 1;
        }
        if (name.equals("VM Thread") || name.startsWith("VM Periodic") || name.equals("Service Thread")
                || name.equals("Monitor Deflati")) {
            return 2;
        }
        return -1;
    }

    /** The servers of the current run: their own processes' CPU counts when they run apart. */
    private static BenchServers current;

    /**
     * CPU (ns) and allocation (bytes) so far: this JVM's, each of its Java threads' by id, the
     * servers' own processes, and this JVM's GC/JIT/VM threads ({@link #jvmThreadCpu}).
     */
    record CpuSnapshot(long process, Map<Long, Long> threads, Map<Long, Long> allocated, long esProcess,
            long kafkaProcess, long[] jvm) {
    }

    private static CpuSnapshot threadCpu() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) THREADS;
        Map<Long, Long> cpu = new HashMap<>();
        Map<Long, Long> allocated = new HashMap<>();
        long esProcess = current.elasticsearchProcessCpu();
        long kafkaProcess = current.kafkaProcessCpu();
        long[] jvm = jvmThreadCpu();
        for (long id : THREADS.getAllThreadIds()) {
            long t = THREADS.getThreadCpuTime(id);
            if (t >= 0) {
                cpu.put(id, t);
            }
            long bytes = threads.getThreadAllocatedBytes(id);
            if (bytes >= 0) {
                allocated.put(id, bytes);
            }
        }
        return new CpuSnapshot(OS.getProcessCpuTime(), cpu, allocated, esProcess, kafkaProcess, jvm);
    }

    /**
     * CPU by group since {@code before}. With the servers in processes of their own, the node's
     * and the broker's whole processes count as "Elasticsearch" and "other", and {@code process}
     * becomes the three processes together.
     */
    private static Cpu cpuSince(CpuSnapshot before, String pipelineThread) {
        long processCpu = OS.getProcessCpuTime() - before.process();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) THREADS;
        long pipeline = 0;
        long esProcess = current.elasticsearchProcessCpu() - before.esProcess();
        long kafkaProcess = current.kafkaProcessCpu() - before.kafkaProcess();
        long elasticsearch = esProcess;
        long other = kafkaProcess;
        long ownProcess = processCpu;
        processCpu += esProcess + kafkaProcess;
        long[] jvm = jvmThreadCpu();
        long[] jvmUsed = jvm[0] < 0 || before.jvm()[0] < 0 ? new long[] {-1, -1, -1}
                : new long[] {jvm[0] - before.jvm()[0], jvm[1] - before.jvm()[1], jvm[2] - before.jvm()[2]};
        long pipelineAllocated = 0;
        long allAllocated = 0;
        Map<String, Long> pipelineByGroup = new LinkedHashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            ThreadInfo info = THREADS.getThreadInfo(id);
            long now = THREADS.getThreadCpuTime(id);
            if (info == null || now < 0) {
                continue;
            }
            long used = now - before.threads().getOrDefault(id, 0L);
            long bytes = Math.max(0, threads.getThreadAllocatedBytes(id) - before.allocated().getOrDefault(id, 0L));
            allAllocated += bytes;
            String name = info.getThreadName();
            String group = pipelineGroup(name, pipelineThread);
            if (group != null) {
                pipeline += used;
                pipelineAllocated += bytes;
                pipelineByGroup.merge(group, used, Long::sum);
            } else if (name.startsWith("elasticsearch[")) {
                elasticsearch += used;
            } else {
                other += used;
            }
        }
        StringBuilder sb = new StringBuilder();
        pipelineByGroup.forEach((g, ns) -> sb.append(sb.length() == 0 ? "" : ", ").append(g)
                .append(String.format(Locale.ROOT, " %.0f ms", ns / 1e6)));
        long otherJava = (elasticsearch - esProcess) + (other - kafkaProcess);
        ProcessCpu pipelineProcess = pipelineProcessCpu(ownProcess, pipeline, otherJava, jvmUsed[0],
                pipelineAllocated, allAllocated, !current.external());
        return new Cpu(pipeline, elasticsearch, other, processCpu, esProcess + kafkaProcess, sb.toString(),
                pipelineByGroup.getOrDefault("pipeline thread", 0L), jvmUsed[0], jvmUsed[1], jvmUsed[2],
                pipelineProcess);
    }

    // ---------------------------------------------------------------------------------------------
    // memory of the process

    /** The highest VmHWM read before a reset: this process's peak resident set in its life so far. */
    private static long lifetimePeakRss = -1;

    /**
     * Resets this process's peak resident set (Linux: {@code 5} to {@code /proc/self/clear_refs}),
     * first keeping the peak so far in {@link #lifetimePeakRss}.
     *
     * @return whether the reset worked (false where {@code /proc} is missing or not writable)
     */
    private static boolean resetPeakRss() {
        long before = peakRss();
        if (before < 0) {
            return false;
        }
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** This process's peak resident set (VmHWM) since the last reset, bytes; -1 where {@code /proc} is missing. */
    static long peakRss() {
        String status;
        try {
            status = Files.readString(Path.of("/proc/self/status"));
        } catch (IOException | SecurityException e) {
            return -1;
        }
        long peak = statusBytes(status, "VmHWM");
        lifetimePeakRss = Math.max(lifetimePeakRss, peak);
        return peak;
    }

    /**
     * A size field of a Linux {@code /proc/<pid>/status} text (a line {@code VmHWM:    123456 kB}),
     * in bytes; -1 when the field is missing or not in kB.
     */
    static long statusBytes(String status, String field) {
        for (String line : status.split("\n")) {
            if (!line.startsWith(field + ":")) {
                continue;
            }
            String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
            if (parts.length == 2 && parts[1].equals("kB")) {
                return Long.parseLong(parts[0]) * 1024;
            }
            return -1;
        }
        return -1;
    }

    /** The heap: its maximum, and the options that set it (or that the JVM chose it). */
    static String heapSetting() {
        StringBuilder options = new StringBuilder();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-Xmx") || a.startsWith("-Xms") || a.startsWith("-XX:MaxHeapSize")
                    || a.startsWith("-XX:MaxRAM") || (a.startsWith("-XX:+Use") && a.endsWith("GC"))) {
                options.append(options.length() == 0 ? "" : " ").append(a);
            }
        }
        return String.format(Locale.ROOT, "max heap %d MiB (%s)", Runtime.getRuntime().maxMemory() >> 20,
                options.length() == 0 ? "the JVM's default" : options);
    }

    /** Bytes as MiB, or "unknown" for a negative value. */
    private static String mib(long bytes) {
        return bytes < 0 ? "unknown" : (bytes >> 20) + " MiB";
    }

    /** The pipeline's own threads: its loop, the REST client's I/O reactor, the consumer's helpers. */
    static String pipelineGroup(String name, String pipelineThread) {
        if (name.equals(pipelineThread)) {
            return "pipeline thread";
        }
        if (name.startsWith("I/O dispatcher") || name.startsWith("elasticsearch-rest-client")) {
            return "REST client I/O";
        }
        if (name.startsWith("kafka-coordinator-heartbeat") || name.startsWith("consumer_background")) {
            return "consumer helpers";
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------

    private static KafkaProducer<byte[], byte[]> producer(BenchServers servers) {
        Map<String, Object> c = new HashMap<>();
        c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers.bootstrapServers());
        // as EmbeddedKafka's producer: one request in flight, so a retried batch cannot land after a
        // later one (acks=1 with 5 in flight once reordered a partition right after the topic was
        // created: a delete before its insert, 6 documents too many in CI); not idempotent, because
        // the idempotent producer then failed with OutOfOrderSequenceException until its timeout
        c.put(ProducerConfig.ACKS_CONFIG, "all");
        c.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        c.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        c.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        c.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static void createIndex(RestClient client, String index) throws IOException {
        Request put = new Request("PUT", "/" + index);
        put.setEntity(new StringEntity("{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0}}",
                ContentType.APPLICATION_JSON));
        client.performRequest(put);
    }

    static void deleteIndex(RestClient client, String index) throws IOException {
        client.performRequest(new Request("DELETE", "/" + index));
    }

    static long count(RestClient client, String index) throws IOException {
        client.performRequest(new Request("POST", "/" + index + "/_refresh"));
        Response r = client.performRequest(new Request("GET", "/" + index + "/_count"));
        String body = EntityUtils.toString(r.getEntity());
        int at = body.indexOf("\"count\":") + 8;
        int end = at;
        while (Character.isDigit(body.charAt(end))) {
            end++;
        }
        return Long.parseLong(body.substring(at, end));
    }

    /** The median of {@code a[i] / b[i]}. */
    private static double medianRatio(List<Double> a, List<Double> b) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            r.add(a.get(i) / b.get(i));
        }
        return median(r);
    }

    private static double median(List<Double> values) {
        List<Double> v = new ArrayList<>(values);
        v.sort(null);
        int k = v.size();
        return k % 2 == 1 ? v.get(k / 2) : (v.get(k / 2 - 1) + v.get(k / 2)) / 2;
    }

    public static int intArg(String[] args, String name, int dflt) {
        String v = stringArg(args, name, null);
        if (v == null) {
            return dflt;
        }
        int i = Integer.parseInt(v);
        if (i < 0 || (i == 0 && !name.equals("rounds"))) { // rounds=0: only the warm-up and the latency run
            throw new IllegalArgumentException(name + " must be > 0: " + i);
        }
        return i;
    }

    /** A comma-separated list of positive ints, e.g. {@code sweepLanes=1,2,4}; {@code dflt} when absent. */
    static int[] intsArg(String[] args, String name, int[] dflt) {
        String v = stringArg(args, name, null);
        if (v == null) {
            return dflt.clone();
        }
        String[] parts = v.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a comma-separated list of ints: " + v, e);
            }
            if (out[i] <= 0) {
                throw new IllegalArgumentException(name + " must hold values > 0: " + v);
            }
        }
        return out;
    }

    static String stringArg(String[] args, String name, String dflt) {
        for (String a : args) {
            if (a.startsWith(name + "=")) {
                return a.substring(name.length() + 1);
            }
        }
        return dflt;
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * The generated workload: Canal flat messages streamed to a consumer (memory stays bounded for
     * large N), and per id what its last message was, to rebuild the final documents.
     */
    public static final class Workload {
        private static final long BASE = 1_000_000L;
        private static final long ES_TIME = 1_767_225_600_000L;
        final int[] version;
        final int[] salt;
        final int[] lastIndex;
        final boolean[] alive;
        int inserts;
        int updates;
        int deletes;

        private Workload(int keys) {
            version = new int[keys];
            salt = new int[keys];
            lastIndex = new int[keys];
            alive = new boolean[keys];
        }

        int live() {
            int c = 0;
            for (boolean a : alive) {
                c += a ? 1 : 0;
            }
            return c;
        }

        /**
         * N/4 inserts, then updates (80%), deletes (10%) and re-inserts of deleted ids (10%); each
         * message goes to {@code out} with its id (the producer partitions by it, as Canal's
         * {@code partitionHash} on the primary key does).
         */
        static Workload generate(int n, long seed, java.util.function.ObjLongConsumer<byte[]> sink) {
            int keys = Math.max(1, n / 4);
            Workload w = new Workload(keys);
            SplittableRandom random = new SplittableRandom(seed);
            int[] version = w.version;
            boolean[] alive = w.alive;
            for (int i = 0; i < n; i++) {
                int k;
                String type;
                if (i < keys) {
                    k = i;
                    type = "INSERT";
                } else {
                    k = random.nextInt(keys);
                    int dice = random.nextInt(10);
                    if (!alive[k]) {
                        type = "INSERT";
                    } else if (dice == 0) {
                        type = "DELETE";
                    } else {
                        type = "UPDATE";
                    }
                }
                long id = BASE + k;
                version[k]++;
                int salt = random.nextInt(1000);
                byte[] m = message(type, id, version[k], ES_TIME + i, STATUSES[version[k] % STATUSES.length], salt);
                sink.accept(m, id);
                w.salt[k] = salt;
                w.lastIndex[k] = i;
                switch (type) {
                    case "INSERT":
                        w.inserts++;
                        alive[k] = true;
                        break;
                    case "UPDATE":
                        w.updates++;
                        break;
                    default:
                        w.deletes++;
                        alive[k] = false;
                }
            }
            return w;
        }

        /** The documents the rules make from each live id's last message, in id order: what the index ends with. */
        void finalDocuments(String index, java.util.function.Consumer<DocumentAction> out) {
            CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
            Rules rules = rules(index);
            for (int k = 0; k < alive.length; k++) {
                if (!alive[k]) {
                    continue;
                }
                // the last message of a live id was an INSERT or UPDATE: same row either way
                byte[] m = message("INSERT", BASE + k, version[k], ES_TIME + lastIndex[k],
                        STATUSES[version[k] % STATUSES.length], salt[k]);
                for (ChangeEvent e : decoder.decode(null, m, new SourcePosition("final", 0))) {
                    rules.apply(e, a -> out.accept(new DocumentAction(a.index(), a.id(), a.routing(),
                            ActionType.INDEX, a.document(), null, null)));
                }
            }
        }

        /** One Canal flat message with one {@code shop.orders} row, laid out as Canal writes it. */
        public static byte[] message(String type, long id, int version, long esMillis, String status, int salt) {
            StringBuilder sb = new StringBuilder(900);
            String row = "{\"id\":\"" + id + "\",\"customer_id\":\"" + (40_000 + id % 5000)
                    + "\",\"quantity\":\"" + (1 + salt % 9) + "\",\"status\":\"" + status
                    + "\",\"amount\":\"" + (10 + salt) + "." + (10 + version % 90) + "\",\"gift\":\"" + (salt & 1)
                    + "\",\"weight\":\"1." + salt + "\",\"created_at\":\"2026-11-25 10:" + (10 + id % 50) + ":45.123\""
                    + ",\"updated_at\":\"2026-11-25 11:" + (10 + version % 50) + ":00\""
                    + ",\"note\":\"leave at the door, ring twice (v" + version + ")\"}";
            sb.append("{\"data\":[").append(row).append("],\"database\":\"shop\",\"es\":").append(esMillis)
                    .append(",\"gtid\":\"\",\"id\":").append(id % 100_000).append(",\"isDdl\":false,")
                    .append("\"mysqlType\":{\"id\":\"bigint(20)\",\"customer_id\":\"int(11)\",\"quantity\":\"smallint(6)\",")
                    .append("\"status\":\"varchar(16)\",\"amount\":\"decimal(10,2)\",\"gift\":\"tinyint(1)\",")
                    .append("\"weight\":\"double\",\"created_at\":\"datetime(3)\",\"updated_at\":\"timestamp\",")
                    .append("\"note\":\"text\"},\"old\":");
            if (type.equals("UPDATE")) {
                sb.append("[{\"status\":\"").append(STATUSES[(version + 5) % STATUSES.length])
                        .append("\",\"updated_at\":\"2026-11-25 09:00:00\"}]");
            } else {
                sb.append("null");
            }
            sb.append(",\"pkNames\":[\"id\"],\"sql\":\"\",")
                    .append("\"sqlType\":{\"id\":-5,\"customer_id\":4,\"quantity\":5,\"status\":12,\"amount\":3,")
                    .append("\"gift\":-6,\"weight\":8,\"created_at\":93,\"updated_at\":93,\"note\":2005},")
                    .append("\"table\":\"orders\",\"ts\":").append(esMillis + 3).append(",\"type\":\"").append(type)
                    .append("\"}");
            return sb.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A hand-written SVG: throughput and p99 latency against batch size, one line per flush interval. */
    static final class Svg {
        static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

        static String chart(List<double[]> rows, int[] batches, int[] flushes, int n, int rate) {
            int w = 900;
            int h = 380;
            StringBuilder s = new StringBuilder();
            s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(w).append("\" height=\"").append(h)
                    .append("\" font-family=\"sans-serif\" font-size=\"12\">\n")
                    .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
            panel(s, rows, batches, flushes, 60, 2, "Backlog throughput (events/s), n=" + n, 0);
            panel(s, rows, batches, flushes, 510, 4, "Sync latency p99 (ms) at " + rate + " events/s", 1);
            for (int i = 0; i < flushes.length; i++) {
                int x = 60 + i * 150;
                s.append("<line x1=\"").append(x).append("\" y1=\"360\" x2=\"").append(x + 20)
                        .append("\" y2=\"360\" stroke=\"").append(COLORS[i % COLORS.length])
                        .append("\" stroke-width=\"2\"/>")
                        .append("<text x=\"").append(x + 25).append("\" y=\"364\">flush ").append(flushes[i])
                        .append(" ms</text>\n");
            }
            s.append("</svg>\n");
            return s.toString();
        }

        private static void panel(StringBuilder s, List<double[]> rows, int[] batches, int[] flushes, int x0,
                int column, String title, int which) {
            int pw = 360;
            int ph = 250;
            int y0 = 50;
            double max = 0;
            for (double[] r : rows) {
                max = Math.max(max, r[column]);
            }
            max = niceCeiling(max);
            s.append("<text x=\"").append(x0).append("\" y=\"30\" font-size=\"14\">").append(title).append("</text>\n");
            s.append("<rect x=\"").append(x0).append("\" y=\"").append(y0).append("\" width=\"").append(pw)
                    .append("\" height=\"").append(ph).append("\" fill=\"none\" stroke=\"#999\"/>\n");
            for (int t = 0; t <= 4; t++) {
                double v = max * t / 4;
                int y = y0 + ph - (int) (ph * t / 4.0);
                s.append("<line x1=\"").append(x0).append("\" y1=\"").append(y).append("\" x2=\"").append(x0 + pw)
                        .append("\" y2=\"").append(y).append("\" stroke=\"#eee\"/>")
                        .append("<text x=\"").append(x0 - 5).append("\" y=\"").append(y + 4)
                        .append("\" text-anchor=\"end\">").append(String.format(Locale.ROOT, "%,.0f", v))
                        .append("</text>\n");
            }
            for (int i = 0; i < batches.length; i++) {
                int x = x0 + (int) (pw * (i + 0.5) / batches.length);
                s.append("<text x=\"").append(x).append("\" y=\"").append(y0 + ph + 16)
                        .append("\" text-anchor=\"middle\">").append(batches[i]).append("</text>\n");
            }
            s.append("<text x=\"").append(x0 + pw / 2).append("\" y=\"").append(y0 + ph + 34)
                    .append("\" text-anchor=\"middle\">maxBulkActions</text>\n");
            for (int f = 0; f < flushes.length; f++) {
                StringBuilder pts = new StringBuilder();
                for (int i = 0; i < batches.length; i++) {
                    for (double[] r : rows) {
                        if ((int) r[0] == batches[i] && (int) r[1] == flushes[f]) {
                            int x = x0 + (int) (pw * (i + 0.5) / batches.length);
                            int y = y0 + ph - (int) (ph * r[column] / max);
                            pts.append(x).append(',').append(y).append(' ');
                            s.append("<circle cx=\"").append(x).append("\" cy=\"").append(y)
                                    .append("\" r=\"3\" fill=\"").append(COLORS[f % COLORS.length]).append("\"/>\n");
                        }
                    }
                }
                s.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(COLORS[f % COLORS.length])
                        .append("\" points=\"").append(pts.toString().trim()).append("\"/>\n");
            }
        }

        static double niceCeiling(double v) {
            if (v <= 0) {
                return 1;
            }
            double mag = Math.pow(10, Math.floor(Math.log10(v)));
            for (double step : new double[] {1, 2, 2.5, 5, 10}) {
                if (step * mag >= v) {
                    return step * mag;
                }
            }
            return 10 * mag;
        }
    }
}
