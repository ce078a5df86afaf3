package dev.binlogsync.service;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.backfill.BackfillListener;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.ProgressReporter;
import dev.binlogsync.core.config.BackfillConfig;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.micrometer.BackfillMeterBinder;
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
 * What the service's backfill and re-sync runs share: one daemon thread per run
 * ({@code binlog-sync-<kind>-<name>}), its own {@link ElasticsearchSink} made from the pipeline's
 * {@code sink} settings (started on that thread, closed at the end), the {@code backfill}
 * section's JDBC connection, a {@link BackfillMeterBinder} fed by a listener that also logs a
 * progress line per table at most every {@link #LOG_EVERY}, the stop after the chunk in progress,
 * and the {@link BackfillStatus}. A failure is logged, counted ({@link #countFailure}) and shown
 * (state FAILED, the cleaned error); the pipeline keeps running. When the pipeline stops running on
 * its own (fails), the load stops after its chunk and fails: the stream it relies on is gone.
 *
 * <p>Thread-safe: the supervisor starts and stops it, the endpoints read it.
 */
abstract class LoadRunner implements BackfillRun {
    /** The most often a table's progress is logged. */
    static final Duration LOG_EVERY = Duration.ofSeconds(5);

    /** The concrete runner's logger ({@code dev.binlogsync.service.BackfillRunner}, {@code ...ResyncRunner}). */
    final Logger log = LoggerFactory.getLogger(getClass());
    final String name;
    final PipelineDefinition definition;
    final BackfillConfig config;
    final SyncPipeline pipeline;
    final BackfillMeterBinder meters;
    private final String kind;
    private final ProgressReporter progressLog;
    private final Map<String, Boolean> finishedTables = new ConcurrentHashMap<>();
    final Object lock = new Object();
    // guarded by lock
    @Nullable private Thread thread;
    @Nullable private ElasticsearchSink sink;
    private boolean stopRequested;
    private volatile BackfillStatus.State state = BackfillStatus.State.NOT_STARTED;
    @Nullable private volatile String error;
    @Nullable private volatile Instant startedAt;
    @Nullable private volatile Instant endedAt;
    @Nullable private volatile String currentTable;

    /** @param kind {@code backfill} or {@code re-sync}: in thread names and log lines */
    LoadRunner(String kind, String name, PipelineDefinition definition, SyncPipeline pipeline) {
        this.kind = kind;
        this.name = Objects.requireNonNull(name, "name");
        this.definition = Objects.requireNonNull(definition, "definition");
        this.config = Objects.requireNonNull(definition.backfill(), "the definition has no backfill section");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.meters = new BackfillMeterBinder(pipeline.name());
        this.progressLog = ProgressReporter.every(LOG_EVERY, line -> log.info("pipeline {}: {} {}", name, kind, line));
    }

    /** Whether {@link #start()} starts the run. */
    abstract boolean runsAtStart();

    /**
     * The load, on the run's thread, with the run's started sink: true when it finished, false when
     * {@link #stopLoad()} made it stop. Throws on failure.
     */
    abstract boolean load(ElasticsearchSink es);

    /** Makes {@link #load} return after its chunk in progress; any thread, also before the load began. */
    abstract void stopLoad();

    /** Counts a failure in the meters; {@code table} is the table loading, or empty. */
    abstract void countFailure(String table);

    /** Starts the run on its own thread, unless {@link #runsAtStart()} says no. Once. */
    void start() {
        if (!runsAtStart()) {
            log.info("pipeline {}: {} configured with runAtStart false: not run", name, kind);
            return;
        }
        synchronized (lock) {
            if (thread != null || stopRequested) {
                return;
            }
            startedAt = Instant.now();
            state = BackfillStatus.State.RUNNING;
            Thread t = new Thread(this::run, "binlog-sync-" + kind + "-" + name);
            t.setDaemon(true);
            thread = t;
            t.start();
        }
    }

    /** The data source of the {@code backfill} section's {@code jdbc}. */
    JdbcUrlDataSource dataSource() {
        return new JdbcUrlDataSource(Objects.requireNonNull(config.jdbcUrl(), "jdbc.url"), config.jdbcUser(),
                config.jdbcPassword());
    }

    /** Whether a stop was asked for. */
    boolean stopRequested() {
        synchronized (lock) {
            return stopRequested;
        }
    }

    /** Throws when the run cannot start at all; before any connection is made. Default: nothing. */
    void checkRunnable() {
    }

    private void run() {
        ElasticsearchSink own = null;
        try {
            checkRunnable();
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
            boolean done = load(es);
            if (done) {
                finish(BackfillStatus.State.DONE, null);
                log.info("pipeline {}: {} done", name, kind);
            } else if (pipeline.state() != PipelineState.RUNNING && !stopRequested()) {
                fail("the pipeline stopped running (" + pipeline.state() + "): the " + kind + " needs the stream");
            } else {
                finish(BackfillStatus.State.STOPPED, null);
                log.info("pipeline {}: {} stopped after its chunk; the next run resumes", name, kind);
            }
        } catch (RuntimeException | Error e) {
            String cleaned = e.getClass().getSimpleName() + ": " + Secrets.redact(String.valueOf(e.getMessage()));
            if (stopRequested()) {
                // a stop past its bound closed the connections: the end of a stop, not a failure
                finish(BackfillStatus.State.STOPPED, null);
                log.info("pipeline {}: {} stopped ({}); the next run verifies its pending chunk", name, kind, cleaned);
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
        countFailure(table == null ? "" : table);
        finish(BackfillStatus.State.FAILED, cleaned);
        log.error("pipeline {}: {} failed{}; the stream keeps running: {}", name, kind,
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
            t = thread;
        }
        stopLoad();
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
                log.warn("pipeline {}: the {} did not stop within {}; closing its connections", name, kind, bound);
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
            log.warn("pipeline {}: the {} thread has not ended; its pending chunk is verified by the next run", name, kind);
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

    /** The status without a re-sync part. */
    BackfillStatus baseStatus(@Nullable BackfillStatus.Resync resync) {
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
        return new BackfillStatus(state, error, startedAt, endedAt, tables, resync);
    }

    @Override
    public BackfillMeterBinder meters() {
        return meters;
    }

    /** Feeds the meters, the status and the log; on the load's thread. */
    final class Listener implements BackfillListener {
        @Override
        public void tablesResolved(List<String> tables) {
            // names listed from information_schema: shown escaped and bounded
            log.info("pipeline {}: {} loads tables {}", name, kind, UntrustedText.shown(String.valueOf(tables), 1024));
        }

        @Override
        public void tableStarted(String table, Checkpoint checkpoint) {
            currentTable = table;
            meters.tableStarted(table, checkpoint);
            log.info("pipeline {}: {} of {} {}", name, kind, table,
                    checkpoint.equals(Checkpoint.start()) ? "starting" : "resuming from its checkpoint");
        }

        @Override
        public void chunkDone(BackfillProgress p) {
            meters.chunkDone(p);
            progressLog.chunkDone(p);
            if (pipeline.state() != PipelineState.RUNNING) {
                stopLoad(); // the stream is gone: a snapshot alone would miss the changes it no longer applies
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
