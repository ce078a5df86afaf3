package dev.binlogsync.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTest {

    /** A fake clock: pausing advances it, nothing sleeps. */
    private final ManualClock clock = new ManualClock();
    private final List<Long> pauses = new ArrayList<>();
    private final Await await = new Await(clock::nanoTime, nanos -> {
        pauses.add(nanos);
        clock.advance(Duration.ofNanos(nanos));
    }, Duration.ofMillis(10));

    @Test
    void returnsAtOnceWithoutPausingWhenTheConditionAlreadyHolds() {
        await.untilHolds(Duration.ofSeconds(1), "already true", () -> true);
        assertEquals(List.of(), pauses);
    }

    @Test
    void pollsAtTheIntervalUntilTheConditionHolds() {
        AtomicInteger reads = new AtomicInteger();
        await.untilHolds(Duration.ofSeconds(1), "third read", () -> reads.incrementAndGet() == 3);
        assertEquals(3, reads.get());
        assertEquals(List.of(10_000_000L, 10_000_000L), pauses);
    }

    @Test
    void returnsTheFirstAcceptedValue() {
        AtomicInteger reads = new AtomicInteger();
        int value = await.valueOf(Duration.ofSeconds(1), "a value above 2", reads::incrementAndGet, v -> v > 2);
        assertEquals(3, value);
    }

    @Test
    void failureSaysWhatWasAwaitedTheTimeoutAndTheLastObservedValue() {
        AtomicInteger reads = new AtomicInteger();
        AssertionError e = assertThrows(AssertionError.class, () -> await.valueOf(Duration.ofMillis(35),
                "7 documents in orders", reads::incrementAndGet, v -> v == 7));
        assertEquals("timed out after PT0.035S waiting for 7 documents in orders; last observed: 5", e.getMessage());
    }

    @Test
    void checksOnceMoreAtTheDeadlineAndNeverPausesPastIt() {
        AtomicInteger reads = new AtomicInteger();
        assertThrows(AssertionError.class,
                () -> await.untilHolds(Duration.ofMillis(25), "never", () -> reads.incrementAndGet() < 0));
        // reads at 0, 10, 20 and at the deadline 25 ms
        assertEquals(4, reads.get());
        assertEquals(List.of(10_000_000L, 10_000_000L, 5_000_000L), pauses);
        assertEquals(25_000_000L, clock.nanoTime());
    }

    @Test
    void aZeroTimeoutChecksExactlyOnce() {
        AtomicInteger reads = new AtomicInteger();
        AssertionError e = assertThrows(AssertionError.class,
                () -> await.untilHolds(Duration.ZERO, "flag set", () -> reads.incrementAndGet() < 0));
        assertEquals(1, reads.get());
        assertEquals("timed out after PT0S waiting for flag set; last observed: false", e.getMessage());
    }

    @Test
    void aConditionThatOutlivesTheTimeoutIsStillCheckedOnce() {
        // the only read takes longer than the whole timeout and then holds
        assertTrue(await.valueOf(Duration.ofMillis(5), "slow read", () -> {
            clock.advance(Duration.ofSeconds(1));
            return true;
        }, v -> v));
    }

    @Test
    void holdsWithinAnswersTrueOnceTheConditionHolds() {
        AtomicInteger reads = new AtomicInteger();
        assertTrue(await.holdsWithinTimeout(Duration.ofSeconds(1), () -> reads.incrementAndGet() == 2));
        assertEquals(List.of(10_000_000L), pauses);
    }

    @Test
    void holdsWithinAnswersFalseAtTheDeadlineInsteadOfFailing() {
        assertFalse(await.holdsWithinTimeout(Duration.ofMillis(30), () -> false));
        assertEquals(30_000_000L, clock.nanoTime());
    }

    @Test
    void anExceptionOfTheConditionPropagatesUnchanged() {
        IOException thrown = new IOException("connection refused");
        IOException e = assertThrows(IOException.class,
                () -> await.untilHolds(Duration.ofSeconds(1), "server answers", () -> {
                    throw thrown;
                }));
        assertEquals(thrown, e);
    }

    @Test
    void anInterruptEndsTheWaitAndKeepsTheFlag() {
        Await interrupted = new Await(clock::nanoTime, nanos -> Thread.currentThread().interrupt(), Duration.ofMillis(10));
        try {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> interrupted.untilHolds(Duration.ofSeconds(1), "never", () -> false));
            assertEquals("interrupted while waiting for never; last observed: false", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void rejectsANegativeTimeoutAndANonPositivePollInterval() {
        IllegalArgumentException timeout = assertThrows(IllegalArgumentException.class,
                () -> await.untilHolds(Duration.ofMillis(-1), "x", () -> true));
        assertEquals("timeout must be >= 0: PT-0.001S", timeout.getMessage());
        IllegalArgumentException poll = assertThrows(IllegalArgumentException.class, () -> Await.every(Duration.ZERO));
        assertEquals("pollInterval must be > 0: PT0S", poll.getMessage());
    }

    @Test
    void theStaticFormsWaitOnTheSystemClock() {
        AtomicInteger reads = new AtomicInteger();
        Await.until(Duration.ofSeconds(10), "second read", () -> reads.incrementAndGet() == 2);
        assertEquals("ok", Await.value(Duration.ofSeconds(10), "a value", () -> "ok", v -> v.equals("ok")));
        assertEquals(2, reads.get());
    }
}
