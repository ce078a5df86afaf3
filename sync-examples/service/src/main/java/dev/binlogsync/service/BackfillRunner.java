package dev.binlogsync.service;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.backfill.Backfill;
import dev.binlogsync.core.backfill.BackfillListener;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.ProgressReporter;
import dev.binlogsync.core.config.BackfillConfig;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.micrometer.BackfillMeterBinder;
import dev.binlogsync.elasticsearch.ElasticsearchCheckpointStore;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the {@code backfill} section of one running pipeline on its own daemon thread
 * ({@code binlog-sync-backfill-<name>}): its own {@link ElasticsearchSink} made from the pipeline's
 * {@code sink} settings (started on that thread, closed at the end), a {@link JdbcUrlDataSource}
 * from {@code jdbc}, and an {@link ElasticsearchCheckpointStore} in {@code checkpointIndex}, so a
 * new run resumes after the last chunk done. Logs a progress line per table at most every
 * {@link #LOG_EVERY} and when the table is done, feeds a {@link BackfillMeterBinder}, and keeps the
 * {@link BackfillStatus}. A failure is logged, counted and shown (state FAILED, the cleaned
 * error); the pipeline keeps running. When the pipeline stops running on its own (fails), the
 * backfill stops after its chunk and fails: the stream it relies on is gone.
 *
 * <p>Thread-safe: the supervisor starts and stops it, the endpoints read it.
 */
final class BackfillRunner implements BackfillRun {
    private static final Logger log = LoggerFactory.getLogger(BackfillRunner.class);
    /** The most often a table's progress is logged. */
    static final Duration LOG_EVERY = Duration.ofSeconds(5);

    private final String name;
    private final PipelineDefinition definition;
    private final BackfillConfig config;
    private final SyncPipeline pipeline;
    private final BackfillMeterBinder meters;
    private final ProgressReporter progressLog;
    private final Map<String, Boolean> finishedTables = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    // guarded by lock
    @Nullable private Thread thread;
    @Nullable private Backfill backfill;
    @Nullable private ElasticsearchSink sink;
    private boolean stopRequested;
    private volatile BackfillStatus.State state = BackfillStatus.State.NOT_STARTED;
    @Nullable private volatile String error;
    @Nullable private volatile Instant startedAt;
    @Nullable private volatile Instant endedAt;
    @Nullable private volatile String currentTable;

    BackfillRunner(String name, PipelineDefinition definition, SyncPipeline pipeline) {
        this.name = Objects.requireNonNull(name, "name");
        this.definition = Objects.requireNonNull(definition, "definition");
        this.config = Objects.requireNonNull(definition.backfill(), "the definition has no backfill section");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.meters = new BackfillMeterBinder(pipeline.name());
        this.progressLog = ProgressReporter.every(LOG_EVERY, line -> log.info("pipeline {}: backfill {}", name, line));
    }

    /** Starts the run on its own thread, unless the section says {@code runAtStart: false}. Once. */
    void start() {
        if (!config.runAtStart()) {
            log.info("pipeline {}: backfill configured with runAtStart false: not run", name);
            return;
        }
        synchronized (lock) {
            if (thread != null || stopRequested) {
                return;
            }
            startedAt = Instant.now();
            state = BackfillStatus.State.RUNNING;
            Thread t = new Thread(this::run, "binlog-sync-backfill-" + name);
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    private void run() {
        ElasticsearchSink own = null;
        try {
            BulkSink made = definition.createSink();
            if (!(made instanceof ElasticsearchSink es)) {
                made.close();
                throw new IllegalStateException("the sink is no ElasticsearchSink");
            }
            own = es;
            synchronized (lock) {
                if (stopRequested) {
                    finish(BackfillStatus.State.STOPPED, null);
                    return;
                }
                sink = es;
            }
            es.start();
            Backfill b = definition.toBackfillBuilder(
                            new JdbcUrlDataSource(Objects.requireNonNull(config.jdbcUrl(), "jdbc.url"), config.jdbcUser(),
                                    config.jdbcPassword()), es)
                    .checkpointStore(ElasticsearchCheckpointStore.of(es, config.checkpointIndex()))
                    .listener(new Listener())
                    .build();
            synchronized (lock) {
                if (stopRequested) {
                    finish(BackfillStatus.State.STOPPED, null);
                    return;
                }
                backfill = b;
            }
            log.info("pipeline {}: backfill starting, tables {}", name, b.tables());
            boolean done = b.run();
            if (done) {
                finish(BackfillStatus.State.DONE, null);
                log.info("pipeline {}: backfill done", name);
            } else if (pipeline.state() != PipelineState.RUNNING) {
                fail("the pipeline stopped running (" + pipeline.state() + "): the backfill needs the stream");
            } else {
                finish(BackfillStatus.State.STOPPED, null);
                log.info("pipeline {}: backfill stopped after its chunk; the next run resumes", name);
            }
        } catch (RuntimeException | Error e) {
            String cleaned = e.getClass().getSimpleName() + ": " + Secrets.redact(String.valueOf(e.getMessage()));
            boolean stopping;
            synchronized (lock) {
                stopping = stopRequested;
            }
            if (stopping) {
                // a stop past its bound closed the connections: the end of a stop, not a failure
                finish(BackfillStatus.State.STOPPED, null);
                log.info("pipeline {}: backfill stopped ({}); the next run verifies its pending chunk", name, cleaned);
            } else {
                fail(cleaned);
            }
        } finally {
            if (own != null) {
                own.close();
            }
        }
    }

    private void fail(String cleaned) {
        String table = currentTable;
        if (table == null && !config.tables().isEmpty()) {
            table = config.tables().get(0);
        }
        meters.failed(table == null ? "" : table);
        finish(BackfillStatus.State.FAILED, cleaned);
        log.error("pipeline {}: backfill failed{}; the stream keeps running: {}", name,
                table == null ? "" : " in " + table, cleaned);
    }

    private void finish(BackfillStatus.State s, @Nullable String why) {
        error = why;
        endedAt = Instant.now();
        state = s;
    }

    /**
     * Makes the run stop after its chunk and waits up to {@code bound} for it; past that, closes its
     * sink (its requests fail) and waits a little more. Closes the meters to new tables. Idempotent.
     *
     * @return whether the run's thread ended
     */
    boolean stop(Duration bound) {
        Thread t;
        synchronized (lock) {
            stopRequested = true;
            if (backfill != null) {
                backfill.stop();
            }
            t = thread;
        }
        meters.close();
        if (t == null) {
            return true;
        }
        try {
            t.join(Math.max(1, bound.toMillis()));
            if (t.isAlive()) {
                ElasticsearchSink s;
                synchronized (lock) {
                    s = sink;
                }
                log.warn("pipeline {}: the backfill did not stop within {}; closing its connections", name, bound);
                if (s != null) {
                    s.close();
                }
                t.interrupt();
                t.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            log.warn("pipeline {}: the backfill thread has not ended; its pending chunk is verified by the next run", name);
            return false;
        }
        return true;
    }

    /** Waits up to {@code timeout} for the run to end; true when it ended (or never started). For tests. */
    boolean awaitEnd(Duration timeout) throws InterruptedException {
        Thread t;
        synchronized (lock) {
            t = thread;
        }
        if (t != null) {
            t.join(Math.max(1, timeout.toMillis()));
            return !t.isAlive();
        }
        return true;
    }

    @Override
    public BackfillStatus status() {
        List<BackfillStatus.Table> tables = new ArrayList<>();
        Map<String, Boolean> finished = finishedTables;
        meters.progress().forEach((table, p) -> {
            if (table.isEmpty()) {
                return; // a failure before any table: counted under table="", shown as the run's error only
            }
            tables.add(new BackfillStatus.Table(table, p.rowsDone(),
                p.rowsPerSecond(), p.estimatedRowsLeft(), p.created(), p.existed(), p.resurrectionsRemoved(),
                p.chunksDone(), finished.getOrDefault(table, false)));
        });
        return new BackfillStatus(state, error, startedAt, endedAt, tables);
    }

    @Override
    public BackfillMeterBinder meters() {
        return meters;
    }

    /** Feeds the meters, the status and the log; on the backfill's thread. */
    private final class Listener implements BackfillListener {
        @Override
        public void tableStarted(String table, Checkpoint checkpoint) {
            currentTable = table;
            meters.tableStarted(table, checkpoint);
            log.info("pipeline {}: backfill of {} {}", name, table,
                    checkpoint.equals(Checkpoint.start()) ? "starting" : "resuming from its checkpoint");
        }

        @Override
        public void chunkDone(BackfillProgress p) {
            meters.chunkDone(p);
            progressLog.chunkDone(p);
            if (pipeline.state() != PipelineState.RUNNING) {
                Backfill b;
                synchronized (lock) {
                    b = backfill;
                }
                if (b != null) {
                    b.stop(); // the stream is gone: a snapshot alone would miss the changes it no longer applies
                }
            }
        }

        @Override
        public void tableFinished(BackfillProgress p) {
            meters.tableFinished(p);
            finishedTables.put(p.table(), true);
            progressLog.tableFinished(p);
        }
    }
}
