package dev.binlogsync.examples.spring;

import dev.binlogsync.core.PipelineHealth;
import dev.binlogsync.core.PipelineMetrics;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncPipeline;
import java.util.Objects;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;

/**
 * Maps {@link SyncPipeline#health()} to an Actuator {@link Health}:
 *
 * <table>
 * <caption>Status mapping</caption>
 * <tr><th>{@link PipelineHealth.Status}</th><th>Actuator status</th><th>HTTP (Boot's default)</th></tr>
 * <tr><td>HEALTHY</td><td>UP</td><td>200</td></tr>
 * <tr><td>STALLED, SINK_UNREACHABLE, FAILED</td><td>DOWN</td><td>503</td></tr>
 * <tr><td>STARTING (built, not started yet)</td><td>UNKNOWN</td><td>200</td></tr>
 * <tr><td>STOPPED (closed cleanly: the application is shutting down)</td><td>OUT_OF_SERVICE</td><td>503</td></tr>
 * </table>
 *
 * <p>Details: {@code pipeline} (its name), {@code state}, {@code status} (the library's),
 * {@code reason} ({@code "ok"} when healthy), {@code lag} (records not yet read, all partitions),
 * {@code bufferedActions}, {@code bufferedBytes}, {@code paused} (backpressure), and
 * {@code lastError} when the health has a cause (the failure, or the last failed bulk request):
 * its type and message cleaned by {@link Secrets#describe} (URLs cut to scheme and host, secret-named values masked); its
 * stack trace is never shown. The library keeps secrets out of its messages; the masking is a
 * second guard, as details may reach whoever can read the endpoint.
 *
 * <p>Cheap (reads the pipeline's last snapshot); thread-safe.
 */
public final class PipelineHealthIndicator implements HealthIndicator {

    private final SyncPipeline pipeline;

    /** An indicator for {@code pipeline}. */
    public PipelineHealthIndicator(SyncPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    @Override
    public Health health() {
        PipelineHealth h = pipeline.health();
        PipelineMetrics m = pipeline.metrics();
        Health.Builder b = Health.status(status(h.status()))
                .withDetail("pipeline", pipeline.name())
                .withDetail("state", pipeline.state().name())
                .withDetail("status", h.status().name())
                .withDetail("reason", Secrets.redact(h.reason()))
                .withDetail("lag", m.totalLag())
                .withDetail("bufferedActions", m.bufferedActions())
                .withDetail("bufferedBytes", m.bufferedBytes())
                .withDetail("paused", m.paused());
        Throwable cause = h.cause();
        if (cause != null) {
            b.withDetail("lastError", Secrets.describe(cause));
        }
        return b.build();
    }

    /** The Actuator status for a pipeline status. */
    static Status status(PipelineHealth.Status status) {
        return switch (status) {
            case HEALTHY -> Status.UP;
            case STALLED, SINK_UNREACHABLE, FAILED -> Status.DOWN;
            case STARTING -> Status.UNKNOWN;
            case STOPPED -> Status.OUT_OF_SERVICE;
        };
    }
}
