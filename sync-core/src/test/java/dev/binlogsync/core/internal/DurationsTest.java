package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void foreverIsTheLongestDurationThePipelineComputesWith() {
        assertEquals(Durations.MAX_NANOS, Durations.nanos(ChronoUnit.FOREVER.getDuration()));
        assertEquals(Durations.MAX_NANOS, Durations.nanos(Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(Durations.MAX_NANOS, Durations.nanos(Duration.ofNanos(Long.MAX_VALUE)));
    }

    @Test
    void ordinaryDurationsAreTheirNanosecondsAndNegativeOnesZero() {
        assertEquals(1_500_000_000L, Durations.nanos(Duration.ofMillis(1500)));
        assertEquals(0, Durations.nanos(Duration.ZERO));
        assertEquals(0, Durations.nanos(Duration.ofSeconds(-1)));
    }

    @Test
    void aDeadlineForeverFromNowStaysInTheFutureAcrossTheClocksWrap() {
        long now = Long.MAX_VALUE - 5; // System.nanoTime() may be anywhere, near its wrap too
        long deadline = now + Durations.nanos(ChronoUnit.FOREVER.getDuration());
        assertEquals(Durations.MAX_NANOS, deadline - now);
        assertEquals(Durations.MAX_NANOS - 10, deadline - (now + 10));
    }
}
