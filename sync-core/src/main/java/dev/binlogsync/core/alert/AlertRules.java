package dev.binlogsync.core.alert;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Which {@link AlertCondition}s an {@link AlertEvaluator} watches, with their bounds and durations.
 * Immutable and thread-safe; build it with {@link #builder()}, and set at least one condition.
 *
 * <p>A <em>duration</em> is how long a condition must have held, at every evaluation, before it
 * fires: measured on the pipeline's clock from the first evaluation where it held to the current
 * one; zero fires at the first evaluation that sees it. Conditions are sampled: what happens
 * between two evaluations is not seen, so evaluate at least a few times per duration.
 */
public final class AlertRules {
    private final Map<AlertCondition, Rule> rules;

    private AlertRules(Map<AlertCondition, Rule> rules) {
        this.rules = new EnumMap<>(rules);
    }

    /** A builder with no condition set. */
    public static Builder builder() {
        return new Builder();
    }

    /** The conditions set, in {@link AlertCondition} order. */
    public List<AlertCondition> conditions() {
        return List.copyOf(rules.keySet());
    }

    /** The bound of {@link AlertCondition#LATENCY_P99_ABOVE}, or null when not set. */
    @Nullable
    public Duration latencyP99Bound() {
        return bound(AlertCondition.LATENCY_P99_ABOVE);
    }

    /** The duration of {@link AlertCondition#LATENCY_P99_ABOVE}, or null when not set. */
    @Nullable
    public Duration latencyP99Duration() {
        return duration(AlertCondition.LATENCY_P99_ABOVE);
    }

    /** The bound of {@link AlertCondition#HEARTBEAT_AGE_ABOVE}, or null when not set. */
    @Nullable
    public Duration heartbeatAgeBound() {
        return bound(AlertCondition.HEARTBEAT_AGE_ABOVE);
    }

    /** The duration of {@link AlertCondition#HEARTBEAT_AGE_ABOVE}, or null when not set. */
    @Nullable
    public Duration heartbeatAgeDuration() {
        return duration(AlertCondition.HEARTBEAT_AGE_ABOVE);
    }

    /** The duration of {@link AlertCondition#LAG_GROWING}, or null when not set. */
    @Nullable
    public Duration lagGrowingDuration() {
        return duration(AlertCondition.LAG_GROWING);
    }

    /** The duration of {@link AlertCondition#HEALTH_NOT_HEALTHY}, or null when not set. */
    @Nullable
    public Duration healthNotHealthyDuration() {
        return duration(AlertCondition.HEALTH_NOT_HEALTHY);
    }

    @Nullable
    private Duration bound(AlertCondition c) {
        Rule r = rules.get(c);
        return r == null ? null : r.bound();
    }

    @Nullable
    private Duration duration(AlertCondition c) {
        Rule r = rules.get(c);
        return r == null ? null : r.duration();
    }

    /** The rule of a condition that is set. */
    Rule rule(AlertCondition c) {
        return Objects.requireNonNull(rules.get(c), c.name());
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        rules.forEach((c, r) -> parts.add(c + " " + r.describe(c)));
        return "AlertRules" + parts;
    }

    /** One condition's settings; {@code bound} is null for conditions without one. */
    record Rule(@Nullable Duration bound, Duration duration) {

        /** The duration in nanoseconds, saturated (a duration beyond ~292 years never elapses). */
        long durationNanos() {
            try {
                return duration.toNanos();
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }

        /** The text of {@link AlertEvent#bound()}. */
        String describe(AlertCondition c) {
            return switch (c) {
                case LATENCY_P99_ABOVE, HEARTBEAT_AGE_ABOVE -> "> " + bound + " for " + duration;
                case LAG_GROWING -> "rising at every evaluation for " + duration;
                case HEALTH_NOT_HEALTHY -> "not HEALTHY for " + duration;
            };
        }
    }

    /**
     * Builds {@link AlertRules}. Each method checks its values at once
     * ({@link IllegalArgumentException} naming the value, {@link NullPointerException} for null);
     * setting a condition again replaces it. Not thread-safe.
     */
    public static final class Builder {
        private final Map<AlertCondition, Rule> rules = new EnumMap<>(AlertCondition.class);

        private Builder() {
        }

        /**
         * {@link AlertCondition#LATENCY_P99_ABOVE}: the sync latency's p99 above {@code bound}
         * for {@code duration}.
         *
         * @param bound the p99 must be strictly above it; {@code > 0}
         * @param duration how long it must hold before firing; {@code >= 0}
         */
        public Builder latencyP99Above(Duration bound, Duration duration) {
            rules.put(AlertCondition.LATENCY_P99_ABOVE,
                    new Rule(positive("latencyP99 bound", bound), notNegative("latencyP99 duration", duration)));
            return this;
        }

        /** {@link AlertCondition#HEARTBEAT_AGE_ABOVE} without a duration: fires at the first evaluation that sees the heartbeat older than {@code bound} ({@code > 0}). */
        public Builder heartbeatAgeAbove(Duration bound) {
            return heartbeatAgeAbove(bound, Duration.ZERO);
        }

        /**
         * {@link AlertCondition#HEARTBEAT_AGE_ABOVE}: the reported heartbeat older than
         * {@code bound} for {@code duration}.
         *
         * @param bound the age must be strictly above it; {@code > 0}
         * @param duration how long it must hold before firing; {@code >= 0}
         */
        public Builder heartbeatAgeAbove(Duration bound, Duration duration) {
            rules.put(AlertCondition.HEARTBEAT_AGE_ABOVE,
                    new Rule(positive("heartbeatAge bound", bound), notNegative("heartbeatAge duration", duration)));
            return this;
        }

        /**
         * {@link AlertCondition#LAG_GROWING}: the total lag rose at every evaluation across at least
         * {@code duration} ({@code > 0}). The pipeline samples the source's lag at most once a
         * second, so evaluations closer together than that see the same value, which ends the run:
         * evaluate every few seconds or more.
         */
        public Builder lagGrowingFor(Duration duration) {
            rules.put(AlertCondition.LAG_GROWING, new Rule(null, positive("lagGrowing duration", duration)));
            return this;
        }

        /** {@link AlertCondition#HEALTH_NOT_HEALTHY} without a duration: fires at the first evaluation that sees the pipeline not healthy. */
        public Builder healthNotHealthy() {
            return healthNotHealthy(Duration.ZERO);
        }

        /**
         * {@link AlertCondition#HEALTH_NOT_HEALTHY}: the pipeline not healthy, whatever the status,
         * for {@code duration} ({@code >= 0}).
         */
        public Builder healthNotHealthy(Duration duration) {
            rules.put(AlertCondition.HEALTH_NOT_HEALTHY,
                    new Rule(null, notNegative("healthNotHealthy duration", duration)));
            return this;
        }

        /**
         * The rules.
         *
         * @throws IllegalStateException if no condition was set
         */
        public AlertRules build() {
            if (rules.isEmpty()) {
                throw new IllegalStateException("no alert condition set: call latencyP99Above, heartbeatAgeAbove,"
                        + " lagGrowingFor or healthNotHealthy");
            }
            return new AlertRules(rules);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0: " + d);
            }
            return d;
        }

        private static Duration notNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must be >= 0: " + d);
            }
            return d;
        }
    }
}
