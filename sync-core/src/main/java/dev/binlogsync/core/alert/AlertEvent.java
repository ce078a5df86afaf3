package dev.binlogsync.core.alert;

import java.time.Instant;
import java.util.Objects;

/**
 * One alert: a condition of one pipeline started firing, or resolved. Immutable.
 *
 * <p>{@code observed} and {@code bound} are text for people and logs: durations in ISO-8601
 * ({@code PT3.5S}), lag as a number of records ({@code "unknown"} when the source reports none),
 * health as the status followed by its reason ({@code "STALLED: ..."}, just {@code "HEALTHY"} when
 * healthy). They hold no secrets: metrics are numbers, and a health reason is the text the
 * pipeline reports on its health endpoint.
 *
 * @param type FIRING or RESOLVED
 * @param condition the condition
 * @param pipeline the pipeline's name ({@link dev.binlogsync.core.SyncPipeline#name()})
 * @param observed the value at this evaluation (for RESOLVED, the value that no longer meets it)
 * @param bound the rule: its bound and duration, e.g. {@code "> PT2S for PT30S"}
 * @param since wall time of the episode's start: the first evaluation where the condition held
 *     (for {@link AlertCondition#LAG_GROWING}, the evaluation the lag grew from); for RESOLVED,
 *     the start of the episode that ended
 * @param at wall time of this evaluation ({@link dev.binlogsync.core.SyncClock#currentTimeMillis()})
 */
public record AlertEvent(Type type, AlertCondition condition, String pipeline, String observed, String bound,
        Instant since, Instant at) {

    /** Whether an episode started firing or ended. */
    public enum Type {
        /** The condition has held for its duration; sent once per episode. */
        FIRING,
        /** The condition no longer holds after it fired; sent once per episode. */
        RESOLVED
    }

    public AlertEvent {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(pipeline, "pipeline");
        Objects.requireNonNull(observed, "observed");
        Objects.requireNonNull(bound, "bound");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(at, "at");
    }

    /** One line, e.g. {@code FIRING LATENCY_P99_ABOVE of orders: PT3S (> PT2S for PT30S) since 2026-...Z}. */
    @Override
    public String toString() {
        return type + " " + condition + " of " + pipeline + ": " + observed + " (" + bound + ") since " + since
                + (type == Type.RESOLVED ? ", resolved at " + at : "");
    }
}
