package dev.binlogsync.core.backfill;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.RequestInDoubtException;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.annotation.Nullable;

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
 * shadow index misses no change. A shadow {@link #stopShadow stopped} while the restore ran is not
 * turned on (its state was read before the re-sync ended). A restore that throws fails the start.
 *
 * <p><b>Hold.</b> Between {@link #hold()} and {@link #release()} no request reaches the delegate:
 * {@link #execute} keeps each one and answers it once {@link #release()} has sent it (the pipeline
 * sees it in flight meanwhile; its buffers and in-flight limit bound how many there are). With
 * {@link #awaitEarlierBulks} after the hold, nothing of the pipeline's is in flight: a re-sync
 * turns a concrete index into an alias that way, as no write may meet the index's removal.
 * {@link #close()} releases first.
 *
 * <p><b>Threading.</b> {@link #execute} is called by the pipeline thread; {@link #shadow},
 * {@link #stopShadow}, {@link #shadows()}, {@link #hold()}, {@link #release()} and
 * {@link #awaitEarlierBulks} from any thread.
 */
public final class ShadowWriteSink implements BulkSink {
    /** The longest late-write fence waited for (the pipeline caps its fences alike). */
    private static final Duration MAX_FENCE = Duration.ofDays(1);
    private final BulkSink delegate;
    private final Supplier<Map<String, String>> restore;
    /** Index to shadow index; replaced as a whole under {@code this}. */
    private Map<String, String> shadows = Map.of();
    /** Bumped with every change of the shadows. */
    private long epoch;
    /** Requests in flight per epoch they were sent in. */
    private final Map<Long, Integer> inFlight = new HashMap<>();
    /** How many times {@link #stopShadow} was called per index. */
    private final Map<String, Long> stops = new HashMap<>();
    /** Requests sent since this sink was created (across restarts: a restart does not undo a write). */
    private long requests;
    /**
     * Requests carrying copies that failed in doubt: the node may still apply them (their copies
     * too) until their late-write fence ends. Pruned when it has.
     */
    private final List<LateWindow> lateWindows = new ArrayList<>();
    /** Sends of the requests kept while held, in arrival order; null when not holding. */
    @Nullable private List<Runnable> held;

    /** A request sent in {@code epoch} with copies into {@code targets}, in doubt until {@code untilNanos}. */
    private record LateWindow(long epoch, long untilNanos, Set<String> targets) {
    }

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

    /** The delegate's. */
    @Override
    public java.time.Duration lateWriteFence() {
        return delegate.lateWriteFence();
    }

    @Override
    public boolean replacesObjectFields() {
        return delegate.replacesObjectFields();
    }

    @Override
    public void start() {
        delegate.start();
        Map<String, Long> stopsBefore;
        synchronized (this) {
            stopsBefore = Map.copyOf(stops);
        }
        Map<String, String> restored = restore.get();
        synchronized (this) {
            for (Map.Entry<String, String> e : restored.entrySet()) {
                // a shadow stopped while the restore read its state (the re-sync finished or was
                // aborted meanwhile) stays stopped: turned on now, nothing would stop it again
                if (Objects.equals(stops.get(e.getKey()), stopsBefore.get(e.getKey()))) {
                    shadow(e.getKey(), e.getValue());
                }
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
     * request since it was created (so none went out without it; a restart of the sink does not
     * forget the requests it sent before). A re-sync that continues after a
     * restart checks it: a pipeline that wrote without the shadow may have left the shadow index
     * stale.
     */
    public synchronized boolean covers(String index, String shadowIndex) {
        return shadowIndex.equals(shadows.get(index)) || requests == 0;
    }

    /** Stops copying the actions for {@code index}; nothing when it was not shadowed. */
    public synchronized void stopShadow(String index) {
        stops.merge(index, 1L, Long::sum);
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
     * then on, every write in flight carries the current shadows), and until the late-write fence
     * of each such request that failed in doubt ({@link RequestInDoubtException}) while carrying
     * copies into an index no longer shadowed has ended: the node may apply those copies late, so
     * an index whose shadow stopped may be deleted only after this returns.
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
                long now = System.nanoTime();
                long lateLeft = 0;
                lateWindows.removeIf(w -> w.untilNanos() - now <= 0);
                for (LateWindow w : lateWindows) {
                    if (w.epoch() < current && !shadows.values().containsAll(w.targets())) {
                        lateLeft = Math.max(lateLeft, w.untilNanos() - now);
                    }
                }
                if (!earlier && lateLeft <= 0) {
                    return;
                }
                long left = deadline - now;
                if (left <= 0) {
                    throw new TimeoutException(earlier
                            ? "requests sent before the shadow changed are still in flight after " + timeout
                            : "a request with copies into a shadow index that stopped failed in doubt; the node may"
                                    + " still apply it for " + Duration.ofNanos(lateLeft).toMillis() + " ms");
                }
                long waitNanos = earlier ? left : Math.min(left, lateLeft);
                wait(Math.max(1, waitNanos / 1_000_000));
            }
        }
    }

    /**
     * From now on, keeps every request until {@link #release()} (see the class comment). Counts as
     * a change for {@link #awaitEarlierBulks}: it then waits for the requests sent before the hold.
     * Idempotent.
     */
    public synchronized void hold() {
        if (held == null) {
            held = new ArrayList<>();
            epoch++;
        }
    }

    /** Sends the requests kept since {@link #hold()}, in their order, and stops holding. Idempotent. */
    public void release() {
        List<Runnable> sends;
        synchronized (this) {
            sends = held;
            held = null;
        }
        if (sends != null) {
            for (Runnable send : sends) {
                send.run();
            }
        }
    }

    @Override
    public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
        synchronized (this) {
            if (held != null) {
                java.util.concurrent.CompletableFuture<List<ItemResult>> later = new java.util.concurrent.CompletableFuture<>();
                held.add(() -> {
                    try {
                        send(actions).whenComplete((r, e) -> {
                            if (e != null) {
                                later.completeExceptionally(e);
                            } else {
                                later.complete(r);
                            }
                        });
                    } catch (RuntimeException | Error e) {
                        later.completeExceptionally(e);
                    }
                });
                return later;
            }
        }
        return send(actions);
    }

    private CompletionStage<List<ItemResult>> send(List<DocumentAction> actions) {
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
            done(sentIn, null, send, actions.size());
            throw e;
        }
        List<DocumentAction> copied = send;
        int sent = send.size();
        return stage.whenComplete((r, e) -> done(sentIn, e, copied, actions.size())).thenApply(results -> {
            if (sent == actions.size()) {
                return results; // nothing copied
            }
            if (results == null || results.size() != sent) {
                // answered as if for the originals alone, the copies' outcomes would be unknown
                throw new SyncException("BulkSink contract violated: " + (results == null ? "null" : results.size())
                        + " results for " + sent + " actions (" + actions.size() + " and their copies into shadow"
                        + " indices)");
            }
            List<ItemResult> out = new ArrayList<>(actions.size());
            for (int i = 0; i < actions.size(); i++) {
                ItemResult original = results.get(i);
                out.add(copyOf[i] < 0 ? original : combine(original, results.get(copyOf[i]), copied.get(copyOf[i])));
            }
            return out;
        });
    }

    private synchronized void done(long sentIn, @Nullable Throwable failure, List<DocumentAction> sent, int originals) {
        inFlight.computeIfPresent(sentIn, (k, v) -> v > 1 ? v - 1 : null);
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof RequestInDoubtException inDoubt && sent.size() > originals && !inDoubt.fence().isZero()) {
            Set<String> targets = new HashSet<>();
            for (int i = originals; i < sent.size(); i++) {
                targets.add(sent.get(i).index());
            }
            long fence = inDoubt.fence().compareTo(MAX_FENCE) > 0 ? MAX_FENCE.toNanos() : inDoubt.fence().toNanos();
            long now = System.nanoTime();
            lateWindows.removeIf(w -> w.untilNanos() - now <= 0); // bounded by the failures within one fence
            lateWindows.add(new LateWindow(sentIn, now + fence, Set.copyOf(targets)));
        }
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
        release();
        delegate.close();
    }

    @Override
    public String toString() {
        return "ShadowWriteSink(" + delegate + ", shadows " + shadows() + ")";
    }
}
