package dev.binlogsync.core.testing;

import dev.binlogsync.core.SyncClock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link SyncClock} that moves only when a test calls {@link #advance}. Thread-safe.
 *
 * <pre>{@code
 * ManualClock clock = new ManualClock();
 * SyncPipeline p = SyncPipeline.builder()...clock(clock).flushInterval(Duration.ofMillis(200)).build();
 * ...
 * clock.advance(Duration.ofMillis(200)); // the next loop iteration flushes
 * }</pre>
 */
public final class ManualClock implements SyncClock {
    private final AtomicLong nanos = new AtomicLong();
    private final long startMillis;

    /** A clock at nano reading 0 and wall time 2026-01-01T00:00:00Z. */
    public ManualClock() {
        this(1_767_225_600_000L);
    }

    /** A clock at nano reading 0 and the given wall time (epoch ms). */
    public ManualClock(long startMillis) {
        this.startMillis = startMillis;
    }

    /** Moves the clock forward. */
    public void advance(Duration d) {
        Objects.requireNonNull(d, "d");
        if (d.isNegative()) {
            throw new IllegalArgumentException("a clock does not go back: " + d);
        }
        nanos.addAndGet(d.toNanos());
    }

    @Override
    public long nanoTime() {
        return nanos.get();
    }

    @Override
    public long currentTimeMillis() {
        return startMillis + nanos.get() / 1_000_000;
    }

    @Override
    public String toString() {
        return "ManualClock[" + Duration.ofNanos(nanos.get()) + "]";
    }
}
