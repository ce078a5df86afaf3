package dev.binlogsync.examples.spring;

import dev.binlogsync.core.PipelineHealth;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import java.util.Objects;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Whether restarting the application would help the pipeline: {@code DOWN} only when the pipeline
 * failed (its health is {@link PipelineHealth.Status#FAILED}, from the failure on, while it still
 * drains, and in the terminal {@link PipelineState#FAILED}: it never runs again in this process), {@code UP} in
 * every other state, also while Elasticsearch is unreachable or the pipeline is stalled (a restart
 * does not bring a cluster back, and restarting every instance in a loop during an outage only adds
 * rebalances) and while it starts or stops.
 *
 * <p>It is the {@code binlogSyncLiveness} health component; {@code application.yml} puts it into
 * Spring Boot's {@code liveness} group ({@code /actuator/health/liveness}, next to
 * {@code livenessState}), while {@link PipelineHealthIndicator} ({@code binlogSync}) goes into the
 * {@code readiness} group. Details: {@code state}, {@code status} (the library's). Cheap; thread-safe.
 */
public final class PipelineLivenessIndicator implements HealthIndicator {

    private final SyncPipeline pipeline;

    /** An indicator for {@code pipeline}. */
    public PipelineLivenessIndicator(SyncPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    @Override
    public Health health() {
        PipelineState state = pipeline.state();
        PipelineHealth.Status status = pipeline.health().status();
        return (status == PipelineHealth.Status.FAILED ? Health.down() : Health.up())
                .withDetail("state", state.name())
                .withDetail("status", status.name())
                .build();
    }
}
