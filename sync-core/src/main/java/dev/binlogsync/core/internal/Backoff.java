package dev.binlogsync.core.internal;

import java.util.SplittableRandom;

/**
 * Exponential backoff with full jitter: attempt {@code n} waits uniformly in
 * {@code [0, min(max, initial * 2^(n-1))]}. Pipeline thread only.
 */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final SplittableRandom random = new SplittableRandom();

    Backoff(long initialNanos, long maxNanos) {
        this.initialNanos = initialNanos;
        this.maxNanos = maxNanos;
    }

    /** The wait before attempt {@code attempt} (1 for the first retry), in nanoseconds. */
    long nanos(int attempt) {
        long ceiling = initialNanos;
        for (int i = 1; i < attempt && ceiling < maxNanos; i++) {
            ceiling <<= 1;
        }
        ceiling = Math.min(ceiling, maxNanos);
        return random.nextLong(ceiling + 1);
    }
}
