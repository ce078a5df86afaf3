package dev.binlogsync.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class ChecksTest {

    @Test
    void foreverIsTheLongestDurationThePipelineComputesWith() {
        assertEquals(Checks.MAX_NANOS, Checks.nanos(ChronoUnit.FOREVER.getDuration()));
        assertEquals(Checks.MAX_NANOS, Checks.nanos(Duration.ofSeconds(Long.MAX_VALUE)));
        assertEquals(Checks.MAX_NANOS, Checks.nanos(Duration.ofNanos(Long.MAX_VALUE)));
    }

    @Test
    void ordinaryDurationsAreTheirNanosecondsAndNegativeOnesZero() {
        assertEquals(1_500_000_000L, Checks.nanos(Duration.ofMillis(1500)));
        assertEquals(0, Checks.nanos(Duration.ZERO));
        assertEquals(0, Checks.nanos(Duration.ofSeconds(-1)));
    }

    @Test
    void aDeadlineForeverFromNowStaysInTheFutureAcrossTheClocksWrap() {
        long now = Long.MAX_VALUE - 5; // System.nanoTime() may be anywhere, near its wrap too
        long deadline = now + Checks.nanos(ChronoUnit.FOREVER.getDuration());
        assertEquals(Checks.MAX_NANOS, deadline - now);
        assertEquals(Checks.MAX_NANOS - 10, deadline - (now + 10));
    }
}
