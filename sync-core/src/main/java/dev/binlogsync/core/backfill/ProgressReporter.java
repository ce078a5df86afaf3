package dev.binlogsync.core.backfill;

import dev.binlogsync.core.SyncClock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * A {@link BackfillListener} that reports each table's progress as one line of text, at most once
 * per interval per table (the first chunk of a table is reported), and always when the table is
 * done: {@code shop.orders: 4000 rows, 2100 rows/s, ~6000 left, 3990 created, 10 kept from the
 * stream, 0 removed}, or {@code shop.orders done: ...}. The service logs these lines; the demo
 * prints them.
 *
 * <pre>{@code
 * Backfill.builder()...listener(ProgressReporter.every(Duration.ofSeconds(5), line -> log.info("backfill {}", line)))
 * }</pre>
 *
 * <p>Called on the backfill's thread, as every listener; {@code report} must return quickly.
 * Thread-safe (one instance may hear several backfills).
 */
public final class ProgressReporter implements BackfillListener {
    private final Duration interval;
    private final SyncClock clock;
    private final Consumer<String> report;
    private final Map<String, Long> reportedAt = new ConcurrentHashMap<>();

    private ProgressReporter(Duration interval, SyncClock clock, Consumer<String> report) {
        this.interval = interval;
        this.clock = clock;
        this.report = report;
    }

    /** Reports each table's progress at most every {@code interval} (>= 0) on the system clock. */
    public static ProgressReporter every(Duration interval, Consumer<String> report) {
        return every(interval, SyncClock.system(), report);
    }

    /**
     * Reports each table's progress at most every {@code interval} on {@code clock}.
     *
     * @throws IllegalArgumentException when {@code interval} is negative
     */
    public static ProgressReporter every(Duration interval, SyncClock clock, Consumer<String> report) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must be >= 0: " + interval);
        }
        return new ProgressReporter(interval, Objects.requireNonNull(clock, "clock"), Objects.requireNonNull(report, "report"));
    }

    /**
     * The line for one table's progress, without the interval: the table, " done" when
     * {@code done}, then rows done, rows/s (rounded), the estimated rows left ({@code ~n}, or
     * {@code unknown}), documents created, creates that found the stream's copy, snapshot
     * copies the verification removed, and, when the table's run waited for the stream
     * ({@link Backfill.Builder#yieldTo(StreamLatency, Duration)}), {@code yielded 2.5 s to the stream}.
     */
    public static String line(BackfillProgress p, boolean done) {
        Long left = p.estimatedRowsLeft();
        return p.table() + (done ? " done" : "") + ": " + p.rowsDone() + " rows, " + Math.round(p.rowsPerSecond())
                + " rows/s, " + (left == null ? "unknown" : "~" + left) + " left, " + p.created() + " created, "
                + p.existed() + " kept from the stream, " + p.resurrectionsRemoved() + " removed"
                + (p.yielded().isZero() ? "" : String.format(java.util.Locale.ROOT, ", yielded %.1f s to the stream",
                        p.yielded().toMillis() / 1000.0));
    }

    @Override
    public void chunkDone(BackfillProgress progress) {
        long now = clock.nanoTime();
        Long last = reportedAt.get(progress.table());
        if (last == null || now - last >= interval.toNanos()) {
            reportedAt.put(progress.table(), now);
            report.accept(line(progress, false));
        }
    }

    @Override
    public void tableFinished(BackfillProgress progress) {
        report.accept(line(progress, true));
    }
}
