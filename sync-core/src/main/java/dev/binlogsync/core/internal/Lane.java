package dev.binlogsync.core.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import javax.annotation.Nullable;

/**
 * One lane of the bulk buffer: the not-yet-sent actions of the documents that hash to it, in
 * order, with an index by document for coalescing; and the lane's one in-flight (or waiting to be
 * retried) bulk. Because a document always maps to the same lane and a lane has at most one bulk
 * out, two actions for one document are never in flight at once. Pipeline thread only.
 */
public final class Lane {
    final int index;
    final ArrayDeque<Slot> buffer = new ArrayDeque<>();
    /** index name -> document id -> the latest unsent slot for it. Nested to avoid a key object per action. */
    final HashMap<String, HashMap<String, Slot>> latest = new HashMap<>();
    long bytes;
    long firstNanos;

    /** The bulk in flight, or null. */
    @Nullable List<Slot> inFlight;
    long sentNanos;
    /** Actions waiting to be sent again (before anything in {@link #buffer}), or null. */
    @Nullable List<Slot> retry;
    long retryDueNanos;
    int retryAttempt;

    Lane(int index) {
        this.index = index;
    }

    /** Whether the lane's bulk is in flight or waiting for its retry. */
    boolean busy() {
        return inFlight != null || retry != null;
    }

    /** Unsent actions. */
    public int size() {
        return buffer.size();
    }

    @Override
    public String toString() {
        return "Lane[" + index + ", buffered=" + buffer.size() + ", inFlight=" + (inFlight == null ? 0 : inFlight.size())
                + ", retry=" + (retry == null ? 0 : retry.size()) + "]";
    }
}
