package dev.binlogsync.service.http;

import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.service.BackfillRun;
import dev.binlogsync.service.PipelineRegistry;
import dev.binlogsync.service.ServiceStatus;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.annotation.Nullable;

/**
 * A {@link PipelineRegistry} the test drives by hand: {@link #start} and {@link #stop} announce a
 * pipeline (they do not start or close it).
 */
final class TestRegistry implements PipelineRegistry {
    private final Map<String, SyncPipeline> pipelines = new TreeMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    @Nullable private volatile ServiceStatus serviceStatus;
    private final Map<String, BackfillRun> backfills = new java.util.concurrent.ConcurrentHashMap<>();

    @Override
    public Map<String, BackfillRun> backfills() {
        return Map.copyOf(backfills);
    }

    /** Shows {@code run} as the backfill of the pipeline {@code name} (before its {@link #start}, for its meters). */
    void backfill(String name, BackfillRun run) {
        backfills.put(name, run);
    }

    @Override
    @Nullable
    public ServiceStatus serviceStatus() {
        return serviceStatus;
    }

    /** What {@link #serviceStatus()} answers from now on. */
    void serviceStatus(@Nullable ServiceStatus status) {
        serviceStatus = status;
    }

    @Override
    public synchronized Map<String, SyncPipeline> pipelines() {
        return Map.copyOf(pipelines);
    }

    @Override
    public synchronized void addListener(Listener listener) {
        listeners.add(listener);
        pipelines.forEach(listener::started);
    }

    /** Runs {@code pipeline} under {@code name} and tells the listeners. */
    synchronized void start(String name, SyncPipeline pipeline) {
        pipelines.put(name, pipeline);
        listeners.forEach(l -> l.started(name, pipeline));
    }

    /** Tells the listeners that {@code pipeline} stopped, without changing what runs. */
    synchronized void announceStopped(String name, SyncPipeline pipeline) {
        listeners.forEach(l -> l.stopped(name, pipeline));
    }

    /** Removes the pipeline running under {@code name} and tells the listeners. */
    synchronized SyncPipeline stop(String name) {
        SyncPipeline p = pipelines.remove(name);
        listeners.forEach(l -> l.stopped(name, p));
        return p;
    }
}
