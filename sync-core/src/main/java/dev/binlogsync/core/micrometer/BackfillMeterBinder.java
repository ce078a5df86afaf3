package dev.binlogsync.core.micrometer;

import dev.binlogsync.core.backfill.BackfillListener;
import dev.binlogsync.core.backfill.BackfillProgress;
import dev.binlogsync.core.backfill.Checkpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import javax.annotation.Nullable;

/**
 * Registers a {@link dev.binlogsync.core.backfill.Backfill}'s progress with Micrometer: give it to
 * the backfill as its {@link BackfillListener} (or call its methods from yours) and bind it.
 *
 * <pre>{@code
 * BackfillMeterBinder meters = new BackfillMeterBinder("orders");
 * meters.bindTo(registry);
 * Backfill backfill = Backfill.builder()...listener(meters).build();
 * try { backfill.run(); } catch (BackfillException e) { meters.failed(currentTable); throw e; }
 * }</pre>
 *
 * <p>Each table's meters are registered when the table starts (or when bound, for the tables seen
 * before), with the tags {@code pipeline} (given) and {@code table} ({@code database.table}). The
 * values are those of the last {@link BackfillProgress} (the run's, from its start; a new run, a
 * new binder). Names, in the style of {@link SyncPipelineMeterBinder} (a Prometheus registry
 * renders {@code binlogsync.backfill.rows} as {@code binlogsync_backfill_rows_total}):
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>meaning</th></tr>
 * <tr><td>binlogsync.backfill.rows</td><td>counter</td><td>rows read in done chunks</td></tr>
 * <tr><td>binlogsync.backfill.creates</td><td>counter</td><td>creates acknowledged, tag {@code outcome}: {@code created} (the
 *     document was written) or {@code existed} (it found the stream's copy, which is kept)</td></tr>
 * <tr><td>binlogsync.backfill.copies.removed</td><td>counter</td><td>snapshot copies of rows deleted meanwhile, removed by the verification</td></tr>
 * <tr><td>binlogsync.backfill.chunks</td><td>counter</td><td>chunks done (created, acknowledged, verified, checkpointed)</td></tr>
 * <tr><td>binlogsync.backfill.yielded.seconds</td><td>counter</td><td>seconds the table's run waited before its chunks
 *     for the stream to catch up ({@code Backfill.Builder#yieldTo}); 0 without it</td></tr>
 * <tr><td>binlogsync.backfill.failures</td><td>counter</td><td>runs of the table that failed</td></tr>
 * <tr><td>binlogsync.backfill.rows.left</td><td>gauge</td><td>estimated rows still to read (NaN when unknown)</td></tr>
 * <tr><td>binlogsync.backfill.rows.per.second</td><td>gauge</td><td>rows done per second of the table's run</td></tr>
 * <tr><td>binlogsync.backfill.finished</td><td>gauge</td><td>1 once every chunk of the table is done, else 0</td></tr>
 * </table>
 *
 * <p>Thread-safe: the backfill's thread reports, any thread binds and reads. After
 * {@link #close()} no new table's meters are registered (those registered stay until their
 * registry removes them).
 */
public final class BackfillMeterBinder implements MeterBinder, BackfillListener, AutoCloseable {
    private final String pipeline;
    private final Map<String, TableState> tables = new ConcurrentHashMap<>();
    private final List<MeterRegistry> registries = new ArrayList<>();
    private boolean closed;

    /**
     * @param pipeline the value of the {@code pipeline} tag (the pipeline whose tables are loaded)
     */
    public BackfillMeterBinder(String pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        if (closed) {
            return;
        }
        registries.add(registry);
        for (TableState t : tables.values()) {
            register(registry, t);
        }
    }

    @Override
    public void tableStarted(String table, Checkpoint checkpoint) {
        table(table);
    }

    @Override
    public void chunkDone(BackfillProgress progress) {
        table(progress.table()).last = progress;
    }

