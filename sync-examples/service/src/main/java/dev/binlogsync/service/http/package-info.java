/**
 * The service's HTTP endpoints and alert wiring: {@link dev.binlogsync.service.http.ServiceEndpoints}
 * serves {@code /health} (with {@code /health/live} and {@code /health/ready}), {@code /metrics}
 * (Prometheus text or OpenMetrics) and {@code /status} (JSON) over the pipelines of a
 * {@link dev.binlogsync.service.PipelineRegistry}, binds each started pipeline's meters, and runs
 * an alert evaluator per pipeline; {@link dev.binlogsync.service.http.HeartbeatReporter} feeds the
 * pipelines the heartbeats the heartbeat alert judges.
 */
@NonNullByDefault
package dev.binlogsync.service.http;

import dev.binlogsync.core.NonNullByDefault;
