package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HistogramTest {

    @Test
    void emptyHistogramReportsZero() {
        Histogram h = new Histogram();
        assertEquals(0, h.count());
        assertEquals(0, h.percentile(0.99));
        assertEquals(0, h.max());
    }

    @Test
    void smallValuesAreExact() {
        Histogram h = new Histogram();
        for (int v = 0; v < 31; v++) {
            h.record(v);
        }
        assertEquals(15, h.percentile(0.5));
        assertEquals(30, h.percentile(1.0));
        assertEquals(0, h.percentile(0.0));
        assertEquals(31, h.count());
        assertEquals(465, h.sum());
    }

    @Test
    void percentilesStayWithinOneSixteenthAboveTheTrueValue() {
        Histogram h = new Histogram();
        for (int v = 1; v <= 100_000; v++) {
            h.record(v);
        }
        long p50 = h.percentile(0.5);
        long p99 = h.percentile(0.99);
        assertTrue(p50 >= 50_000 && p50 <= 50_000 * 17 / 16, "p50 " + p50);
        assertTrue(p99 >= 99_000 && p99 <= 99_000 * 17 / 16, "p99 " + p99);
        assertEquals(100_000, h.max());
        assertEquals(100_000, h.percentile(1.0), "the top percentile is capped at the maximum");
    }

    @Test
    void negativeValuesCountAsZeroAndHugeValuesFit() {
        Histogram h = new Histogram();
        h.record(-5);
        h.record(Long.MAX_VALUE);
        assertEquals(0, h.percentile(0.5));
        assertEquals(Long.MAX_VALUE, h.percentile(1.0));
        assertEquals(Long.MAX_VALUE, h.max());
    }

    @Test
    void everyBucketBoundContainsItsValues() {
        for (long v : new long[] {0, 31, 32, 33, 63, 64, 1000, 1 << 20, (1L << 40) + 12345, Long.MAX_VALUE}) {
            int b = Histogram.bucketOf(v);
            assertTrue(b >= 0 && b < Histogram.BUCKETS, "bucket of " + v);
            assertTrue(Histogram.lowerBound(b) <= v && v <= Histogram.upperBound(b), "bounds of " + v);
        }
    }

    @Test
    void rejectsQuantileOutsideZeroToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Histogram().percentile(1.5));
        assertTrue(e.getMessage().contains("1.5"));
    }

    @Test
    void resetForgetsEverything() {
        Histogram h = new Histogram();
        h.record(5);
        h.record(5_000);
        h.reset();
        assertEquals(0, h.count());
        assertEquals(0, h.sum());
        assertEquals(0, h.max());
        assertEquals(0, h.percentile(0.5));
        h.record(7);
        assertEquals(7, h.percentile(1.0));
    }

    @Test
    void percentileOverSeveralHistogramsIsThePercentileOfAllTheirValues() {
        Histogram low = new Histogram();
        Histogram high = new Histogram();
        Histogram all = new Histogram();
        for (int v = 1; v <= 1000; v++) {
            (v <= 900 ? low : high).record(v);
            all.record(v);
        }
        Histogram[] both = {low, high};
        for (double q : new double[] {0.0, 0.5, 0.9, 0.95, 0.99, 1.0}) {
            assertEquals(all.percentile(q), Histogram.percentile(q, both), "q=" + q);
        }
        assertEquals(0, Histogram.percentile(0.5, new Histogram[] {new Histogram()}));
    }

    @Test
    void eachQuantileIsTheBucketBoundOfTheExactNearestRankValue() {
        Random random = new Random(42);
        for (int round = 0; round < 50; round++) {
            Histogram[] parts = {new Histogram(), new Histogram(), new Histogram()};
            int n = 1 + random.nextInt(5000);
            long[] values = new long[n];
            for (int i = 0; i < n; i++) {
                // log-uniform over 1 .. 2^40, so every range of buckets gets values
                values[i] = (long) Math.pow(2, random.nextDouble() * 40);
                parts[random.nextInt(parts.length)].record(values[i]);
            }
            Arrays.sort(values);
            double[] qs = {0.0, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0};
            long[] got = Histogram.percentiles(parts, qs);
            for (int k = 0; k < qs.length; k++) {
                long exact = values[(int) Math.max(1, Math.ceil(qs[k] * n)) - 1];
                long expected = Math.min(Histogram.upperBound(Histogram.bucketOf(exact)), values[n - 1]);
                assertEquals(expected, got[k], "round " + round + ", n=" + n + ", q=" + qs[k]);
                assertEquals(expected, Histogram.percentile(qs[k], parts), "single quantile, q=" + qs[k]);
            }
        }
    }

    @Test
    void severalQuantilesMustBeAscending() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Histogram.percentiles(new Histogram[] {new Histogram()}, 0.99, 0.5));
        assertTrue(e.getMessage().contains("ascending"), e.getMessage());
        assertArrayEquals(new long[] {0, 0}, Histogram.percentiles(new Histogram[] {new Histogram()}, 0.5, 0.99));
        Histogram one = new Histogram();
        one.record(5);
        assertArrayEquals(new long[0], Histogram.percentiles(new Histogram[] {one}), "no quantiles asked, none given");
    }
}
