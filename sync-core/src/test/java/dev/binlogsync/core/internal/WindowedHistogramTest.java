package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowedHistogramTest {
    private static final long SECOND = 1_000_000_000L;

    /** A 40 s window in 5 slices of 10 s. */
    private static WindowedHistogram windowed(long startNanos) {
        WindowedHistogram h = new WindowedHistogram(Duration.ofSeconds(40), 5);
        h.rotate(startNanos);
        return h;
    }

    @Test
    void countAndSumAreSinceTheStartWhilePercentilesAndMaxForgetOldValues() {
        long t = 123 * SECOND;
        WindowedHistogram h = windowed(t);
        h.record(900);
        h.rotate(t + 20 * SECOND);
        h.record(100);
        assertEquals(900, h.max());
        assertEquals(900, h.percentile(1.0));

        h.rotate(t + 45 * SECOND); // 45 s old: still within window + current slice
        assertEquals(900, h.max());
        h.rotate(t + 52 * SECOND); // the slice with 900 has left the window, the one with 100 has not
        assertEquals(100, h.max());
        assertEquals(100, h.percentile(0.99));
        assertEquals(2, h.count());
        assertEquals(1000, h.sum());

        h.rotate(t + 75 * SECOND); // nothing recorded in the last 40 s
        assertEquals(0, h.max());
        assertEquals(0, h.percentile(0.5));
        assertEquals(2, h.count());
    }

    @Test
    void valuesStayForAtLeastTheWindow() {
        long t = 0;
        WindowedHistogram h = windowed(t);
        h.record(42); // recorded at the start of the first slice: it stays for the window plus one slice
        for (long s = 1; s <= 40; s++) {
            h.rotate(t + s * SECOND);
            assertEquals(42, h.max(), "at " + s + " s");
        }
        h.rotate(t + 50 * SECOND); // window + one slice: gone
        assertEquals(0, h.max());
    }

    @Test
    void aLongPauseClearsTheWholeWindowAndRecordingGoesOn() {
        WindowedHistogram h = windowed(0);
        h.record(5);
        h.rotate(3_600 * SECOND);
        assertEquals(0, h.max());
        h.record(8);
        h.rotate(3_605 * SECOND);
        assertEquals(8, h.max());
        assertEquals(8, h.percentile(0.5));
    }

    @Test
    void rejectsAWindowWithoutHistory() {
        assertThrows(IllegalArgumentException.class, () -> new WindowedHistogram(Duration.ofSeconds(1), 1));
        assertThrows(IllegalArgumentException.class, () -> new WindowedHistogram(Duration.ZERO, 3));
    }
}
