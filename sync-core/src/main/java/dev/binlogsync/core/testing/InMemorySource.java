package dev.binlogsync.core.testing;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.PartitionNotOwnedException;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;

/**
 * A {@link Source} over in-memory partitions, behaving like a Kafka consumer in a group: the test
 * appends records, assigns, revokes and loses partitions; the pipeline polls, commits, pauses.
 *
 * <ul>
 *   <li>Offsets start at 0 per partition and grow by one per appended record.</li>
 *   <li>A partition is assigned automatically the first time a record is appended to it (unless
 *       built with {@code autoAssign == false}). {@link #assign}, {@link #revoke} and
 *       {@link #lose} take effect at the start of the next {@link #poll}, which calls the
 *       pipeline's {@link PartitionListener} on the polling thread, like Kafka. A re-assigned
 *       partition is read again from after its last committed position.</li>
 *   <li>{@link #commit} of a partition that is not assigned throws {@link PartitionNotOwnedException}; while in
 *       {@code onRevoked} the revoked partitions are still assigned.</li>
 *   <li>While {@linkplain #isPaused() paused}, {@link #poll} returns nothing (and is still counted).</li>
 * </ul>
 *
 * <p>Thread-safe: the test thread may append, rebalance and inspect while the pipeline thread
 * polls. The {@code await...} methods wait with a deadline instead of sleeping.
 */
public final class InMemorySource implements Source {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final boolean autoAssign;
    private final int maxPollRecords;
    private final Map<String, List<SourceRecord>> partitions = new LinkedHashMap<>();
    private final Set<String> assigned = new LinkedHashSet<>();
    private final Map<String, Integer> next = new HashMap<>();
    private final Map<String, SourcePosition> committed = new HashMap<>();
    private final List<Map<String, SourcePosition>> commits = new ArrayList<>();
    private final ArrayDeque<Rebalance> rebalances = new ArrayDeque<>();
    private final ArrayDeque<RuntimeException> commitFailures = new ArrayDeque<>();
    @Nullable private PartitionListener listener;
    private boolean paused;
    private boolean wakeup;
    private boolean closed;
    private long polls;
    private int pauses;
    private int resumes;

    private enum Kind { ASSIGN, REVOKE, LOSE }

    private record Rebalance(Kind kind, List<String> partitions) {
    }

    /** Auto-assigning, at most 500 records per poll. */
    public InMemorySource() {
        this(true, 500);
    }

    /**
     * @param autoAssign whether a partition is assigned when its first record is appended
     * @param maxPollRecords most records one poll returns, >= 1
     */
    public InMemorySource(boolean autoAssign, int maxPollRecords) {
        if (maxPollRecords < 1) {
            throw new IllegalArgumentException("maxPollRecords must be >= 1: " + maxPollRecords);
        }
        this.autoAssign = autoAssign;
        this.maxPollRecords = maxPollRecords;
    }

    // ------------------------------------------------------------------ test side

    /**
     * Appends a record carrying {@code events} (given their real position) to {@code partition}.
     *
     * @return the record's position
     */
    public SourcePosition append(String partition, ChangeEvent... events) {
        return append(partition, Arrays.asList(events));
    }

    /** Like {@link #append(String, ChangeEvent...)} with a list. */
    public SourcePosition append(String partition, List<ChangeEvent> events) {
        Objects.requireNonNull(events, "events");
        return appendRecord(partition, pos -> {
            List<ChangeEvent> positioned = new ArrayList<>(events.size());
            for (ChangeEvent e : events) {
                positioned.add(Events.at(e, pos));
            }
            return new SourceRecord(pos, positioned, null, ("record " + pos).getBytes(StandardCharsets.UTF_8),
                    0L, null);
        });
    }

    /** Appends a record that failed to decode, with {@code value} as its raw bytes. */
    public SourcePosition appendUndecodable(String partition, String value, String problem) {
        return appendRecord(partition, pos -> SourceRecord.failed(pos, null, value.getBytes(StandardCharsets.UTF_8),
                new DecodeException("cannot decode " + pos + ": " + problem)));
    }

