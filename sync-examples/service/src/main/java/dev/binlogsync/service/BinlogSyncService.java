package dev.binlogsync.service;

import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.config.ConfigException;
import dev.binlogsync.core.SyncPipeline;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service: reads its configuration from a {@link ConfigSource}, runs its pipelines through a
 * {@link PipelineSupervisor}, polls a watched source every {@code service.configPollInterval} and
 * applies a changed document (a bad one is refused and logged; the running pipelines keep going),
 * and starts the HTTP endpoints ({@link Endpoints}; {@link StandardEndpoints#start} in
 * {@link ServiceMain}) over its {@link #registry()}, whose {@link PipelineRegistry#serviceStatus()}
 * tells the configuration source and the last reload.
 *
 * <pre>{@code
 * try (BinlogSyncService service = new BinlogSyncService(new FileConfigSource(path), System.getenv(),
 *         PipelineFactory.standard(), Endpoints.NONE)) {
 *     service.start();
 *     ...
 * } // close(): every pipeline drains and commits
 * }</pre>
 *
 * <p>Settings of the {@code service} section are read at {@link #start()}; a reload that changes
 * the HTTP address or the alerts is applied to the pipelines and logged as needing a restart for
 * those settings ({@code configPollInterval} and {@code shutdownTimeout} follow the newest
 * configuration). Thread-safe; the poll runs on one daemon thread named
 * {@code binlog-sync-config-poll}.
 */
public final class BinlogSyncService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BinlogSyncService.class);

    /**
     * Starts the HTTP endpoints (and whatever else watches the pipelines, such as the heartbeat
     * reporter): the single place where the service's HTTP part is plugged in. Called once, by
     * {@link #start()}, after the first configuration was applied; what it returns is closed by
     * {@link #close()} after the pipelines.
     */
    @FunctionalInterface
    public interface Endpoints {
        /** No HTTP endpoints. */
        Endpoints NONE = service -> () -> { };

        /**
         * Starts the endpoints.
         *
         * @param service the service starting: its {@link BinlogSyncService#registry()} and its
         *     {@link BinlogSyncService#currentConfig()} (set; the configuration at start, later the
         *     newest applied)
         * @return what stops them
         * @throws Exception if they cannot start; the service then fails to start
         */
        AutoCloseable start(BinlogSyncService service) throws Exception;
    }

    private final ConfigSource source;
    private final Map<String, String> env;
    private final PipelineSupervisor supervisor;
    private final Endpoints endpoints;
    private final Object lifecycle = new Object();
    @Nullable private volatile ServiceConfig current;
    @Nullable private ScheduledThreadPoolExecutor poller;
    @Nullable private AutoCloseable endpointsHandle;
    private boolean started;
    private boolean closed;
    private final PipelineRegistry registry = new Registry();
    // the last reload, for serviceStatus(); written under lifecycle (start) or by the poll thread
    @Nullable private volatile Instant lastReloadAt;
    @Nullable private volatile PollResult lastReloadResult;
    @Nullable private volatile PipelineSupervisor.Reload lastReload;
    @Nullable private volatile String readError;
    @Nullable private volatile Instant readErrorAt;

    /**
     * A service, not started.
     *
     * @param env the environment for {@code ${...}} in the configuration
     * @param factory builds the pipelines ({@link PipelineFactory#standard()})
     * @param endpoints starts the HTTP endpoints ({@link Endpoints#NONE} for none)
     */
    public BinlogSyncService(ConfigSource source, Map<String, String> env, PipelineFactory factory, Endpoints endpoints) {
        this.source = Objects.requireNonNull(source, "source");
        this.env = Map.copyOf(Objects.requireNonNull(env, "env"));
        this.supervisor = new PipelineSupervisor(Objects.requireNonNull(factory, "factory"));
        this.endpoints = Objects.requireNonNull(endpoints, "endpoints");
    }

    /**
     * Reads the configuration, starts its pipelines and the endpoints, and starts polling a watched
     * source.
     *
     * @throws ConfigException if the first configuration cannot be read or is invalid (nothing
     *     keeps running)
     * @throws IllegalStateException if started twice or after close
     */
    public void start() throws Exception {
        synchronized (lifecycle) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "the service is closed" : "the service is already started");
            }
            started = true;
            ConfigSource.Document document;
            try {
                document = source.read();
            } catch (IOException e) {
                throw new ConfigException("", "cannot read the configuration from " + source.describe() + ": " + e.getMessage());
            }
            if (document == null) {
                throw new IllegalStateException(source.describe() + " returned no document at its first read");
            }
            ServiceConfig config = ServiceConfig.parse(document.text(), document.format(), env);
            PipelineSupervisor.Reload first = supervisor.apply(config);
            current = config;
            warnIfShutdownTooShort(config);
            recordReload(PollResult.APPLIED, first);
            log.info("started {} pipeline(s) {} from {}", config.pipelines().size(), config.pipelines().keySet(),
                    source.describe());
            try {
                endpointsHandle = endpoints.start(this);
            } catch (Exception e) {
                supervisor.close();
                throw e;
            }
            if (source.isWatched()) {
                ScheduledThreadPoolExecutor p = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread t = new Thread(r, "binlog-sync-config-poll");
                    t.setDaemon(true);
                    return t;
                });
                p.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
                poller = p;
                schedulePoll(p, config);
            }
        }
    }

    private void schedulePoll(ScheduledThreadPoolExecutor p, ServiceConfig config) {
        try {
            p.schedule(() -> {
                try {
                    poll();
                } catch (RuntimeException | Error e) {
                    log.error("configuration poll failed; the running configuration is kept", Secrets.loggable(e));
                } finally {
                    schedulePoll(p, Objects.requireNonNull(current));
                }
            }, config.configPollInterval().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            // the service is closing
        }
    }

    /**
     * Reads the source once and applies a changed document; what the poll thread does at each
     * interval. Serialised with the poll thread (synchronized): a call waits for a poll in progress.
     *
     * @return the outcome
     */
    public synchronized PollResult poll() {
        ConfigSource.Document document;
        try {
            document = source.read();
        } catch (IOException e) {
            log.warn("cannot read the configuration from {}; the running configuration is kept: {}",
                    source.describe(), e.getMessage());
            // the sources' messages name the source as describe() does, never its credentials
            readError = "cannot read the configuration from " + source.describe() + ": " + e.getMessage();
            readErrorAt = Instant.now();
            recordReload(PollResult.UNREADABLE, null);
            return PollResult.UNREADABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return PollResult.UNREADABLE;
        }
        if (document == null) {
            if (lastReloadResult == PollResult.UNREADABLE) {
                recordReload(PollResult.UNCHANGED, null); // readable again: the read error is over
            }
            return PollResult.UNCHANGED;
        }
        ServiceConfig config;
        try {
            config = ServiceConfig.parse(document.text(), document.format(), env);
        } catch (ConfigException e) {
            supervisor.refused(e);
            log.error("configuration from {} refused, the running configuration is kept: {}", source.describe(),
                    e.getMessage());
            recordReload(PollResult.REFUSED, null);
            return PollResult.REFUSED;
        }
        PipelineSupervisor.Reload reload;
        try {
            reload = supervisor.apply(config);
        } catch (ConfigException e) {
            // a pipeline that could not be built may build at the next poll (a DNS blip): ask again
            source.forget();
            recordReload(PollResult.REFUSED, null);
            return PollResult.REFUSED; // the supervisor logged and recorded it
        } catch (IllegalStateException closedMeanwhile) {
            return PollResult.UNCHANGED;
        }
        ServiceConfig before = current;
        current = config;
        warnIfShutdownTooShort(config);
        recordReload(PollResult.APPLIED, reload);
        if (before != null && !before.restartOnlySettings().equals(config.restartOnlySettings())) {
            log.warn("service.http, service.alerts, service.alertInterval or service.heartbeatInterval changed;"
                    + " they take effect at the next restart");
        }
        return PollResult.APPLIED;
    }

    /** A shutdown during a reload may take one drain, then the parallel drains: twice the largest drainTimeout. */
    private static void warnIfShutdownTooShort(ServiceConfig config) {
        Duration largest = Duration.ZERO;
        for (var d : config.pipelines().values()) {
            if (d.settings().drainTimeout().compareTo(largest) > 0) {
                largest = d.settings().drainTimeout();
            }
        }
        if (config.shutdownTimeout().compareTo(largest.multipliedBy(2)) <= 0) {
            log.warn("service.shutdownTimeout {} is not above twice the largest drainTimeout {}: a shutdown during a"
                    + " reload may be halted before every pipeline drained", config.shutdownTimeout(), largest);
        }
    }

    private void recordReload(PollResult result, @Nullable PipelineSupervisor.Reload reload) {
        if (result != PollResult.UNREADABLE) {
            readError = null;
            readErrorAt = null;
        }
        if (reload != null) {
            lastReload = reload;
        }
        lastReloadResult = result;
        lastReloadAt = Instant.now();
    }

    /** What one {@link #poll()} did. */
    public enum PollResult {
        /** The document had not changed. */
        UNCHANGED,
        /** The source could not be read; the running configuration is kept. */
        UNREADABLE,
        /** The document was invalid; the running configuration is kept ({@link PipelineSupervisor#lastReloadError()}). */
        REFUSED,
        /** The document was applied. */
        APPLIED
    }

    /** The running pipelines. */
    public PipelineSupervisor supervisor() {
        return supervisor;
    }

    /**
     * The running pipelines as the endpoints see them: the {@link #supervisor()}'s, with
     * {@link PipelineRegistry#serviceStatus()} telling this service's configuration source and last
     * reload.
     */
    public PipelineRegistry registry() {
        return registry;
    }

    /** The endpoints {@link Endpoints#start} returned, or null before {@link #start()} (or with none). */
    @Nullable
    public AutoCloseable endpoints() {
        synchronized (lifecycle) {
            return endpointsHandle;
        }
    }

    /** The supervisor's pipelines and this service's status. */
    private final class Registry implements PipelineRegistry {
        @Override
        public Map<String, SyncPipeline> pipelines() {
            return supervisor.pipelines();
        }

        @Override
        public void addListener(Listener listener) {
            supervisor.addListener(listener);
        }

        @Override
        public Map<String, BackfillRun> backfills() {
            return supervisor.backfills();
        }

        @Override
        public ServiceStatus serviceStatus() {
            boolean unreadable = lastReloadResult == PollResult.UNREADABLE;
            return new ServiceStatus(source.describe(), lastReloadAt, lastReloadResult, lastReload,
                    unreadable ? readError : supervisor.lastReloadError(),
                    unreadable ? readErrorAt : supervisor.lastReloadErrorAt(), supervisor.appliedConfigurations());
        }
    }

    /** The configuration last applied, or null before {@link #start()}. */
    @Nullable
    public ServiceConfig currentConfig() {
        return current;
    }

    /**
     * Stops polling (a reload in progress finishes first), closes every pipeline (each drains and
     * commits within its {@code drainTimeout}), then the endpoints and the source. Idempotent.
     * Bounding the whole is the caller's part (the shutdown hook bounds it by
     * {@code service.shutdownTimeout}).
     */
    @Override
    public void close() {
        ScheduledThreadPoolExecutor p;
        AutoCloseable e;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            p = poller;
            e = endpointsHandle;
        }
        if (p != null) {
            // not shutdownNow: interrupting a reload would start a replacement before the old pipeline drained
            p.shutdown();
        }
        supervisor.close(); // waits for a reload in progress
        if (e != null) {
            try {
                e.close();
            } catch (Exception failure) {
                log.warn("closing the HTTP endpoints failed", Secrets.loggable(failure));
            }
        }
        source.close();
        log.info("service stopped");
    }
}
