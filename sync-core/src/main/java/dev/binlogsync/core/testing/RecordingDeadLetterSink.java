package dev.binlogsync.core.testing;

import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.DeadLetterSink;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A {@link DeadLetterSink} that keeps the letters it acknowledged, in order, and can be told to
 * fail the next sends. Thread-safe.
 */
public final class RecordingDeadLetterSink implements DeadLetterSink {
    private final List<DeadLetter> letters = new ArrayList<>();
    private final ArrayDeque<RuntimeException> failures = new ArrayDeque<>();
    private int attempts;
    private boolean closed;

    @Override
    public synchronized CompletionStage<Void> send(DeadLetter letter) {
        Objects.requireNonNull(letter, "letter");
        attempts++;
        RuntimeException f = failures.poll();
        if (f != null) {
            return CompletableFuture.failedFuture(f);
        }
        letters.add(letter);
        notifyAll();
        return CompletableFuture.completedFuture(null);
    }

    /** Makes the next send fail with {@code failure} (a {@code RetriableSyncException} is retried by the pipeline). */
    public synchronized RecordingDeadLetterSink failNext(RuntimeException failure) {
        failures.add(Objects.requireNonNull(failure, "failure"));
        return this;
    }

    /** The acknowledged letters, in order. */
    public synchronized List<DeadLetter> letters() {
        return List.copyOf(letters);
    }

    /** Send calls, failed ones included. */
    public synchronized int attempts() {
        return attempts;
    }

    /** Waits until at least {@code count} letters were acknowledged. */
    public synchronized boolean awaitLetters(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (letters.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    /** Whether {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
