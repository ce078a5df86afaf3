package dev.binlogsync.core.micrometer;

import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.SyncClock;
import dev.binlogsync.core.SyncPipeline;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import javax.annotation.Nullable;

/**
 * Registers a {@link SyncPipeline}'s metrics with a Micrometer {@link MeterRegistry}:
 *
 * <pre>{@code
 * new SyncPipelineMeterBinder(pipeline).bindTo(registry);
 * }</pre>
 *
 * <p>Every meter is a function meter reading {@link SyncPipeline#metrics()} (and
 * {@link SyncPipeline#health()}) when the registry publishes, so binding costs the pipeline
 * nothing on its hot path. The snapshot is cached for 100 ms, measured on the pipeline's
 * {@link SyncPipeline#clock() clock}, so one scrape reads it once. Every
 * meter carries the tag {@code pipeline} (the pipeline's {@link SyncPipeline#name()}) plus the
 * extra tags given. Names (dot-separated, Micrometer style; a Prometheus registry renders
 * {@code binlogsync.sync.latency} as {@code binlogsync_sync_latency_seconds_*}):
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>meaning</th></tr>
 * <tr><td>binlogsync.records</td><td>counter</td><td></td><td>source records read</td></tr>
 * <tr><td>binlogsync.events</td><td>counter</td><td></td><td>change events read</td></tr>
 * <tr><td>binlogsync.actions</td><td>counter</td><td>operation=index|upsert|delete|update</td><td>actions the rules produced</td></tr>
 * <tr><td>binlogsync.actions.coalesced</td><td>counter</td><td></td><td>actions merged into an earlier one</td></tr>
 * <tr><td>binlogsync.items.stale</td><td>counter</td><td></td><td>items the index held a newer version of (409)</td></tr>
 * <tr><td>binlogsync.items.missing</td><td>counter</td><td></td><td>updates whose document did not exist (404, nothing written)</td></tr>
 * <tr><td>binlogsync.items.retried</td><td>counter</td><td></td><td>items sent again after a retryable failure</td></tr>
 * <tr><td>binlogsync.dead.letters</td><td>counter</td><td></td><td>dead letters acknowledged</td></tr>
 * <tr><td>binlogsync.skipped</td><td>counter</td><td></td><td>records, events or items skipped by policy</td></tr>
 * <tr><td>binlogsync.commits</td><td>counter</td><td></td><td>commits to the source</td></tr>
 * <tr><td>binlogsync.bulk.requests</td><td>counter</td><td>outcome=completed|failed</td><td>bulk requests answered per item / failed as a whole</td></tr>
 * <tr><td>binlogsync.bulk.in.doubt</td><td>counter</td><td></td><td>bulk requests that failed in doubt (may have been applied; part of outcome=failed), each retried and fencing its documents</td></tr>
 * <tr><td>binlogsync.writes.fenced</td><td>counter</td><td></td><td>times a document's newer write was held back by a late-write fence (once per document and fence)</td></tr>
 * <tr><td>binlogsync.bulk.duration</td><td>timer</td><td></td><td>bulk request durations (count, total)</td></tr>
 * <tr><td>binlogsync.bulk.duration.percentile</td><td>time gauge</td><td>phi=0.5|0.99</td><td>bulk duration percentiles over the last minute</td></tr>
 * <tr><td>binlogsync.bulk.duration.max</td><td>time gauge</td><td></td><td>longest bulk request over the last minute</td></tr>
 * <tr><td>binlogsync.bulk.actions</td><td>counter</td><td></td><td>actions in completed bulks; divided by requests, the mean bulk size</td></tr>
 * <tr><td>binlogsync.bulk.actions.percentile</td><td>gauge</td><td>phi=0.5|0.99</td><td>actions per bulk, percentiles over the last minute</td></tr>
 * <tr><td>binlogsync.bulk.bytes</td><td>counter (bytes)</td><td></td><td>estimated bytes in completed bulks</td></tr>
 * <tr><td>binlogsync.sync.latency</td><td>timer</td><td></td><td>binlog event time to sink acknowledgement, per action (count, total)</td></tr>
 * <tr><td>binlogsync.sync.latency.percentile</td><td>time gauge</td><td>phi=0.5|0.99</td><td>sync latency percentiles over the last minute</td></tr>
 * <tr><td>binlogsync.sync.latency.max</td><td>time gauge</td><td></td><td>highest sync latency over the last minute</td></tr>
 * <tr><td>binlogsync.bulk.in.flight</td><td>gauge</td><td></td><td>bulk requests in flight</td></tr>
 * <tr><td>binlogsync.buffered.actions</td><td>gauge</td><td></td><td>actions held, not yet acknowledged</td></tr>
 * <tr><td>binlogsync.buffered.bytes</td><td>gauge (bytes)</td><td></td><td>their estimated size plus the records not yet done (a fixed overhead each, and their raw bytes when rejected documents are dead-lettered) and the dead letters not yet acknowledged: what {@code maxBufferedBytes} bounds</td></tr>
 * <tr><td>binlogsync.source.paused</td><td>gauge</td><td></td><td>1 while the source is paused (backpressure)</td></tr>
 * <tr><td>binlogsync.source.paused.time</td><td>counter (seconds)</td><td></td><td>total time paused</td></tr>
 * <tr><td>binlogsync.source.lag</td><td>gauge</td><td>partition</td><td>records not yet read, per partition</td></tr>
 * <tr><td>binlogsync.source.lag.total</td><td>gauge</td><td></td><td>the sum over partitions</td></tr>
 * <tr><td>binlogsync.heartbeat.age</td><td>time gauge</td><td></td><td>age of the newest reported heartbeat (NaN before one)</td></tr>
 * <tr><td>binlogsync.health</td><td>gauge</td><td></td><td>1 when {@link SyncPipeline#health()} is healthy, else 0</td></tr>
 * </table>
 *
 * <p>Distributions are cumulative since the pipeline started (they come from its fixed-bucket
 * histograms). The per-partition lag rows follow the assignment: they are refreshed whenever
 * {@code binlogsync.source.lag.total} is read, so partitions that go away disappear.
 *
 * <p>Thread-safe; bind once per registry.
 */