    /** Appends the record {@code factory} makes for the next position of {@code partition}. */
    public SourcePosition appendRecord(String partition, java.util.function.Function<SourcePosition, SourceRecord> factory) {
        Objects.requireNonNull(partition, "partition");
        lock.lock();
        try {
            List<SourceRecord> log = partitions.get(partition);
            if (log == null) {
                log = new ArrayList<>();
                partitions.put(partition, log);
                if (autoAssign) {
                    rebalances.add(new Rebalance(Kind.ASSIGN, List.of(partition)));
                }
            }
            SourcePosition pos = new SourcePosition(partition, log.size());
            SourceRecord record = Objects.requireNonNull(factory.apply(pos), "record");
            if (!record.position().equals(pos)) {
                throw new IllegalArgumentException("record must be at " + pos + ": " + record.position());
            }
            log.add(record);
            changed.signalAll();
            return pos;
        } finally {
            lock.unlock();
        }
    }

    /** Assigns partitions at the next poll (created empty if unknown). */
    public void assign(String... names) {
        rebalance(Kind.ASSIGN, names);
    }

    /** Revokes partitions at the next poll: {@code onRevoked} is called while they are still owned. */
    public void revoke(String... names) {
        rebalance(Kind.REVOKE, names);
    }

    /** Loses partitions at the next poll: they are gone before {@code onLost} is called. */
    public void lose(String... names) {
        rebalance(Kind.LOSE, names);
    }

