package dev.binlogsync.core.internal;

import dev.binlogsync.core.PipelineHealth;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.Source;
import dev.binlogsync.core.SyncClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The observability side of the engine: latency and bulk histograms (counts and sums since the
 * start, percentiles and maxima over the last {@link WindowedHistogram#WINDOW}), sampled source
 * lag, the reported heartbeat, the health inputs and the periodic summary line.
 *
 * <p>The {@code on*} and {@link #tick} methods run on the pipeline thread only and never allocate
 * on the per-action path; {@link #decorate}, {@link #health} and {@link #reportHeartbeat} may be
 * called from any thread (they read volatile fields and the single-writer histograms).
 */
final class Monitor {
    private static final Logger log = LoggerFactory.getLogger("dev.binlogsync.core.SyncPipeline");
    private static final long LAG_SAMPLE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final SyncClock clock;
    private final String name;
    private final long summaryIntervalNanos;
    private final long stalledAfterNanos;
    private final long sinkUnreachableAfterNanos;

    private final WindowedHistogram syncLatencyMillis = new WindowedHistogram();
    private final WindowedHistogram bulkMicros = new WindowedHistogram();
    private final WindowedHistogram bulkActions = new WindowedHistogram();
    private final WindowedHistogram bulkBytes = new WindowedHistogram();

    // ---- written by the pipeline thread, read by any
    private volatile Map<String, Long> lag = Map.of();
    private volatile long lastProgressNanos;
    private volatile long lagAtProgress;
    private volatile long lagNow;
    private volatile boolean workWaiting;
    private volatile boolean requestsFailing;
    private volatile long requestsFailingSinceNanos;
    @Nullable private volatile Throwable lastRequestFailure;
    // ---- written by any thread (the user's heartbeat check)
    private volatile long heartbeatMillis = Long.MIN_VALUE;

    // ---- pipeline thread only
    private long nextLagSampleNanos;
    private long nextSummaryNanos;
    @Nullable private PipelineMetrics lastSummary;

    public Monitor(SyncClock clock, String name, Duration summaryInterval, Duration stalledAfter,
            Duration sinkUnreachableAfter) {
        this.clock = clock;
        this.name = name;
        this.summaryIntervalNanos = Durations.nanos(summaryInterval);
        this.stalledAfterNanos = Durations.nanos(stalledAfter);
        this.sinkUnreachableAfterNanos = Durations.nanos(sinkUnreachableAfter);
    }

    private void rotate(long now) {
        syncLatencyMillis.rotate(now);
        bulkMicros.rotate(now);
        bulkActions.rotate(now);
        bulkBytes.rotate(now);
    }

    /** The pipeline thread starts running. */
    void started(long now) {
        rotate(now);
        lastProgressNanos = now;
        nextLagSampleNanos = now;
        nextSummaryNanos = now + summaryIntervalNanos;
    }

    /** An action was acknowledged (written, already gone, or stale); {@code eventTimeMillis} 0 = unknown. */
    void onAcknowledged(long eventTimeMillis, long nowMillis) {
        if (eventTimeMillis > 0) {
            syncLatencyMillis.record(nowMillis - eventTimeMillis);
        }
    }

    /** A bulk request completed; {@code requestFailure} is null when the sink answered per item. */
    void onBulk(int actions, long bytes, long durationNanos, @Nullable Throwable requestFailure, long now) {
        bulkMicros.record(durationNanos / 1000);
        bulkActions.record(actions);
        bulkBytes.record(bytes);
        if (requestFailure == null) {
            requestsFailing = false;
            lastRequestFailure = null;
        } else {
            if (!requestsFailing) {
                requestsFailingSinceNanos = now;
                requestsFailing = true;
            }
            lastRequestFailure = requestFailure;
        }
    }

    /** The commit point moved and was committed. */
    void onProgress(long now) {
        lastProgressNanos = now;
        lagAtProgress = lagNow;
    }

    /**
     * Called every loop iteration: samples the lag (at most once a second), notes whether work
     * waits (an idle pipeline counts as progressing), and writes the summary line when due.
     */
    void tick(long now, Source source, boolean idle, PipelineMetrics current) {
        rotate(now);
        if (now - nextLagSampleNanos >= 0) {
            nextLagSampleNanos = now + LAG_SAMPLE_NANOS;
            try {
                // a position past the end offset (a log truncated under the consumer) is nothing
                // left to read, not a negative count; the metrics refuse negative lag
                Map<String, Long> l = new java.util.LinkedHashMap<>();
                long sum = 0;
                for (Map.Entry<String, Long> e : source.lag().entrySet()) {
                    long v = Math.max(0, e.getValue());
                    l.put(e.getKey(), v);
                    sum += v;
                }
                lag = l;
                lagNow = sum;
            } catch (RuntimeException e) {
                log.debug("source lag unavailable: {}", Secrets.describe(e));
            }
        }
        workWaiting = !idle;
        if (idle && lagNow <= lagAtProgress) {
            onProgress(now);
        }
        if (summaryIntervalNanos > 0 && now - nextSummaryNanos >= 0) {
            nextSummaryNanos = now + summaryIntervalNanos;
            summary(current, now);
        }
    }

    private void summary(PipelineMetrics m, long now) {
        if (!log.isInfoEnabled()) {
            return;
        }
        PipelineMetrics prev = lastSummary;
        lastSummary = m;
        double seconds = summaryIntervalNanos / 1e9;
        long[] latency = syncLatencyMillis.percentiles(0.5, 0.99);
        long events = m.events() - (prev == null ? 0 : prev.events());
        long acted = m.actions() - (prev == null ? 0 : prev.actions());
        long bulks = m.bulks() - (prev == null ? 0 : prev.bulks());
        log.info("pipeline {}: {} events/s, {} actions/s, {} bulks in {}s (events {}, actions {}, coalesced {}, "
                        + "stale {}, missing {}, retried {}, dead-lettered {}, skipped {}, failed bulks {}, in doubt {}, "
                        + "fenced writes {}), in flight {}, buffered {} "
                        + "actions/{} bytes{}, lag {}, sync latency over the last minute p50 {} ms p99 {} ms max {} ms{}",
                name, Math.round(events / seconds), Math.round(acted / seconds), bulks, Math.round(seconds),
                m.events(), m.actions(), m.coalesced(), m.stale(), m.missing(), m.retried(), m.deadLettered(), m.skipped(),
                m.failedBulks(), m.inDoubtBulks(), m.fencedWrites(), m.inFlightRequests(), m.bufferedActions(), m.bufferedBytes(), m.paused() ? " (paused)" : "",
                lagNow, latency[0], latency[1], syncLatencyMillis.max(), heartbeatText());
    }

    private String heartbeatText() {
        long hb = heartbeatMillis;
        return hb == Long.MIN_VALUE ? "" : ", heartbeat age " + Math.max(0, clock.currentTimeMillis() - hb) + " ms";
    }

    /** The newest heartbeat the user's check saw. Any thread. */
    public void reportHeartbeat(Instant heartbeat) {
        heartbeatMillis = heartbeat.toEpochMilli();
    }

    /** {@code base} with the distributions, lag and heartbeat filled in. Any thread. */
    public PipelineMetrics decorate(PipelineMetrics base) {
        long hb = heartbeatMillis;
        Duration heartbeatAge = hb == Long.MIN_VALUE ? null
                : Duration.ofMillis(Math.max(0, clock.currentTimeMillis() - hb));
        return base.toBuilder()
                .syncLatency(timing(syncLatencyMillis, TimeUnit.MILLISECONDS))
                .bulkDuration(timing(bulkMicros, TimeUnit.MICROSECONDS))
                .bulkActions(sizes(bulkActions)).bulkBytes(sizes(bulkBytes))
                .lag(lag).heartbeatAge(heartbeatAge)
                .build();
    }

    private static PipelineMetrics.Timing timing(WindowedHistogram h, TimeUnit unit) {
        long count = h.count();
        if (count == 0) {
            return PipelineMetrics.Timing.EMPTY;
        }
        long[] p = h.percentiles(0.5, 0.99);
        return new PipelineMetrics.Timing(count, Duration.of(h.sum(), unit.toChronoUnit()),
                Duration.of(p[0], unit.toChronoUnit()), Duration.of(p[1], unit.toChronoUnit()),
                Duration.of(h.max(), unit.toChronoUnit()));
    }

    private static PipelineMetrics.Sizes sizes(WindowedHistogram h) {
        long count = h.count();
        if (count == 0) {
            return PipelineMetrics.Sizes.EMPTY;
        }
        long[] p = h.percentiles(0.5, 0.99);
        return new PipelineMetrics.Sizes(count, h.sum(), p[0], p[1], h.max());
    }

    /** The health now. Any thread. */
    public PipelineHealth health(PipelineState state, @Nullable Throwable failure) {
        switch (state) {
            case NEW:
                return new PipelineHealth(PipelineHealth.Status.STARTING, "not started", null);
            case CLOSED:
                return new PipelineHealth(PipelineHealth.Status.STOPPED, "closed", null);
            case FAILED:
                return new PipelineHealth(PipelineHealth.Status.FAILED, "failed: " + message(failure), failure);
            default:
                break;
        }
        if (failure != null) { // failed, still draining
            return new PipelineHealth(PipelineHealth.Status.FAILED, "failed: " + message(failure), failure);
        }
        long now = clock.nanoTime();
        if (requestsFailing) {
            long failingFor = now - requestsFailingSinceNanos;
            if (failingFor > sinkUnreachableAfterNanos) {
                Throwable last = lastRequestFailure;
                return new PipelineHealth(PipelineHealth.Status.SINK_UNREACHABLE, "every bulk request failed for "
                        + Duration.ofNanos(failingFor) + " (threshold " + Duration.ofNanos(sinkUnreachableAfterNanos)
                        + "), last: " + message(last), last);
            }
        }
        long stuckFor = now - lastProgressNanos;
        if (stuckFor > stalledAfterNanos && (workWaiting || lagNow > lagAtProgress)) {
            return new PipelineHealth(PipelineHealth.Status.STALLED, "no commit progress for "
                    + Duration.ofNanos(stuckFor) + " (threshold " + Duration.ofNanos(stalledAfterNanos) + ") while "
                    + (workWaiting ? "records wait to be written" : "") + (workWaiting && lagNow > lagAtProgress ? " and " : "")
                    + (lagNow > lagAtProgress ? "lag grew from " + lagAtProgress + " to " + lagNow : ""), null);
        }
        return new PipelineHealth(PipelineHealth.Status.HEALTHY, "ok", null);
    }

    private static String message(@Nullable Throwable t) {
        // shown on status pages and by health indicators: a component's message may quote credentials
        return t == null ? "unknown" : t.getMessage() != null ? Secrets.redact(t.getMessage(), 2048) : Secrets.describe(t);
    }
}
