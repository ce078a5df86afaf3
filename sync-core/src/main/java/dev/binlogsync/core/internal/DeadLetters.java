package dev.binlogsync.core.internal;

import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncClock;
import dev.binlogsync.core.SyncException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dead letters the pipeline sends: each holds references on the records it came from until its
 * sink acknowledges it (then they are released, and may be committed). A retriable failure of the
 * sink is retried with backoff without limit (an outage of the destination never fails the
 * pipeline; intake stays paused by the bytes still held); any other failure fails the pipeline. A
 * letter whose partitions were all lost or revoked is dropped: the next owner writes it. What the
 * letters hold counts against the pipeline's buffer bounds ({@link #count}, {@link #bytes}).
 *
 * <p>Pipeline thread only; the sink's completions come back through the engine's completion queue.
 */
final class DeadLetters {
    private static final Logger log = LoggerFactory.getLogger("dev.binlogsync.core.SyncPipeline");

    /** The engine's hooks: hand a completion to the pipeline thread, and fail the pipeline. */
    interface Host {
        void complete(Runnable onPipelineThread);

        void fail(Throwable failure);
    }

    private static final class Letter {
        final DeadLetter letter;
        final List<PendingRecord> refs;
        /** What the letter holds in memory until acknowledged, counted against maxBufferedBytes. */
        final long bytes;
        int attempts;
        long dueNanos;

        /**
         * @param countAction whether the letter's action counts in {@link #bytes} (the letters of one
         *     coalesced action share it: only the first counts it)
         */
        Letter(DeadLetter letter, List<PendingRecord> refs, boolean countAction) {
            this.letter = letter;
            this.refs = refs;
            // the record's raw bytes (counted again by its tracker when records keep them: an
            // over-estimate, never an under-estimate), the reason, the action, and a fixed overhead
            SourceRecord r = letter.record();
            long b = 96L + letter.reason().length() + (r.key() == null ? 0 : r.key().length)
                    + (r.value() == null ? 0 : r.value().length);
            DocumentAction a = letter.action();
            if (countAction && a != null) {
                b += DocumentSize.estimateBytes(a.index(), a.id(), a.routing(), a.document());
            }
            this.bytes = b;
        }

        boolean alive() {
            for (PendingRecord r : refs) {
                if (r.tracker.alive) {
                    return true;
                }
            }
            return false;
        }
    }

    @Nullable private final DeadLetterSink sink;
    private final SyncClock clock;
    private final Backoff backoff;
    private final EngineCounters counters;
    private final Host host;
    /** Letters waiting for a retry. */
    private final ArrayList<Letter> waiting = new ArrayList<>();
    private int inFlight;
    /** Estimated bytes of the letters not yet acknowledged (waiting, in flight or waiting for a retry). */
    private long bytes;

    DeadLetters(@Nullable DeadLetterSink sink, SyncClock clock, Backoff backoff, EngineCounters counters, Host host) {
        this.sink = sink;
        this.clock = clock;
        this.backoff = backoff;
        this.counters = counters;
        this.host = host;
    }

    /**
     * Sends a letter for a record that cannot be decoded or mapped. Takes a reference on {@code p},
     * released when the letter is acknowledged.
     */
    void unprocessable(PendingRecord p, DeadLetter.Kind kind, String reason) {
        p.retain();
        send(new Letter(new DeadLetter(kind, reason, p.record, List.of(p.position), null, null,
                clock.currentTimeMillis()), List.of(p), true));
    }

    /**
     * Sends the letters of a rejected action: one per source record, each with that record's own bytes
     * and position (and so its own topic/partition/offset headers), all with the merged action and
     * every position: replaying the letters' records in order reproduces every change the rejected
     * document was made of. The last record alone would not (an update's changed fields, without the
     * insert and updates merged before it). The references the action holds move to the letters.
     *
     * @param byRecord the records of the action, each once, oldest first, with the references the
     *     action holds on each
     */
    void rejected(DocumentAction action, @Nullable ItemResult result, String reason,
            Map<PendingRecord, List<PendingRecord>> byRecord, List<SourcePosition> positions) {
        long now = clock.currentTimeMillis();
        int n = byRecord.size();
        int k = 0;
        for (Map.Entry<PendingRecord, List<PendingRecord>> e : byRecord.entrySet()) {
            k++;
            String why = n == 1 ? reason : reason + "; record " + k + " of " + n;
            send(new Letter(new DeadLetter(DeadLetter.Kind.REJECTED, why, e.getKey().record, positions, action, result,
                    now), e.getValue(), k == 1));
        }
    }

    /** Hands a new letter to the sink; it counts as held until acknowledged or dropped. */
    private void send(Letter letter) {
        bytes += letter.bytes;
        sendNow(letter);
    }

    private void sendNow(Letter letter) {
        DeadLetterSink dlq = Objects.requireNonNull(sink, "deadLetterSink");
        inFlight++;
        CompletionStage<Void> stage;
        try {
            stage = dlq.send(letter.letter);
        } catch (Throwable e) {
            if (Engine.isFatal(e)) {
                host.fail(e);
            }
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((v, error) -> host.complete(() -> onDone(letter, error)));
    }

    private void onDone(Letter letter, @Nullable Throwable error) {
        inFlight--;
        if (!letter.alive()) {
            bytes -= letter.bytes;
            return;
        }
        Throwable cause = Engine.unwrap(error);
        if (cause == null) {
            bytes -= letter.bytes;
            counters.deadLettered();
            for (PendingRecord r : letter.refs) {
                r.tracker.release(r);
            }
            return;
        }
        if (cause instanceof RetriableSyncException) {
            // a retriable failure of the dead-letter destination (topic missing, cluster down, its
            // queue full) says nothing about this letter: retried without limit, like a bulk failing
            // as a whole, so an outage of the destination never fails the pipeline; its bytes stay
            // counted, so intake stays paused meanwhile
            letter.attempts++;
            letter.dueNanos = clock.nanoTime() + backoff.nanos(letter.attempts);
            waiting.add(letter);
            log.warn("dead-letter sink failed, retrying: {}", Secrets.describe(cause));
            return;
        }
        bytes -= letter.bytes;
        host.fail(new SyncException("dead-letter sink failed for " + letter.letter.positions() + " ("
                + letter.letter.reason() + "): " + Secrets.describe(cause), cause));
    }

    /** Sends the letters whose retry is due. */
    void sendDue(long now) {
        if (waiting.isEmpty()) {
            return;
        }
        for (Iterator<Letter> it = waiting.iterator(); it.hasNext(); ) {
            Letter letter = it.next();
            if (now - letter.dueNanos >= 0) {
                it.remove();
                if (letter.alive()) { // a lost partition's dead letter is the next owner's to write
                    sendNow(letter);
                } else {
                    bytes -= letter.bytes;
                }
            }
        }
    }

    /** How long until a letter's retry is due (may be zero or less), {@link LaneScheduler#NEVER} when none waits. */
    long nanosUntilNextDue(long now) {
        long wait = LaneScheduler.NEVER;
        for (int i = 0; i < waiting.size(); i++) {
            wait = Math.min(wait, waiting.get(i).dueNanos - now);
        }
        return wait;
    }

    /** Whether a letter is in flight or waiting for its retry. */
    boolean hasWork() {
        return inFlight > 0 || !waiting.isEmpty();
    }

    /** Letters not yet acknowledged (in flight or waiting), counted against maxBufferedActions. */
    int count() {
        return waiting.size() + inFlight;
    }

    /** Estimated bytes the letters not yet acknowledged hold, counted against maxBufferedBytes. */
    long bytes() {
        return bytes;
    }
}
