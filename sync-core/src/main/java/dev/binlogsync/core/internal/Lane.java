package dev.binlogsync.core.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import javax.annotation.Nullable;

/**
 * One lane of the bulk buffer: the not-yet-sent actions of the documents that hash to it, in
 * order, with an index by document for coalescing; and the lane's one in-flight (or waiting to be
 * retried) bulk. Because a document always maps to the same lane and a lane has at most one bulk
 * out, two actions for one document are never in flight at once.
 *
 * <p>After a bulk failed in doubt (it may still be applied late), its documents (by
 * {@link DocumentKey}: index and id, any routing) are fenced until a time: their buffered actions
 * stay behind while the rest of the lane is sent, so that no newer write of them can be overtaken by
 * the late original or its retry. When the lane sends is {@link LaneScheduler}'s rule. Pipeline thread only.
 */
final class Lane {
    final int index;
    final ArrayDeque<BufferedAction> buffer = new ArrayDeque<>();
    /** index name -> document id -> the latest unsent action for it. Nested to avoid a key object per action. */
    final HashMap<String, HashMap<String, BufferedAction>> latest = new HashMap<>();
    long bytes;
    long firstNanos;

    /** The bulk in flight, or null. */
    @Nullable List<BufferedAction> inFlight;
    long sentNanos;
    /** Actions waiting to be sent again (before anything in {@link #buffer}), or null. */
    @Nullable List<BufferedAction> retry;
    long retryDueNanos;
    int retryAttempt;
    /** document -> its fence (until when its buffered actions wait); null when none. */
    @Nullable HashMap<DocumentKey, Fence> fenced;
    /** The earliest end of a fence in {@link #fenced}. */
    long nextFenceEndNanos;

    Lane(int index) {
        this.index = index;
    }

    /** Fences the documents of {@code actions} until {@code untilNanos} (a later end wins). */
    void fence(List<BufferedAction> actions, long untilNanos) {
        if (fenced == null) {
            fenced = new HashMap<>();
            nextFenceEndNanos = untilNanos;
        }
        for (BufferedAction s : actions) {
            Fence f = fenced.get(s.key());
            if (f == null) {
                fenced.put(s.key(), new Fence(untilNanos));
            } else if (untilNanos - f.untilNanos > 0) {
                f.untilNanos = untilNanos; // extended: still the same fence
            }
        }
        if (untilNanos - nextFenceEndNanos < 0) {
            nextFenceEndNanos = untilNanos;
        }
    }

    /** Forgets the fences that ended by {@code nowNanos}. */
    void pruneFences(long nowNanos) {
        if (fenced == null || nowNanos - nextFenceEndNanos < 0) {
            return;
        }
        long next = Long.MAX_VALUE;
        boolean any = false;
        for (Iterator<Fence> it = fenced.values().iterator(); it.hasNext(); ) {
            long until = it.next().untilNanos;
            if (nowNanos - until >= 0) {
                it.remove();
            } else if (!any || until - next < 0) {
                next = until;
                any = true;
            }
        }
        if (any) {
            nextFenceEndNanos = next;
        } else {
            fenced = null;
        }
    }

    /**
     * Whether the action's document is fenced (as of the last {@link #pruneFences}), so the action
     * must stay behind; counts {@code counters.fencedWrite()} the first time a fence holds back a
     * write of its document.
     */
    boolean holdsBack(BufferedAction s, EngineCounters counters) {
        if (fenced == null) {
            return false;
        }
        Fence f = fenced.get(s.key());
        if (f == null) {
            return false;
        }
        if (!f.heldBack) {
            f.heldBack = true;
            counters.fencedWrite();
        }
        return true;
    }

    /** Unsent actions. */
    public int size() {
        return buffer.size();
    }

    /** One document's fence: until when its newer writes wait, and whether one was held back yet. */
    static final class Fence {
        long untilNanos;
        boolean heldBack;

        Fence(long untilNanos) {
            this.untilNanos = untilNanos;
        }
    }

    @Override
    public String toString() {
        return "Lane[" + index + ", buffered=" + buffer.size() + ", inFlight=" + (inFlight == null ? 0 : inFlight.size())
                + ", retry=" + (retry == null ? 0 : retry.size()) + (fenced == null ? "" : ", fenced") + "]";
    }
}
