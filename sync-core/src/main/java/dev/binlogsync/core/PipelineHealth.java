package dev.binlogsync.core;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * The health of a {@link SyncPipeline} at one moment, from {@link SyncPipeline#health()}: a
 * status and, when it is not {@link Status#HEALTHY}, a human-readable reason. Immutable.
 *
 * <p>The checks, in order of precedence:
 * <ol>
 *   <li>{@link Status#FAILED}: the pipeline stopped on a failure ({@link #cause()} holds it);</li>
 *   <li>{@link Status#SINK_UNREACHABLE}: every bulk request has failed as a whole (connection
 *       refused, timeout, 429/5xx) for longer than {@code SyncPipeline.Builder#sinkUnreachableAfter}
 *       (default 1 min), with no request answered per item meanwhile;</li>
 *   <li>{@link Status#STALLED}: the commit point has not moved for longer than
 *       {@code SyncPipeline.Builder#stalledAfter} (default 5 min) while work waits: records read
 *       and not yet done, or a source lag that grew since the last progress;</li>
 *   <li>{@link Status#STARTING} before start, {@link Status#STOPPED} after a clean close,
 *       otherwise {@link Status#HEALTHY}.</li>
 * </ol>
 * A quiet source with nothing waiting is healthy however long nothing happens.
 *
 * @param status the status
 * @param reason why it is not healthy ({@code "ok"} when healthy), never null; a failure's message
 *     in it is cleaned of credentials ({@link Secrets#redact(CharSequence, int)}), so it may be shown
 * @param cause the failure for {@link Status#FAILED}, the last request failure for
 *     {@link Status#SINK_UNREACHABLE}, otherwise null; as thrown, its message not cleaned (print it
 *     with {@link Secrets#loggable(Throwable)} or {@link Secrets#describe(Throwable)})
 */
public record PipelineHealth(Status status, String reason, @Nullable Throwable cause) {

    /** The status of a pipeline. */
    public enum Status {
        /** Built, not started yet. */
        STARTING,
        /** Running and making progress (or with nothing to do). */
        HEALTHY,
        /** Running, but the commit point has not moved for longer than {@link PipelineSettings#stalledAfter()} while work waits. */
        STALLED,
        /** Running, but every bulk request has failed as a whole for longer than {@link PipelineSettings#sinkUnreachableAfter()}. */
        SINK_UNREACHABLE,
        /** Stopped on a failure; terminal. */
        FAILED,
        /** Closed cleanly; terminal. */
        STOPPED
    }

    public PipelineHealth {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }

    /** Whether {@link #status()} is {@link Status#HEALTHY}. */
    public boolean isHealthy() {
        return status == Status.HEALTHY;
    }
}