    @Override
    public void tableFinished(BackfillProgress progress) {
        TableState t = table(progress.table());
        t.last = progress;
        t.finished = true;
    }

    /** Counts a failed run of {@code table} ({@code database.table}). */
    public void failed(String table) {
        table(table).failures++;
    }

    /** The tables seen, each with its last progress (null before its first chunk). */
    public Map<String, BackfillProgress> progress() {
        Map<String, BackfillProgress> out = new java.util.TreeMap<>();
        tables.forEach((name, t) -> {
            BackfillProgress p = t.last;
            out.put(name, p != null ? p : new BackfillProgress(name, 0, 0, null, 0, 0, 0, 0));
        });
        return out;
    }

    /** Registers no further table's meters. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        registries.clear();
    }

    private TableState table(String table) {
        TableState t = tables.get(table);
        if (t != null) {
            return t;
        }
        synchronized (this) {
            t = tables.get(table);
            if (t == null) {
                t = new TableState(table);
                tables.put(table, t);
                for (MeterRegistry r : registries) {
                    register(r, t);
                }
            }
            return t;
        }
    }

    private void register(MeterRegistry r, TableState t) {
        Tags tags = Tags.of("pipeline", pipeline, "table", t.table);
        counter(r, tags, t, "binlogsync.backfill.rows", "rows read in done chunks", p -> p.rowsDone());
        // not "documents.created": Prometheus' client drops a trailing _created (OpenMetrics' created-time suffix)
        counter(r, tags.and("outcome", "created"), t, "binlogsync.backfill.creates", "creates acknowledged",
                p -> p.created());
        counter(r, tags.and("outcome", "existed"), t, "binlogsync.backfill.creates", "creates acknowledged",
                p -> p.existed());
        counter(r, tags, t, "binlogsync.backfill.copies.removed",
                "snapshot copies of rows deleted meanwhile, removed by the verification", p -> p.resurrectionsRemoved());
        counter(r, tags, t, "binlogsync.backfill.chunks", "chunks done", p -> p.chunksDone());
        counter(r, tags, t, "binlogsync.backfill.yielded.seconds", "time the table's run waited for the stream",
                p -> p.yielded().toNanos() / 1e9);
        FunctionCounter.builder("binlogsync.backfill.failures", t, s -> s.failures)
                .description("runs of the table that failed").tags(tags).register(r);
        gauge(r, tags, t, "binlogsync.backfill.rows.left", "estimated rows still to read",
                p -> p.estimatedRowsLeft() == null ? Double.NaN : p.estimatedRowsLeft());
        gauge(r, tags, t, "binlogsync.backfill.rows.per.second", "rows done per second of the table's run",
                p -> p.rowsPerSecond());
        Gauge.builder("binlogsync.backfill.finished", t, s -> s.finished ? 1 : 0)
                .description("1 once every chunk of the table is done").tags(tags).register(r);
    }

    private static void counter(MeterRegistry r, Tags tags, TableState t, String name, String description,
            ToDoubleFunction<BackfillProgress> f) {
        FunctionCounter.builder(name, t, s -> {
            BackfillProgress p = s.last;
            return p == null ? 0 : f.applyAsDouble(p);
        }).description(description).tags(tags).register(r);
    }

    private static void gauge(MeterRegistry r, Tags tags, TableState t, String name, String description,
            ToDoubleFunction<BackfillProgress> f) {
        Gauge.builder(name, t, s -> {
            BackfillProgress p = s.last;
            return p == null ? Double.NaN : f.applyAsDouble(p);
        }).description(description).tags(tags).strongReference(true).register(r);
    }

    /** One table's last progress; written by the backfill's thread. */
    private static final class TableState {
        final String table;
        @Nullable volatile BackfillProgress last;
        volatile boolean finished;
        volatile long failures;

        TableState(String table) {
            this.table = table;
        }
    }
}
