package dev.binlogsync.service;

import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.PipelineState;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.config.PipelineDefinition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link SyncPipeline} per entry of a configuration's {@code pipelines} section and
 * replaces them when a new configuration is {@linkplain #apply applied}.
 *
 * <p><b>Reload.</b> {@link #apply} first builds every pipeline that is new or whose definition
 * changed (a definition is compared by its canonical file form, {@link PipelineDefinition#toJson()};
 * key order and spacing do not count). If any of them cannot be built, the whole configuration is
 * refused: what was built is closed, nothing running is touched, the error is kept as
 * {@link #lastReloadError()} and thrown. Otherwise every removed and every changed pipeline is
 * closed (it drains: flushes, waits for its bulks, commits; see {@link SyncPipeline#close()}), and
 * only once all of them stopped do the replacements and the new pipelines start, so two pipelines
 * never consume one consumer group at once (neither two of one name, nor a replacement that moved
 * to the group another changed pipeline leaves). If a closed pipeline's thread did not terminate,
 * nothing is started: it stays listed (its health shows it), what was built is closed, and the
 * apply fails with a {@link ConfigException} naming it (the pipelines that did stop stay stopped
 * until a later apply). Once {@link #close()} was called, an apply in progress starts nothing more
 * and fails with {@link IllegalStateException}. Unchanged pipelines are not touched.
 * Listeners hear {@code stopped} after a pipeline's close returned and {@code started} after its
 * start.
 *
 * <p><b>Backfill.</b> A pipeline whose definition has a {@code backfill} section gets a backfill
 * run ({@link #backfills()}) started on its own thread right after the pipeline started (the
 * stream must run first), unless the section says {@code runAtStart: false}; it is stopped after
 * its chunk before its pipeline stops (waiting up to the pipeline's {@code drainTimeout}, then
 * closing its connections). The section is part of the definition: a reload that changes it
 * replaces the pipeline and starts a new run, which resumes from the checkpoints. A failed
 * backfill stays failed (shown in its status) while the pipeline keeps running.
 *
 * <p><b>Re-sync.</b> A pipeline whose definition has a {@code resync} section runs the re-sync
 * ({@link ResyncRunner}) in place of the backfill, started and stopped the same way; a new run
 * (a restart, a reload that changes the definition) continues from the state document. A reload
 * that removes the section, changes its {@code alias} or {@code newIndex}, or removes the
 * pipeline aborts the unfinished re-sync once the old pipeline drained and before anything new
 * starts (the new index and the state are deleted; a re-sync that had switched is finished
 * instead). The service's shutdown aborts nothing.
 *
 * <p><b>Names.</b> A pipeline runs under its key in {@code pipelines}, and its
 * {@link SyncPipeline#name()} (the {@code pipeline} tag of its meters, the name in the status and
 * the alerts) must be that key: a factory that builds a pipeline named otherwise has the
 * configuration refused ({@link PipelineFactory#standard()} names it after the key).
 *
 * <p><b>Failed pipelines are not restarted.</b> A pipeline that fails on its own (state
 * {@link PipelineState#FAILED}: a record that cannot be mapped under the {@code stop} policy, an
 * unreachable cluster past the retries, ...) stays in {@link #pipelines()} with its failure, so
 * health and status show it, as Kafka Connect and Debezium leave a failed task failed: restarting
 * it would meet the same record again. A configuration that changes its definition replaces it
 * (the fix, or a dead-letter policy); applying an unchanged definition leaves it failed.
 *
 * <p><b>Threads.</b> Thread-safe. {@link #apply} and {@link #close} are serialised and block
 * while pipelines drain; {@link #pipelines()}, {@link #addListener} and the status methods never
 * wait for a drain. Listeners are called on the thread that applies or closes, in order, and must
 * not block.
 */
public final class PipelineSupervisor implements PipelineRegistry, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PipelineSupervisor.class);

    private final PipelineFactory factory;
    /** Serialises apply and close (they block while pipelines drain). */
    private final Object reloadLock = new Object();
    /** Guards {@link #running}, {@link #definitions} and the listener list's snapshot with notifications. */
    private final Object stateLock = new Object();
    private final Map<String, SyncPipeline> running = new LinkedHashMap<>();
    private final Map<String, String> definitions = new LinkedHashMap<>();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> starts = new LinkedHashMap<>();
    private final Map<String, LoadRunner> backfills = new LinkedHashMap<>();
    private volatile boolean closed;
    /** Set by {@link #close()} before it waits for a reload in progress: that reload starts nothing more. */
    private volatile boolean closing;
    /** Pipelines whose close failed or did not terminate. */
    private final Set<String> notDrained = java.util.concurrent.ConcurrentHashMap.newKeySet();
    @Nullable private volatile String lastReloadError;
    @Nullable private volatile Instant lastReloadErrorAt;
    private volatile long applied;

    /** A supervisor that builds its pipelines with {@code factory} ({@link PipelineFactory#standard()} in the service). */
    public PipelineSupervisor(PipelineFactory factory) {
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /**
     * Makes the running pipelines those of {@code config}; see the class description.
     *
     * @return what changed
     * @throws ConfigException if a new or changed pipeline cannot be built (its path under
     *     {@code pipelines.<name>}; the running pipelines are then as they were), or a stopped
     *     pipeline did not terminate (nothing was started; see the class description)
     * @throws IllegalStateException if the supervisor is closed or began closing during the apply
     */
    public Reload apply(ServiceConfig config) {
        Objects.requireNonNull(config, "config");
        synchronized (reloadLock) {
            if (closed) {
                throw new IllegalStateException("the supervisor is closed");
            }
            Map<String, String> wanted = new LinkedHashMap<>();
            config.pipelines().forEach((name, d) -> wanted.put(name, canonical(d)));
            Map<String, String> current;
            synchronized (stateLock) {
                current = new LinkedHashMap<>(definitions);
            }
            Set<String> removed = new LinkedHashSet<>(current.keySet());
            removed.removeAll(wanted.keySet());
            Set<String> changed = new LinkedHashSet<>();
            Set<String> added = new LinkedHashSet<>();
            wanted.forEach((name, canonical) -> {
                String before = current.get(name);
                if (before == null) {
                    added.add(name);
                } else if (!before.equals(canonical)) {
                    changed.add(name);
                }
            });

            // build everything first: a bad pipeline refuses the whole configuration before anything stops
            Map<String, SyncPipeline> built = new LinkedHashMap<>();
            for (String name : config.pipelines().keySet()) {
                if (!added.contains(name) && !changed.contains(name)) {
                    continue;
                }
                try {
                    SyncPipeline pipeline = factory.create(name, config.pipelines().get(name));
                    built.put(name, pipeline);
                    if (!name.equals(pipeline.name())) {
                        // its meters, status and alerts would carry another name than the configuration's
                        throw new ConfigException("", "the factory named the pipeline '" + pipeline.name()
                                + "'; it must be named after its key");
                    }
                } catch (RuntimeException e) {
                    for (SyncPipeline p : built.values()) {
                        closeQuietly(p, e);
                    }
                    ConfigException refusal = refusal(name, e);
                    lastReloadError = refusal.getMessage();
                    lastReloadErrorAt = Instant.now();
                    log.error("configuration refused, the running pipelines {} keep running: {}",
                            current.keySet(), refusal.getMessage());
                    throw refusal;
                }
            }

            // stop every removed and changed pipeline before starting anything: a replacement (or a
            // new pipeline) may take over the consumer group another stopping pipeline still holds
            Set<String> stuck = new LinkedHashSet<>();
            List<String> stopping = new ArrayList<>(removed);
            stopping.addAll(changed);
            for (String name : stopping) {
                abandonIfClosing(built);
                LoadRunner runner;
                synchronized (stateLock) {
                    runner = backfills.get(name);
                }
                if (!stop(name)) {
                    stuck.add(name);
                } else if (runner instanceof ResyncRunner resync && !resync.continuedBy(config.pipelines().get(name))) {
                    // after the drain: nothing writes copies any more; before anything new starts
                    resync.abort();
                }
            }
            if (!stuck.isEmpty()) {
                for (SyncPipeline p : built.values()) {
                    closeQuietly(p, new IllegalStateException("not started"));
                }
                ConfigException refusal = new ConfigException("pipelines." + stuck.iterator().next(), "pipeline(s) "
                        + stuck + " did not terminate after their close (drainTimeout); they stay listed and nothing"
                        + " was started, so two pipelines never consume at once; the configuration is tried again"
                        + " at the next poll");
                lastReloadError = refusal.getMessage();
                lastReloadErrorAt = Instant.now();
                log.error("configuration not applied: {}", refusal.getMessage());
                throw refusal;
            }
            for (String name : wanted.keySet()) {
                SyncPipeline pipeline = built.remove(name);
                if (pipeline != null) {
                    abandonIfClosing(built, pipeline);
                    start(name, pipeline, wanted.get(name), config.pipelines().get(name));
                }
            }
            lastReloadError = null;
            lastReloadErrorAt = null;
            applied++;
            Reload reload = new Reload(added, changed, removed);
            if (!reload.isEmpty()) {
                log.info("configuration applied: {}", reload);
            }
            return reload;
        }
    }

    private static String canonical(PipelineDefinition d) {
        try {
            return d.toJson();
        } catch (RuntimeException e) {
            // a definition that cannot be rendered (parts given in code) is never equal to another
            return "unrenderable@" + System.identityHashCode(d);
        }
    }

    private static ConfigException refusal(String name, RuntimeException e) {
        String prefix = "pipelines." + name;
        if (e instanceof ConfigException c) {
            String shownPath = c.path().isEmpty() ? "(root)" : c.path();
            String message = String.valueOf(c.getMessage());
            String text = message.startsWith(shownPath + ": ") ? message.substring(shownPath.length() + 2) : message;
            return new ConfigException(c.path().isEmpty() ? prefix : prefix + "." + c.path(), text, c);
        }
        // not a ConfigException: a builder's or a client's message, which may quote a URL with credentials
        return new ConfigException(prefix, e.getClass().getSimpleName() + ": "
                + Secrets.redact(e.getMessage()), Secrets.loggable(e));
    }

    /**
     * Throws (closing what was built and not started) when {@link #close()} is waiting: a shutdown
     * starts nothing more and leaves the remaining stops to its parallel close.
     */
    private void abandonIfClosing(Map<String, SyncPipeline> built, SyncPipeline... more) {
        if (!closing) {
            return;
        }
        IllegalStateException closingNow = new IllegalStateException("the supervisor is closing");
        for (SyncPipeline p : built.values()) {
            closeQuietly(p, closingNow);
        }
        for (SyncPipeline p : more) {
            closeQuietly(p, closingNow);
        }
        log.info("configuration not applied further: the service is shutting down");
        throw closingNow;
    }

    private void start(String name, SyncPipeline pipeline, String canonical, PipelineDefinition definition) {
        pipeline.start();
        // after the pipeline started: the stream must run before the backfill's first read
        LoadRunner backfill = definition.backfill() == null ? null
                : definition.resync() != null ? new ResyncRunner(name, definition, pipeline)
                : new BackfillRunner(name, definition, pipeline);
        synchronized (stateLock) {
            running.put(name, pipeline);
            definitions.put(name, canonical);
            starts.merge(name, 1, Integer::sum);
            if (backfill != null) {
                backfills.put(name, backfill);
            }
            for (Listener l : listeners) {
                notify(() -> l.started(name, pipeline), "started", name);
            }
        }
        log.info("pipeline {} started", name);
        if (backfill != null) {
            backfill.start();
        }
    }

    /**
     * Closes a running pipeline (it drains and commits) and removes it from the list.
     *
     * @return false when it was not drained: its close failed or its thread did not terminate (it
     *     then stays listed, its health shows it, and it counts in {@link #notDrained()})
     */
    private boolean stop(String name) {
        SyncPipeline pipeline;
        synchronized (stateLock) {
            pipeline = running.get(name);
        }
        if (pipeline == null) {
            return true;
        }
        LoadRunner backfill;
        synchronized (stateLock) {
            backfill = backfills.get(name);
        }
        if (backfill != null) {
            // before the pipeline: the backfill must not write while the stream is not applying changes
            log.info("pipeline {}: stopping its backfill after its chunk", name);
            backfill.stop(pipeline.settings().drainTimeout());
        }
        log.info("pipeline {} stopping (draining and committing)", name);
        try {
            pipeline.close();
        } catch (RuntimeException | Error e) {
            log.error("closing pipeline {} failed; its uncommitted records are read again", name, Secrets.loggable(e));
            notDrained.add(name);
            if (!isTerminated(pipeline)) {
                return false;
            }
        }
        if (!isTerminated(pipeline)) {
            log.error("pipeline {} did not terminate after its close; it stays listed", name);
            notDrained.add(name);
            return false;
        }
        synchronized (stateLock) {
            running.remove(name);
            definitions.remove(name);
            backfills.remove(name);
            for (Listener l : listeners) {
                notify(() -> l.stopped(name, pipeline), "stopped", name);
            }
        }
        log.info("pipeline {} stopped: {}", name, pipeline.state());
        return true;
    }

    private static boolean isTerminated(SyncPipeline p) {
        try {
            return p.awaitTermination(Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void notify(Runnable call, String what, String name) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("a registry listener failed on {} of pipeline {}", what, name, Secrets.loggable(e));
        }
    }

    private static void closeQuietly(SyncPipeline p, Throwable failure) {
        try {
            p.close();
        } catch (RuntimeException suppressed) {
            failure.addSuppressed(suppressed);
        }
    }

    @Override
    public Map<String, SyncPipeline> pipelines() {
        synchronized (stateLock) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(running));
        }
    }

    @Override
    public Map<String, BackfillRun> backfills() {
        synchronized (stateLock) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(backfills));
        }
    }

    @Override
    public void addListener(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        synchronized (stateLock) {
            listeners.add(listener);
            running.forEach((name, p) -> notify(() -> listener.started(name, p), "started", name));
        }
    }

    /**
     * The error of the last refused configuration, or null when the last configuration offered was
     * applied (or none was refused yet). Never contains a secret ({@link ConfigException}s do not).
     */
    @Nullable
    public String lastReloadError() {
        return lastReloadError;
    }

    /**
     * Records a configuration refused before it reached {@link #apply} (it could not be read or
     * parsed), as {@link #lastReloadError()}.
     */
    public void refused(ConfigException error) {
        Objects.requireNonNull(error, "error");
        lastReloadError = error.getMessage();
        lastReloadErrorAt = Instant.now();
    }

    /** When {@link #lastReloadError()} happened, or null. */
    @Nullable
    public Instant lastReloadErrorAt() {
        return lastReloadErrorAt;
    }

    /** How many configurations were applied (the first one included). */
    public long appliedConfigurations() {
        return applied;
    }

    /** How often a pipeline of this name was started (0 if never): a pipeline left untouched by reloads stays at 1. */
    public int starts(String name) {
        synchronized (stateLock) {
            return starts.getOrDefault(name, 0);
        }
    }

    /**
     * Closes every pipeline, all at once, each draining and committing within its own
     * {@code drainTimeout}; returns when all have stopped. Idempotent; {@link #apply} afterwards
     * throws. Interrupting the caller stops the wait (the pipelines keep draining).
     */
    @Override
    public void close() {
        closing = true;
        synchronized (reloadLock) {
            if (closed) {
                return;
            }
            closed = true;
            notDrained.clear(); // counts what this close could not drain
            List<String> names;
            synchronized (stateLock) {
                names = new ArrayList<>(running.keySet());
            }
            List<Thread> closers = new ArrayList<>();
            for (String name : names) {
                Thread t = new Thread(() -> stop(name), "binlog-sync-close-" + name);
                t.setDaemon(true);
                t.setUncaughtExceptionHandler((thread, e) -> {
                    notDrained.add(name);
                    log.error("closing pipeline {} failed", name, Secrets.loggable(e));
                });
                t.start();
                closers.add(t);
            }
            for (Thread t : closers) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * The pipelines that were not drained when closed: their close failed or their thread did not
     * terminate (what they had not committed is read again at the next start). Empty after a clean
     * {@link #close()}.
     */
    public Set<String> notDrained() {
        return Set.copyOf(notDrained);
    }

    /**
     * Names the pipelines that have not stopped yet (for the log line of a shutdown that ran out of
     * time), with their state.
     */
    public Map<String, PipelineState> notStopped() {
        Map<String, PipelineState> out = new LinkedHashMap<>();
        synchronized (stateLock) {
            running.forEach((name, p) -> {
                if (!isTerminated(p)) {
                    out.put(name, p.state());
                }
            });
        }
        return out;
    }

    /**
     * What an {@link #apply} changed: the pipelines started for the first time, replaced, and
     * removed, in configuration order.
     */
    public record Reload(Set<String> added, Set<String> replaced, Set<String> removed) {
        /** Copies the sets. */
        public Reload {
            added = Collections.unmodifiableSet(new LinkedHashSet<>(added));
            replaced = Collections.unmodifiableSet(new LinkedHashSet<>(replaced));
            removed = Collections.unmodifiableSet(new LinkedHashSet<>(removed));
        }

        /** Whether nothing changed. */
        public boolean isEmpty() {
            return added.isEmpty() && replaced.isEmpty() && removed.isEmpty();
        }
    }
}
