package dev.binlogsync.core.internal;

import dev.binlogsync.core.ActionCollector;
import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.BulkSummary;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DeadLetter;
import dev.binlogsync.core.DeadLetterSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.FailurePolicy;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.PartitionNotOwnedException;
import dev.binlogsync.core.PipelineHealth;
import dev.binlogsync.core.PipelineListener;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.PipelineSettings;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.RequestInDoubtException;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.RuleSet;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncClock;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline loop. One thread (the pipeline thread) owns the source, the bulk buffer and all
 * offset state; bulk and dead-letter completions arrive on other threads and are only queued, to
 * run on the pipeline thread between polls (the source is woken when it is blocked in a poll).
 *
 * <p>The engine reads records, maps them, tracks offsets, settles bulk results and commits; its
 * parts live beside it: the unsent actions in {@link BulkBuffer} (lanes of {@link BufferedAction}s),
 * when a lane sends in {@link LaneScheduler}, dead letters in {@link DeadLetters}, the running
 * totals of the metrics in {@link EngineCounters}, histograms and health in {@link Monitor}, each
 * partition's offsets in {@link PartitionTracker}.
 *
 * <p>The lifecycle methods ({@link #start}, {@link #run}, {@link #close}, {@link #state},
 * {@link #failure}, {@link #metrics}, {@link #awaitTermination}) are thread-safe; everything else
 * runs on the pipeline thread.
 */
public final class Engine implements PartitionListener {
    private static final Logger log = LoggerFactory.getLogger("dev.binlogsync.core.SyncPipeline");
    private static final long MAX_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A longer in-doubt fence is cut to this (a day), so that nanoTime arithmetic cannot overflow. */
    private static final long MAX_FENCE_SECONDS = 86_400;

    private final PipelineSettings config;
    private final Source source;
    private final RuleSet ruleSet;
    private final BulkSink sink;
    @Nullable private final DeadLetterSink deadLetterSink;
    private final SyncClock clock;
    private final PipelineListener listener;
    private final BulkBuffer buffer;
    private final FailurePolicy onDecodeFailure;
    private final FailurePolicy onRejected;
    private final long commitIntervalNanos;
    private final long retryInitialNanos;
    private final int maxRetries;
    private final Monitor monitor;
    private final EngineCounters counters = new EngineCounters();
    private final LaneScheduler scheduler;
    private final DeadLetters deadLetters;

    // ---- shared with other threads
    private final AtomicReference<PipelineState> state = new AtomicReference<>(PipelineState.NEW);
    private final LinkedBlockingQueue<Runnable> completions = new LinkedBlockingQueue<>();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean inPoll;
    private volatile boolean closeRequested;
    private volatile long closeDeadlineNanos;
    @Nullable private volatile Throwable failure;
    @Nullable private volatile Thread runner;
    private volatile PipelineMetrics published = PipelineMetrics.EMPTY;

    // ---- pipeline thread only
    private final Map<String, PartitionTracker> trackers = new HashMap<>();
    private final ArrayList<DocumentAction> collected = new ArrayList<>();
    private final ActionCollector collector = a -> collected.add(streamAction(a));
    private final LaneScheduler.Sender sender = this::send;
    private long sentActions;
    private long sentBytes;
    private boolean paused;
    private long pausedSinceNanos;
    private long pausedNanos;
    private long nextCommitNanos;

    public Engine(PipelineSettings config, Source source, RuleSet ruleSet, BulkSink sink,
            @Nullable DeadLetterSink deadLetterSink, SyncClock clock, PipelineListener listener) {
        this.config = config;
        this.source = source;
        this.ruleSet = ruleSet;
        this.sink = sink;
        this.deadLetterSink = deadLetterSink;
        this.clock = clock;
        this.listener = listener;
        this.onDecodeFailure = config.onDecodeFailure();
        this.onRejected = config.onRejected();
        // every duration is capped at Durations.MAX_NANOS (~73 years): "forever" is very long, and every
        // deadline below is compared by subtraction, which stays right across nanoTime's wrap
        this.commitIntervalNanos = Durations.nanos(config.commitInterval());
        this.retryInitialNanos = Durations.nanos(config.retryInitialBackoff());
        this.maxRetries = config.maxRetries();
        this.buffer = new BulkBuffer(config.lanes(), config.maxBulkActions(), config.maxBulkBytes(), counters);
        Backoff backoff = new Backoff(retryInitialNanos, Durations.nanos(config.retryMaxBackoff()));
        this.scheduler = new LaneScheduler(buffer, config.maxInFlightRequests(), config.maxBulkActions(),
                config.maxBulkBytes(), Durations.nanos(config.flushInterval()), backoff);
        this.deadLetters = new DeadLetters(deadLetterSink, clock, backoff, counters, new DeadLetters.Host() {
            @Override
            public void complete(Runnable onPipelineThread) {
                Engine.this.complete(onPipelineThread);
            }

            @Override
            public void fail(Throwable failure) {
                Engine.this.fail(failure);
            }
        });
        this.monitor = new Monitor(clock, config.threadName(), config.summaryInterval(), config.stalledAfter(),
                config.sinkUnreachableAfter());
    }

    // =====================================================================================
    // lifecycle (any thread)

    public PipelineState state() {
        return state.get();
    }

    @Nullable
    public Throwable failure() {
        return failure;
    }

    public PipelineMetrics metrics() {
        return monitor.decorate(published);
    }

    public PipelineHealth health() {
        return monitor.health(state.get(), failure);
    }

    public void reportHeartbeat(Instant heartbeat) {
        monitor.reportHeartbeat(heartbeat);
    }

    /** Starts the loop on a new daemon thread. */
    public void start() {
        transition(PipelineState.NEW, PipelineState.RUNNING, "start");
        Thread t = new Thread(this::runLoop, config.threadName());
        t.setDaemon(true);
        runner = t;
        t.start();
    }

    /** Runs the loop on the calling thread until closed or failed; rethrows the failure. */
    public void run() {
        transition(PipelineState.NEW, PipelineState.RUNNING, "run");
        runner = Thread.currentThread();
        runLoop();
        Throwable f = failure;
        if (f != null) {
            if (isFatal(f)) {
                throw (VirtualMachineError) f; // the host's own handling of a VM error must see it as it is
            }
            throw f instanceof SyncException ? (SyncException) f : new SyncException("pipeline failed: " + Secrets.describe(f), f);
        }
    }

    private void transition(PipelineState from, PipelineState to, String what) {
        if (!state.compareAndSet(from, to)) {
            throw new IllegalStateException("cannot " + what + " a pipeline that is " + state.get());
        }
    }

    /** Drains within {@code timeout} and stops; idempotent. Waits for the pipeline thread unless called on it. */
    public void close(Duration timeout) {
        if (state.compareAndSet(PipelineState.NEW, PipelineState.CLOSED)) {
            try {
                closeComponents();
                notifyState(PipelineState.NEW, PipelineState.CLOSED);
            } finally {
                terminated.countDown();
            }
            return;
        }
        if (state.get() == PipelineState.RUNNING && !closeRequested) {
            closeDeadlineNanos = System.nanoTime() + Durations.nanos(timeout);
            closeRequested = true;
            source.wakeup();
        }
        if (Thread.currentThread() == runner) {
            return;
        }
        try {
            // the pipeline thread enforces the drain deadline; allow it time to close what it owns
            if (!terminated.await(Durations.nanos(timeout) + TimeUnit.SECONDS.toNanos(10), TimeUnit.NANOSECONDS)) {
                log.warn("pipeline thread {} did not terminate within {} after close", config.threadName(), timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return terminated.await(Durations.nanos(timeout), TimeUnit.NANOSECONDS);
    }

    // =====================================================================================
    // the loop (pipeline thread)

    private void runLoop() {
        try {
            notifyState(PipelineState.NEW, PipelineState.RUNNING);
            sink.start();
            buffer.replaceObjectFields(sink.replacesObjectFields());
            source.open(this);
            nextCommitNanos = clock.nanoTime() + commitIntervalNanos;
            monitor.started(clock.nanoTime());
            loop();
        } catch (InterruptedException e) {
            fail(new SyncException("pipeline thread " + config.threadName() + " was interrupted", e));
        } catch (Throwable t) {
            fail(t);
        }
        shutdown();
    }

    private void loop() throws InterruptedException {
        List<SourceRecord> batch;
        while (true) {
            runCompletions();
            if (failure != null || closeRequested) {
                return;
            }
            long now = clock.nanoTime();
            boolean flushAll = paused; // while the source is paused every lane is due
            dispatch(now, flushAll);
            updatePause(now);
            if (now - nextCommitNanos >= 0) {
                // a failed commit is tried again no sooner than the retry backoff, even with commitInterval 0
                nextCommitNanos = now + (commit(trackers.values()) ? commitIntervalNanos
                        : Math.max(commitIntervalNanos, retryInitialNanos));
            }
            publishMetrics(now);
            monitor.tick(now, source, idle(), published);
            long wait = waitNanos(now, flushAll);
            inPoll = true;
            try {
                if (!completions.isEmpty() || closeRequested) {
                    wait = 0;
                }
                batch = source.poll(Duration.ofNanos(wait));
            } catch (RetriableSyncException e) {
                log.warn("poll failed, polling again: {}", Secrets.describe(e));
                batch = List.of();
            } finally {
                inPoll = false;
            }
            if (!batch.isEmpty()) {
                process(batch);
            }
        }
    }

    /**
     * How long the next poll may block, after a dispatch at {@code now} with {@code flushAll}: until
     * the next lane, dead letter or commit is due.
     */
    private long waitNanos(long now, boolean flushAll) {
        long wait = Math.min(Durations.nanos(config.pollTimeout()), scheduler.nanosUntilNextDue(now, flushAll));
        wait = Math.min(wait, deadLetters.nanosUntilNextDue(now));
        if (wait > 0) {
            for (PartitionTracker t : trackers.values()) {
                if (t.uncommitted() != null) {
                    wait = Math.min(wait, nextCommitNanos - now);
                    break;
                }
            }
        }
        return Math.max(0, wait);
    }

    private void runCompletions() {
        Runnable r;
        while ((r = completions.poll()) != null) {
            r.run();
        }
    }

    /** Hands a completion to the pipeline thread; wakes the source if the thread waits in poll. */
    private void complete(Runnable r) {
        completions.add(r);
        if (inPoll) {
            source.wakeup();
        }
    }

    // =====================================================================================
    // intake

    private void process(List<SourceRecord> batch) {
        long now = clock.nanoTime();
        for (int i = 0; i < batch.size(); i++) {
            if (failure != null) {
                return; // a stop: nothing after the failed record is taken in
            }
            SourceRecord r = batch.get(i);
            counters.record();
            PartitionTracker tracker = tracker(r.position().partition());
            PendingRecord p = tracker.begin(r);
            if (log.isTraceEnabled()) {
                log.trace("record {}: {} events, key {}, value {}", r.position(), r.events().size(),
                        LogText.capped(r.key()), LogText.capped(r.value()));
            }
            if (r.isFailed()) {
                unprocessable(p, DeadLetter.Kind.UNDECODABLE, null, r.failure());
            } else {
                List<ChangeEvent> evs = r.events();
                for (int e = 0; e < evs.size(); e++) {
                    ChangeEvent ev = evs.get(e);
                    counters.event();
                    if (ev.eventTimeMillis() > 0 && (p.eventTimeMillis == 0 || ev.eventTimeMillis() < p.eventTimeMillis)) {
                        p.eventTimeMillis = ev.eventTimeMillis();
                    }
                    collected.clear();
                    try {
                        ruleSet.apply(ev, collector);
                    } catch (Throwable ex) {
                        // An Error thrown while applying the rules to one event (an AssertionError in a
                        // user Filter, a StackOverflowError on a deeply nested value, an
                        // ExceptionInInitializerError of a user class) is about this event as much as
                        // an exception is: it goes to the decode-failure policy, naming the position.
                        // A VirtualMachineError other than a stack overflow (OutOfMemoryError,
                        // InternalError, UnknownError) says nothing about the event and leaves the JVM in
                        // doubt: it fails the pipeline (see shutdown()).
                        if (isFatal(ex)) {
                            throw (VirtualMachineError) ex;
                        }
                        collected.clear();
                        unprocessable(p, DeadLetter.Kind.UNMAPPABLE, ev, ex);
                        if (failure != null) {
                            break;
                        }
                        continue;
                    }
                    for (int a = 0; a < collected.size(); a++) {
                        DocumentAction action = collected.get(a);
                        counters.action(action.type());
                        buffer.add(action, p, now);
                    }
                }
                collected.clear();
            }
            tracker.finish(p);
        }
    }

    private PartitionTracker tracker(String partition) {
        PartitionTracker t = trackers.get(partition);
        if (t == null) {
            // a record's raw bytes are needed after processing only by a dead letter of a rejected document
            t = new PartitionTracker(partition, onRejected == FailurePolicy.DEAD_LETTER);
            trackers.put(partition, t);
        }
        return t;
    }

    private void unprocessable(PendingRecord p, DeadLetter.Kind kind, @Nullable ChangeEvent ev, Throwable cause) {
        // the table name and the cause's message may quote message contents (row values, names):
        // escaped and capped before they reach a log line, an exception or a dead-letter header
        String what = kind == DeadLetter.Kind.UNDECODABLE
                ? "cannot decode the record at " + p.position
                : "cannot map an event of " + UntrustedText.shown(ev.qualifiedTable(), 160) + " (" + ev.operation()
                        + ") at " + p.position;
        // the cause may be a user component's, its message quoting a URL with credentials
        String reason = what + ": " + (cause instanceof Error || cause.getMessage() == null
                ? Secrets.describe(cause) : Secrets.redact(cause.getMessage(), 2048));
        switch (onDecodeFailure) {
            case STOP:
                p.retain(); // never released: the commit point stops before this record
                fail(new SyncException(reason + " (policy STOP: nothing from this position on is committed)", cause));
                break;
            case DEAD_LETTER:
                deadLetters.unprocessable(p, kind, reason);
                break;
            default:
                counters.skipped();
                log.warn("{} (skipped by policy SKIP)", reason);
        }
    }

    // =====================================================================================
    // sending

    /** Sends due retries, then due (or, when {@code flushAll}, all) lanes, then due dead letters. */
    private void dispatch(long now, boolean flushAll) {
        scheduler.dispatch(now, flushAll, sender);
        deadLetters.sendDue(now);
    }

    /** Sends one bulk of {@code lane} (see {@link LaneScheduler.Sender}). */
    @Nullable
    private List<BufferedAction> send(Lane lane, List<BufferedAction> bulk, boolean retry, long now) {
        List<BufferedAction> batch;
        if (retry) {
            batch = new ArrayList<>(bulk.size());
            for (BufferedAction s : bulk) {
                if (s.tracker.alive) {
                    batch.add(s);
                } else {
                    dropSent(s);
                }
            }
            if (batch.isEmpty()) {
                return null;
            }
        } else {
            batch = bulk;
            sentActions += batch.size();
            sentBytes += bytesOf(batch);
        }
        List<DocumentAction> actions = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            actions.add(batch.get(i).action());
        }
        if (log.isDebugEnabled()) {
            log.debug("bulk to lane {}: {} actions, ~{} bytes, first {}", lane.index, batch.size(), bytesOf(batch),
                    batch.get(0));
        }
        CompletionStage<List<ItemResult>> stage;
        try {
            stage = sink.execute(actions);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new SyncException("BulkSink contract violated: execute returned null"));
            }
        } catch (Throwable e) {
            // an Error from the sink fails this request like a non-retriable exception; the lane is freed
            // by its completion either way (an escaping throw would leave it in flight forever)
            if (isFatal(e)) {
                fail(e);
            }
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((results, error) -> complete(() -> onBulkDone(lane, batch, results, error)));
        return batch;
    }

    /**
     * An action a rule set hands the stream: CREATE and conditional deletes and updates are the backfill's
     * (they resolve races with the stream's own writes) and are refused here, as an error about the
     * event that goes to the decode-failure policy, naming the position.
     */
    private static DocumentAction streamAction(DocumentAction a) {
        Objects.requireNonNull(a, "action");
        if (a.type() == ActionType.CREATE || a.ifSeqNo() != null) {
            throw new IllegalArgumentException("a rule set produced " + (a.type() == ActionType.CREATE
                    ? "a CREATE" : "a conditional " + a.type()) + " for " + a.index() + "/" + a.id()
                    + ": only the backfill writes those; a stream's rule set writes INDEX, UPSERT, UPDATE or DELETE");
        }
        return a;
    }

    private static long bytesOf(List<BufferedAction> batch) {
        long bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            bytes += batch.get(i).bytes;
        }
        return bytes;
    }

    // =====================================================================================
    // completion of a bulk

    private void onBulkDone(Lane lane, List<BufferedAction> batch, @Nullable List<ItemResult> results,
            @Nullable Throwable error) {
        scheduler.completed(lane);
        counters.bulk();
        long now = clock.nanoTime();
        Duration latency = Duration.ofNanos(Math.max(0, now - lane.sentNanos));
        Throwable cause = unwrap(error);
        monitor.onBulk(batch.size(), bytesOf(batch), now - lane.sentNanos, cause, now);
        if (cause != null) {
            counters.failedBulk();
            requestFailed(lane, batch, cause, now, latency);
        } else if (results == null || results.size() != batch.size()) {
            contractViolated(batch, results);
        } else {
            itemsAnswered(lane, batch, results, now, latency);
        }
    }

    /**
     * The request failed as a whole: nothing was said about any item. A retriable failure (outage,
     * 5xx, in doubt) sends the whole bulk again after a backoff, without spending the items'
     * {@code maxRetries}, until the sink answers (the source stays paused meanwhile and health
     * reports the failing requests); any other fails the pipeline.
     */
    private void requestFailed(Lane lane, List<BufferedAction> batch, Throwable cause, long now, Duration latency) {
        if (!(cause instanceof RetriableSyncException)) {
            for (BufferedAction s : batch) {
                dropSent(s); // unresolved: their records stay uncommitted
            }
            fail(new SyncException("bulk request of " + batch.size() + " actions failed permanently (first "
                    + UntrustedText.shown(batch.get(0).describe(), 256) + " from " + batch.get(0).firstPosition()
                    + "): " + Secrets.describe(cause), cause));
            summary(lane, batch.size(), 0, 0, 0, 0, batch.size(), cause, latency);
            return;
        }
        if (cause instanceof RequestInDoubtException inDoubt) {
            counters.inDoubtBulk();
            if (!inDoubt.fence().isZero()) {
                fenceInDoubt(lane, batch, inDoubt.fence(), now, cause);
            }
        }
        List<BufferedAction> retry = new ArrayList<>(batch.size());
        for (BufferedAction s : batch) {
            if (!s.tracker.alive) {
                dropSent(s);
            } else {
                retry.add(s);
            }
        }
        retryLater(lane, retry, now, false);
        summary(lane, batch.size(), 0, 0, 0, retry.size(), 0, cause, latency);
    }

    /**
     * The node may still apply this bulk late: its retry (same writes, same order) may go, newer
     * writes of its documents wait until the fence ends.
     */
    private void fenceInDoubt(Lane lane, List<BufferedAction> batch, Duration fence, long now, Throwable cause) {
        lane.fence(batch, now + Math.min(fence.getSeconds(), MAX_FENCE_SECONDS) * 1_000_000_000L
                + (fence.getSeconds() >= MAX_FENCE_SECONDS ? 0 : fence.getNano()));
        log.warn("bulk of {} actions from lane {} failed in doubt (it may still be applied): {}; retrying it,"
                + " newer writes of its documents wait {} ms", batch.size(), lane.index,
                Secrets.describe(cause), fence.toMillis());
    }

    private void contractViolated(List<BufferedAction> batch, @Nullable List<ItemResult> results) {
        for (BufferedAction s : batch) {
            dropSent(s);
        }
        fail(new SyncException("BulkSink contract violated: " + (results == null ? "null" : results.size())
                + " results for " + batch.size() + " actions"));
    }

    /** What became of the items of one answered request. */
    private static final class ItemOutcomes {
        int ok;
        int stale;
        int missing;
        int rejected;
        /** The actions to send again, in order; null when none. */
        @Nullable List<BufferedAction> retry;
        /** The documents of {@link #retry}. */
        @Nullable Set<DocumentKey> retrying;

        void retry(BufferedAction s) {
            if (retry == null) {
                retry = new ArrayList<>();
                retrying = new HashSet<>();
            }
            retry.add(s);
            retrying.add(s.key());
        }

        boolean retries(BufferedAction s) {
            return retrying != null && retrying.contains(s.key());
        }
    }

    /** The request was answered item by item: each item is settled in order, the retryable ones are sent again. */
    private void itemsAnswered(Lane lane, List<BufferedAction> batch, List<ItemResult> results, long now,
            Duration latency) {
        ItemOutcomes o = new ItemOutcomes();
        for (int i = 0; i < batch.size(); i++) {
            settle(batch.get(i), results.get(i), o);
        }
        if (o.retry != null) {
            retryLater(lane, o.retry, now, true);
        } else {
            scheduler.succeeded(lane);
        }
        summary(lane, batch.size(), o.ok, o.stale, o.missing, o.retry == null ? 0 : o.retry.size(), o.rejected, null,
                latency);
    }

    private void settle(BufferedAction s, ItemResult r, ItemOutcomes o) {
        if (!s.tracker.alive) {
            dropSent(s);
            return;
        }
        if (o.retries(s)) {
            // an earlier action for this document is retried: this one must follow it again
            o.retry.add(s);
            return;
        }
        switch (r.outcome()) {
            case SUCCESS:
                o.ok++;
                done(s);
                break;
            case STALE:
                o.stale++;
                counters.stale();
                done(s);
                break;
            case MISSING:
                o.missing++;
                counters.missing();
                done(s);
                break;
            case RETRYABLE:
                if (s.retries >= maxRetries) {
                    o.rejected++;
                    reject(s, r, "gave up after " + s.retries + " retries: " + describe(r));
                } else {
                    o.retry(s);
                }
                break;
            default:
                o.rejected++;
                reject(s, r, describe(r));
        }
    }

    private void summary(Lane lane, int actions, int ok, int staleItems, int missingItems, int retry, int rejected,
            @Nullable Throwable cause, Duration latency) {
        if (log.isDebugEnabled()) {
            log.debug("bulk from lane {} done in {} ms: {} actions, {} ok, {} stale, {} missing, {} to retry, {} rejected{}",
                    lane.index, latency.toMillis(), actions, ok, staleItems, missingItems, retry, rejected,
                    cause == null ? "" : ", request failed: " + Secrets.describe(cause));
        }
        try {
            listener.onBulkCompleted(new BulkSummary(lane.index, actions, ok, staleItems, missingItems, retry, rejected,
                    cause, latency));
        } catch (Throwable e) {
            listenerFailed("onBulkCompleted", e);
        }
    }

    private static String describe(ItemResult r) {
        // the server's reason: escaped, and cleaned in case it quotes a request's credentials
        return r.status() + " " + Secrets.redact(r.errorType() + ": " + r.reason(), 1024);
    }

    /** @param counted whether the retry spends the items' {@code maxRetries} (item-level failures only) */
    private void retryLater(Lane lane, List<BufferedAction> retry, long now, boolean counted) {
        if (retry.isEmpty()) {
            return;
        }
        if (counted) {
            for (BufferedAction s : retry) {
                s.retries++;
            }
        }
        counters.retried(retry.size());
        scheduler.retryLater(lane, retry, now);
    }

    /** A sent action is acknowledged: release its records. */
    private void done(BufferedAction s) {
        monitor.onAcknowledged(s.eventTimeMillis(), clock.currentTimeMillis());
        dropSent(s);
        s.release();
    }

    /** Forgets a sent action without releasing its records. */
    private void dropSent(BufferedAction s) {
        sentActions--;
        sentBytes -= s.bytes;
    }

    private void reject(BufferedAction s, @Nullable ItemResult result, String reason) {
        dropSent(s);
        List<PendingRecord> refs = s.refs();
        // the records of a coalesced action, each once, oldest first, with the references the action
        // holds on each (a record with two changes of the document holds two); PendingRecord has
        // identity equality
        LinkedHashMap<PendingRecord, List<PendingRecord>> byRecord = new LinkedHashMap<>();
        for (PendingRecord r : refs) {
            byRecord.computeIfAbsent(r, k -> new ArrayList<>(1)).add(r);
        }
        List<SourcePosition> positions = new ArrayList<>(byRecord.size());
        for (PendingRecord r : byRecord.keySet()) {
            positions.add(r.position);
        }
        String text = "document " + UntrustedText.shown(s.describe(), 256) + " was rejected permanently (" + reason
                + "); source position " + s.firstPosition()
                + (positions.size() > 1 ? " (coalesced from " + positions + ")" : "");
        switch (onRejected) {
            case STOP:
                fail(new SyncException(text + "; policy STOP: nothing from this position on is committed"));
                break;
            case DEAD_LETTER:
                deadLetters.rejected(s.action(), result, text, byRecord, positions);
                break;
            default:
                counters.skipped();
                log.warn("{} (skipped by policy SKIP)", text);
                s.release();
        }
    }

    // =====================================================================================
    // backpressure and commits

    private void updatePause(long now) {
        // dead letters waiting for their sink count too, as actions and by what they hold (a record's
        // raw bytes, the rejected document): a dead-letter sink that is down or slow must pause intake;
        // so do the raw bytes of records not yet done: many updates of one hot row coalesce into one
        // buffered action, but every one of their records stays pending until that action is written
        long recordBytes = pendingRecordBytes() + deadLetters.bytes();
        boolean full = buffer.size() + sentActions + deadLetters.count() >= config.maxBufferedActions()
                || buffer.bytes() + sentBytes + recordBytes >= config.maxBufferedBytes();
        if (full && !paused) {
            source.pause();
            paused = true;
            pausedSinceNanos = now;
            log.debug("buffer full ({} actions, {} bytes, {} bytes of pending records and dead letters): source paused",
                    buffer.size() + sentActions, buffer.bytes() + sentBytes, recordBytes);
            try {
                listener.onPause();
            } catch (Throwable e) {
                listenerFailed("onPause", e);
            }
        } else if (!full && paused) {
            source.resume();
            paused = false;
            pausedNanos += Math.max(0, now - pausedSinceNanos); // a user clock may go back
            try {
                listener.onResume();
            } catch (Throwable e) {
                listenerFailed("onResume", e);
            }
        }
    }

    /**
     * Commits the moved commit points of {@code ts}; a failed commit is retried by a later one.
     *
     * @return false if the commit failed
     */
    private boolean commit(Collection<PartitionTracker> ts) {
        Map<String, SourcePosition> positions = null;
        for (PartitionTracker t : ts) {
            SourcePosition p = t.alive ? t.uncommitted() : null;
            if (p != null) {
                if (positions == null) {
                    positions = new LinkedHashMap<>();
                }
                positions.put(t.partition, p);
            }
        }
        if (positions == null) {
            return true;
        }
        try {
            source.commit(positions);
        } catch (RetriableSyncException e) {
            log.warn("commit of {} failed, a later commit retries it: {}", positions, Secrets.describe(e));
            return false;
        } catch (PartitionNotOwnedException e) {
            // the source reports the partitions revoked or lost next; their new owner reads them again
            log.warn("commit of {} failed, the partitions are no longer owned; the next owner reads them again: {}",
                    positions, Secrets.describe(e));
            return false;
        }
        // any other SyncException (authorization, fencing) propagates: the pipeline fails
        counters.commit();
        monitor.onProgress(clock.nanoTime());
        for (PartitionTracker t : ts) {
            SourcePosition p = positions.get(t.partition);
            if (p != null) {
                t.committed(p);
            }
        }
        return true;
    }

    // =====================================================================================
    // rebalance (called from inside Source.poll, on the pipeline thread)

    @Override
    public void onAssigned(Collection<String> partitions) {
        log.info("partitions assigned: {}", partitions);
        try {
            listener.onPartitionsAssigned(partitions);
        } catch (Throwable e) {
            // an observer (see PipelineListener): the partitions are read and written regardless
            listenerFailed("onPartitionsAssigned(" + partitions + ")", e);
        }
    }

    @Override
    public void onRevoked(Collection<String> partitions) {
        Set<PartitionTracker> ts = owned(partitions);
        if (!ts.isEmpty()) {
            long deadline = System.nanoTime() + Durations.nanos(config.drainTimeout());
            if (closeRequested) {
                deadline = earlier(deadline, closeDeadlineNanos);
            }
            try {
                drainUntil(() -> allIdle(ts), deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new SyncException("interrupted while draining revoked partitions " + partitions, e));
            }
            commit(ts);
            for (PartitionTracker t : ts) {
                if (!t.idle()) {
                    log.warn("partition {} revoked with {} records not done; they were not committed and the next "
                            + "owner reads them again", t.partition, t.pendingRecords());
                }
            }
            retire(ts);
        }
        log.info("partitions revoked: {}", partitions);
        try {
            listener.onPartitionsRevoked(partitions);
        } catch (Throwable e) {
            listenerFailed("onPartitionsRevoked", e);
        }
    }

    @Override
    public void onLost(Collection<String> partitions) {
        Set<PartitionTracker> ts = owned(partitions);
        retire(ts);
        log.warn("partitions lost: {}; their uncommitted records are read again by the next owner", partitions);
        try {
            listener.onPartitionsLost(partitions);
        } catch (Throwable e) {
            listenerFailed("onPartitionsLost", e);
        }
    }

    private Set<PartitionTracker> owned(Collection<String> partitions) {
        Set<PartitionTracker> ts = new HashSet<>();
        for (String p : partitions) {
            PartitionTracker t = trackers.get(p);
            if (t != null) {
                ts.add(t);
            }
        }
        return ts;
    }

    private static boolean allIdle(Set<PartitionTracker> ts) {
        for (PartitionTracker t : ts) {
            if (!t.idle()) {
                return false;
            }
        }
        return true;
    }

    /** Forgets partitions: their unsent actions are dropped, in-flight ones are ignored when they complete. */
    private void retire(Set<PartitionTracker> ts) {
        if (ts.isEmpty()) {
            return;
        }
        for (PartitionTracker t : ts) {
            t.alive = false;
            trackers.remove(t.partition);
        }
        buffer.drop(ts);
    }

    // =====================================================================================
    // draining and shutdown

    /** Nothing read is waiting: no work in the engine and every partition's records done. */
    private boolean idle() {
        if (hasWork()) {
            return false;
        }
        for (PartitionTracker t : trackers.values()) {
            if (!t.idle()) {
                return false;
            }
        }
        return true;
    }

    private boolean hasWork() {
        return buffer.size() > 0 || scheduler.inFlight() > 0 || scheduler.retrying() || deadLetters.hasWork();
    }

    /**
     * Sends everything and handles completions until {@code done} holds, nothing is left to wait
     * for, or the real-time {@code deadlineNanos} passes.
     */
    private void drainUntil(BooleanSupplier done, long deadlineNanos) throws InterruptedException {
        while (true) {
            runCompletions();
            if (done.getAsBoolean() || !hasWork()) {
                return;
            }
            long now = clock.nanoTime();
            dispatch(now, true);
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return;
            }
            long wait = Math.min(left, MAX_WAIT_NANOS);
            wait = Math.min(wait, Math.max(0, scheduler.nanosUntilNextDue(now, true)));
            wait = Math.min(wait, Math.max(0, deadLetters.nanosUntilNextDue(now)));
            Runnable r = completions.poll(Math.max(wait, 1_000), TimeUnit.NANOSECONDS);
            if (r != null) {
                r.run();
            }
        }
    }

    private void shutdown() {
        try {
            if (isFatal(failure)) {
                // the error may have struck in the middle of updating the buffer or the offset state:
                // nothing is sent or committed on its word; what is not committed is read again
                log.error("pipeline {} stops without draining or committing after {}", config.threadName(),
                        Secrets.describe(failure));
            } else {
                drainAndCommit();
            }
            if (hasWork()) {
                log.warn("stopped with {} actions not acknowledged; their source positions were not committed and "
                        + "are read again on restart", buffer.size() + sentActions);
            }
            long now = clock.nanoTime();
            if (paused) {
                pausedNanos += Math.max(0, now - pausedSinceNanos); // a user clock may go back
                paused = false;
            }
            publishMetrics(now);
        } catch (Throwable t) {
            fail(t);
        } finally {
            // whatever happened above, what the pipeline owns is closed and it leaves RUNNING
            try {
                closeComponents();
            } catch (Throwable t) {
                fail(t);
            }
            PipelineState to = failure != null ? PipelineState.FAILED : PipelineState.CLOSED;
            if (!state.compareAndSet(PipelineState.RUNNING, to)) {
                // only this thread leaves RUNNING; anything else is a bug, but termination must still be signalled
                log.error("pipeline {} was {} instead of RUNNING when it stopped", config.threadName(), state.get());
            }
            try {
                notifyState(PipelineState.RUNNING, to);
            } catch (Throwable t) {
                log.warn("listener failed in onStateChange", Secrets.loggable(t));
            } finally {
                terminated.countDown();
            }
        }
    }

    private void drainAndCommit() {
        long deadline = closeRequested ? closeDeadlineNanos : System.nanoTime() + Durations.nanos(config.drainTimeout());
        if (failure != null && closeRequested) {
            deadline = earlier(deadline, System.nanoTime() + Durations.nanos(config.drainTimeout()));
        }
        try {
            drainUntil(() -> false, deadline);
            commit(trackers.values());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            log.warn("interrupted while draining; unacknowledged work stays uncommitted");
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void closeComponents() {
        closeQuietly(source, "source");
        closeQuietly(sink, "sink");
        if (deadLetterSink != null) {
            closeQuietly(deadLetterSink, "dead-letter sink");
        }
    }

    /** Closes {@code c}; a failure (an Error too) is logged, a virtual-machine error also fails the pipeline. */
    private void closeQuietly(AutoCloseable c, String what) {
        try {
            c.close();
        } catch (Throwable e) {
            if (isFatal(e)) {
                fail(e);
            } else {
                log.warn("closing the {} failed", what, Secrets.loggable(e));
            }
        }
    }

    private void fail(Throwable t) {
        if (failure == null) {
            failure = t;
            // a user component's message may quote a URL with credentials: cleaned, the frames kept
            log.error("pipeline {} failed: {}", config.threadName(),
                    t.getMessage() != null ? Secrets.redact(t.getMessage()) : Secrets.describe(t), Secrets.loggable(t));
            try {
                listener.onFailure(t);
            } catch (Throwable e) {
                // already failing: even a virtual-machine error from the listener changes nothing more
                log.warn("listener failed in onFailure", Secrets.loggable(e));
            }
        } else if (failure != t) {
            log.warn("further failure after the pipeline failed: {}", Secrets.describe(t));
        }
    }

    /**
     * A listener threw: logged and otherwise ignored, an Error too (a listener only observes; its bug
     * must not stop the data), except a virtual-machine error, which is rethrown to fail the pipeline.
     */
    private static void listenerFailed(String method, Throwable e) {
        if (isFatal(e)) {
            throw (VirtualMachineError) e;
        }
        log.warn("listener failed in {}", method, Secrets.loggable(e));
    }

    /**
     * Whether {@code t} leaves the JVM in doubt: a {@link VirtualMachineError} (OutOfMemoryError,
     * InternalError, UnknownError) other than a {@link StackOverflowError}, which unwinds the stack
     * of one call and leaves nothing else broken. Such an error fails the pipeline whatever the
     * policy, and the pipeline closes what it owns without draining or committing (its own state
     * may have been left half-updated by the error).
     */
    static boolean isFatal(@Nullable Throwable t) {
        return t instanceof VirtualMachineError && !(t instanceof StackOverflowError);
    }

    private void notifyState(PipelineState from, PipelineState to) {
        try {
            listener.onStateChange(from, to);
        } catch (Throwable e) {
            listenerFailed("onStateChange", e);
        }
    }

    @Nullable
    static Throwable unwrap(@Nullable Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The earlier of two System.nanoTime() deadlines: compared by their difference, as nanoTime may wrap. */
    private static long earlier(long a, long b) {
        return a - b <= 0 ? a : b;
    }

    /** The raw bytes of the records not yet done, over all partitions (see {@link PartitionTracker#pendingBytes()}). */
    private long pendingRecordBytes() {
        long bytes = 0;
        for (PartitionTracker t : trackers.values()) {
            bytes += t.pendingBytes();
        }
        return bytes;
    }

    private void publishMetrics(long now) {
        published = counters.snapshot(buffer.coalesced(), scheduler.inFlight(), buffer.size() + sentActions,
                buffer.bytes() + sentBytes + pendingRecordBytes() + deadLetters.bytes(), paused,
                Duration.ofNanos(pausedNanos + (paused ? Math.max(0, now - pausedSinceNanos) : 0)));
    }
}
