package dev.binlogsync.core;

import dev.binlogsync.core.internal.Engine;
import dev.binlogsync.core.internal.Listeners;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * sent when it holds {@code maxBulkActions} actions or {@code maxBulkBytes} bytes, or when its
 * oldest action waited {@code flushInterval}. Each lane has at most one bulk in flight (and at
 * most {@code maxInFlightRequests} in all), so two changes to one document never overtake each
 * other; failed items are retried in place with exponential backoff and full jitter, before
 * anything later in their lane. When the buffered actions or bytes reach their limits the source
 * is paused (and still polled) until there is room.
 *
 * <p><b>Failures.</b> Retryable failures are retried (an item's own retryable failures {@link
 * PipelineSettings.Builder#maxRetries} times, unlimited by default; a request failing as a whole,
 * retriably, without limit). A record that cannot be decoded or mapped goes to {@link
 * PipelineSettings.Builder#onDecodeFailure}, an item the index rejects for good to {@link
 * PipelineSettings.Builder#onRejected}; both default to {@link FailurePolicy#STOP}: the pipeline
 * fails with an error naming the document or record and its source position, still writes and
 * commits what came before it, and commits nothing after. A bulk request that fails as a whole with
 * a non-retriable exception, a sink answering with the wrong number of results, or a source failure
 * also fail the pipeline. The failure stays available from {@link #failure()} and {@link #state()}
 * and is given to {@link PipelineListener#onFailure}.
 *
 * <p><b>Errors.</b> A Java {@link Error} the rule set (or a filter in it) throws for one event,
 * such as an {@link AssertionError} or a {@link StackOverflowError}, is a mapping failure of that
 * event like an exception: it goes to {@link PipelineSettings.Builder#onDecodeFailure}. A {@link
 * VirtualMachineError} other than a stack overflow ({@link OutOfMemoryError}, {@link
 * InternalError}, {@link UnknownError}) thrown anywhere on the pipeline thread fails the pipeline
 * with that error as {@link #failure()}; the pipeline then closes the source and sinks without
 * draining or committing (the error may have struck half-way through its bookkeeping; what is not
 * committed is read again). Any other Error escaping the source or the sink fails the pipeline like
 * an exception. Whatever happens, the pipeline ends in {@link PipelineState#FAILED} or {@link
 * PipelineState#CLOSED} and {@link #awaitTermination} returns. Errors thrown by a {@link
 * PipelineListener} are logged and ignored (except virtual-machine errors).
 *
 * <p><b>Lifecycle.</b> {@link #start()} runs the pipeline on a daemon thread it owns (named {@link
 * PipelineSettings.Builder#threadName}); {@link #run()} runs it on the caller's thread. A pipeline
 * runs at most once: {@code NEW -> RUNNING -> CLOSED | FAILED}, or {@code NEW -> CLOSED}. It owns
 * the source, the sink and the dead-letter sink it was built with and closes them when it stops.
 *
 * <p><b>Thread-safety.</b> Immutable configuration; all public methods are thread-safe.
 */
public final class SyncPipeline implements Runnable, AutoCloseable {

    private static final AtomicInteger THREAD_COUNTER = new AtomicInteger();
    private static final Logger LOG = LoggerFactory.getLogger(SyncPipeline.class);

    private final PipelineSettings settings;
    private final SyncClock clock;
    private final Engine engine;
    /** {@link Source#maxPollInterval()}, or null. */
    @Nullable private final Duration maxPollInterval;

    private SyncPipeline(PipelineSettings settings, Builder b, @Nullable Duration maxPollInterval) {
        this.settings = settings;
        this.clock = b.clock;
        this.engine = new Engine(settings, b.source, b.ruleSet, b.sink, b.deadLetterSink, b.clock,
                Listeners.of(b.listeners.isEmpty() ? List.of(new PipelineListener() { }) : b.listeners));
        this.maxPollInterval = maxPollInterval;
    }

    /** A builder with every default set; {@code source}, {@code ruleSet} and {@code sink} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts the pipeline on a new daemon thread named {@link PipelineSettings.Builder#threadName}.
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

    /** {@link #close(Duration)} with {@link PipelineSettings.Builder#drainTimeout} (default 30 s). */
    @Override
    public void close() {
        close(settings.drainTimeout());
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

    /** The pipeline's name, used in logs and metric tags: its {@link PipelineSettings.Builder#threadName}. */
    public String name() {
        return Objects.requireNonNull(settings.threadName(), "threadName");
    }

    /** The settings the pipeline runs with; its {@link PipelineSettings#threadName()} is always set. */
    public PipelineSettings settings() {
        return settings;
    }

    /**
     * The clock the pipeline runs on ({@link Builder#clock}): what its flush interval, backoff,
     * commit interval and health use, and what a meter binder times its cache with. Never null.
     */
    public SyncClock clock() {
        return clock;
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
     * every {@link PipelineSettings.Builder#pollTimeout} while running). Never null.
     */
    public PipelineMetrics metrics() {
        return engine.metrics();
    }

    /**
     * The health now, with the reason when not healthy: failed (with the cause), stalled (no
     * commit progress for {@link PipelineSettings.Builder#stalledAfter stalledAfter} while records
     * wait or lag grows), or sink unreachable (every bulk request failed as a whole for
     * {@link PipelineSettings.Builder#sinkUnreachableAfter sinkUnreachableAfter}). See
     * {@link PipelineHealth} for the exact rules. Cheap; never null; any thread.
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
        return "SyncPipeline[" + name() + ", " + state() + "]";
    }

    private static String notPolledTooLong(String what, Duration timeout, Duration maxPollInterval) {
        return what + " (" + timeout + ") must be below the source's maxPollInterval (" + maxPollInterval
                + "): the pipeline does not poll while it drains a revoke or a close, and a source not polled for "
                + "that long leaves its group (Kafka: max.poll.interval.ms) and cannot commit what the drain wrote";
    }

    /**
     * Builds a {@link SyncPipeline}: the components (source, rule set, sinks, clock, listener) and
     * the {@link PipelineSettings}. The setting methods here are those of
     * {@link PipelineSettings.Builder}, which holds each one's default and check (an
     * {@link IllegalArgumentException} naming the value, thrown at once); {@link #settings} sets
     * them all at once. {@link #build()} checks the settings together and with the components
     * ({@link IllegalStateException}). Not thread-safe.
     */
    public static final class Builder {
        @Nullable private Source source;
        @Nullable private RuleSet ruleSet;
        @Nullable private BulkSink sink;
        @Nullable private DeadLetterSink deadLetterSink;
        private SyncClock clock = SyncClock.system();
        private final List<PipelineListener> listeners = new ArrayList<>();
        private PipelineSettings.Builder settings = PipelineSettings.builder();
        /** Components handed over by {@link #closeUnlessBuilt}, in the order given. */
        private final List<AutoCloseable> handedOver = new ArrayList<>();
        /**
         * Why the components handed over were closed ({@link #discard()}, or a failed
         * {@link #build()}): a later build would hand closed components to a pipeline. Null while
         * they are open.
         */
        @Nullable private String closedBy;

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
         * Hands {@code component} (a source, sink or dead-letter sink made for the caller, which
         * holds no other reference to it) to this builder, to close unless a pipeline takes it
         * over: {@link #build()} closes it when it throws, and when the pipeline it builds does not
         * hold it (a later {@link #source}, {@link #sink} or {@link #deadLetterSink} replaced it).
         * Once the pipeline holds it, the pipeline closes it, as every component. A failure before
         * {@code build()} (a setter rejecting a value, the caller's own code) closes nothing: the
         * caller that gives up on the builder calls {@link #discard()}, and a builder dropped
         * without {@code build()} or {@code discard()} leaves them open:
         * <pre>{@code
         * SyncPipeline.Builder b = definition.toPipelineBuilder();
         * try {
         *     b.listener(myListener).maxBulkActions(n);
         * } catch (RuntimeException | Error e) {
         *     b.discard();
         *     throw e;
         * }
         * SyncPipeline pipeline = b.build(); // closes them itself when it throws
         * }</pre>
         * {@code dev.binlogsync.core.config.PipelineDefinition#toPipelineBuilder()} hands over what
         * it makes; a component the caller keeps needs no call.
         */
        public Builder closeUnlessBuilt(AutoCloseable component) {
            handedOver.add(Objects.requireNonNull(component, "component"));
            return this;
        }

        /**
         * The time source for flush interval, backoff, commit interval and health. Default
         * {@link SyncClock#system()}.
         */
        public Builder clock(SyncClock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Adds a listener that hears state changes, failures, bulks, pauses and rebalances. Call it
         * once per listener: each hears every event, in the order added, and one that throws does
         * not keep the event from the others. Default: none.
         */
        public Builder listener(PipelineListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Replaces every setting with {@code settings} (for example those a configuration file
         * gave); the setting methods called afterwards change single settings of it.
         */
        public Builder settings(PipelineSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings").toBuilder();
            return this;
        }

        /** See {@link PipelineSettings.Builder#onDecodeFailure}. */
        public Builder onDecodeFailure(FailurePolicy policy) {
            settings.onDecodeFailure(policy);
            return this;
        }

        /** See {@link PipelineSettings.Builder#onRejected}. */
        public Builder onRejected(FailurePolicy policy) {
            settings.onRejected(policy);
            return this;
        }

        /** See {@link PipelineSettings.Builder#maxBulkActions}. */
        public Builder maxBulkActions(int maxBulkActions) {
            settings.maxBulkActions(maxBulkActions);
            return this;
        }

        /** See {@link PipelineSettings.Builder#maxBulkBytes}. */
        public Builder maxBulkBytes(long maxBulkBytes) {
            settings.maxBulkBytes(maxBulkBytes);
            return this;
        }

        /** See {@link PipelineSettings.Builder#flushInterval}. */
        public Builder flushInterval(Duration flushInterval) {
            settings.flushInterval(flushInterval);
            return this;
        }

        /** See {@link PipelineSettings.Builder#maxInFlightRequests}. */
        public Builder maxInFlightRequests(int maxInFlightRequests) {
            settings.maxInFlightRequests(maxInFlightRequests);
            return this;
        }

        /** See {@link PipelineSettings.Builder#lanes}. */
        public Builder lanes(int lanes) {
            settings.lanes(lanes);
            return this;
        }

        /** See {@link PipelineSettings.Builder#maxBufferedActions}. */
        public Builder maxBufferedActions(int maxBufferedActions) {
            settings.maxBufferedActions(maxBufferedActions);
            return this;
        }

        /** See {@link PipelineSettings.Builder#maxBufferedBytes}. */
        public Builder maxBufferedBytes(long maxBufferedBytes) {
            settings.maxBufferedBytes(maxBufferedBytes);
            return this;
        }

        /** See {@link PipelineSettings.Builder#retryInitialBackoff}. */
        public Builder retryInitialBackoff(Duration retryInitialBackoff) {
            settings.retryInitialBackoff(retryInitialBackoff);
            return this;
        }

        /** See {@link PipelineSettings.Builder#retryMaxBackoff}. */
        public Builder retryMaxBackoff(Duration retryMaxBackoff) {
            settings.retryMaxBackoff(retryMaxBackoff);
            return this;
        }

        /** See {@link PipelineSettings.Builder#maxRetries}. */
        public Builder maxRetries(int maxRetries) {
            settings.maxRetries(maxRetries);
            return this;
        }

        /** See {@link PipelineSettings.Builder#commitInterval}. */
        public Builder commitInterval(Duration commitInterval) {
            settings.commitInterval(commitInterval);
            return this;
        }

        /** See {@link PipelineSettings.Builder#pollTimeout}. */
        public Builder pollTimeout(Duration pollTimeout) {
            settings.pollTimeout(pollTimeout);
            return this;
        }

        /** See {@link PipelineSettings.Builder#drainTimeout}. */
        public Builder drainTimeout(Duration drainTimeout) {
            settings.drainTimeout(drainTimeout);
            return this;
        }

        /** See {@link PipelineSettings.Builder#threadName}. */
        public Builder threadName(String threadName) {
            settings.threadName(threadName);
            return this;
        }

        /** See {@link PipelineSettings.Builder#summaryInterval}. */
        public Builder summaryInterval(Duration summaryInterval) {
            settings.summaryInterval(summaryInterval);
            return this;
        }

        /** See {@link PipelineSettings.Builder#stalledAfter}. */
        public Builder stalledAfter(Duration stalledAfter) {
            settings.stalledAfter(stalledAfter);
            return this;
        }

        /** See {@link PipelineSettings.Builder#sinkUnreachableAfter}. */
        public Builder sinkUnreachableAfter(Duration sinkUnreachableAfter) {
            settings.sinkUnreachableAfter(sinkUnreachableAfter);
            return this;
        }

        /**
         * Builds the pipeline.
         *
         * @throws IllegalStateException if source, rule set or sink is missing; the settings
         *     contradict each other ({@link PipelineSettings.Builder#build()}); a policy is
         *     DEAD_LETTER without a dead-letter sink; drainTimeout is not below the source's
         *     {@link Source#maxPollInterval()}; the components handed over by
         *     {@link #closeUnlessBuilt} are closed first. Also when the components handed over were
         *     closed by {@link #discard()} or a failed {@code build()}: every later {@code build()}
         *     of this builder throws (make a new builder, with new components)
         */
        public SyncPipeline build() {
            if (closedBy != null) {
                IllegalStateException e = new IllegalStateException("the components handed over to this builder"
                        + " (closeUnlessBuilt, as PipelineDefinition.toPipelineBuilder() hands over what it makes)"
                        + " were closed by " + closedBy + "; make a new builder with new components");
                closeHandedOver(e); // handed over since
                throw e;
            }
            SyncPipeline built;
            try {
                built = buildPipeline();
            } catch (RuntimeException | Error e) {
                if (!handedOver.isEmpty()) {
                    closedBy = "a failed build() (" + e.getClass().getSimpleName() + ")";
                }
                closeHandedOver(e);
                throw e;
            }
            for (int i = handedOver.size() - 1; i >= 0; i--) {
                AutoCloseable c = handedOver.get(i);
                if (c != source && c != sink && c != deadLetterSink) { // replaced: no one else can close it
                    try {
                        c.close();
                    } catch (Exception | LinkageError e) {
                        LOG.warn("closing a replaced component {} failed", c.getClass().getName(), Secrets.loggable(e));
                    }
                }
            }
            handedOver.clear();
            return built;
        }

        /**
         * Closes the components handed over by {@link #closeUnlessBuilt} (in the reverse of the order
         * given), for a caller that gives up on this builder before {@link #build()} (a setter threw,
         * its own code failed). A close that fails is logged as a warning, so a caller's failure
         * stays the one it throws. Every later {@code build()} throws
         * {@link IllegalStateException}. Idempotent; without components handed over it closes
         * nothing (and a later build still throws).
         */
        public void discard() {
            if (closedBy == null) {
                closedBy = "discard()";
            }
            for (int i = handedOver.size() - 1; i >= 0; i--) {
                AutoCloseable c = handedOver.get(i);
                try {
                    c.close();
                } catch (Exception | LinkageError e) {
                    LOG.warn("closing a component {} of a discarded builder failed", c.getClass().getName(),
                            Secrets.loggable(e));
                }
            }
            handedOver.clear();
        }

        private void closeHandedOver(Throwable failure) {
            for (int i = handedOver.size() - 1; i >= 0; i--) { // the reverse of the order given
                closeQuietly(handedOver.get(i), failure);
            }
            handedOver.clear();
        }

        private static void closeQuietly(AutoCloseable c, Throwable failure) {
            try {
                c.close();
            } catch (Exception | LinkageError suppressed) {
                failure.addSuppressed(suppressed);
            }
        }

        private SyncPipeline buildPipeline() {
            if (source == null) {
                throw new IllegalStateException("source is required");
            }
            if (ruleSet == null) {
                throw new IllegalStateException("ruleSet is required");
            }
            if (sink == null) {
                throw new IllegalStateException("sink is required");
            }
            PipelineSettings built = settings.build();
            if (deadLetterSink == null && built.onDecodeFailure() == FailurePolicy.DEAD_LETTER) {
                throw new IllegalStateException("onDecodeFailure is DEAD_LETTER but no deadLetterSink is set");
            }
            if (deadLetterSink == null && built.onRejected() == FailurePolicy.DEAD_LETTER) {
                throw new IllegalStateException("onRejected is DEAD_LETTER but no deadLetterSink is set");
            }
            Duration maxPollInterval = Objects.requireNonNull(source.maxPollInterval(), "source.maxPollInterval()")
                    .orElse(null);
            if (maxPollInterval != null && built.drainTimeout().compareTo(maxPollInterval) >= 0) {
                throw new IllegalStateException(
                        notPolledTooLong("drainTimeout", built.drainTimeout(), maxPollInterval));
            }
            if (built.threadName() == null) {
                built = built.toBuilder()
                        .threadName("binlog-sync-pipeline-" + THREAD_COUNTER.incrementAndGet())
                        .build();
            }
            return new SyncPipeline(built, this, maxPollInterval);
        }
    }
}
