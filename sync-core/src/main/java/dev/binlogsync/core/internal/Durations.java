package dev.binlogsync.core.internal;

import java.time.Duration;

/**
 * Durations as the nanoseconds the pipeline computes deadlines with, capped so that "forever"
 * never overflows a deadline.
 */
final class Durations {

    /**
     * The longest duration the pipelines compute with, in nanoseconds: about 73 years, which is
     * "forever" for a process. A quarter of {@code Long.MAX_VALUE}, so that a sum of a clock
     * reading's distance and two such durations never overflows.
     */
    static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private Durations() {
    }

    /**
     * {@code d} in nanoseconds, at most {@link #MAX_NANOS}: a duration such as
     * {@code ChronoUnit.FOREVER.getDuration()} or {@code Duration.ofSeconds(Long.MAX_VALUE)} means
     * "very long", where {@link Duration#toNanos()} would throw and {@code System.nanoTime() + d}
     * would wrap into the past. Negative durations are 0.
     */
    static long nanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        return d.compareTo(Duration.ofNanos(MAX_NANOS)) >= 0 ? MAX_NANOS : d.toNanos();
    }
}
