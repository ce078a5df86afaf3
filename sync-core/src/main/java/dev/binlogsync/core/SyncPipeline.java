package dev.binlogsync.core;

import dev.binlogsync.core.internal.Arguments;
import dev.binlogsync.core.internal.Engine;
import dev.binlogsync.core.internal.PipelineConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;

/**
 * Connects a {@link Source}, a {@link RuleSet} and a {@link BulkSink} with the offset-after-flush
 * guarantee: for each partition the source is told to commit only the highest position below
 * which every record's actions were acknowledged by the sink, handed to the dead-letter sink, or
 * produced no action.
 *
 * <pre>{@code
 * try (SyncPipeline pipeline = SyncPipeline.builder()
 *         .source(kafkaSource)
 *         .ruleSet(rules)
 *         .sink(elasticsearchSink)
 *         .build()) {
 *     pipeline.start();
 *     ...
 * } // close(): flushes, waits for in-flight bulks, commits
 * }</pre>
 *
 * <p><b>How it works.</b> One pipeline thread owns the source and all offset state. It polls,
 * applies the rule set, and puts the actions into a bulk buffer split into lanes by the hash of
 * (index, id); several actions for one document in the buffer are coalesced into one. A lane is
 * sent when it holds {@code maxBulkActions} actions or {@code maxBulkSize} bytes, or when its
 * oldest action waited {@code flushInterval}. Each lane has at most one bulk in flight (and at
 * most {@code maxInFlightRequests} in all), so two changes to one document never overtake each
 * other; failed items are retried in place with exponential backoff and full jitter, before
 * anything later in their lane. When the buffered actions or bytes reach their limits the source
 * is paused (and still polled) until there is room.
 *
 * <p><b>Failures.</b> Retryable failures are retried (an item's own retryable failures
 * {@link Builder#maxRetries} times, unlimited by default; a request failing as a whole, retriably,
 * without limit). A record that cannot be decoded or mapped goes to {@link Builder#onDecodeFailure}, an
 * item the index rejects for good to {@link Builder#onRejected}; both default to
 * {@link FailurePolicy#STOP}: the pipeline fails with an error naming the document or record and
 * its source position, still writes and commits what came before it, and commits nothing after.
 * A bulk request that fails as a whole with a non-retriable exception, a sink answering with the
 * wrong number of results, or a source failure also fail the pipeline. The failure stays
 * available from {@link #failure()} and {@link #state()} and is given to
 * {@link PipelineListener#onFailure}.
 *
 * <p><b>Errors.</b> A Java {@link Error} the rule set (or a filter in it) throws for one event, such
 * as an {@link AssertionError} or a {@link StackOverflowError}, is a mapping failure of that event
 * like an exception: it goes to {@link Builder#onDecodeFailure}. A {@link VirtualMachineError}
 * other than a stack overflow ({@link OutOfMemoryError}, {@link InternalError},
 * {@link UnknownError}) thrown anywhere on the pipeline thread fails the pipeline with that error
 * as {@link #failure()}; the pipeline then closes the source and sinks without draining or
 * committing (the error may have struck half-way through its bookkeeping; what is not committed is
 * read again). Any other Error escaping the source or the sink fails the pipeline like an
 * exception. Whatever happens, the pipeline ends in {@link PipelineState#FAILED} or {@link PipelineState#CLOSED}
 * and {@link #awaitTermination} returns. Errors thrown by a {@link PipelineListener} are logged and
 * ignored (except virtual-machine errors).
 *
 * <p><b>Lifecycle.</b> {@link #start()} runs the pipeline on a daemon thread it owns (named
 * {@link Builder#threadName}); {@link #run()} runs it on the caller's thread. A pipeline runs at
 * most once: {@code NEW -> RUNNING -> CLOSED | FAILED}, or {@code NEW -> CLOSED}. It owns the
 * source, the sink and the dead-letter sink it was built with and closes them when it stops.
 *
 * <p><b>Thread-safety.</b> Immutable configuration; all public methods are thread-safe.
 */
public final class SyncPipeline implements Runnable, AutoCloseable {

