package dev.binlogsync.core.alert;

import dev.binlogsync.core.PipelineHealth;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncClock;
import dev.binlogsync.core.SyncPipeline;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates {@link AlertRules} against one pipeline's {@link SyncPipeline#metrics()} and
 * {@link SyncPipeline#health()}, on the pipeline's {@link SyncPipeline#clock() clock}, and tells an
 * {@link AlertListener} once per episode: {@link AlertEvent.Type#FIRING} when a condition has held
 * at every evaluation for its duration, {@link AlertEvent.Type#RESOLVED} at the first evaluation
 * where it no longer holds (only after it fired; an episode that ends before its duration sends
 * nothing). Evaluating while a condition keeps holding sends nothing more.
 *
 * <p><b>Scheduling.</b> {@link #evaluate()} is a plain method: call it from a scheduler you own
 * (a Spring {@code @Scheduled} method, a health-check loop, a test with a
 * {@code ManualClock}), or let {@link #start(Duration)} call it on a daemon thread of its own,
 * {@code binlog-sync-alerts-<pipeline>}, every interval (real time, fixed delay), until
 * {@link #close()}. Either way the conditions are judged on the pipeline's clock. Evaluate at
 * least a few times per duration (what happens between two evaluations is not seen), and, for
 * {@link AlertCondition#LAG_GROWING}, no more often than every few seconds (the lag is sampled at
 * most once a second).
 *
 * <p><b>Threads.</b> Thread-safe: evaluations are serialised, and the listener is called on the
 * evaluating thread, inside the evaluation, in order. A listener's exception is logged (the
 * event, and the exception as {@link Secrets#loggable(Throwable)} shows it: its class, its stack
 * frames and causes, its messages with URLs cut to their host and secret-named values masked; a
 * listener's message may quote the webhook it calls) and ignored; an exception from reading the metrics fails that one
 * {@code evaluate()} call (the scheduler logs it and goes on at the next interval).
 *
 * <p><b>Lifecycle.</b> {@link #close()} stops the scheduler; when it returns no evaluation is
 * running and none will start; it sends no RESOLVED for conditions still firing. The evaluator
 * does not close the pipeline, and the pipeline does not close the evaluator: close it with the
 * pipeline (after a clean close the pipeline's health is {@code STOPPED}, which
 * {@link AlertCondition#HEALTH_NOT_HEALTHY} counts as not healthy). State lives in memory: a new
 * evaluator starts every episode afresh.
 */
public final class AlertEvaluator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

    private final String pipeline;
    private final SyncClock clock;
    private final Supplier<PipelineMetrics> metrics;
    private final Supplier<PipelineHealth> health;
    private final AlertRules rules;
    private final AlertListener listener;
    private final Map<AlertCondition, Episode> episodes = new EnumMap<>(AlertCondition.class);

    // guarded by this
    private boolean closed;
    @Nullable private ScheduledExecutorService scheduler;
    /** LAG_GROWING: the previous evaluation's total lag, or null when unknown (or none yet). */
    @Nullable private Long previousLag;
    private long previousNanos;
    private long previousMillis;

    private AlertEvaluator(String pipeline, SyncClock clock, Supplier<PipelineMetrics> metrics,
            Supplier<PipelineHealth> health, AlertRules rules, AlertListener listener) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.health = Objects.requireNonNull(health, "health");
        this.rules = Objects.requireNonNull(rules, "rules");
        this.listener = Objects.requireNonNull(listener, "listener");
        for (AlertCondition c : rules.conditions()) {
            episodes.put(c, new Episode());
        }
    }

    /** An evaluator of {@code pipeline}'s metrics and health, on its clock, named by its {@link SyncPipeline#name()}. */
    public static AlertEvaluator of(SyncPipeline pipeline, AlertRules rules, AlertListener listener) {
        Objects.requireNonNull(pipeline, "pipeline");
        return new AlertEvaluator(pipeline.name(), pipeline.clock(), pipeline::metrics, pipeline::health, rules,
                listener);
    }

    /**
     * An evaluator of any metrics and health, for a pipeline wrapped by your own code or a test's
     * fake: {@code metrics} and {@code health} are read at each evaluation (only when a condition
     * needs them) and must not return null.
     *
     * @param pipeline the name the events carry
     * @param clock the clock durations are measured on, and events are stamped with
     */
    public static AlertEvaluator of(String pipeline, SyncClock clock, Supplier<PipelineMetrics> metrics,
            Supplier<PipelineHealth> health, AlertRules rules, AlertListener listener) {
        return new AlertEvaluator(pipeline, clock, metrics, health, rules, listener);
    }

    /** The rules evaluated. */
    public AlertRules rules() {
        return rules;
    }

    /**
     * Evaluates every condition once, now, and sends the events due to the listener.
     *
     * @return the events sent by this evaluation (also those whose listener call threw), in
     *     {@link AlertCondition} order; empty when nothing changed
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized List<AlertEvent> evaluate() {
        if (closed) {
            throw new IllegalStateException("alert evaluator of " + pipeline + " is closed");
        }
        long nanos = clock.nanoTime();
        long millis = clock.currentTimeMillis();
        List<AlertEvent> sent = new ArrayList<>(0);
        boolean needsMetrics = episodes.containsKey(AlertCondition.LATENCY_P99_ABOVE)
                || episodes.containsKey(AlertCondition.HEARTBEAT_AGE_ABOVE)
                || episodes.containsKey(AlertCondition.LAG_GROWING);
        PipelineMetrics m = needsMetrics ? Objects.requireNonNull(metrics.get(), "metrics") : PipelineMetrics.EMPTY;
        for (Map.Entry<AlertCondition, Episode> e : episodes.entrySet()) {
            AlertCondition c = e.getKey();
            AlertRules.Rule rule = rules.rule(c);
            switch (c) {
                case LATENCY_P99_ABOVE -> {
                    Duration p99 = m.syncLatency().p99();
                    step(c, rule, e.getValue(), p99.compareTo(Objects.requireNonNull(rule.bound())) > 0,
                            nanos, millis, p99.toString(), nanos, millis, sent);
                }
                case HEARTBEAT_AGE_ABOVE -> {
                    Duration age = m.heartbeatAge();
                    boolean holds = age != null && age.compareTo(Objects.requireNonNull(rule.bound())) > 0;
                    step(c, rule, e.getValue(), holds, nanos, millis, age == null ? "none reported" : age.toString(),
                            nanos, millis, sent);
                }
                case LAG_GROWING -> {
                    Long lag = m.lag().isEmpty() ? null : m.totalLag();
                    boolean grew = lag != null && previousLag != null && lag > previousLag;
                    // the run starts at the evaluation the lag grew from
                    step(c, rule, e.getValue(), grew, nanos, millis, lag == null ? "unknown" : lag.toString(),
                            previousNanos, previousMillis, sent);
                    previousLag = lag;
                    previousNanos = nanos;
                    previousMillis = millis;
                }
                case HEALTH_NOT_HEALTHY -> {
                    PipelineHealth h = Objects.requireNonNull(health.get(), "health");
                    String observed = h.isHealthy() ? h.status().name() : h.status() + ": " + h.reason();
                    step(c, rule, e.getValue(), !h.isHealthy(), nanos, millis, observed, nanos, millis, sent);
                }
            }
        }
        return sent;
    }

    /**
     * Advances one condition's episode by one evaluation.
     *
     * <p>{@code startNanos} and {@code startMillis}: where an episode that starts now begins.
     */
    private void step(AlertCondition c, AlertRules.Rule rule, Episode ep, boolean holds, long nanos, long millis,
            String observed, long startNanos, long startMillis, List<AlertEvent> sent) {
        if (!holds) {
            if (ep.firing) {
                send(new AlertEvent(AlertEvent.Type.RESOLVED, c, pipeline, observed, rule.describe(c),
                        Instant.ofEpochMilli(ep.sinceMillis), Instant.ofEpochMilli(millis)), sent);
            }
            ep.holding = false;
            ep.firing = false;
            return;
        }
        if (!ep.holding) {
            ep.holding = true;
            ep.sinceNanos = startNanos;
            ep.sinceMillis = startMillis;
        }
        if (!ep.firing && nanos - ep.sinceNanos >= rule.durationNanos()) {
            ep.firing = true;
            send(new AlertEvent(AlertEvent.Type.FIRING, c, pipeline, observed, rule.describe(c),
                    Instant.ofEpochMilli(ep.sinceMillis), Instant.ofEpochMilli(millis)), sent);
        }
    }

    private void send(AlertEvent event, List<AlertEvent> sent) {
        sent.add(event);
        try {
            listener.onAlert(event);
        } catch (Throwable t) { // a listener only observes: its failure must not stop the alerts
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
                throw (VirtualMachineError) t;
            }
            log.warn("alert listener failed on {}", event, Secrets.loggable(t));
        }
    }

    /**
     * Evaluates every {@code interval} (fixed delay, real time; the first evaluation at once) on a
     * daemon thread named {@code binlog-sync-alerts-<pipeline>}, until {@link #close()}. An
     * exception from an evaluation is logged and the next one runs at the next interval.
     *
     * @param interval {@code > 0}; a few seconds or more suits {@link AlertCondition#LAG_GROWING}
     * @return this
     * @throws IllegalStateException if already started or closed
     */
    public synchronized AlertEvaluator start(Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval must be > 0: " + interval);
        }
        if (closed) {
            throw new IllegalStateException("alert evaluator of " + pipeline + " is closed");
        }
        if (scheduler != null) {
            throw new IllegalStateException("alert evaluator of " + pipeline + " is already started");
        }
        long nanos;
        try {
            nanos = interval.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE;
        }
        String name = "binlog-sync-alerts-" + pipeline;
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(this::evaluateScheduled, 0, nanos, TimeUnit.NANOSECONDS);
        scheduler = s;
        return this;
    }

    private void evaluateScheduled() {
        try {
            synchronized (this) {
                if (!closed) {
                    evaluate();
                }
            }
        } catch (Throwable t) { // an escaping throwable would cancel the schedule
            if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
                throw (VirtualMachineError) t;
            }
            log.warn("alert evaluation of {} failed", pipeline, Secrets.loggable(t));
        }
    }

    /**
     * Stops the scheduler (if started) and refuses further evaluations. When it returns, no
     * evaluation is running (unless called from the listener) and none will start. Idempotent.
     */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            closed = true;
            s = scheduler;
            scheduler = null;
        }
        if (s != null) {
            s.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "AlertEvaluator[" + pipeline + ", " + rules + "]";
    }

    /** One condition's episode. Guarded by the evaluator. */
    private static final class Episode {
        boolean holding;
        boolean firing;
        long sinceNanos;
        long sinceMillis;
    }
}
