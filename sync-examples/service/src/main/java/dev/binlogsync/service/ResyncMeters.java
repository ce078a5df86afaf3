package dev.binlogsync.service;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A re-sync's own meters, beside the {@link dev.binlogsync.core.micrometer.BackfillMeterBinder}
 * meters of its load (tags {@code pipeline}, {@code alias}; Prometheus names in brackets):
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>meaning</th></tr>
 * <tr><td>binlogsync.resync.failures ({@code binlogsync_resync_failures_total})</td><td>counter</td>
 *     <td>runs of the re-sync that failed (in any step: the load, the alias switch, the state, the cleanup)</td></tr>
 * <tr><td>binlogsync.resync.switched ({@code binlogsync_resync_switched})</td><td>gauge</td>
 *     <td>1 once the alias points at the new index and the re-sync is finished (also when a run found it so), else 0</td></tr>
 * </table>
 *
 * <p>Per run (a new run, new meters starting at 0). Thread-safe.
 */
final class ResyncMeters implements MeterBinder {
    private final String pipeline;
    private final String alias;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong switched = new AtomicLong();

    ResyncMeters(String pipeline, String alias) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        this.alias = Objects.requireNonNull(alias, "alias");
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("binlogsync.resync.failures", failures, AtomicLong::doubleValue)
                .description("runs of the re-sync that failed")
                .tags("pipeline", pipeline, "alias", alias)
                .register(registry);
        Gauge.builder("binlogsync.resync.switched", switched, AtomicLong::doubleValue)
                .description("1 once the alias points at the new index and the re-sync is finished, else 0")
                .tags("pipeline", pipeline, "alias", alias)
                .strongReference(true)
                .register(registry);
    }

    void failed() {
        failures.incrementAndGet();
    }

    void switched() {
        switched.set(1);
    }
}
