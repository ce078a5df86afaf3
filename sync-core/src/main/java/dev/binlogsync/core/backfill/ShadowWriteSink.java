package dev.binlogsync.core.backfill;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.UntrustedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * A {@link BulkSink} decorator for a re-sync: while a <em>shadow</em> is on for an index (or alias)
 * {@code A}, every action the pipeline sends for {@code A} is also written, in the same bulk
 * request, to the shadow index {@code B}. Wrap the pipeline's sink in it when the pipeline is built
 * ({@code SyncPipeline.builder().sink(ShadowWriteSink.wrap(elasticsearchSink, ...))}); a re-sync
 * ({@code Resync} in {@code sync-elasticsearch}) turns the shadow on and off at run time.
 *
 * <p><b>What the pipeline sees.</b> One result per action, as from the delegate: an action and its
 * copy are one item for the pipeline. It is done only when both are done (then the original's
 * result is answered); otherwise the worse of the two is answered, permanent before retryable, a
 * copy's failure with its reason prefixed by the shadow index. So a failed copy is retried, fenced,
 * dead-lettered or stops the pipeline like any failed write, and no offset is committed before both
 * copies of its actions are acknowledged. A whole-request failure is the request's, for both.
 *
 * <p><b>Order.</b> The copies follow all originals in the request, in the same order, so the
 * writes of one document to the shadow index are in the order of its writes to {@code A}; and since
 * the pipeline never has one document of {@code A} in two requests at once, it never has its copy
 * in two either. An action with an {@code ifSeqNo} condition is not copied (its sequence number
 * belongs to {@code A}'s copy); the pipeline's rules never make one.
 *
 * <p><b>Restart.</b> {@link #start()} starts the delegate, then turns on the shadows the restore
 * supplier names (the persisted state of a re-sync in progress), before the pipeline's first
 * write: a restarted pipeline re-reads from its last committed offset with the shadow on, so the
 * shadow index misses no change. A restore that throws fails the start.
 *
 * <p><b>Threading.</b> {@link #execute} is called by the pipeline thread; {@link #shadow},
 * {@link #stopShadow}, {@link #shadows()} and {@link #awaitEarlierBulks} from any thread.
 */
public final class ShadowWriteSink implements BulkSink {
    private final BulkSink delegate;
    private final Supplier<Map<String, String>> restore;
    /** Index to shadow index; replaced as a whole under {@code this}. */
    private Map<String, String> shadows = Map.of();
    /** Bumped with every change of the shadows. */
    private long epoch;
    /** Requests in flight per epoch they were sent in. */
    private final Map<Long, Integer> inFlight = new HashMap<>();
    /** Requests sent since {@link #start()}. */
    private long requests;

    private ShadowWriteSink(BulkSink delegate, Supplier<Map<String, String>> restore) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.restore = Objects.requireNonNull(restore, "restore");
    }

    /**
     * A decorator of {@code delegate} that restores the shadows {@code restore} answers when it is
     * started (index to shadow index; e.g. {@code Resync.shadowsToRestore(...)}).
     */
    public static ShadowWriteSink wrap(BulkSink delegate, Supplier<Map<String, String>> restore) {
        return new ShadowWriteSink(delegate, restore);
    }

    /** A decorator of {@code delegate} with no shadow to restore at start. */
    public static ShadowWriteSink wrap(BulkSink delegate) {
        return new ShadowWriteSink(delegate, Map::of);
    }

    @Override
    public void start() {
        delegate.start();
        Map<String, String> restored = restore.get();
        synchronized (this) {
            requests = 0;
            for (Map.Entry<String, String> e : restored.entrySet()) {
                shadow(e.getKey(), e.getValue());
            }
        }
    }

    /**
     * From now on, copies every action for {@code index} to {@code shadowIndex}: every request sent
     * after this call returns carries the copies. Requests sent before may still be in flight
     * without them; see {@link #awaitEarlierBulks}. Replaces an earlier shadow of {@code index}.
     *
     * @throws IllegalArgumentException if either is empty, they are equal, or {@code shadowIndex}
     *     is itself shadowed (no chains)
     */
    public void shadow(String index, String shadowIndex) {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(shadowIndex, "shadowIndex");
        if (index.isEmpty() || shadowIndex.isEmpty() || index.equals(shadowIndex)) {
            throw new IllegalArgumentException("cannot shadow " + UntrustedText.shown(index, 256) + " into "
                    + UntrustedText.shown(shadowIndex, 256));
        }
        synchronized (this) {
            if (shadows.containsKey(shadowIndex) || shadows.containsValue(index)) {
                throw new IllegalArgumentException("cannot shadow " + UntrustedText.shown(index, 256) + " into "
                        + UntrustedText.shown(shadowIndex, 256) + ": shadows do not chain");
            }
            Map<String, String> next = new LinkedHashMap<>(shadows);
            next.put(index, shadowIndex);
            shadows = Map.copyOf(next);
            epoch++;
        }
    }

    /**
     * Whether the shadow of {@code index} into {@code shadowIndex} is on, or this sink has sent no
     * request since it was started (so none went out without it). A re-sync that continues after a
     * restart checks it: a pipeline that wrote without the shadow may have left the shadow index
     * stale.
     */
    public synchronized boolean covers(String index, String shadowIndex) {
        return shadowIndex.equals(shadows.get(index)) || requests == 0;
    }

    /** Stops copying the actions for {@code index}; nothing when it was not shadowed. */
    public synchronized void stopShadow(String index) {
        if (shadows.containsKey(index)) {
            Map<String, String> next = new LinkedHashMap<>(shadows);
            next.remove(index);
            shadows = Map.copyOf(next);
            epoch++;
            notifyAll();
        }
    }

    /** The shadows now on: index to shadow index. */
    public synchronized Map<String, String> shadows() {
        return shadows;
    }

    /**
     * Waits until every request sent before the last change of the shadows has completed (so from
     * then on, every write in flight carries the current shadows).
     *
     * @throws TimeoutException if some are still in flight after {@code timeout}
     */
    public void awaitEarlierBulks(Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            long current = epoch;
            while (true) {
                boolean earlier = false;
                for (Map.Entry<Long, Integer> e : inFlight.entrySet()) {
                    earlier |= e.getKey() < current && e.getValue() > 0;
                }
                if (!earlier) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("requests sent before the shadow changed are still in flight after "
                            + timeout);
                }
                wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
        Map<String, String> now;
        long sentIn;
        synchronized (this) {
            now = shadows;
            sentIn = epoch;
            requests++;
            inFlight.merge(sentIn, 1, Integer::sum);
        }
        List<DocumentAction> send = actions;
        // copyOf[i]: the position of action i's copy in send, or -1
        int[] copyOf = new int[actions.size()];
        if (!now.isEmpty()) {
            send = new ArrayList<>(actions);
            for (int i = 0; i < actions.size(); i++) {
                DocumentAction a = actions.get(i);
                String target = a.ifSeqNo() == null ? now.get(a.index()) : null;
                if (target == null) {
                    copyOf[i] = -1;
                } else {
                    copyOf[i] = send.size();
                    send.add(new DocumentAction(target, a.id(), a.routing(), a.type(), a.document(), a.version(),
                            a.versionType()));
                }
            }
            if (send.size() == actions.size()) {
                send = actions;
            }
        } else {
            java.util.Arrays.fill(copyOf, -1);
        }
        CompletionStage<List<ItemResult>> stage;
        try {
            stage = delegate.execute(send);
        } catch (RuntimeException | Error e) {
            done(sentIn);
            throw e;
        }
        List<DocumentAction> copied = send;
        int sent = send.size();
        return stage.whenComplete((r, e) -> done(sentIn)).thenApply(results -> {
            if (sent == actions.size() || results.size() != sent) {
                // nothing copied, or a malformed answer the pipeline reports as such
                return results;
            }
            List<ItemResult> out = new ArrayList<>(actions.size());
            for (int i = 0; i < actions.size(); i++) {
                ItemResult original = results.get(i);
                out.add(copyOf[i] < 0 ? original : combine(original, results.get(copyOf[i]), copied.get(copyOf[i])));
            }
            return out;
        });
    }

    private synchronized void done(long sentIn) {
        inFlight.computeIfPresent(sentIn, (k, v) -> v > 1 ? v - 1 : null);
        notifyAll();
    }

    /** Done when both are; else the worse (permanent, then retryable), a copy's failure named as such. */
    private static ItemResult combine(ItemResult original, ItemResult copy, DocumentAction copyAction) {
        if (copy.isDone()) {
            return original;
        }
        if (!original.isDone() && (original.outcome() == ItemResult.Outcome.PERMANENT
                || copy.outcome() != ItemResult.Outcome.PERMANENT)) {
            return original;
        }
        return new ItemResult(copy.outcome(), copy.status(), copy.errorType(),
                "in the shadow index " + copyAction.index() + ": " + copy.reason());
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "ShadowWriteSink(" + delegate + ", shadows " + shadows() + ")";
    }
}