    /** Default {@link Builder#maxBulkActions}. */
    public static final int DEFAULT_MAX_BULK_ACTIONS = 1000;
    /** Default {@link Builder#maxBulkSize}: 5 MiB. */
    public static final long DEFAULT_MAX_BULK_SIZE = 5L * 1024 * 1024;
    /** Default {@link Builder#flushInterval}. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(200);
    /** Default {@link Builder#maxInFlightRequests}. */
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 2;
    /** Default {@link Builder#maxBufferedActions}. */
    public static final int DEFAULT_MAX_BUFFERED_ACTIONS = 20_000;
    /** Default {@link Builder#maxBufferedBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L * 1024 * 1024;
    /** Default initial {@link Builder#retryBackoff} delay. */
    public static final Duration DEFAULT_RETRY_INITIAL = Duration.ofMillis(100);
    /** Default maximum {@link Builder#retryBackoff} delay. */
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofSeconds(30);
    /** Default {@link Builder#commitInterval}. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    /** Default {@link Builder#pollTimeout}. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Default {@link Builder#drainTimeout} and timeout of {@link #close()}. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link Builder#summaryInterval}. */
    public static final Duration DEFAULT_SUMMARY_INTERVAL = Duration.ofSeconds(30);
    /** Default {@link Builder#stalledAfter}. */
    public static final Duration DEFAULT_STALLED_AFTER = Duration.ofMinutes(5);
    /** Default {@link Builder#sinkUnreachableAfter}. */
    public static final Duration DEFAULT_SINK_UNREACHABLE_AFTER = Duration.ofMinutes(1);

    private static final AtomicInteger THREAD_COUNTER = new AtomicInteger();

    private final PipelineConfig config;
    private final Engine engine;
    /** {@link Source#maxPollInterval()}, or null. */
    @Nullable private final Duration maxPollInterval;

    private SyncPipeline(PipelineConfig config, @Nullable Duration maxPollInterval) {
        this.config = config;
        this.engine = new Engine(config);
        this.maxPollInterval = maxPollInterval;
    }

    /** A builder with every default set; {@code source}, {@code ruleSet} and {@code sink} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the pipeline on a new daemon thread named {@link Builder#threadName}.
     *
     * @throws IllegalStateException if the pipeline was already started, run or closed
     */
    public void start() {
        engine.start();
    }

    /**
     * Runs the pipeline on the calling thread until it is closed (from another thread) or fails.
     *
     * @throws IllegalStateException if the pipeline was already started, run or closed
     * @throws SyncException the failure, after the pipeline drained and committed what it could
     *     (the state is then {@link PipelineState#FAILED})
     * @throws VirtualMachineError the error itself when the pipeline failed on one (other than a
     *     {@link StackOverflowError}), after closing the source and sinks
     */
    @Override
    public void run() {
        engine.run();
    }

    /** {@link #close(Duration)} with {@link Builder#drainTimeout} (default 30 s). */
    @Override
    public void close() {
        close(config.drainTimeout());
    }

