package dev.binlogsync.service.http;

import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.alert.AlertCondition;
import dev.binlogsync.core.alert.AlertEvaluator;
import dev.binlogsync.core.alert.AlertEvent;
import dev.binlogsync.core.alert.AlertRules;
import dev.binlogsync.core.micrometer.SyncPipelineMeterBinder;
import dev.binlogsync.service.PipelineRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows a {@link PipelineRegistry}: for each started pipeline it binds a
 * {@link SyncPipelineMeterBinder} and the alert gauges to the meter registry and starts an
 * {@link AlertEvaluator} (when there are rules); for each stopped one it closes the evaluator and
 * removes the pipeline's meters, so a replaced pipeline's meters neither go stale nor collide with
 * its successor's.
 *
 * <p>Thread-safe: the registry's events and the readers ({@link #firing}, {@link #sweep}) are
 * serialised on this object; alert events arrive on the evaluators' threads and only touch the
 * {@link Watched} entry they belong to.
 */
final class PipelineWatcher implements PipelineRegistry.Listener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineWatcher.class);

    /** The alert gauge's Micrometer name; Prometheus shows it as {@code binlogsync_alert_active}. */
    static final String ALERT_GAUGE = "binlogsync.alert.active";
    /** The prefix of the meters this watcher owns per pipeline (the binder's and the alert gauge). */
    private static final String OWNED_PREFIX = "binlogsync.";
    private static final String PIPELINE_TAG = "pipeline";

    private final MeterRegistry meters;
    @Nullable private final AlertRules rules;
    private final Duration alertInterval;
    /** The backfill run beside a pipeline, by name, or null. */
    private final java.util.function.Function<String, dev.binlogsync.service.BackfillRun> backfills;

    // guarded by this
    private final Map<String, Watched> byName = new HashMap<>();
    private boolean closed;

    PipelineWatcher(MeterRegistry meters, @Nullable AlertRules rules, Duration alertInterval) {
        this(meters, rules, alertInterval, name -> null);
    }

    /** @param backfills the backfill run beside the pipeline of a name (null for none); its meters are bound at the pipeline's start */
    PipelineWatcher(MeterRegistry meters, @Nullable AlertRules rules, Duration alertInterval,
            java.util.function.Function<String, dev.binlogsync.service.BackfillRun> backfills) {
        this.backfills = backfills;
        this.meters = meters;
        this.rules = rules;
        this.alertInterval = alertInterval;
    }

    @Override
    public synchronized void started(String name, SyncPipeline pipeline) {
        if (closed) {
            return;
        }
        Watched previous = byName.remove(name);
        if (previous != null) {
            // a registry that starts a successor before reporting its predecessor stopped: the
            // successor's meters must not find the old ones registered under the same ids
            retire(previous);
        }
        Watched w = new Watched(name, pipeline);
        w.binder.bindTo(meters);
        dev.binlogsync.service.BackfillRun backfill = backfills.apply(name);
        if (backfill != null) {
            backfill.bindMeters(meters); // binlogsync.backfill.* (and binlogsync.resync.*), removed with the pipeline's meters
        }
        if (rules != null) {
            for (AlertCondition c : rules.conditions()) {
                Gauge.builder(ALERT_GAUGE, w, x -> x.firing.containsKey(c) ? 1 : 0)
                        .description("1 while the service's alert on the condition is firing for the pipeline, else 0")
                        .tags(PIPELINE_TAG, pipeline.name(), "condition", c.name())
                        .strongReference(true)
                        .register(meters);
            }
            w.evaluator = AlertEvaluator.of(pipeline, rules, w::onAlert).start(alertInterval);
        }
        byName.put(name, w);
        log.debug("pipeline {} started: meters bound{}", name, rules == null ? "" : ", alerts evaluated");
    }

    @Override
    public synchronized void stopped(String name, SyncPipeline pipeline) {
        Watched w = byName.get(name);
        if (w == null || w.pipeline != pipeline) {
            return; // already replaced, or never seen
        }
        byName.remove(name);
        retire(w);
    }

    /** Closes the evaluator and removes the pipeline's meters. Holds this. */
    private void retire(Watched w) {
        AlertEvaluator e = w.evaluator;
        if (e != null) {
            e.close();
        }
        removeMeters(Set.of(w.pipeline.name()), true);
    }

    /**
     * Removes the {@code binlogsync.*} meters tagged with a pipeline in {@code names} (when
     * {@code matching}) or not in it (when not). Holds this.
     */
    private void removeMeters(Set<String> names, boolean matching) {
        List<Meter> remove = new ArrayList<>();
        for (Meter m : meters.getMeters()) {
            String tag = m.getId().getTag(PIPELINE_TAG);
            if (tag != null && m.getId().getName().startsWith(OWNED_PREFIX) && names.contains(tag) == matching) {
                remove.add(m);
            }
        }
        for (Meter m : remove) {
            meters.remove(m);
        }
    }

    /**
     * Removes pipeline meters left from pipelines no longer watched: the binder registers its
     * per-partition lag rows while a scrape reads the total, so a scrape that overlapped a stop can
     * register them again after the stop removed them. Called before each scrape.
     */
    synchronized void sweep() {
        Set<String> live = new HashSet<>();
        for (Watched w : byName.values()) {
            live.add(w.pipeline.name());
        }
        removeMeters(live, false);
    }

    /**
     * The alerts firing for {@code pipeline} running under {@code name}, in condition order; empty
     * when it is not watched (or is another instance than the one watched).
     */
    synchronized List<AlertEvent> firing(String name, SyncPipeline pipeline) {
        Watched w = byName.get(name);
        if (w == null || w.pipeline != pipeline) {
            return List.of();
        }
        List<AlertEvent> out = new ArrayList<>(w.firing.values());
        out.sort((a, b) -> a.condition().compareTo(b.condition()));
        return out;
    }

    /** Stops every evaluator and removes the meters; later events are ignored. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Watched w : byName.values()) {
            retire(w);
        }
        byName.clear();
    }

    /** One watched pipeline. */
    static final class Watched {
        final String name;
        final SyncPipeline pipeline;
        /** Held here: its meters reference it weakly. */
        final SyncPipelineMeterBinder binder;
        /** The FIRING event of each condition firing now; written by the evaluator's thread. */
        final ConcurrentMap<AlertCondition, AlertEvent> firing = new ConcurrentHashMap<>();
        @Nullable AlertEvaluator evaluator;

        Watched(String name, SyncPipeline pipeline) {
            this.name = name;
            this.pipeline = pipeline;
            this.binder = new SyncPipelineMeterBinder(pipeline);
        }

        /** The evaluator's listener: one log line, and the state the status and the gauge read. */
        void onAlert(AlertEvent e) {
            String observed = Secrets.redact(e.observed());
            if (e.type() == AlertEvent.Type.FIRING && e.condition() == AlertCondition.HEALTH_NOT_HEALTHY
                    && pipeline.state() == PipelineState.CLOSED) {
                // closed cleanly by the service (a reload or the shutdown) and not yet reported stopped:
                // an intended stop, not an incident
                log.debug("pipeline {} closed: not alerting on its health", name);
                return;
            }
            if (e.type() == AlertEvent.Type.FIRING) {
                firing.put(e.condition(), e);
                log.warn("alert FIRING: pipeline {} {}: {} ({}), since {}", name, e.condition(), observed, e.bound(),
                        e.since());
            } else {
                firing.remove(e.condition());
                log.info("alert RESOLVED: pipeline {} {}: {} ({}), since {}", name, e.condition(), observed,
                        e.bound(), e.since());
            }
        }
    }
}
