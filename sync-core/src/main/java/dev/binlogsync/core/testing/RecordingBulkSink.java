package dev.binlogsync.core.testing;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.PartialObject;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.internal.DocumentMerge;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.annotation.Nullable;

/**
 * A {@link BulkSink} that records every request and every item, answers as the test scripts it,
 * and keeps a simulated index of what succeeded.
 *
 * <ul>
 *   <li><b>Replies</b>: each request takes the next {@linkplain #enqueue queued} {@link Reply}, or
 *       the {@linkplain #defaultReply default} (all succeed). A reply answers per item (success,
 *       stale, retryable, permanent) or throws to fail the whole request.</li>
 *   <li><b>Completion</b>: immediately (default), after a {@linkplain #delay delay} on a daemon
 *       thread, or {@linkplain #manual manually}: requests stay {@linkplain #pending() pending}
 *       until the test calls {@link Request#complete()} (or completes them otherwise), so a test
 *       controls the completion order.</li>
 *   <li><b>Simulated index</b>: a successful item is applied when its request completes, in
 *       request order: INDEX replaces, UPSERT sets its fields as the sink writes it (each top-level
 *       field replaced whole, objects included; a {@link dev.binlogsync.core.PartialObject} merged
 *       key by key), creating a missing document, UPDATE the same into an existing document, DELETE
 *       removes. Like Elasticsearch, the index then decides what a reply of success becomes: an
 *       UPDATE of a document that does not exist is answered
 *       {@linkplain ItemResult.Outcome#MISSING missing} (404 {@code document_missing_exception}),
 *       and an externally versioned INDEX or DELETE whose version is lower than the stored one
 *       ({@link dev.binlogsync.core.VersionType#EXTERNAL EXTERNAL}: lower or equal) is answered
 *       {@linkplain ItemResult.Outcome#STALE stale}; neither is applied. Stored versions are kept
 *       after a delete (Elasticsearch keeps them for {@code index.gc_deletes}, 60 s by default; the
 *       simulation forever); a write without a version raises a stored one by 1. Every applied
 *       write gives its document the next {@linkplain #seqNo sequence number} (primary term 1),
 *       except an UPSERT or UPDATE that changes nothing (Java {@code equals} of the documents),
 *       which is a noop as in Elasticsearch: success, version and sequence number kept; a
 *       conditional DELETE or UPDATE ({@code ifSeqNo}/{@code ifPrimaryTerm}) of a document that is gone or
 *       has another sequence number is answered {@linkplain ItemResult.Outcome#CONFLICT conflict}
 *       and not applied.
 *       {@link #document}, {@link #documents()} and {@link #history} show the result.</li>
 *   <li><b>Overlap check</b>: a request containing a document that is also in another request
 *       not yet completed is recorded in {@link #overlaps()} — the pipeline promises there are
 *       none.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class RecordingBulkSink implements BulkSink {

    /**
     * How a request is answered: one result per action, in order, or an exception for the whole
     * request. A request takes its reply when it arrives and calls it when it completes: on the
     * thread that called {@code execute} (immediate completion), on the sink's daemon thread
     * ({@link #delay}), or on the thread that calls {@link Request#complete()} ({@link #manual}),
     * never under the sink's lock. The factories' replies are stateless and may be reused and
     * shared; a reply of your own that keeps state must be thread-safe when completions can
     * overlap.
     */
    @FunctionalInterface
    public interface Reply {
        /**
         * Answers a request. Return a non-null list; a list of the right size has its successes
         * applied to the simulated index, a list of another size is delivered unchanged and
         * applies nothing (for testing how the pipeline treats a malformed answer).
         *
         * @throws RuntimeException to fail the whole request (a {@link RetriableSyncException}
         *     for a retriable failure)
         */
        List<ItemResult> answer(List<DocumentAction> actions);

        /** Every item succeeds. */
        static Reply success() {
            return each(a -> ItemResult.success());
        }

        /** Each item's result from {@code result}. */
        static Reply each(Function<DocumentAction, ItemResult> result) {
            Objects.requireNonNull(result, "result");
            return actions -> {
                List<ItemResult> out = new ArrayList<>(actions.size());
                for (DocumentAction a : actions) {
                    out.add(result.apply(a));
                }
                return out;
            };
        }

        /** Items matching {@code which} fail retryably (429), the others succeed. */
        static Reply retryable(Predicate<DocumentAction> which) {
            return each(a -> which.test(a)
                    ? ItemResult.retryable(429, "es_rejected_execution_exception", "rejected by test")
                    : ItemResult.success());
        }

        /** Items matching {@code which} fail permanently (400, mapper_parsing_exception), the others succeed. */
        static Reply permanent(Predicate<DocumentAction> which, String reason) {
            return each(a -> which.test(a)
                    ? ItemResult.permanent(400, "mapper_parsing_exception", reason)
                    : ItemResult.success());
        }

        /** The whole request fails with {@code failure}. */
        static Reply failRequest(RuntimeException failure) {
            Objects.requireNonNull(failure, "failure");
            return actions -> {
                throw failure;
            };
        }

        /** The whole request fails retriably (as a connection refused would). */
        static Reply unavailable() {
            return failRequest(new RetriableSyncException("test: connection refused"));
        }
    }

    /** One recorded request. Thread-safe. */
    public final class Request {
        private final int number;
        private final List<DocumentAction> actions;
        private final Reply reply;
        private final CompletableFuture<List<ItemResult>> future = new CompletableFuture<>();
        @Nullable private List<ItemResult> results;
        @Nullable private Throwable failure;
        private boolean completed;

        Request(int number, List<DocumentAction> actions, Reply reply) {
            this.number = number;
            this.actions = List.copyOf(actions);
            this.reply = reply;
        }

        /** 0 for the first request the sink received, then 1, 2, ... */
        public int number() {
            return number;
        }

        /** The actions, in request order. */
        public List<DocumentAction> actions() {
            return actions;
        }

        /** Whether the request was answered. */
        public boolean isCompleted() {
            synchronized (RecordingBulkSink.this) {
                return completed;
            }
        }

        /** The item results once completed normally, else null. */
        @Nullable
        public List<ItemResult> results() {
            synchronized (RecordingBulkSink.this) {
                return results;
            }
        }

        /** The whole-request failure once completed exceptionally, else null. */
        @Nullable
        public Throwable failure() {
            synchronized (RecordingBulkSink.this) {
                return failure;
            }
        }

        /** Completes the request with its scripted reply. */
        public void complete() {
            List<ItemResult> r;
            try {
                r = reply.answer(actions);
            } catch (RuntimeException e) {
                fail(e);
                return;
            }
            complete(r);
        }

        /** Completes the request with {@code itemResults} (applied to the simulated index). */
        public void complete(List<ItemResult> itemResults) {
            List<ItemResult> copy = List.copyOf(itemResults);
            synchronized (RecordingBulkSink.this) {
                checkOpen();
                completed = true;
                inFlightDocs.removeAll(keys());
                if (copy.size() == actions.size()) {
                    List<ItemResult> applied = new ArrayList<>(copy);
                    for (int i = 0; i < actions.size(); i++) {
                        if (copy.get(i).outcome() == ItemResult.Outcome.SUCCESS) {
                            applied.set(i, apply(actions.get(i), copy.get(i)));
                        }
                    }
                    copy = List.copyOf(applied);
                }
                results = copy;
                RecordingBulkSink.this.notifyAll();
            }
            future.complete(copy);
        }

        /** Fails the whole request. */
        public void fail(Throwable error) {
            synchronized (RecordingBulkSink.this) {
                checkOpen();
                failure = error;
                completed = true;
                inFlightDocs.removeAll(keys());
                RecordingBulkSink.this.notifyAll();
            }
            future.completeExceptionally(error);
        }

        private void checkOpen() {
            if (completed) {
                throw new IllegalStateException("request " + number + " was already completed");
            }
        }

        private Set<String> keys() {
            Set<String> keys = new HashSet<>();
            for (DocumentAction a : actions) {
                keys.add(key(a.index(), a.id()));
            }
            return keys;
        }

        @Override
        public String toString() {
            return "Request#" + number + "[" + actions.size() + " actions" + (completed ? ", completed" : "") + "]";
        }
    }

    private final List<Request> requests = new ArrayList<>();
    private final ArrayDeque<Reply> queued = new ArrayDeque<>();
    private final Map<String, Map<String, Object>> index = new LinkedHashMap<>();
    private final Map<String, List<DocumentAction>> history = new HashMap<>();
    /** External (or, after one, internal) version per document, kept after a delete. */
    private final Map<String, Long> versions = new HashMap<>();
    private final Set<String> inFlightDocs = new HashSet<>();
    private final Map<String, Long> seqNos = new HashMap<>();
    private long nextSeqNo;
    private final List<String> overlaps = new ArrayList<>();
    private Reply defaultReply = Reply.success();
    private boolean manual;
    private Duration delay = Duration.ZERO;
    @Nullable private ScheduledExecutorService scheduler;
    private boolean started;
    private boolean closed;

    /** Answers every request at once with success. */
    public RecordingBulkSink() {
    }

    /** Sets the reply used when none is queued. Default {@link Reply#success()}. */
    public synchronized RecordingBulkSink defaultReply(Reply reply) {
        this.defaultReply = Objects.requireNonNull(reply, "reply");
        return this;
    }

    /** Queues replies for the next requests, one each, before the default applies again. */
    public synchronized RecordingBulkSink enqueue(Reply... replies) {
        for (Reply r : replies) {
            queued.add(Objects.requireNonNull(r, "reply"));
        }
        return this;
    }

    /** Whether requests wait for the test to complete them ({@link #pending()}). Default false. */
    public synchronized RecordingBulkSink manual(boolean manual) {
        this.manual = manual;
        return this;
    }

    /** Completes requests after {@code delay} on a daemon thread (when not manual). Default zero: at once. */
    public synchronized RecordingBulkSink delay(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("delay must be >= 0: " + delay);
        }
        this.delay = delay;
        return this;
    }

    @Override
    public synchronized void start() {
        started = true;
    }

    @Override
    public CompletionStage<List<ItemResult>> execute(List<DocumentAction> actions) {
        if (actions.isEmpty()) {
            throw new IllegalArgumentException("a bulk needs at least one action");
        }
        Request request;
        boolean now;
        Duration wait;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("sink is closed");
            }
            Reply reply = queued.isEmpty() ? defaultReply : queued.poll();
            request = new Request(requests.size(), actions, reply);
            for (String k : request.keys()) {
                if (inFlightDocs.contains(k)) {
                    overlaps.add("request " + request.number + " has " + k + " while it is in another request in flight");
                }
            }
            inFlightDocs.addAll(request.keys());
            requests.add(request);
            notifyAll();
            now = !manual && delay.isZero();
            wait = delay;
            if (!manual && !now && scheduler == null) {
                scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "recording-bulk-sink");
                    t.setDaemon(true);
                    return t;
                });
            }
            if (!manual && !now) {
                scheduler.schedule((Runnable) request::complete, wait.toNanos(), TimeUnit.NANOSECONDS);
            }
        }
        if (now) {
            request.complete();
        }
        return request.future;
    }

    /** Applies an item the reply accepted ({@code accepted}), as Elasticsearch would; returns what it came to. */
    private ItemResult apply(DocumentAction a, ItemResult accepted) {
        String k = key(a.index(), a.id());
        Long stored = versions.get(k);
        Long version = a.version();
        if (version != null && stored != null
                && (a.versionType() == VersionType.EXTERNAL ? version <= stored : version < stored)) {
            return ItemResult.stale("[" + a.id() + "]: version conflict, current version [" + stored
                    + "] is higher" + (a.versionType() == VersionType.EXTERNAL ? " or equal to" : " than")
                    + " the one provided [" + version + "]");
        }
        if (a.ifSeqNo() != null && (!index.containsKey(k) || !a.ifSeqNo().equals(seqNos.get(k))
                || a.ifPrimaryTerm() == null || a.ifPrimaryTerm() != 1L)) {
            return ItemResult.conflict("[" + a.id() + "]: version conflict, required seqNo [" + a.ifSeqNo()
                    + "], primary term [" + a.ifPrimaryTerm() + "], current document has seqNo [" + seqNos.get(k)
                    + "] and primary term [1]");
        }
        if (a.type() == ActionType.UPDATE && !index.containsKey(k)) {
            return ItemResult.missing("[" + a.id() + "]: document missing");
        }
        if (a.type() == ActionType.CREATE && index.containsKey(k)) {
            return ItemResult.exists("[" + a.id() + "]: version conflict, document already exists");
        }
        Map<String, Object> merged = null;
        if ((a.type() == ActionType.UPSERT || a.type() == ActionType.UPDATE) && index.containsKey(k)) {
            merged = new HashMap<>(index.get(k));
            DocumentMerge.merge(merged, a.document());
            stored(merged);
            if (merged.equals(index.get(k))) {
                // a partial write that changes nothing is a noop: version and sequence number stay
                history.computeIfAbsent(k, x -> new ArrayList<>()).add(a);
                return accepted;
            }
        }
        if (version != null) {
            versions.put(k, version);
        } else if (stored != null) {
            versions.put(k, stored + 1);
        }
        history.computeIfAbsent(k, x -> new ArrayList<>()).add(a);
        seqNos.put(k, nextSeqNo++);
        if (a.type() == ActionType.DELETE) {
            index.remove(k);
        } else if (merged != null) {
            index.put(k, merged);
        } else {
            index.put(k, stored(new HashMap<>(a.document())));
        }
        return accepted;
    }

    /** A stored document holds plain objects: a {@link PartialObject} written into an absent field is its keys. */
    private static Map<String, Object> stored(Map<String, Object> doc) {
        doc.replaceAll((k, v) -> v instanceof PartialObject ? new HashMap<>((PartialObject) v) : v);
        return doc;
    }

    private static String key(String index, String id) {
        return index + "/" + id;
    }

    // ------------------------------------------------------------------ inspection

    /** Every request received, in order. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Requests not yet completed, oldest first. */
    public synchronized List<Request> pending() {
        List<Request> out = new ArrayList<>();
        for (Request r : requests) {
            if (!r.completed) {
                out.add(r);
            }
        }
        return out;
    }

    /** Every action received, in request order (retries appear again). */
    public synchronized List<DocumentAction> actions() {
        List<DocumentAction> out = new ArrayList<>();
        for (Request r : requests) {
            out.addAll(r.actions);
        }
        return out;
    }

    /** The simulated document, or null if absent. */
    @Nullable
    public synchronized Map<String, Object> document(String index, String id) {
        Map<String, Object> d = this.index.get(key(index, id));
        return d == null ? null : Collections.unmodifiableMap(new HashMap<>(d)); // values may be null
    }

    /** The simulated index: {@code index/id} to document. */
    public synchronized Map<String, Map<String, Object>> documents() {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        index.forEach((k, v) -> out.put(k, new HashMap<>(v)));
        return out;
    }

    /** The successful actions applied to one document, in the order they were applied. */
    public synchronized List<DocumentAction> history(String index, String id) {
        return historyOf(index, id);
    }

    /**
     * The sequence number of the last write applied to the document (its primary term is always 1),
     * or null when none was. A conditional DELETE applies only with the current one.
     */
    @Nullable
    public synchronized Long seqNo(String index, String id) {
        return seqNos.get(key(index, id));
    }

    private List<DocumentAction> historyOf(String index, String id) {
        return List.copyOf(history.getOrDefault(key(index, id), List.of()));
    }

    /** Violations of "a document is in at most one request in flight"; empty when the pipeline kept its promise. */
    public synchronized List<String> overlaps() {
        return List.copyOf(overlaps);
    }

    /** Whether {@link #start()} was called. */
    public synchronized boolean isStarted() {
        return started;
    }

    /** Whether {@link #close()} was called. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Waits until at least {@code count} requests were received in all. */
    public boolean awaitRequests(int count, Duration timeout) throws InterruptedException {
        return await(() -> requests.size() >= count, timeout);
    }

    /** Waits until at least {@code count} requests are pending (manual mode). */
    public boolean awaitPending(int count, Duration timeout) throws InterruptedException {
        return await(() -> {
            int n = 0;
            for (Request r : requests) {
                if (!r.completed) {
                    n++;
                }
            }
            return n >= count;
        }, timeout);
    }

    private synchronized boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            closed = true;
            s = scheduler;
            notifyAll();
        }
        if (s != null) {
            s.shutdownNow();
        }
    }
}
