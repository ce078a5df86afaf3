package dev.binlogsync.core.internal;

import java.util.List;
import javax.annotation.Nullable;

/**
 * When each lane of the bulk buffer sends, in one rule used both to send and to decide how long the
 * pipeline may wait: a lane's retry is due at its backoff's end; its buffered actions are due when
 * it holds {@code maxBulkActions} actions or {@code maxBulkBytes} estimated bytes, when its oldest
 * action has waited {@code flushInterval}, or at once when everything is flushed (source paused,
 * revoke, close); a lane with a bulk out (in flight or waiting for its retry) sends nothing else. A
 * due lane whose buffered actions are all held back by fences is due again when the next fence
 * ends. At most {@code maxInFlightRequests} bulks are out at once; lanes take turns (round robin)
 * for the free requests. Also keeps each lane's retry and its backoff. Pipeline thread only.
 */
final class LaneScheduler {
    /** "Not due until something else happens" (a completion, a new action). */
    static final long NEVER = Long.MAX_VALUE;

    /** Sends a bulk of a lane; called by {@link #dispatch}. */
    interface Sender {
        /**
         * Sends {@code bulk} for {@code lane}: newly taken from its buffer, or its retry.
         *
         * @return the actions that went out in one request (they are the lane's in-flight bulk until
         *     {@link #completed}), or null when none did (nothing of a retry was left to send)
         */
        @Nullable
        List<BufferedAction> send(Lane lane, List<BufferedAction> bulk, boolean retry, long now);
    }

    private final BulkBuffer buffer;
    private final int maxInFlight;
    private final int maxBulkActions;
    private final long maxBulkBytes;
    private final long flushIntervalNanos;
    private final Backoff backoff;
    private int inFlight;
    private int roundRobin;

    LaneScheduler(BulkBuffer buffer, int maxInFlight, int maxBulkActions, long maxBulkBytes, long flushIntervalNanos,
            Backoff backoff) {
        this.buffer = buffer;
        this.maxInFlight = maxInFlight;
        this.maxBulkActions = maxBulkActions;
        this.maxBulkBytes = maxBulkBytes;
        this.flushIntervalNanos = flushIntervalNanos;
        this.backoff = backoff;
    }

    /** Requests in flight. */
    int inFlight() {
        return inFlight;
    }

    private boolean canSend() {
        return inFlight < maxInFlight;
    }

    /**
     * How long until {@code lane} is due: zero or less when due now, {@link #NEVER} when it has a
     * request in flight or nothing to send. Fences are not looked at: a due lane may turn out to hold
     * only fenced documents' actions (see {@link #nanosUntilNextDue}).
     *
     * @param flushAll send buffered actions regardless of size and age (source paused, drain)
     */
    long nanosUntilDue(Lane lane, long now, boolean flushAll) {
        if (lane.retry != null) {
            return lane.retryDueNanos - now;
        }
        if (lane.inFlight != null || lane.buffer.isEmpty()) {
            return NEVER;
        }
        if (flushAll || lane.buffer.size() >= maxBulkActions || lane.bytes >= maxBulkBytes) {
            return 0;
        }
        return lane.firstNanos + flushIntervalNanos - now;
    }

    /** Sends due retries, then the due lanes in turn, within the in-flight limit. */
    void dispatch(long now, boolean flushAll, Sender sender) {
        int n = buffer.laneCount();
        for (int i = 0; i < n && canSend(); i++) {
            Lane lane = buffer.lane(i);
            if (lane.retry != null && nanosUntilDue(lane, now, flushAll) <= 0) {
                List<BufferedAction> retry = lane.retry;
                lane.retry = null;
                send(sender, lane, retry, true, now);
            }
        }
        for (int k = 0; k < n && canSend(); k++) {
            Lane lane = buffer.lane((roundRobin + k) % n);
            if (lane.retry == null && nanosUntilDue(lane, now, flushAll) <= 0) {
                lane.pruneFences(now);
                List<BufferedAction> bulk = buffer.take(lane);
                if (!bulk.isEmpty()) { // else only fenced documents' actions are buffered
                    // what stays behind keeps its age: it is sent as soon as the lane is free again
                    send(sender, lane, bulk, false, now);
                }
            }
        }
        roundRobin = (roundRobin + 1) % n;
    }

    private void send(Sender sender, Lane lane, List<BufferedAction> bulk, boolean retry, long now) {
        List<BufferedAction> sent = sender.send(lane, bulk, retry, now);
        if (sent != null) {
            lane.inFlight = sent;
            lane.sentNanos = now;
            inFlight++;
        }
    }

    /**
     * After a {@link #dispatch} at {@code now} with the same {@code flushAll}: how long until a lane
     * is due, {@link #NEVER} when none is (or no request may be sent before one completes). A lane
     * that was due and still holds actions holds only fenced documents' ones: it is due when its
     * next fence ends.
     */
    long nanosUntilNextDue(long now, boolean flushAll) {
        if (!canSend()) {
            return NEVER;
        }
        long wait = NEVER;
        for (int i = 0; i < buffer.laneCount(); i++) {
            Lane lane = buffer.lane(i);
            long due = nanosUntilDue(lane, now, flushAll);
            if (due <= 0 && lane.retry == null && lane.fenced != null) {
                due = lane.nextFenceEndNanos - now;
            }
            wait = Math.min(wait, due);
        }
        return wait;
    }

    /** The lane's request completed: the lane may send again (its retry, if one is scheduled, first). */
    void completed(Lane lane) {
        lane.inFlight = null;
        inFlight--;
    }

    /** Schedules {@code retry} (not empty) to be sent again after a backoff, before anything else of the lane. */
    void retryLater(Lane lane, List<BufferedAction> retry, long now) {
        lane.retry = retry;
        lane.retryDueNanos = now + backoff.nanos(++lane.retryAttempt);
    }

    /** The lane's request succeeded as a whole: the next retry starts its backoff afresh. */
    void succeeded(Lane lane) {
        lane.retryAttempt = 0;
    }

    /** Whether a lane's bulk waits for its retry. */
    boolean retrying() {
        for (int i = 0; i < buffer.laneCount(); i++) {
            if (buffer.lane(i).retry != null) {
                return true;
            }
        }
        return false;
    }
}