    /**
     * Stops taking in records, flushes the buffer, waits for in-flight bulks and dead letters,
     * commits, and closes the source and sinks. Work not acknowledged within {@code timeout} is
     * abandoned uncommitted (it is read again on restart). Idempotent; a closed or failed pipeline
     * stays as it is. Blocks until the pipeline thread has terminated, unless called on the
     * pipeline thread itself (from a listener), where it only requests the close.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative, or not below the source's
     *     {@link Source#maxPollInterval()} (the pipeline does not poll while it drains)
     */
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0: " + timeout);
        }
        if (maxPollInterval != null && timeout.compareTo(maxPollInterval) >= 0) {
            throw new IllegalArgumentException(notPolledTooLong("close timeout", timeout, maxPollInterval));
        }
        engine.close(timeout);
    }

    /**
     * Waits until the pipeline has stopped (closed or failed).
     *
     * @return whether it stopped within {@code timeout}
     */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        return engine.awaitTermination(timeout);
    }

    /** The pipeline's name, used in logs and metric tags: its {@link Builder#threadName}. */
    public String name() {
        return config.threadName();
    }

    /**
     * The clock the pipeline runs on ({@link Builder#clock}): what its flush interval, backoff,
     * commit interval and health use, and what a meter binder times its cache with. Never null.
     */
    public SyncClock clock() {
        return config.clock();
    }

    /** The current state. */
    public PipelineState state() {
        return engine.state();
    }

    /** Why the pipeline failed, or null while it has not. */
    @Nullable
    public Throwable failure() {
        return engine.failure();
    }

    /**
     * The counters, as of the pipeline thread's last loop iteration (it refreshes them at least
     * every {@link Builder#pollTimeout} while running). Never null.
     */
    public PipelineMetrics metrics() {
        return engine.metrics();
    }

    /**
     * The health now, with the reason when not healthy: failed (with the cause), stalled (no
     * commit progress for {@link Builder#stalledAfter} while records wait or lag grows), or sink
     * unreachable (every bulk request failed as a whole for {@link Builder#sinkUnreachableAfter}).
     * See {@link PipelineHealth} for the exact rules. Cheap; never null; any thread.
     */
    public PipelineHealth health() {
        return engine.health();
    }

    /**
     * Reports the time of the newest heartbeat a user's heartbeat check found in the index (for
     * example a heartbeat row the database updates every few seconds, read back from
     * Elasticsearch). {@link PipelineMetrics#heartbeatAge()} is then the time since it, growing
     * until the next report. Any thread.
     */
    public void reportHeartbeat(Instant newestHeartbeat) {
        engine.reportHeartbeat(Objects.requireNonNull(newestHeartbeat, "newestHeartbeat"));
    }

    @Override
    public String toString() {
        return "SyncPipeline[" + config.threadName() + ", " + state() + "]";
    }

    private static String notPolledTooLong(String what, Duration timeout, Duration maxPollInterval) {
        return what + " (" + timeout + ") must be below the source's maxPollInterval (" + maxPollInterval
                + "): the pipeline does not poll while it drains a revoke or a close, and a source not polled for "
                + "that long leaves its group (Kafka: max.poll.interval.ms) and cannot commit what the drain wrote";
    }

    /**
     * Builds a {@link SyncPipeline}. Each setter validates its value at once
     * ({@link IllegalArgumentException} naming the value); {@link #build()} checks the settings
     * together ({@link IllegalStateException}). Durations have no upper bound: one longer than
     * about 73 years ({@code ChronoUnit.FOREVER.getDuration()}, say) is taken as 73 years, i.e.
     * "never" for a running process. Not thread-safe.
     */
    public static final class Builder {
        @Nullable private Source source;
        @Nullable private RuleSet ruleSet;
        @Nullable private BulkSink sink;
        @Nullable private DeadLetterSink deadLetterSink;
        private FailurePolicy onDecodeFailure = FailurePolicy.STOP;
        private FailurePolicy onRejected = FailurePolicy.STOP;
        private int maxBulkActions = DEFAULT_MAX_BULK_ACTIONS;
        private long maxBulkSize = DEFAULT_MAX_BULK_SIZE;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
        private int lanes; // 0: same as maxInFlightRequests
        private int maxBufferedActions = DEFAULT_MAX_BUFFERED_ACTIONS;
        private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
        private Duration retryInitial = DEFAULT_RETRY_INITIAL;
        private Duration retryMax = DEFAULT_RETRY_MAX;
        private int maxRetries = Integer.MAX_VALUE;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private SyncClock clock = SyncClock.system();
        @Nullable private String threadName;
        private PipelineListener listener = new PipelineListener() {
        };
        private Duration summaryInterval = DEFAULT_SUMMARY_INTERVAL;
        private Duration stalledAfter = DEFAULT_STALLED_AFTER;
        private Duration sinkUnreachableAfter = DEFAULT_SINK_UNREACHABLE_AFTER;

        private Builder() {
        }

        /** Where records come from. Required; the pipeline opens and closes it. */
        public Builder source(Source source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Turns events into document actions. Required. */
        public Builder ruleSet(RuleSet ruleSet) {
            this.ruleSet = Objects.requireNonNull(ruleSet, "ruleSet");
            return this;
        }

        /** Where bulks go. Required; the pipeline starts and closes it. */
        public Builder sink(BulkSink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Where dead letters go; required when a policy is {@link FailurePolicy#DEAD_LETTER}. Default: none. */
        public Builder deadLetterSink(DeadLetterSink deadLetterSink) {
            this.deadLetterSink = Objects.requireNonNull(deadLetterSink, "deadLetterSink");
            return this;
        }

        /**
         * What to do with a record that cannot be decoded, or an event the rule set throws on
         * (the other events of the record are still processed unless the policy is STOP). An
         * {@link Error} thrown by the rule set counts as such a failure, except a
         * {@link VirtualMachineError} other than {@link StackOverflowError}, which fails the
         * pipeline. Default {@link FailurePolicy#STOP}.
         */
        public Builder onDecodeFailure(FailurePolicy policy) {
            this.onDecodeFailure = Objects.requireNonNull(policy, "onDecodeFailure");
            return this;
        }

        /**
         * What to do with an item the sink reports as permanently failed, or one whose retries
         * ran out. Default {@link FailurePolicy#STOP}.
         */
        public Builder onRejected(FailurePolicy policy) {
            this.onRejected = Objects.requireNonNull(policy, "onRejected");
            return this;
        }

        /** Most actions in one bulk request. Default 1000; must be >= 1. */
        public Builder maxBulkActions(int maxBulkActions) {
            if (maxBulkActions < 1) {
                throw new IllegalArgumentException("maxBulkActions must be >= 1: " + maxBulkActions);
            }
            this.maxBulkActions = maxBulkActions;
            return this;
        }

        /** Estimated bytes at which a lane is flushed, and the most one request carries (unless one action is larger). Default 5 MiB; must be >= 1. */
        public Builder maxBulkSize(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBulkSize must be >= 1: " + bytes);
            }
            this.maxBulkSize = bytes;
            return this;
        }

        /** Longest time an action waits in the buffer before its lane is flushed. Default 200 ms; must be > 0. */
        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = Arguments.positive(flushInterval, "flushInterval");
            return this;
        }

        /** Most bulk requests in flight at once. Default 2; must be >= 1. */
        public Builder maxInFlightRequests(int maxInFlightRequests) {
            if (maxInFlightRequests < 1) {
                throw new IllegalArgumentException("maxInFlightRequests must be >= 1: " + maxInFlightRequests);
            }
            this.maxInFlightRequests = maxInFlightRequests;
            return this;
        }

        /**
         * Number of lanes (documents split by hash of index and id; one bulk in flight per lane).
         * Default: {@code maxInFlightRequests}; must be >= 1 and >= {@code maxInFlightRequests}
         * (checked in {@link #build()}), since fewer lanes could never fill the in-flight limit.
         */
        public Builder lanes(int lanes) {
            if (lanes < 1) {
                throw new IllegalArgumentException("lanes must be >= 1: " + lanes);
            }
            this.lanes = lanes;
            return this;
        }

        /**
         * Actions held before the source is paused: buffered, in flight and waiting for retry.
         * One poll's worth may exceed it. Default 20 000; must be >= 1.
         */
        public Builder maxBufferedActions(int maxBufferedActions) {
            if (maxBufferedActions < 1) {
                throw new IllegalArgumentException("maxBufferedActions must be >= 1: " + maxBufferedActions);
            }
            this.maxBufferedActions = maxBufferedActions;
            return this;
        }

        /**
         * Estimated bytes held before the source is paused: the actions buffered, in flight and
         * waiting for retry, plus about 96 bytes for each record not yet done, plus that record's
         * raw key and value when {@link #onRejected(FailurePolicy) onRejected} is {@link FailurePolicy#DEAD_LETTER}
         * (a dead letter of a rejected document carries the original record, so it is kept until
         * every action from it is written; otherwise only its position is kept), plus the dead
         * letters not yet acknowledged by the dead-letter sink (each record's raw key and value, the
         * reason, the rejected document). Many changes to one hot row coalesce into one action but
         * keep all their records. Default 64 MiB; must be >= 1.
         *
         * <p>An action is counted at the estimated size of its JSON, not of the Java objects that
         * hold it: budget about twice this bound in heap (BENCHMARKS.md, "What a buffered action
         * holds").
         */
        public Builder maxBufferedBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("maxBufferedBytes must be >= 1: " + bytes);
            }
            this.maxBufferedBytes = bytes;
            return this;
        }

        /**
         * Retry delays: the n-th retry waits a uniformly random time in
         * {@code [0, min(max, initial * 2^(n-1))]} (exponential backoff with full jitter).
         * Default 100 ms and 30 s; {@code initial} must be > 0 and {@code max >= initial}.
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            Arguments.positive(initial, "retryBackoff initial");
            Arguments.positive(max, "retryBackoff max");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("retryBackoff max must be >= initial: " + max + " < " + initial);
            }
            this.retryInitial = initial;
            this.retryMax = max;
            return this;
        }

        /**
         * How often one item is retried before it counts as permanently failed and goes to
         * {@link #onRejected}. Default: unlimited (the source is paused meanwhile); must be >= 0.
         * Only item-level retryable failures (such as a 429 for the item) count: a
         * bulk request that fails as a whole and retriably (connection refused, a 5xx, a timeout,
         * in doubt) says nothing about its items and is retried with backoff without limit, so an
         * outage of any length never dead-letters or skips a buffered document; the source stays
         * paused and {@link SyncPipeline#health()} reports the failing requests. A dead letter
         * whose destination fails retriably is likewise retried without limit; a non-retriable
         * failure of the destination fails the pipeline.
         */
        public Builder maxRetries(int maxRetries) {
            if (maxRetries < 0) {
                throw new IllegalArgumentException("maxRetries must be >= 0: " + maxRetries);
            }
            this.maxRetries = maxRetries;
            return this;
        }

        /**
         * How often a moved commit point is committed; always also on revoke and close.
         * {@link Duration#ZERO} commits whenever it moves. Default 1 s; must be >= 0.
         */
        public Builder commitInterval(Duration commitInterval) {
            Objects.requireNonNull(commitInterval, "commitInterval");
            if (commitInterval.isNegative()) {
                throw new IllegalArgumentException("commitInterval must be >= 0: " + commitInterval);
            }
            this.commitInterval = commitInterval;
            return this;
        }

        /** Longest one {@link Source#poll} blocks. Default 100 ms; must be > 0. */
        public Builder pollTimeout(Duration pollTimeout) {
            this.pollTimeout = Arguments.positive(pollTimeout, "pollTimeout");
            return this;
        }

        /**
         * How long a revoke and the stop after a failure wait for buffered and in-flight work, and
         * the timeout of {@link SyncPipeline#close()}. Default 30 s; must be > 0, and below the
         * source's {@link Source#maxPollInterval()} (checked in {@link #build()}; for a Kafka source
         * {@code max.poll.interval.ms}, default 5 min): the pipeline does not poll while it drains,
         * so a longer drain would get the consumer evicted and its commit refused. Leave room for the
         * commit itself.
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = Arguments.positive(drainTimeout, "drainTimeout");
            return this;
        }

        /** The time source for flush interval, backoff and commit interval. Default {@link SyncClock#system()}. */
        public Builder clock(SyncClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Name of the thread {@link SyncPipeline#start()} creates. Default {@code binlog-sync-pipeline-N}. */
        public Builder threadName(String threadName) {
            this.threadName = Arguments.nonBlank(threadName, "threadName");
            return this;
        }

        /** Hears state changes, failures, bulks, pauses and rebalances. Default: none. */
        public Builder listener(PipelineListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * How often the pipeline logs a one-line summary (rates, counters, lag, latency) at INFO
         * on logger {@code dev.binlogsync.core.SyncPipeline}. {@link Duration#ZERO} turns it off.
         * Default 30 s; must be >= 0.
         */
        public Builder summaryInterval(Duration summaryInterval) {
            Objects.requireNonNull(summaryInterval, "summaryInterval");
            if (summaryInterval.isNegative()) {
                throw new IllegalArgumentException("summaryInterval must be >= 0: " + summaryInterval);
            }
            this.summaryInterval = summaryInterval;
            return this;
        }

        /**
         * How long the commit point may stay still while records wait (or lag grows) before
         * {@link SyncPipeline#health()} reports {@link PipelineHealth.Status#STALLED}. Default
         * 5 min; must be > 0.
         */
        public Builder stalledAfter(Duration stalledAfter) {
            this.stalledAfter = Arguments.positive(stalledAfter, "stalledAfter");
            return this;
        }

        /**
         * How long every bulk request may fail as a whole before {@link SyncPipeline#health()}
         * reports {@link PipelineHealth.Status#SINK_UNREACHABLE}. Default 1 min; must be > 0.
         */
        public Builder sinkUnreachableAfter(Duration sinkUnreachableAfter) {
            this.sinkUnreachableAfter = Arguments.positive(sinkUnreachableAfter, "sinkUnreachableAfter");
            return this;
        }

        /**
         * Builds the pipeline.
         *
         * @throws IllegalStateException if source, rule set or sink is missing; a policy is
         *     DEAD_LETTER without a dead-letter sink; lanes are fewer than maxInFlightRequests;
         *     maxBufferedActions is below maxBulkActions or maxBufferedBytes below maxBulkSize;
         *     drainTimeout is not below the source's {@link Source#maxPollInterval()}
         */
        public SyncPipeline build() {
            if (source == null) {
                throw new IllegalStateException("source is required");
            }
            if (ruleSet == null) {
                throw new IllegalStateException("ruleSet is required");
            }
            if (sink == null) {
                throw new IllegalStateException("sink is required");
            }
            if (deadLetterSink == null && onDecodeFailure == FailurePolicy.DEAD_LETTER) {
                throw new IllegalStateException("onDecodeFailure is DEAD_LETTER but no deadLetterSink is set");
            }
            if (deadLetterSink == null && onRejected == FailurePolicy.DEAD_LETTER) {
                throw new IllegalStateException("onRejected is DEAD_LETTER but no deadLetterSink is set");
            }
            int laneCount = lanes == 0 ? maxInFlightRequests : lanes;
            if (laneCount < maxInFlightRequests) {
                throw new IllegalStateException("lanes (" + laneCount + ") must be >= maxInFlightRequests ("
                        + maxInFlightRequests + "): at most one bulk is in flight per lane");
            }
            if (maxBufferedActions < maxBulkActions) {
                throw new IllegalStateException("maxBufferedActions (" + maxBufferedActions
                        + ") must be >= maxBulkActions (" + maxBulkActions + ")");
            }
            if (maxBufferedBytes < maxBulkSize) {
                throw new IllegalStateException("maxBufferedBytes (" + maxBufferedBytes + ") must be >= maxBulkSize ("
                        + maxBulkSize + ")");
            }
            Duration maxPollInterval = Objects.requireNonNull(source.maxPollInterval(), "source.maxPollInterval()")
                    .orElse(null);
            if (maxPollInterval != null && drainTimeout.compareTo(maxPollInterval) >= 0) {
                throw new IllegalStateException(notPolledTooLong("drainTimeout", drainTimeout, maxPollInterval));
            }
            String name = threadName != null ? threadName : "binlog-sync-pipeline-" + THREAD_COUNTER.incrementAndGet();
            return new SyncPipeline(new PipelineConfig(source, ruleSet, sink, deadLetterSink, onDecodeFailure,
                    onRejected, maxBulkActions, maxBulkSize, flushInterval, maxInFlightRequests, laneCount,
                    maxBufferedActions, maxBufferedBytes, retryInitial, retryMax, maxRetries, commitInterval,
                    pollTimeout, drainTimeout, clock, name, listener, summaryInterval, stalledAfter,
                    sinkUnreachableAfter), maxPollInterval);
        }
    }
}
