package dev.binlogsync.core.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import javax.annotation.Nullable;

/**
 * Waits for a condition by polling it until a deadline: the one waiting helper of the tests, in
 * place of a hand-written deadline loop per test.
 *
 * <pre>{@code
 * Await.until(Duration.ofSeconds(10), "two requests sent", () -> sink.requests().size() >= 2);
 * Map<String, Object> doc = Await.value(Duration.ofSeconds(10), "document 1 in orders",
 *         () -> sink.document("orders", "1"), Objects::nonNull);
 * }</pre>
 *
 * <p>The condition is checked at once, then every {@link #DEFAULT_POLL_INTERVAL} (or the interval
 * given to {@link #every}) until it holds or the timeout has passed; it is always checked once
 * more at the deadline, so a timeout of zero checks exactly once. On timeout {@link #until} and
 * {@link #value} throw an {@link AssertionError} saying what was awaited, the timeout and the last
 * value observed; {@link #holdsWithin} returns false instead. An exception thrown by the condition
 * ends the wait and propagates unchanged (checked exceptions included, through the {@code E} type
 * parameter). If the waiting thread is interrupted, the wait ends with an {@link AssertionError}
 * (or false) and the thread's interrupt flag stays set.
 *
 * <p>Waiting is not synchronisation: use it for a state that another thread reaches eventually,
 * never to let time pass. Instances are immutable and thread-safe; each call polls on the calling
 * thread.
 */
public final class Await {

    /** How often the static methods check the condition: 10 ms. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(10);

    private static final Await SYSTEM = new Await(System::nanoTime, LockSupport::parkNanos, DEFAULT_POLL_INTERVAL);

    /** A condition that may throw; {@code E} is inferred as {@code RuntimeException} when it throws nothing checked. */
    @FunctionalInterface
    public interface Condition<E extends Exception> {
        /** Whether the awaited state has been reached. */
        boolean holds() throws E;
    }

    /**
     * Reads the observed value for {@link #value}: called on the waiting thread, once per check,
     * until the predicate accepts what it returns. It may return null (the predicate gets the null
     * and the failure message shows it); an exception it throws ends the wait and propagates
     * unchanged ({@code E} is inferred as {@code RuntimeException} when it throws nothing checked).
     * It should only read: it runs again after every interval.
     */
    @FunctionalInterface
    public interface Probe<T, E extends Exception> {
        /** The current value; may be null. */
        @Nullable
        T read() throws E;
    }

    private final LongSupplier nanoTime;
    private final LongConsumer pauseNanos;
    private final long pollNanos;

    /** For tests of this class: a fake clock and a pause that advances it. */
    Await(LongSupplier nanoTime, LongConsumer pauseNanos, Duration pollInterval) {
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.pauseNanos = Objects.requireNonNull(pauseNanos, "pauseNanos");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval must be > 0: " + pollInterval);
        }
        this.pollNanos = pollInterval.toNanos();
    }

    /**
     * A waiter that checks every {@code pollInterval} instead of every 10 ms, for conditions that
     * are costly to check (a search against a server, a consumer read).
     *
     * @throws IllegalArgumentException if {@code pollInterval} is zero or negative
     */
    public static Await every(Duration pollInterval) {
        return new Await(System::nanoTime, LockSupport::parkNanos, pollInterval);
    }

    /**
     * Waits until {@code condition} holds, checking every 10 ms.
     *
     * @param timeout how long to wait at most; not negative
     * @param what what is awaited, for the failure message (e.g. {@code "offset 99 committed"})
     * @throws AssertionError if the condition does not hold within {@code timeout}
     * @throws E what the condition throws
     */
    public static <E extends Exception> void until(Duration timeout, String what, Condition<E> condition) throws E {
        SYSTEM.untilHolds(timeout, what, condition);
    }

    /**
     * Reads a value until {@code accept} takes it, checking every 10 ms, and returns that value.
     * The failure message shows the last value read, so read what explains a failure.
     *
     * @param timeout how long to wait at most; not negative
     * @param what what is awaited, for the failure message
     * @param read reads the current value (may return null)
     * @param accept whether a value is the awaited one
     * @return the first accepted value
     * @throws AssertionError if no value read within {@code timeout} is accepted
     * @throws E what {@code read} throws
     */
    public static <T, E extends Exception> T value(Duration timeout, String what, Probe<T, E> read,
            Predicate<? super T> accept) throws E {
        return SYSTEM.valueOf(timeout, what, read, accept);
    }

    /** {@link #until}, polling at this waiter's interval. */
    public <E extends Exception> void untilHolds(Duration timeout, String what, Condition<E> condition) throws E {
        Objects.requireNonNull(condition, "condition");
        valueOf(timeout, what, condition::holds, Boolean::booleanValue);
    }

    /** {@link #value}, polling at this waiter's interval. */
    public <T, E extends Exception> T valueOf(Duration timeout, String what, Probe<T, E> read,
            Predicate<? super T> accept) throws E {
        Objects.requireNonNull(what, "what");
        Polled<T> polled = poll(timeout, read, accept);
        if (polled.accepted) {
            return polled.value;
        }
        if (polled.interrupted) {
            throw new AssertionError("interrupted while waiting for " + what + "; last observed: " + polled.value);
        }
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last observed: "
                + polled.value);
    }

    /**
     * Whether {@code condition} holds within {@code timeout}, checking every 10 ms; never fails on
     * timeout. For loops where not yet is an expected answer (e.g. "append another round unless the
     * fault was taken within 3 s"); to assert a state, use {@link #until}.
     *
     * @return true as soon as the condition holds, false after {@code timeout} or on interrupt (the
     *     interrupt flag stays set)
     * @throws E what the condition throws
     */
    public static <E extends Exception> boolean holdsWithin(Duration timeout, Condition<E> condition) throws E {
        return SYSTEM.holdsWithinTimeout(timeout, condition);
    }

    /** {@link #holdsWithin}, polling at this waiter's interval. */
    public <E extends Exception> boolean holdsWithinTimeout(Duration timeout, Condition<E> condition) throws E {
        Objects.requireNonNull(condition, "condition");
        return poll(timeout, condition::holds, Boolean::booleanValue).accepted;
    }

    private <T, E extends Exception> Polled<T> poll(Duration timeout, Probe<T, E> read, Predicate<? super T> accept)
            throws E {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(accept, "accept");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0: " + timeout);
        }
        long timeoutNanos = toNanosSaturated(timeout);
        long start = nanoTime.getAsLong();
        while (true) {
            long before = nanoTime.getAsLong();
            T value = read.read();
            if (accept.test(value)) {
                return new Polled<>(value, true, false);
            }
            // the deadline is measured from before this read: a read that returns after the
            // deadline still counts once, so a slow condition is checked at least once
            long left = timeoutNanos - (before - start);
            if (left <= 0) {
                return new Polled<>(value, false, false);
            }
            pauseNanos.accept(Math.min(pollNanos, left));
            if (Thread.currentThread().isInterrupted()) {
                return new Polled<>(value, false, true);
            }
        }
    }

    private record Polled<T>(@Nullable T value, boolean accepted, boolean interrupted) {
    }

    private static long toNanosSaturated(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooLong) {
            return Long.MAX_VALUE;
        }
    }
}
