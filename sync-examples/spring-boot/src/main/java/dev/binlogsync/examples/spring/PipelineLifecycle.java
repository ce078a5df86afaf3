package dev.binlogsync.examples.spring;

import dev.binlogsync.core.SyncPipeline;
import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * Runs the {@link SyncPipeline} for as long as the application context: {@link #start()} when the
 * context has been refreshed (every bean created, the web server started, so the health endpoint
 * already answers), {@link #stop()} when it closes: {@link SyncPipeline#close()} stops reading,
 * flushes what is buffered, waits for the bulk requests in flight and commits the offsets of what
 * Elasticsearch acknowledged, within the pipeline's {@code drainTimeout} (what is not acknowledged
 * by then is not committed and is read again on the next start).
 *
 * <p>Its {@link #PHASE} is above the web server's graceful-shutdown phase
 * ({@code SmartLifecycle.DEFAULT_PHASE - 1024} in Spring Boot), so the pipeline drains while the
 * health and metrics endpoints still answer, and starts after the web server.
 *
 * <p>Thread-safe: Spring calls it from the thread that refreshes or closes the context.
 */
public final class PipelineLifecycle implements SmartLifecycle {

    /** Stops before the web server's graceful shutdown (and starts after the web server). */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private final SyncPipeline pipeline;
    private volatile boolean running;

    /** A lifecycle for {@code pipeline}, which must not have been started. */
    public PipelineLifecycle(SyncPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    /** Starts the pipeline on its own thread. */
    @Override
    public void start() {
        pipeline.start();
        running = true;
    }

    /** Drains and commits ({@link SyncPipeline#close()}); blocks until the pipeline thread ended. */
    @Override
    public void stop() {
        try {
            pipeline.close();
        } finally {
            running = false;
        }
    }

    /** Whether {@link #start()} ran and {@link #stop()} did not (also while the pipeline is failed: stop closes it). */
    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
