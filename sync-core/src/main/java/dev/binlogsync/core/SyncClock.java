package dev.binlogsync.core;

/**
 * The time source of a {@link SyncPipeline}: it drives the flush interval, the retry backoff and
 * the commit interval. Inject {@code dev.binlogsync.core.testing.ManualClock} to test time-based
 * behaviour without sleeping.
 *
 * <p>Implementations must be thread-safe; the pipeline reads them from its own thread.
 */
public interface SyncClock {

    /**
     * A monotonic reading in nanoseconds, only meaningful as a difference to another reading. A
     * reading that goes back does not fail the pipeline: a time it measures comes out as 0 (the
     * metrics' {@code pausedTime} does not grow), and what waits for an interval (flush, commit)
     * waits until the clock passes the earlier reading again.
     */
    long nanoTime();

    /** The wall-clock time, epoch milliseconds (used for timestamps in dead letters). */
    long currentTimeMillis();

    /** The system clock: {@link System#nanoTime()} and {@link System#currentTimeMillis()}. */
    static SyncClock system() {
        return SystemClock.INSTANCE;
    }
}

/** The default {@link SyncClock}. */
enum SystemClock implements SyncClock {
    INSTANCE;

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public long currentTimeMillis() {
        return System.currentTimeMillis();
    }

    @Override
    public String toString() {
        return "SyncClock.system()";
    }
}