public final class SyncPipelineMeterBinder implements MeterBinder {
    private static final long CACHE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final double[] PHIS = {0.5, 0.99};

    private final SyncPipeline pipeline;
    private final SyncClock clock;
    private final Tags tags;
    private PipelineMetrics cached = PipelineMetrics.EMPTY;
    private long cachedAtNanos;
    private boolean hasCached;

    /** Binds {@code pipeline} with the tag {@code pipeline=<name>}. */
    public SyncPipelineMeterBinder(SyncPipeline pipeline) {
        this(pipeline, Tags.empty());
    }

    /** Binds {@code pipeline} with the tag {@code pipeline=<name>} and {@code extraTags}. */
    public SyncPipelineMeterBinder(SyncPipeline pipeline, Iterable<Tag> extraTags) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.clock = pipeline.clock();
        this.tags = Tags.of("pipeline", pipeline.name()).and(Objects.requireNonNull(extraTags, "extraTags"));
    }

    /** The snapshot, read at most every 100 ms of the pipeline's clock. */
    private synchronized PipelineMetrics m() {
        long now = clock.nanoTime();
        if (!hasCached || now - cachedAtNanos > CACHE_NANOS) {
            cached = pipeline.metrics();
            cachedAtNanos = now;
            hasCached = true;
        }
        return cached;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counter(registry, "binlogsync.records", "source records read", Tags.empty(), PipelineMetrics::records);
        counter(registry, "binlogsync.events", "change events read", Tags.empty(), PipelineMetrics::events);
        counter(registry, "binlogsync.actions", "actions the rules produced", Tags.of("operation", "index"),
                PipelineMetrics::indexActions);
        counter(registry, "binlogsync.actions", "actions the rules produced", Tags.of("operation", "upsert"),
                PipelineMetrics::upsertActions);
        counter(registry, "binlogsync.actions", "actions the rules produced", Tags.of("operation", "delete"),
                PipelineMetrics::deleteActions);
        counter(registry, "binlogsync.actions", "actions the rules produced", Tags.of("operation", "update"),
                PipelineMetrics::updateActions);
        counter(registry, "binlogsync.actions.coalesced", "actions merged into an earlier action for the document",
                Tags.empty(), PipelineMetrics::coalesced);
        counter(registry, "binlogsync.items.stale", "items the index held a newer external version of",
                Tags.empty(), PipelineMetrics::stale);
        counter(registry, "binlogsync.items.missing", "updates whose document did not exist (nothing written)",
                Tags.empty(), PipelineMetrics::missing);
        counter(registry, "binlogsync.items.retried", "items sent again after a retryable failure", Tags.empty(),
                PipelineMetrics::retried);
        counter(registry, "binlogsync.dead.letters", "dead letters acknowledged", Tags.empty(),
                PipelineMetrics::deadLettered);
        counter(registry, "binlogsync.skipped", "records, events or items skipped by policy", Tags.empty(),
                PipelineMetrics::skipped);
        counter(registry, "binlogsync.commits", "commits to the source", Tags.empty(), PipelineMetrics::commits);
        counter(registry, "binlogsync.bulk.requests", "bulk requests", Tags.of("outcome", "completed"),
                m -> m.bulks() - m.failedBulks());
        counter(registry, "binlogsync.bulk.requests", "bulk requests", Tags.of("outcome", "failed"),
                PipelineMetrics::failedBulks);
        counter(registry, "binlogsync.bulk.in.doubt", "bulk requests that failed in doubt (they may have been applied)",
                Tags.empty(), PipelineMetrics::inDoubtBulks);
        counter(registry, "binlogsync.writes.fenced",
                "times a document's newer write was held back by a late-write fence", Tags.empty(),
                PipelineMetrics::fencedWrites);

        timing(registry, "binlogsync.bulk.duration", "bulk request duration", PipelineMetrics::bulkDuration);
        timing(registry, "binlogsync.sync.latency", "binlog event time to sink acknowledgement",
                PipelineMetrics::syncLatency);

        FunctionCounter.builder("binlogsync.bulk.actions", this, b -> b.m().bulkActions().total())
                .description("actions in completed bulk requests").baseUnit("actions").tags(tags).register(registry);
        for (double phi : PHIS) {
            Gauge.builder("binlogsync.bulk.actions.percentile", this, b -> pick(b.m().bulkActions(), phi))
                    .description("actions per bulk request").baseUnit("actions").tags(tags)
                    .tag("phi", Double.toString(phi)).register(registry);
        }
        FunctionCounter.builder("binlogsync.bulk.bytes", this, b -> b.m().bulkBytes().total())
                .description("estimated bytes in completed bulk requests").baseUnit(BaseUnits.BYTES).tags(tags)
                .register(registry);

        gauge(registry, "binlogsync.bulk.in.flight", "bulk requests in flight", null,
                PipelineMetrics::inFlightRequests);
        gauge(registry, "binlogsync.buffered.actions", "actions held and not yet acknowledged", null,
                PipelineMetrics::bufferedActions);
        gauge(registry, "binlogsync.buffered.bytes", "estimated bytes of the actions held and the records not yet done", BaseUnits.BYTES,
                PipelineMetrics::bufferedBytes);
        gauge(registry, "binlogsync.source.paused", "1 while the source is paused for backpressure", null,
                m -> m.paused() ? 1 : 0);
        FunctionCounter.builder("binlogsync.source.paused.time", this,
                        b -> b.m().pausedTime().toNanos() / 1e9)
                .description("total time the source was paused").baseUnit("seconds").tags(tags).register(registry);

        MultiGauge lagRows = MultiGauge.builder("binlogsync.source.lag")
                .description("records not yet read, per partition").baseUnit("records").tags(tags)
                .register(registry);
        Gauge.builder("binlogsync.source.lag.total", this, b -> {
                    Map<String, Long> lag = b.m().lag();
                    List<MultiGauge.Row<?>> rows = new ArrayList<>(lag.size());
                    for (String partition : lag.keySet()) {
                        rows.add(MultiGauge.Row.of(Tags.of("partition", partition), this,
                                x -> x.m().lag().getOrDefault(partition, 0L)));
                    }
                    // add new partitions' rows, drop gone ones, keep the rest: a row removed and
                    // registered again while a Prometheus registry scrapes is rendered twice and
                    // fails the scrape (each row reads its partition's lag itself)
                    lagRows.register(rows, false);
                    return b.m().totalLag();
                })
                .description("records not yet read, all partitions").baseUnit("records").tags(tags)
                .register(registry);

        TimeGauge.builder("binlogsync.heartbeat.age", this, TimeUnit.MILLISECONDS, b -> {
                    Duration age = b.m().heartbeatAge();
                    return age == null ? Double.NaN : age.toMillis();
                })
                .description("age of the newest reported heartbeat").tags(tags).register(registry);
        Gauge.builder("binlogsync.health", pipeline, p -> p.health().isHealthy() ? 1 : 0)
                .description("1 when the pipeline is healthy, else 0").tags(tags).register(registry);
    }

    private void counter(MeterRegistry registry, String name, String description, Tags extra,
            ToLongFunction<PipelineMetrics> f) {
        FunctionCounter.builder(name, this, b -> f.applyAsLong(b.m()))
                .description(description).tags(tags).tags(extra).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, @Nullable String baseUnit,
            ToDoubleFunction<PipelineMetrics> f) {
        Gauge.Builder<SyncPipelineMeterBinder> b = Gauge.builder(name, this, x -> f.applyAsDouble(x.m()))
                .description(description).tags(tags);
        if (baseUnit != null) {
            b.baseUnit(baseUnit);
        }
        b.register(registry);
    }

    private void timing(MeterRegistry registry, String name, String description,
            Function<PipelineMetrics, PipelineMetrics.Timing> f) {
        FunctionTimer.builder(name, this, b -> f.apply(b.m()).count(),
                        b -> seconds(f.apply(b.m()).total()), TimeUnit.SECONDS)
                .description(description).tags(tags).register(registry);
        for (double phi : PHIS) {
            TimeGauge.builder(name + ".percentile", this, TimeUnit.SECONDS, b -> {
                        PipelineMetrics.Timing t = f.apply(b.m());
                        return seconds(phi == 0.5 ? t.p50() : t.p99());
                    })
                    .description(description + " percentile").tags(tags).tag("phi", Double.toString(phi))
                    .register(registry);
        }
        TimeGauge.builder(name + ".max", this, TimeUnit.SECONDS, b -> seconds(f.apply(b.m()).max()))
                .description(description + ", highest").tags(tags).register(registry);
    }

    /**
     * {@code d} in seconds. Not {@link Duration#toNanos()}: a total of latencies passes its limit
     * of 292 years (a million changes replayed a week late), and its exception would fail every
     * scrape of the registry.
     */
    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    private static double pick(PipelineMetrics.Sizes s, double phi) {
        return phi == 0.5 ? s.p50() : s.p99();
    }
}
