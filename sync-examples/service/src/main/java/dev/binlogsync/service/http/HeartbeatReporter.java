package dev.binlogsync.service.http;

import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.service.PipelineRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the running pipelines their heartbeats: every interval, for each pipeline of the registry,
 * asks a {@link HeartbeatProbe} for the newest heartbeat in its index (typically
 * {@link dev.binlogsync.elasticsearch.HeartbeatCheck}, through {@link HeartbeatProbe#of}) and hands
 * it to {@link SyncPipeline#reportHeartbeat}. The pipeline's
 * {@link dev.binlogsync.core.PipelineMetrics#heartbeatAge()} (the meter
 * {@code binlogsync.heartbeat.age}) is then the time since that beat, which the
 * {@link dev.binlogsync.core.alert.AlertCondition#HEARTBEAT_AGE_ABOVE} alert judges: the library
 * judges heartbeats, this reports them.
 *
 * <p>A probe that fails leaves the last reported heartbeat in place, so the age keeps growing (a
 * heartbeat that cannot be seen is as stale as one that did not arrive); the failure is logged at
 * WARN once per pipeline (class and message, secrets masked) until a probe of it succeeds again
 * (logged at INFO).
 *
 * <p>One daemon thread, {@code binlog-sync-heartbeat}, fixed delay; the first round at once.
 * Thread-safe; {@link #close()} stops it (a round in progress finishes its current probe).
 */
public final class HeartbeatReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeartbeatReporter.class);

    private final PipelineRegistry registry;
    private final HeartbeatProbe probe;
    private final ScheduledExecutorService scheduler;
    /** Pipelines whose last probe failed; only the reporter's thread touches it. */
    private final Set<String> failing = new HashSet<>();

    private HeartbeatReporter(PipelineRegistry registry, HeartbeatProbe probe) {
        this.registry = registry;
        this.probe = probe;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "binlog-sync-heartbeat");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Starts reporting every {@code interval}.
     *
     * @param interval {@code > 0}; at most the heartbeat writer's period, well below the alert's
     *     bound (each probe is a search in Elasticsearch)
     * @throws IllegalArgumentException if {@code interval} is not positive
     */
    public static HeartbeatReporter start(PipelineRegistry registry, HeartbeatProbe probe, Duration interval) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(probe, "probe");
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be > 0: " + interval);
        }
        HeartbeatReporter r = new HeartbeatReporter(registry, probe);
        r.scheduler.scheduleWithFixedDelay(r::round, 0, interval.toNanos(), TimeUnit.NANOSECONDS);
        return r;
    }

    private void round() {
        try {
            Map<String, SyncPipeline> pipelines = registry.pipelines();
            failing.retainAll(pipelines.keySet());
            for (Map.Entry<String, SyncPipeline> e : pipelines.entrySet()) {
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
                report(e.getKey(), e.getValue());
            }
        } catch (RuntimeException e) { // an escaping exception would cancel the schedule
            log.warn("heartbeat round failed: {}", Views.describe(e));
        }
    }

    private void report(String name, SyncPipeline pipeline) {
        Optional<Instant> newest;
        try {
            newest = probe.newest(name);
        } catch (Exception e) {
            if (failing.add(name)) {
                log.warn("heartbeat of pipeline {} cannot be read: {}; its age keeps growing", name,
                        Views.describe(e));
            }
            return;
        }
        if (failing.remove(name)) {
            log.info("heartbeat of pipeline {} can be read again", name);
        }
        newest.ifPresent(pipeline::reportHeartbeat);
    }

    /** Stops reporting. Idempotent. */
    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
