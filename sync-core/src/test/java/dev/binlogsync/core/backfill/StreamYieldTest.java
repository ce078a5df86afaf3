package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The pacing of {@link StreamYield} on a manual clock: its sleeper moves the clock, a fake signal
 * gives the stream's latency, so the waits are counted, not timed.
 */
class StreamYieldTest {
    private static final Duration TARGET = Duration.ofSeconds(1);
    private static final Duration MAX_YIELD = Duration.ofSeconds(10);

    private final ManualClock clock = new ManualClock();
    private final List<Duration> sleeps = new ArrayList<>();
    private final StreamYield.Sleeper sleeper = d -> {
        sleeps.add(d);
        clock.advance(d);
    };

    /** A signal giving {@code values} in turn, then zero; counts its readings. */
    private static final class Scripted implements StreamLatency {
        final Deque<Duration> values;
        int readings;

        Scripted(Duration... values) {
            this.values = new ArrayDeque<>(List.of(values));
        }

        @Override
        public Duration current() {
            readings++;
            return values.isEmpty() ? Duration.ZERO : values.poll();
        }
    }

    private StreamYield yieldTo(StreamLatency stream) {
        return new StreamYield(stream, TARGET, MAX_YIELD, clock, sleeper);
    }

    @Test
    void aStreamWithinTheTargetIsReadOnceAndNothingWaits() throws Exception {
        Scripted stream = new Scripted(Duration.ofMillis(400), TARGET);
        StreamYield y = yieldTo(stream);

        assertEquals(Duration.ZERO, y.await("shop.orders", () -> false));
        assertEquals(Duration.ZERO, y.await("shop.orders", () -> false), "exactly at the target is within it");

        assertEquals(2, stream.readings);
        assertEquals(List.of(), sleeps);
        assertEquals(0, y.pauses());
    }

    @Test
    void aStreamBehindIsWaitedForWithDoublingWaitsUntilItIsBackWithinTheTarget() throws Exception {
        Duration behind = Duration.ofSeconds(3);
        Scripted stream = new Scripted(behind, behind, behind, behind, Duration.ofMillis(200));
        StreamYield y = yieldTo(stream);

        Duration waited = y.await("shop.orders", () -> false);

        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400)),
                sleeps);
        assertEquals(Duration.ofMillis(750), waited);
        assertEquals(5, stream.readings, "read before the chunk and after each wait");
        assertEquals(1, y.pauses());
        assertEquals(0, y.maxedOut());
        assertEquals(Duration.ofMillis(750), y.yielded());
    }

    @Test
    void aStreamThatStaysBehindHoldsEachChunkForMaxYieldAtMostAndNeverForEver() throws Exception {
        StreamLatency alwaysBehind = () -> Duration.ofMinutes(5);
        StreamYield y = yieldTo(alwaysBehind);

        for (int chunk = 0; chunk < 3; chunk++) {
            sleeps.clear();
            assertEquals(MAX_YIELD, y.await("shop.orders", () -> false), "chunk " + chunk);
            // 50 ms doubling to the 1 s cap, the last wait cut at the bound
            assertEquals(Duration.ofMillis(50), sleeps.get(0));
            assertEquals(Duration.ofSeconds(1), sleeps.stream().max(Duration::compareTo).orElseThrow());
            assertEquals(MAX_YIELD, sleeps.stream().reduce(Duration.ZERO, Duration::plus));
        }
        assertEquals(3, y.pauses());
        assertEquals(3, y.maxedOut());
        assertEquals(MAX_YIELD.multipliedBy(3), y.yielded());
    }

    @Test
    void aStopEndsTheWaitAtTheNextReading() throws Exception {
        StreamLatency alwaysBehind = () -> Duration.ofMinutes(5);
        StreamYield y = yieldTo(alwaysBehind);

        Duration waited = y.await("shop.orders", () -> sleeps.size() >= 2);

        assertEquals(List.of(Duration.ofMillis(50), Duration.ofMillis(100)), sleeps);
        assertEquals(Duration.ofMillis(150), waited);
        assertEquals(0, y.maxedOut());
    }

    @Test
    void aSignalThatFailsOrGivesNothingNegativeCountsAsNotBehind() throws Exception {
        StreamYield failing = yieldTo(() -> {
            throw new IllegalStateException("metrics unavailable");
        });
        assertEquals(Duration.ZERO, failing.await("shop.orders", () -> false));
        StreamYield negative = yieldTo(() -> Duration.ofSeconds(-5));
        assertEquals(Duration.ZERO, negative.await("shop.orders", () -> false));
        assertEquals(List.of(), sleeps);
    }
}
