package dev.binlogsync.core.internal;

import java.time.Duration;

/**
 * A distribution reported the way Micrometer's timers report theirs: {@link #count()} and
 * {@link #sum()} since the start, {@link #percentile} and {@link #max()} over a rolling window, so
 * a pipeline that has run for weeks still shows what its latency is now.
 *
 * <p>The window is a ring of {@code slices} histograms, each covering {@code window / (slices - 1)}:
 * the current slice and the ones before it together cover between {@code window} and
 * {@code window} plus one slice. {@link #rotate} moves to the next slice, clearing it, when the
 * current one has ended; it must be called regularly (the pipeline calls it every loop iteration),
 * otherwise old values stay in the window.
 *
 * <p><b>Threading.</b> One writer thread ({@link #record}, {@link #rotate}); any thread may read.
 * Readers see a recent, possibly slightly torn state, never a corrupt one.
 */
final class WindowedHistogram {
    /** The window of the pipeline's distributions: the last minute, in five 15-second slices. */
    public static final Duration WINDOW = Duration.ofMinutes(1);
    static final int SLICES = 5;

    private final Histogram total = new Histogram();
    private final Histogram[] slices;
    private final long sliceNanos;
    // ---- writer only
    private int current;
    private long sliceEndNanos;
    private boolean started;

    /** A window of {@link #WINDOW} in {@link #SLICES} slices. */
    public WindowedHistogram() {
        this(WINDOW, SLICES);
    }

    WindowedHistogram(Duration window, int slices) {
        if (slices < 2 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("need a positive window and at least 2 slices: " + window + ", " + slices);
        }
        this.slices = new Histogram[slices];
        for (int i = 0; i < slices; i++) {
            this.slices[i] = new Histogram();
        }
        this.sliceNanos = window.toNanos() / (slices - 1);
    }

    /** Records one value (negative counts as 0). Single writer. */
    public void record(long value) {
        total.record(value);
        slices[current].record(value);
    }

    /** Moves the window to {@code nowNanos}; the first call starts the first slice. Single writer. */
    public void rotate(long nowNanos) {
        if (!started) {
            started = true;
            sliceEndNanos = nowNanos + sliceNanos;
            return;
        }
        long late = nowNanos - sliceEndNanos;
        if (late < 0) {
            return;
        }
        long steps = late / sliceNanos + 1;
        if (steps >= slices.length) { // everything in the window is older than the window
            for (Histogram h : slices) {
                h.reset();
            }
            current = 0;
            sliceEndNanos = nowNanos + sliceNanos;
            return;
        }
        for (long k = 0; k < steps; k++) {
            current = (current + 1) % slices.length;
            slices[current].reset();
        }
        sliceEndNanos += steps * sliceNanos;
    }

    /** Values recorded since the start. */
    public long count() {
        return total.count();
    }

    /** Their sum, since the start. */
    public long sum() {
        return total.sum();
    }

    /** The value at quantile {@code q} of the values in the window; 0 when the window is empty. */
    public long percentile(double q) {
        return Histogram.percentile(q, slices);
    }

    /**
     * The values at several quantiles (ascending) of the values in the window, in one pass; 0s when
     * the window is empty. See {@link Histogram#percentiles(Histogram[], double...)}.
     */
    public long[] percentiles(double... quantiles) {
        return Histogram.percentiles(slices, quantiles);
    }

    /** The largest value in the window, or 0. */
    public long max() {
        long m = 0;
        for (Histogram h : slices) {
            m = Math.max(m, h.max());
        }
        return m;
    }
}
