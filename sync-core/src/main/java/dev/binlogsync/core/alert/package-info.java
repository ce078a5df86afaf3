/**
 * Threshold alerts on a {@link dev.binlogsync.core.SyncPipeline}'s metrics and health:
 * {@link dev.binlogsync.core.alert.AlertRules} (which conditions, their bounds and durations),
 * {@link dev.binlogsync.core.alert.AlertEvaluator} (evaluates them on the pipeline's clock, on the
 * caller's schedule or its own daemon thread) and {@link dev.binlogsync.core.alert.AlertListener},
 * which receives one {@link dev.binlogsync.core.alert.AlertEvent} when a condition starts firing
 * and one when it resolves.
 *
 * <pre>{@code
 * AlertRules rules = AlertRules.builder()
 *         .latencyP99Above(Duration.ofSeconds(5), Duration.ofMinutes(2))
 *         .heartbeatAgeAbove(Duration.ofMinutes(1))
 *         .lagGrowingFor(Duration.ofMinutes(5))
 *         .healthNotHealthy(Duration.ofMinutes(1))
 *         .build();
 * AlertEvaluator alerts = AlertEvaluator.of(pipeline, rules, event -> log.warn("{}", event));
 * alerts.start(Duration.ofSeconds(15)); // or call alerts.evaluate() from your own scheduler
 * ...
 * alerts.close();
 * }</pre>
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core.alert;

import dev.binlogsync.core.NonNullByDefault;
