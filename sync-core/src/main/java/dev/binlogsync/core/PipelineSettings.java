package dev.binlogsync.core;

import dev.binlogsync.core.internal.Arguments;
import java.time.Duration;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * The engine settings of a {@link SyncPipeline}: bulk sizes, buffer limits, flushing, retries,
 * policies, timeouts, health thresholds and the pipeline's name. This is the one home of each
 * setting: its name, its default, its check and its file key (a configuration file's
 * {@code settings} section uses the builder methods' names as keys, see
 * {@link dev.binlogsync.core.config.ConfigLoader}). {@link SyncPipeline.Builder} and the file loader
 * both build one.
 *
 * <pre>{@code
 * PipelineSettings settings = PipelineSettings.builder()
 *         .maxBulkActions(500)
 *         .maxBulkBytes(2L * 1024 * 1024)
 *         .flushInterval(Duration.ofMillis(100))
 *         .build();
 * SyncPipeline pipeline = SyncPipeline.builder().source(s).ruleSet(r).sink(k).settings(settings).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. Two settings are equal when a pipeline runs the same with either:
 * {@link #lanes()} is compared as its effective value. Durations have no upper bound: one longer
 * than about 73 years is taken as 73 years, i.e. "never" for a running process.
 */
public final class PipelineSettings {

    /** Default {@link Builder#maxBulkActions} from a 1 GiB max heap (see {@link #defaultMaxBulkActions}). */
    public static final int DEFAULT_MAX_BULK_ACTIONS = 4000;
    /** The smallest default {@link Builder#maxBulkActions}, in a max heap of 256 MiB or less. */
    static final int MIN_DEFAULT_MAX_BULK_ACTIONS = 1000;
    /** Default {@link Builder#maxBulkBytes}: 5 MiB. */
    public static final long DEFAULT_MAX_BULK_BYTES = 5L * 1024 * 1024;
    /** Default {@link Builder#flushInterval}. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(200);
    /** Default {@link Builder#maxInFlightRequests}. */
    public static final int DEFAULT_MAX_IN_FLIGHT_REQUESTS = 2;
    /** Default {@link Builder#maxBufferedActions} from a 1 GiB max heap (see {@link #defaultMaxBufferedActions}). */
    public static final int DEFAULT_MAX_BUFFERED_ACTIONS = 20_000;
    /** Max heap from which {@link #DEFAULT_MAX_BUFFERED_ACTIONS} applies; below it the default shrinks with the heap. */
    static final long FULL_BUFFER_HEAP_BYTES = 1L << 30;
    /** Default {@link Builder#maxBufferedBytes}: 64 MiB. */
    public static final long DEFAULT_MAX_BUFFERED_BYTES = 64L * 1024 * 1024;
    /** Default {@link Builder#retryInitialBackoff}. */
    public static final Duration DEFAULT_RETRY_INITIAL_BACKOFF = Duration.ofMillis(100);
    /** Default {@link Builder#retryMaxBackoff}. */
    public static final Duration DEFAULT_RETRY_MAX_BACKOFF = Duration.ofSeconds(30);
    /** Default {@link Builder#commitInterval}. */
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(1);
    /** Default {@link Builder#pollTimeout}. */
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(100);
    /** Default {@link Builder#drainTimeout} and timeout of {@link SyncPipeline#close()}. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default {@link Builder#summaryInterval}. */
    public static final Duration DEFAULT_SUMMARY_INTERVAL = Duration.ofSeconds(30);
    /** Default {@link Builder#stalledAfter}. */
    public static final Duration DEFAULT_STALLED_AFTER = Duration.ofMinutes(5);
    /** Default {@link Builder#sinkUnreachableAfter}. */
    public static final Duration DEFAULT_SINK_UNREACHABLE_AFTER = Duration.ofMinutes(1);

    private static final PipelineSettings DEFAULTS = builder().build();

    private final FailurePolicy onDecodeFailure;
    private final FailurePolicy onRejected;
    private final int maxBulkActions;
    private final long maxBulkBytes;
    private final Duration flushInterval;
    private final int maxInFlightRequests;
    private final int lanes; // 0: same as maxInFlightRequests
    private final int maxBufferedActions;
    private final long maxBufferedBytes;
    private final Duration retryInitialBackoff;
    private final Duration retryMaxBackoff;
    private final int maxRetries;
    private final Duration commitInterval;
    private final Duration pollTimeout;
    private final Duration drainTimeout;
    @Nullable private final String threadName;
    private final Duration summaryInterval;
    private final Duration stalledAfter;
    private final Duration sinkUnreachableAfter;

    /**
     * {@link Builder#maxBufferedActions} when it is not set: {@value #DEFAULT_MAX_BUFFERED_ACTIONS}
     * from a 1 GiB max heap; below, as many per byte of max heap (5,000 at 256 MiB, 10,000 at 512
     * MiB), but at least {@code maxBulkActions * (maxInFlightRequests + 1)} (every request in flight
     * plus one bulk filling). Under a backlog the buffer stays full and its actions live until
     * acknowledged, so each young collection copies them: in a 256 MiB heap 20,000 buffered actions
     * cost the JVM's GC threads 2.8 µs per event, 5,000 cost 0.5, as 20,000 did in a 2 GiB heap;
     * the price is a smaller coalescing window (BENCHMARKS.md, "Heap").
     *
     * @param maxHeapBytes the JVM's max heap, {@link Runtime#maxMemory()}
     */
    static int defaultMaxBufferedActions(long maxHeapBytes, int maxBulkActions, int maxInFlightRequests) {
        long byHeap = maxHeapBytes >= FULL_BUFFER_HEAP_BYTES ? DEFAULT_MAX_BUFFERED_ACTIONS
                : maxHeapBytes * DEFAULT_MAX_BUFFERED_ACTIONS / FULL_BUFFER_HEAP_BYTES;
        long floor = (long) maxBulkActions * (maxInFlightRequests + 1L);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(byHeap, floor));
    }

    /**
     * {@link Builder#maxBulkActions} when it is not set: {@value #DEFAULT_MAX_BULK_ACTIONS} from a
     * 1 GiB max heap; below, as many per byte of max heap, but at least
     * {@value #MIN_DEFAULT_MAX_BULK_ACTIONS} (1,000 at 256 MiB, 2,000 at 512 MiB). Chosen from the
     * end-to-end benchmark's sweep of lanes x requests in flight x bulk size (BENCHMARKS.md, "Lanes,
     * requests in flight and bulk size"): bulks of 4,000 actions with 2 lanes and 2 requests in
     * flight were the best point with the node sharing the cores and with the node on a core of its
     * own; 1,000 reached 73-89% of it. The bulks in flight and the one filling are held in the
     * buffer, so the bulk shrinks with the heap as the buffer does ({@link #defaultMaxBufferedActions}).
     *
     * @param maxHeapBytes the JVM's max heap, {@link Runtime#maxMemory()}
     */
    static int defaultMaxBulkActions(long maxHeapBytes) {
        long byHeap = maxHeapBytes >= FULL_BUFFER_HEAP_BYTES ? DEFAULT_MAX_BULK_ACTIONS
                : maxHeapBytes * DEFAULT_MAX_BULK_ACTIONS / FULL_BUFFER_HEAP_BYTES;
        return (int) Math.max(byHeap, MIN_DEFAULT_MAX_BULK_ACTIONS);
    }

    private PipelineSettings(Builder b, int maxBulkActions, int maxBufferedActions) {
        onDecodeFailure = b.onDecodeFailure;
        onRejected = b.onRejected;
        this.maxBulkActions = maxBulkActions;
        maxBulkBytes = b.maxBulkBytes;
        flushInterval = b.flushInterval;
        maxInFlightRequests = b.maxInFlightRequests;
        lanes = b.lanes;
        this.maxBufferedActions = maxBufferedActions;
        maxBufferedBytes = b.maxBufferedBytes;
        retryInitialBackoff = b.retryInitialBackoff;
        retryMaxBackoff = b.retryMaxBackoff;
        maxRetries = b.maxRetries;
        commitInterval = b.commitInterval;
        pollTimeout = b.pollTimeout;
        drainTimeout = b.drainTimeout;
        threadName = b.threadName;
        summaryInterval = b.summaryInterval;
        stalledAfter = b.stalledAfter;
        sinkUnreachableAfter = b.sinkUnreachableAfter;
    }

    /** A builder with every default set. */
    public static Builder builder() {
        return new Builder();
    }

    /** Every setting at its default. */
    public static PipelineSettings defaults() {
        return DEFAULTS;
    }

    /**
     * A builder holding these settings; {@link #lanes()} still follows
     * {@link Builder#maxInFlightRequests} there when it was not set.
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.onDecodeFailure = onDecodeFailure;
        b.onRejected = onRejected;
        b.maxBulkActions = maxBulkActions;
        b.maxBulkBytes = maxBulkBytes;
        b.flushInterval = flushInterval;
        b.maxInFlightRequests = maxInFlightRequests;
        b.lanes = lanes;
        b.maxBufferedActions = maxBufferedActions;
        b.maxBufferedBytes = maxBufferedBytes;
        b.retryInitialBackoff = retryInitialBackoff;
        b.retryMaxBackoff = retryMaxBackoff;
        b.maxRetries = maxRetries;
        b.commitInterval = commitInterval;
        b.pollTimeout = pollTimeout;
        b.drainTimeout = drainTimeout;
        b.threadName = threadName;
        b.summaryInterval = summaryInterval;
        b.stalledAfter = stalledAfter;
        b.sinkUnreachableAfter = sinkUnreachableAfter;
        return b;
    }

    /** See {@link Builder#onDecodeFailure}. */
    public FailurePolicy onDecodeFailure() {
        return onDecodeFailure;
    }

    /** See {@link Builder#onRejected}. */
    public FailurePolicy onRejected() {
        return onRejected;
    }

    /** See {@link Builder#maxBulkActions}. */
    public int maxBulkActions() {
        return maxBulkActions;
    }

    /** See {@link Builder#maxBulkBytes}. */
    public long maxBulkBytes() {
        return maxBulkBytes;
    }

    /** See {@link Builder#flushInterval}. */
    public Duration flushInterval() {
        return flushInterval;
    }

    /** See {@link Builder#maxInFlightRequests}. */
    public int maxInFlightRequests() {
        return maxInFlightRequests;
    }

    /** The number of lanes: as set ({@link Builder#lanes}), else {@link #maxInFlightRequests()}. */
    public int lanes() {
        return lanes == 0 ? maxInFlightRequests : lanes;
    }

    /** See {@link Builder#maxBufferedActions}. */
    public int maxBufferedActions() {
        return maxBufferedActions;
    }

    /** See {@link Builder#maxBufferedBytes}. */
    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    /** See {@link Builder#retryInitialBackoff}. */
    public Duration retryInitialBackoff() {
        return retryInitialBackoff;
    }

    /** See {@link Builder#retryMaxBackoff}. */
    public Duration retryMaxBackoff() {
        return retryMaxBackoff;
    }

    /** See {@link Builder#maxRetries}; {@link Integer#MAX_VALUE} means unlimited. */
    public int maxRetries() {
        return maxRetries;
    }

    /** See {@link Builder#commitInterval}. */
    public Duration commitInterval() {
        return commitInterval;
    }

    /** See {@link Builder#pollTimeout}. */
    public Duration pollTimeout() {
        return pollTimeout;
    }

    /** See {@link Builder#drainTimeout}. */
    public Duration drainTimeout() {
        return drainTimeout;
    }

    /**
     * See {@link Builder#threadName}; null when not set (the pipeline then names itself
     * {@code binlog-sync-pipeline-N}; {@link SyncPipeline#settings()} always has the name).
     */
    @Nullable
    public String threadName() {
        return threadName;
    }

    /** See {@link Builder#summaryInterval}. */
    public Duration summaryInterval() {
        return summaryInterval;
    }

    /** See {@link Builder#stalledAfter}. */
    public Duration stalledAfter() {
        return stalledAfter;
    }

    /** See {@link Builder#sinkUnreachableAfter}. */
    public Duration sinkUnreachableAfter() {
        return sinkUnreachableAfter;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PipelineSettings s)) {
            return false;
        }
        return onDecodeFailure == s.onDecodeFailure && onRejected == s.onRejected
                && maxBulkActions == s.maxBulkActions && maxBulkBytes == s.maxBulkBytes
                && flushInterval.equals(s.flushInterval) && maxInFlightRequests == s.maxInFlightRequests
                && lanes() == s.lanes() && maxBufferedActions == s.maxBufferedActions
                && maxBufferedBytes == s.maxBufferedBytes && retryInitialBackoff.equals(s.retryInitialBackoff)
                && retryMaxBackoff.equals(s.retryMaxBackoff) && maxRetries == s.maxRetries
                && commitInterval.equals(s.commitInterval) && pollTimeout.equals(s.pollTimeout)
                && drainTimeout.equals(s.drainTimeout) && Objects.equals(threadName, s.threadName)
                && summaryInterval.equals(s.summaryInterval) && stalledAfter.equals(s.stalledAfter)
                && sinkUnreachableAfter.equals(s.sinkUnreachableAfter);
    }

    @Override
    public int hashCode() {
        return Objects.hash(onDecodeFailure, onRejected, maxBulkActions, maxBulkBytes, flushInterval,
                maxInFlightRequests, lanes(), maxBufferedActions, maxBufferedBytes, retryInitialBackoff,
                retryMaxBackoff, maxRetries, commitInterval, pollTimeout, drainTimeout, threadName, summaryInterval,
                stalledAfter, sinkUnreachableAfter);
    }

    @Override
    public String toString() {
        return "PipelineSettings[onDecodeFailure=" + onDecodeFailure + ", onRejected=" + onRejected
                + ", maxBulkActions=" + maxBulkActions + ", maxBulkBytes=" + maxBulkBytes
                + ", flushInterval=" + flushInterval + ", maxInFlightRequests=" + maxInFlightRequests
                + ", lanes=" + lanes() + ", maxBufferedActions=" + maxBufferedActions
                + ", maxBufferedBytes=" + maxBufferedBytes + ", retryInitialBackoff=" + retryInitialBackoff
                + ", retryMaxBackoff=" + retryMaxBackoff + ", maxRetries=" + maxRetries
                + ", commitInterval=" + commitInterval + ", pollTimeout=" + pollTimeout
                + ", drainTimeout=" + drainTimeout + ", threadName=" + threadName
                + ", summaryInterval=" + summaryInterval + ", stalledAfter=" + stalledAfter
                + ", sinkUnreachableAfter=" + sinkUnreachableAfter + "]";
    }

    /**
     * Builds {@link PipelineSettings}. Each setter checks its value at once
     * ({@link IllegalArgumentException} naming the setting and the value, e.g.
     * {@code flushInterval must be > 0: PT0S}); {@link #build()} checks the settings together
     * ({@link IllegalStateException}). Each method's name is also the setting's key in a
     * configuration file's {@code settings} section. Not thread-safe.
     */
    public static final class Builder {
        private FailurePolicy onDecodeFailure = FailurePolicy.STOP;
        private FailurePolicy onRejected = FailurePolicy.STOP;
        private int maxBulkActions; // 0: defaultMaxBulkActions of the max heap, in build()
        private long maxBulkBytes = DEFAULT_MAX_BULK_BYTES;
        private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
        private int maxInFlightRequests = DEFAULT_MAX_IN_FLIGHT_REQUESTS;
        private int lanes; // 0: same as maxInFlightRequests
        private int maxBufferedActions; // 0: defaultMaxBufferedActions of the max heap, in build()
        private long maxBufferedBytes = DEFAULT_MAX_BUFFERED_BYTES;
        private Duration retryInitialBackoff = DEFAULT_RETRY_INITIAL_BACKOFF;
        private Duration retryMaxBackoff = DEFAULT_RETRY_MAX_BACKOFF;
        private int maxRetries = Integer.MAX_VALUE;
        private Duration commitInterval = DEFAULT_COMMIT_INTERVAL;
        private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        @Nullable private String threadName;
        private Duration summaryInterval = DEFAULT_SUMMARY_INTERVAL;
        private Duration stalledAfter = DEFAULT_STALLED_AFTER;
        private Duration sinkUnreachableAfter = DEFAULT_SINK_UNREACHABLE_AFTER;

        private Builder() {
        }

        /**
         * What to do with a record that cannot be decoded, or an event the rule set throws on
         * (the other events of the record are still processed unless the policy is STOP). An
         * {@link Error} thrown by the rule set counts as such a failure, except a
         * {@link VirtualMachineError} other than {@link StackOverflowError}, which fails the
         * pipeline. {@link FailurePolicy#DEAD_LETTER} needs a dead-letter sink (checked when the
         * pipeline is built). Default {@link FailurePolicy#STOP}.
         */
        public Builder onDecodeFailure(FailurePolicy policy) {
            this.onDecodeFailure = Objects.requireNonNull(policy, "onDecodeFailure");
            return this;
        }

        /**
         * What to do with an item the sink reports as permanently failed, or one whose retries
         * ran out. {@link FailurePolicy#DEAD_LETTER} needs a dead-letter sink (checked when the
         * pipeline is built). Default {@link FailurePolicy#STOP}.
         */
        public Builder onRejected(FailurePolicy policy) {
            this.onRejected = Objects.requireNonNull(policy, "onRejected");
            return this;
        }

        /**
         * Most actions in one bulk request. Default 4 000 in a max heap of 1 GiB or more, less in a
         * smaller heap (1 000 at 256 MiB; {@link PipelineSettings#defaultMaxBulkActions}), and never
         * more than a {@link #maxBufferedActions} that is set; must be >= 1.
         */
        public Builder maxBulkActions(int maxBulkActions) {
            this.maxBulkActions = atLeastOne(maxBulkActions, "maxBulkActions");
            return this;
        }

        /**
         * Estimated bytes at which a lane is flushed, and the most one request carries (unless one
         * action is larger). Default 5 MiB; must be >= 1.
         */
        public Builder maxBulkBytes(long maxBulkBytes) {
            this.maxBulkBytes = atLeastOne(maxBulkBytes, "maxBulkBytes");
            return this;
        }

        /** Longest time an action waits in the buffer before its lane is flushed. Default 200 ms; must be > 0. */
        public Builder flushInterval(Duration flushInterval) {
            this.flushInterval = Arguments.positive(flushInterval, "flushInterval");
            return this;
        }

        /** Most bulk requests in flight at once. Default 2; must be >= 1. */
        public Builder maxInFlightRequests(int maxInFlightRequests) {
            this.maxInFlightRequests = atLeastOne(maxInFlightRequests, "maxInFlightRequests");
            return this;
        }

        /**
         * Number of lanes (documents split by hash of index and id; one bulk in flight per lane).
         * Default: {@code maxInFlightRequests}; must be >= 1 and >= {@code maxInFlightRequests}
         * (checked in {@link #build()}), since fewer lanes could never fill the in-flight limit.
         */
        public Builder lanes(int lanes) {
            this.lanes = atLeastOne(lanes, "lanes");
            return this;
        }

        /**
         * Actions held before the source is paused: buffered, in flight and waiting for retry.
         * One poll's worth may exceed it. Default 20 000 in a max heap of 1 GiB or more, less in a
         * smaller heap (5 000 at 256 MiB; {@link PipelineSettings#defaultMaxBufferedActions});
         * must be >= 1 and >= {@code maxBulkActions} (checked in {@link #build()}).
         */
        public Builder maxBufferedActions(int maxBufferedActions) {
            this.maxBufferedActions = atLeastOne(maxBufferedActions, "maxBufferedActions");
            return this;
        }

        /**
         * Estimated bytes held before the source is paused: the actions buffered, in flight and
         * waiting for retry, plus about 96 bytes for each record not yet done, plus that record's
         * raw key and value when {@link #onRejected(FailurePolicy) onRejected} is
         * {@link FailurePolicy#DEAD_LETTER} (a dead letter of a rejected document carries the
         * original record, so it is kept until every action from it is written; otherwise only its
         * position is kept), plus the dead letters not yet acknowledged by the dead-letter sink
         * (each record's raw key and value, the reason, the rejected document). Many changes to one
         * hot row coalesce into one action but keep all their records. Default 64 MiB; must be
         * >= 1 and >= {@code maxBulkBytes} (checked in {@link #build()}).
         *
         * <p>An action is counted at the estimated size of its JSON, not of the Java objects that
         * hold it: budget about twice this bound in heap (BENCHMARKS.md, "What a buffered action
         * holds").
         */
        public Builder maxBufferedBytes(long maxBufferedBytes) {
            this.maxBufferedBytes = atLeastOne(maxBufferedBytes, "maxBufferedBytes");
            return this;
        }

        /**
         * The longest delay before the first retry: the n-th retry waits a uniformly random time in
         * {@code [0, min(retryMaxBackoff, retryInitialBackoff * 2^(n-1))]} (exponential backoff
         * with full jitter). Default 100 ms; must be > 0 and at most {@code retryMaxBackoff} (checked in
         * {@link #build()}).
         */
        public Builder retryInitialBackoff(Duration retryInitialBackoff) {
            this.retryInitialBackoff = Arguments.positive(retryInitialBackoff, "retryInitialBackoff");
            return this;
        }

        /**
         * The cap of the retry delay (see {@link #retryInitialBackoff}). Default 30 s; must be > 0
         * and >= {@code retryInitialBackoff} (checked in {@link #build()}).
         */
        public Builder retryMaxBackoff(Duration retryMaxBackoff) {
            this.retryMaxBackoff = Arguments.positive(retryMaxBackoff, "retryMaxBackoff");
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
            this.commitInterval = notNegative(commitInterval, "commitInterval");
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
         * source's {@link Source#maxPollInterval()} (checked when the pipeline is built; for a Kafka
         * source {@code max.poll.interval.ms}, default 5 min): the pipeline does not poll while it
         * drains, so a longer drain would get the consumer evicted and its commit refused. Leave
         * room for the commit itself.
         */
        public Builder drainTimeout(Duration drainTimeout) {
            this.drainTimeout = Arguments.positive(drainTimeout, "drainTimeout");
            return this;
        }

        /**
         * The pipeline's name: the name of the thread {@link SyncPipeline#start()} creates, and the
         * {@code pipeline} tag of its metrics and logs. Default {@code binlog-sync-pipeline-N}
         * (N counts the pipelines built in this JVM); must not be blank.
         */
        public Builder threadName(String threadName) {
            this.threadName = Arguments.nonBlank(threadName, "threadName");
            return this;
        }

        /**
         * How often the pipeline logs a one-line summary (rates, counters, lag, latency) at INFO
         * on logger {@code dev.binlogsync.core.SyncPipeline}. {@link Duration#ZERO} turns it off.
         * Default 30 s; must be >= 0.
         */
        public Builder summaryInterval(Duration summaryInterval) {
            this.summaryInterval = notNegative(summaryInterval, "summaryInterval");
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
         * The settings.
         *
         * @throws IllegalStateException if lanes are fewer than maxInFlightRequests,
         *     maxBufferedActions is below maxBulkActions, maxBufferedBytes is below maxBulkBytes, or
         *     retryMaxBackoff is below retryInitialBackoff
         */
        public PipelineSettings build() {
            int laneCount = lanes == 0 ? maxInFlightRequests : lanes;
            if (laneCount < maxInFlightRequests) {
                throw new IllegalStateException("lanes (" + laneCount + ") must be >= maxInFlightRequests ("
                        + maxInFlightRequests + "): at most one bulk is in flight per lane");
            }
            long maxHeap = Runtime.getRuntime().maxMemory();
            int bulkActions = maxBulkActions;
            if (bulkActions == 0) {
                bulkActions = defaultMaxBulkActions(maxHeap);
                if (maxBufferedActions != 0) {
                    // an unset bulk size never exceeds a buffer bound that is set
                    bulkActions = Math.min(bulkActions, maxBufferedActions);
                }
            }
            int bufferedActions = maxBufferedActions != 0 ? maxBufferedActions
                    : defaultMaxBufferedActions(maxHeap, bulkActions, maxInFlightRequests);
            if (bufferedActions < bulkActions) {
                throw new IllegalStateException("maxBufferedActions (" + bufferedActions
                        + ") must be >= maxBulkActions (" + bulkActions + ")");
            }
            if (maxBufferedBytes < maxBulkBytes) {
                throw new IllegalStateException("maxBufferedBytes (" + maxBufferedBytes + ") must be >= maxBulkBytes ("
                        + maxBulkBytes + ")");
            }
            if (retryMaxBackoff.compareTo(retryInitialBackoff) < 0) {
                throw new IllegalStateException("retryMaxBackoff (" + retryMaxBackoff
                        + ") must be >= retryInitialBackoff (" + retryInitialBackoff + ")");
            }
            return new PipelineSettings(this, bulkActions, bufferedActions);
        }

        private static int atLeastOne(int n, String name) {
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be >= 1: " + n);
            }
            return n;
        }

        private static long atLeastOne(long n, String name) {
            if (n < 1) {
                throw new IllegalArgumentException(name + " must be >= 1: " + n);
            }
            return n;
        }

        private static Duration notNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must be >= 0: " + d);
            }
            return d;
        }
    }
}