    private void rebalance(Kind kind, String... names) {
        lock.lock();
        try {
            for (String n : names) {
                partitions.computeIfAbsent(n, k -> new ArrayList<>());
            }
            rebalances.add(new Rebalance(kind, List.of(names)));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Makes the next commit throw {@code failure} (e.g. a {@code RetriableSyncException}). */
    public void failNextCommit(RuntimeException failure) {
        lock.lock();
        try {
            commitFailures.add(Objects.requireNonNull(failure, "failure"));
        } finally {
            lock.unlock();
        }
    }

    /** The last committed position of {@code partition}, or null. */
    @Nullable
    public SourcePosition committed(String partition) {
        lock.lock();
        try {
            return committed.get(partition);
        } finally {
            lock.unlock();
        }
    }

    /** Every successful commit call, in order. */
    public List<Map<String, SourcePosition>> commits() {
        lock.lock();
        try {
            return List.copyOf(commits);
        } finally {
            lock.unlock();
        }
    }

    /** Whether the source is paused now. */
    public boolean isPaused() {
        return locked(() -> paused);
    }

    /** How many times {@link #pause()} switched it from running to paused. */
    public int pauseCount() {
        lock.lock();
        try {
            return pauses;
        } finally {
            lock.unlock();
        }
    }

    /** How many times {@link #resume()} switched it from paused to running. */
    public int resumeCount() {
        lock.lock();
        try {
            return resumes;
        } finally {
            lock.unlock();
        }
    }

    /** Polls completed so far. */
    public long polls() {
        lock.lock();
        try {
            return polls;
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@link #open} was called. */
    public boolean isOpen() {
        return locked(() -> listener != null);
    }

    /** Whether {@link #close} was called. */
    public boolean isClosed() {
        return locked(() -> closed);
    }

    /** Partitions assigned now. */
    public Set<String> assignment() {
        lock.lock();
        try {
            return Set.copyOf(assigned);
        } finally {
            lock.unlock();
        }
    }

    /** Records of assigned partitions not yet returned by a poll. */
    public int undelivered() {
        lock.lock();
        try {
            int n = 0;
            for (String p : assigned) {
                n += partitions.get(p).size() - next.get(p);
            }
            return n;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until {@code partition}'s committed offset is at least {@code offset}. */
    public boolean awaitCommitted(String partition, long offset, Duration timeout) throws InterruptedException {
        return await(() -> {
            SourcePosition c = committed.get(partition);
            return c != null && c.offset() >= offset;
        }, timeout);
    }

    /** Waits until at least {@code count} polls have completed in all. */
    public boolean awaitPolls(long count, Duration timeout) throws InterruptedException {
        return await(() -> polls >= count, timeout);
    }

    /** Waits until the source is paused ({@code true}) or running ({@code false}). */
    public boolean awaitPaused(boolean state, Duration timeout) throws InterruptedException {
        return await(() -> paused == state, timeout);
    }

    /** Waits until every record of the assigned partitions was returned by a poll and no rebalance is pending. */
    public boolean awaitDelivered(Duration timeout) throws InterruptedException {
        return await(() -> {
            if (!rebalances.isEmpty()) {
                return false;
            }
            for (String p : assigned) {
                if (next.get(p) < partitions.get(p).size()) {
                    return false;
                }
            }
            return true;
        }, timeout);
    }

    /** Waits until {@link #close} was called. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return await(() -> closed, timeout);
    }

    private boolean await(BooleanSupplier condition, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!condition.getAsBoolean()) {
                if (left <= 0) {
                    return false;
                }
                left = changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private boolean locked(BooleanSupplier s) {
        lock.lock();
        try {
            return s.getAsBoolean();
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ Source

    @Override
    public void open(PartitionListener listener) {
        Objects.requireNonNull(listener, "listener");
        lock.lock();
        try {
            if (this.listener != null) {
                throw new IllegalStateException("already open");
            }
            this.listener = listener;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<SourceRecord> poll(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Rebalance r;
            lock.lock();
            try {
                if (listener == null || closed) {
                    throw new IllegalStateException(closed ? "source is closed" : "source is not open");
                }
                r = rebalances.poll();
                if (r == null) {
                    List<SourceRecord> out = paused ? List.of() : take();
                    if (!out.isEmpty() || wakeup || deadline - System.nanoTime() <= 0) {
                        wakeup = false;
                        polls++;
                        changed.signalAll();
                        return out;
                    }
                    changed.awaitNanos(deadline - System.nanoTime());
                    continue;
                }
                if (r.kind() == Kind.ASSIGN) {
                    for (String p : r.partitions()) {
                        if (assigned.add(p)) {
                            SourcePosition c = committed.get(p);
                            next.put(p, c == null ? 0 : (int) c.offset() + 1);
                        }
                    }
                } else if (r.kind() == Kind.LOSE) {
                    unassign(r.partitions());
                }
            } finally {
                lock.unlock();
            }
            // the listener runs unlocked on the polling thread, like Kafka's rebalance callbacks
            switch (r.kind()) {
                case ASSIGN:
                    listener.onAssigned(r.partitions());
                    break;
                case REVOKE:
                    listener.onRevoked(r.partitions());
                    lock.lock();
                    try {
                        unassign(r.partitions());
                    } finally {
                        lock.unlock();
                    }
                    break;
                default:
                    listener.onLost(r.partitions());
            }
        }
    }

    private void unassign(Collection<String> names) {
        for (String p : names) {
            assigned.remove(p);
            next.remove(p);
        }
        changed.signalAll();
    }

    private List<SourceRecord> take() {
        List<SourceRecord> out = null;
        boolean more = true;
        // round-robin one record per partition at a time, like interleaved fetches
        while (more) {
            more = false;
            for (String p : assigned) {
                List<SourceRecord> log = partitions.get(p);
                int i = next.get(p);
                if (i < log.size()) {
                    if (out == null) {
                        out = new ArrayList<>();
                    }
                    out.add(log.get(i));
                    next.put(p, i + 1);
                    more = true;
                    if (out.size() >= maxPollRecords) {
                        return out;
                    }
                }
            }
        }
        return out == null ? List.of() : out;
    }

    @Override
    public void commit(Map<String, SourcePosition> lastDone) {
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("source is closed");
            }
            RuntimeException failure = commitFailures.poll();
            if (failure != null) {
                throw failure;
            }
            for (Map.Entry<String, SourcePosition> e : lastDone.entrySet()) {
                if (!assigned.contains(e.getKey())) {
                    throw new PartitionNotOwnedException("cannot commit " + e.getValue() + ": partition " + e.getKey()
                            + " is not assigned");
                }
                if (!e.getKey().equals(e.getValue().partition())) {
                    throw new IllegalArgumentException("position " + e.getValue() + " under key " + e.getKey());
                }
                SourcePosition prev = committed.get(e.getKey());
                if (prev != null && e.getValue().offset() < prev.offset()) {
                    throw new IllegalArgumentException("commit goes back: " + prev + " -> " + e.getValue());
                }
            }
            committed.putAll(lastDone);
            commits.add(Map.copyOf(lastDone));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void pause() {
        lock.lock();
        try {
            if (!paused) {
                paused = true;
                pauses++;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void resume() {
        lock.lock();
        try {
            if (paused) {
                paused = false;
                resumes++;
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void wakeup() {
        lock.lock();
        try {
            wakeup = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Map<String, Long> lag() {
        lock.lock();
        try {
            Map<String, Long> lag = new LinkedHashMap<>();
            for (String p : assigned) {
                lag.put(p, (long) (partitions.get(p).size() - next.get(p)));
            }
            return lag;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        lock.lock();
        try {
            return "InMemorySource[assigned=" + assigned + ", committed=" + committed + ", paused=" + paused + "]";
        } finally {
            lock.unlock();
        }
    }
}
