package dev.binlogsync.service.http;

import dev.binlogsync.elasticsearch.HeartbeatCheck;
import java.io.IOException;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the newest heartbeat that reached a pipeline's index, for {@link HeartbeatReporter}.
 * Called on the reporter's thread; must be thread-safe if shared.
 */
@FunctionalInterface
public interface HeartbeatProbe {

    /**
     * The newest heartbeat written for the pipeline running under {@code pipeline}.
     *
     * @return empty when there is none yet, or when this pipeline carries no heartbeat
     * @throws IOException if it cannot be read now (the pipeline's heartbeat age then keeps growing)
     */
    Optional<Instant> newest(String pipeline) throws IOException;

    /** A probe reading {@code check} for every pipeline. */
    static HeartbeatProbe of(HeartbeatCheck check) {
        Objects.requireNonNull(check, "check");
        return pipeline -> check.newest().map(HeartbeatCheck.Heartbeat::beat);
    }
}
