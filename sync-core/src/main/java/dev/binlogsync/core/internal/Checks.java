package dev.binlogsync.core.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * The argument checks the builders of every module share, so each setting fails the same way.
 * Not public API (used by sibling modules released together with sync-core).
 */
public final class Checks {

    /**
     * The longest duration the pipelines compute with, in nanoseconds: about 73 years, which is
     * "forever" for a process. A quarter of {@code Long.MAX_VALUE}, so that a sum of a clock
     * reading's distance and two such durations never overflows.
     */
    public static final long MAX_NANOS = Long.MAX_VALUE / 4;

    private Checks() {
    }

    /**
     * {@code d} in nanoseconds, at most {@link #MAX_NANOS}: a duration such as
     * {@code ChronoUnit.FOREVER.getDuration()} or {@code Duration.ofSeconds(Long.MAX_VALUE)} means
     * "very long", where {@link Duration#toNanos()} would throw and {@code System.nanoTime() + d}
     * would wrap into the past. Negative durations are 0.
     */
    public static long nanos(Duration d) {
        if (d.isNegative()) {
            return 0;
        }
        return d.compareTo(Duration.ofNanos(MAX_NANOS)) >= 0 ? MAX_NANOS : d.toNanos();
    }

    /**
     * {@code d}, if positive.
     *
     * @throws NullPointerException naming {@code name} if {@code d} is null
     * @throws IllegalArgumentException "{@code name} must be > 0: d" if it is zero or negative
     */
    public static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0: " + d);
        }
        return d;
    }

    /**
     * {@code s}, if it has a non-whitespace character.
     *
     * @throws NullPointerException naming {@code name} if {@code s} is null
     * @throws IllegalArgumentException "{@code name} must not be blank: 's'" otherwise
     */
    public static String nonBlank(String s, String name) {
        Objects.requireNonNull(s, name);
        if (s.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank: '" + s + "'");
        }
        return s;
    }
}
