package dev.binlogsync.core.backfill;

import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncClock;
import dev.binlogsync.core.SyncPipeline;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * {@link StreamLatency#of(SyncPipeline)}: the mean sync latency of the actions acknowledged between
 * two readings of the pipeline's metrics, or the time since the last acknowledgement while actions
 * wait. The sync latency is recorded only for events with an event time; the pipeline's progress
 * otherwise counts as an acknowledgement too ({@link #progressed}), so a stream of events without
 * event times reads as current while it progresses. Not thread-safe: one backfill thread reads it.
 */
final class PipelineLatency implements StreamLatency {
    private final Supplier<PipelineMetrics> metrics;
    private final Supplier<PipelineState> state;
    private final SyncClock clock;
    private long count;
    private Duration total;
    /** The counters {@link #progressed} compares, at the last reading. */
    private PipelineMetrics counters;
    /** When a reading last saw the pipeline acknowledge an action (or hold none), on {@link #clock}. */
    private long lastAckNanos;
    /** The mean of the last reading that saw actions acknowledged, while actions wait since. */
    private Duration lastMean = Duration.ZERO;

    PipelineLatency(SyncPipeline pipeline) {
        this(pipeline::metrics, pipeline::state, pipeline.clock());
    }

    /** Takes the first reading: the interval of the next {@link #current()} starts now. */
    PipelineLatency(Supplier<PipelineMetrics> metrics, Supplier<PipelineState> state, SyncClock clock) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.state = Objects.requireNonNull(state, "state");
        this.clock = Objects.requireNonNull(clock, "clock");
        PipelineMetrics.Timing t = metrics.get().syncLatency();
        this.count = t.count();
        this.total = t.total();
        this.counters = metrics.get();
        this.lastAckNanos = clock.nanoTime();
    }

    @Override
    public Duration current() {
        long now = clock.nanoTime();
        PipelineMetrics m = metrics.get();
        PipelineMetrics.Timing t = m.syncLatency();
        long acked = t.count() - count;
        Duration sum = t.total().minus(total);
        count = t.count();
        total = t.total();
        boolean progressed = progressed(counters, m);
        counters = m;
        if (state.get() != PipelineState.RUNNING) {
            return idle(now); // nothing to yield to: a stopped stream is no reason to wait
        }
        if (acked > 0) {
            lastAckNanos = now;
            lastMean = sum.isNegative() ? Duration.ZERO : sum.dividedBy(acked);
            return lastMean;
        }
        if (progressed) {
            // acknowledged without a timed action (events without an event time: a custom decoder's,
            // a heartbeat's): the stream moves; as behind as it last measured, if it ever did
            lastAckNanos = now;
            return lastMean;
        }
        if (m.bufferedActions() > 0) {
            // work waits and nothing was acknowledged since: the stream is at least as far behind as
            // it was at its last acknowledgement (a bulk acknowledges its actions at once, so short
            // intervals often see none), and at least as long as it has acknowledged nothing
            Duration since = Duration.ofNanos(Math.max(0, now - lastAckNanos));
            return since.compareTo(lastMean) > 0 ? since : lastMean;
        }
        return idle(now);
    }

    /**
     * Whether the pipeline acknowledged work between two readings, timed or not: it committed, a dead
     * letter was acknowledged, or a bulk request was answered per item while no item was retried (a
     * bulk whose items are refused and retried, as an overloaded node answers, is no progress).
     */
    private static boolean progressed(PipelineMetrics before, PipelineMetrics now) {
        if (now.commits() > before.commits() || now.deadLettered() > before.deadLettered()) {
            return true;
        }
        return now.bulks() - now.failedBulks() > before.bulks() - before.failedBulks()
                && now.retried() == before.retried();
    }

    private Duration idle(long now) {
        lastAckNanos = now;
        lastMean = Duration.ZERO;
        return Duration.ZERO;
    }

    @Override
    public String toString() {
        return "StreamLatency.of(pipeline)";
    }
}
