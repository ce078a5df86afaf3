package dev.binlogsync.core.backfill;

import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncClock;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backfill's yield to the stream ({@link Backfill.Builder#yieldTo(StreamLatency, Duration)}):
 * before a chunk, while the stream's {@link StreamLatency} is above the target, waits, re-reading
 * it after each wait (the first after {@link #FIRST_WAIT}, doubling up to {@link #LONGEST_WAIT}),
 * for at most {@code maxYield} per chunk; then the chunk goes on whatever the stream's latency (a
 * stream slow for another reason slows the backfill to one chunk per {@code maxYield}, never stops
 * it). A {@link Backfill#stop()} ends the wait at its next re-reading. It only delays chunks.
 *
 * <p>Not thread-safe: the backfill's thread calls it.
 */
final class StreamYield {
    /** The first wait once the stream is found behind. */
    static final Duration FIRST_WAIT = Duration.ofMillis(50);
    /** The longest single wait between two readings of the stream's latency. */
    static final Duration LONGEST_WAIT = Duration.ofSeconds(1);

    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);

    /** Waits; a test's sleeper moves a manual clock. */
    interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final StreamLatency stream;
    private final Duration target;
    private final Duration maxYield;
    private final SyncClock clock;
    private final Sleeper sleeper;
    private long pauses;
    private long maxedOut;
    private long yieldedNanos;

    StreamYield(StreamLatency stream, Duration target, Duration maxYield, SyncClock clock, Sleeper sleeper) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.target = Objects.requireNonNull(target, "target");
        this.maxYield = Objects.requireNonNull(maxYield, "maxYield");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** The sleeper of a running backfill: {@link Thread#sleep}. */
    static Sleeper threadSleep() {
        return d -> Thread.sleep(Math.max(1, d.toMillis()));
    }

    /**
     * Waits while the stream is behind the target, at most {@code maxYield}, or until
     * {@code stopped}; returns the time waited (zero when the stream was not behind).
     *
     * @throws InterruptedException when the thread is interrupted while it waits
     */
    Duration await(String table, BooleanSupplier stopped) throws InterruptedException {
        Duration behind = read();
        if (behind.compareTo(target) <= 0) {
            return Duration.ZERO;
        }
        long start = clock.nanoTime();
        long deadline = start + maxYield.toNanos();
        Duration wait = FIRST_WAIT;
        pauses++;
        while (true) {
            long left = deadline - clock.nanoTime();
            if (left <= 0) {
                maxedOut++;
                LOG.info("backfill of {}: the stream stayed {} ms behind (target {} ms) for the longest yield ({} ms);"
                        + " reading the next chunk anyway", table, behind.toMillis(), target.toMillis(), maxYield.toMillis());
                break;
            }
            if (stopped.getAsBoolean()) {
                break;
            }
            Duration d = wait.toNanos() < left ? wait : Duration.ofNanos(left);
            sleeper.sleep(d);
            wait = wait.multipliedBy(2).compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : wait.multipliedBy(2);
            behind = read();
            if (behind.compareTo(target) <= 0) {
                break;
            }
        }
        long waited = Math.max(0, clock.nanoTime() - start);
        yieldedNanos += waited;
        LOG.debug("backfill of {}: yielded {} ms to the stream", table, waited / 1_000_000);
        return Duration.ofNanos(waited);
    }

    private Duration read() {
        try {
            Duration d = stream.current();
            return d == null || d.isNegative() ? Duration.ZERO : d;
        } catch (RuntimeException e) {
            LOG.warn("backfill: reading the stream's latency failed, not yielding: {}", Secrets.describe(e));
            return Duration.ZERO;
        }
    }

    /** Chunks the stream held back (the latency was above the target before them). */
    long pauses() {
        return pauses;
    }

    /** Of those, the ones that ended at {@code maxYield} with the stream still behind. */
    long maxedOut() {
        return maxedOut;
    }

    /** The time spent waiting, over every table. */
    Duration yielded() {
        return Duration.ofNanos(yieldedNanos);
    }

    @Override
    public String toString() {
        return "yield to " + stream + " above " + target + ", at most " + maxYield + " per chunk";
    }
}
