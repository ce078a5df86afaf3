package dev.binlogsync.examples.spring;

import dev.binlogsync.core.PipelineState;
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
 * <p><b>Phase.</b> Its {@link #PHASE} is above the phase of Spring Boot's
 * {@code WebServerGracefulShutdownLifecycle} ({@code SmartLifecycle.DEFAULT_PHASE - 1024}), so the
 * pipeline drains while the health and metrics endpoints still answer, and starts after the web
 * server.
 *
 * <p><b>Stop is bounded.</b> {@link #stop()} blocks the closing thread until the pipeline thread
 * ended, but not forever: the pipeline abandons what is not acknowledged after its
 * {@code drainTimeout}, and {@code close()} itself gives up waiting for the pipeline thread
 * {@code drainTimeout} + 10 s after it was called, with a WARN. Spring's own bound,
 * {@code spring.lifecycle.timeout-per-shutdown-phase} (default 30 s), does not apply to it (that
 * bound is for asynchronous {@code stop(Runnable)} callbacks; this stop is synchronous). Keep the
 * platform's termination grace period above {@code drainTimeout} + 10 s plus
 * {@code spring.lifecycle.timeout-per-shutdown-phase} (the web server's graceful shutdown, a later
 * phase, can use all of it).
 *
 * <p><b>Once.</b> A {@link SyncPipeline} runs once, so does this lifecycle: {@link #start()} after
 * {@link #stop()} (a {@code context.stop()} followed by {@code context.start()}, a checkpoint and
 * restore) throws {@link IllegalStateException}. Build a new context to run again.
 *
 * <p><b>Keeping the JVM alive.</b> The pipeline runs on a daemon thread. In an application with a
 * web server the server's threads keep the JVM running; an application without one (no
 * {@code spring-boot-starter-web}, or {@code spring.main.web-application-type=none}) ends right
 * after the start unless it sets {@code spring.main.keep-alive=true} (Spring Boot 3.2 and later),
 * which keeps a non-daemon thread alive until the context closes.
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

    /**
     * Starts the pipeline on its own daemon thread.
     *
     * @throws IllegalStateException if the pipeline was already started, stopped or closed
     */
    @Override
    public void start() {
        PipelineState state = pipeline.state();
        if (state != PipelineState.NEW) {
            throw new IllegalStateException("pipeline " + pipeline.name() + " is " + state
                    + ": a SyncPipeline runs once, so its lifecycle cannot start again after a stop;"
                    + " start a new application context");
        }
        pipeline.start();
        running = true;
    }

    /**
     * Drains and commits ({@link SyncPipeline#close()}); blocks until the pipeline thread ended, at
     * most about {@code drainTimeout} + 10 s.
     */
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
