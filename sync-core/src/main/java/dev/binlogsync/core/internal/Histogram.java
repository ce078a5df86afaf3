package dev.binlogsync.core.internal;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A fixed-bucket log-linear histogram of non-negative {@code long} values (HdrHistogram-like, no
 * dependency): values below 32 are exact; above, each power of two is split into 16 buckets, so a
 * reported percentile is at most 1/16 (6.25%) above the true value, and never above the recorded
 * maximum. 960 buckets cover the whole {@code long} range; recording never allocates.
 *
 * <p><b>Threading.</b> One writer thread ({@link #record}); any thread may read
 * ({@link #count()}, {@link #max()}, {@link #percentile}). Readers see a recent, possibly slightly
 * torn state (a value counted in its bucket but not yet in the maximum), never a corrupt one.
 * Negative values count as 0.
 */
final class Histogram {
    private static final int SUB_BITS = 4;
    private static final int SUB = 1 << SUB_BITS; // 16 buckets per power of two
    private static final int LINEAR = 2 * SUB;    // 0..31 exact
    static final int BUCKETS = LINEAR + (63 - SUB_BITS) * SUB;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong sum = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    /** Records one value (negative counts as 0). Single writer. */
    public void record(long value) {
        long v = Math.max(0, value);
        int i = bucketOf(v);
        // single writer: plain read, release write, so readers never need a lock
        counts.setRelease(i, counts.getPlain(i) + 1);
        sum.setRelease(sum.getPlain() + v);
        if (v > max.getPlain()) {
            max.setRelease(v);
        }
        count.setRelease(count.getPlain() + 1);
    }

    /** Values recorded. */
    public long count() {
        return count.getAcquire();
    }

    /** Sum of the values recorded (saturates at {@code Long.MAX_VALUE} only in theory). */
    public long sum() {
        return sum.getAcquire();
    }

    /** The largest value recorded, or 0. */
    public long max() {
        return max.getAcquire();
    }

    /**
     * The value at quantile {@code q} (0..1): the upper bound of the bucket holding it, capped at
     * {@link #max()}; 0 when nothing was recorded.
     */
    public long percentile(double q) {
        return percentile(q, new Histogram[] {this});
    }

    /**
     * Forgets every value. Single writer; a reader at the same time may see part of the old
     * values, never a corrupt state.
     */
    public void reset() {
        count.setRelease(0);
        for (int i = 0; i < BUCKETS; i++) {
            counts.setRelease(i, 0);
        }
        sum.setRelease(0);
        max.setRelease(0);
    }

    /** {@link #percentile(double)} over every value of all of {@code histograms} together. */
    public static long percentile(double q, Histogram[] histograms) {
        return percentiles(histograms, q)[0];
    }

    /**
     * Several quantiles over every value of all of {@code histograms} together, in one pass: the
     * same values {@link #percentile(double, Histogram[])} gives for each. Only the buckets up to the
     * largest maximum are read (a value counted while its maximum is not yet visible is left out of
     * this snapshot, as of both the total and the ranks), so a snapshot costs in proportion to the
     * range of the values, not to the 960 buckets.
     *
     * @param quantiles each in [0, 1], in ascending order
     * @return one value per quantile, in the same order; 0s when nothing was recorded
     */
    public static long[] percentiles(Histogram[] histograms, double... quantiles) {
        double previous = 0;
        for (double q : quantiles) {
            if (!(q >= 0 && q <= 1)) {
                throw new IllegalArgumentException("quantile must be in [0, 1]: " + q);
            }
            if (q < previous) {
                throw new IllegalArgumentException("quantiles must be in ascending order: " + Arrays.toString(quantiles));
            }
            previous = q;
        }
        long[] out = new long[quantiles.length];
        long m = 0;
        for (Histogram h : histograms) {
            m = Math.max(m, h.max());
        }
        int top = bucketOf(m);
        long total = 0;
        for (Histogram h : histograms) {
            for (int i = 0; i <= top; i++) {
                total += h.counts.getAcquire(i);
            }
        }
        if (total == 0 || quantiles.length == 0) {
            return out;
        }
        int next = 0;
        long rank = rank(quantiles[0], total);
        long seen = 0;
        for (int i = 0; i <= top && next < quantiles.length; i++) {
            for (Histogram h : histograms) {
                seen += h.counts.getAcquire(i);
            }
            while (next < quantiles.length && seen >= rank) {
                out[next++] = Math.min(upperBound(i), Math.max(m, lowerBound(i)));
                if (next < quantiles.length) {
                    rank = rank(quantiles[next], total);
                }
            }
        }
        while (next < quantiles.length) { // unreachable with a consistent total; kept for safety
            out[next++] = m;
        }
        return out;
    }

    private static long rank(double q, long total) {
        return Math.max(1, (long) Math.ceil(q * total));
    }

    static int bucketOf(long v) {
        if (v < LINEAR) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB_BITS;
        int mantissa = (int) (v >>> shift); // in [SUB, 2*SUB)
        return LINEAR + (shift - 1) * SUB + (mantissa - SUB);
    }

    static long lowerBound(int bucket) {
        if (bucket < LINEAR) {
            return bucket;
        }
        int shift = (bucket - LINEAR) / SUB + 1;
        long mantissa = (bucket - LINEAR) % SUB + SUB;
        return mantissa << shift;
    }

    static long upperBound(int bucket) {
        if (bucket < LINEAR) {
            return bucket;
        }
        int shift = (bucket - LINEAR) / SUB + 1;
        long mantissa = (bucket - LINEAR) % SUB + SUB;
        long next = (mantissa + 1) << shift;
        return next <= 0 ? Long.MAX_VALUE : next - 1;
    }
}
