package dev.binlogsync.service;

import dev.binlogsync.core.SyncPipeline;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The pipelines a service runs, by name (the key of the configuration's {@code pipelines} section).
 *
 * <p>Thread-safe. {@link #pipelines()} is a snapshot. A {@link Listener} added with
 * {@link #addListener} hears of every pipeline started and stopped after it was added (it is told
 * of the ones already running when it is added, as {@code started}), on the thread that starts or
 * stops them, in order; it must not block. {@link #serviceStatus()} is the one thing beyond the
 * pipelines: what a status page shows about the service that runs them.
 */
public interface PipelineRegistry {

    /** The running pipelines by name: an immutable snapshot. */
    Map<String, SyncPipeline> pipelines();

    /** Adds a listener; it is told at once of each running pipeline. */
    void addListener(Listener listener);

    /**
     * Where the service's configuration comes from and how its last reload went, for a status page;
     * null (the default) when the registry runs no configuration of its own. Never holds a secret.
     */
    @Nullable
    default ServiceStatus serviceStatus() {
        return null;
    }

    /**
     * The backfills run beside the pipelines, by pipeline name (only pipelines whose definition has
     * a {@code backfill} section): an immutable snapshot; empty (the default) when the registry
     * runs none.
     */
    default Map<String, BackfillRun> backfills() {
        return Map.of();
    }

    /** Hears of pipelines started and stopped. */
    interface Listener {

        /** {@code pipeline} was started under {@code name} (also on a reload that replaced one). */
        void started(String name, SyncPipeline pipeline);

        /** {@code pipeline}, running under {@code name}, was stopped (drained and committed, or failed). */
        void stopped(String name, SyncPipeline pipeline);
    }
}
