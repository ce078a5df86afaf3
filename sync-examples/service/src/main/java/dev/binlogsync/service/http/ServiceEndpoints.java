package dev.binlogsync.service.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.alert.AlertRules;
import dev.binlogsync.service.BackfillStatus;
import dev.binlogsync.service.PipelineRegistry;
import dev.binlogsync.service.PipelineSupervisor;
import dev.binlogsync.service.ServiceStatus;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's HTTP endpoints, its Prometheus meters and its alerts, over the pipelines of a
 * {@link PipelineRegistry}:
 *
 * <ul>
 *   <li>{@code GET /health}: 200 when at least one pipeline runs and every pipeline is healthy,
 *       else 503; a JSON body with {@code status} ({@code UP} or {@code DOWN}) and per pipeline
 *       its health status and reason. No pipeline running is DOWN (503, reason
 *       {@code "no pipeline is running"}): a service that syncs nothing is not doing its job.
 *       {@code /health/ready} is the same (a Kubernetes readiness probe);
 *       {@code /health/live} answers 200 whenever the process answers (a liveness probe: restart
 *       only a process that no longer answers, not one whose Elasticsearch is down).</li>
 *   <li>{@code GET /metrics}: every meter in Prometheus' text format 0.0.4, or OpenMetrics 1.0
 *       when the request's {@code Accept} asks for {@code application/openmetrics-text}: the
 *       {@link dev.binlogsync.core.micrometer.SyncPipelineMeterBinder} meters of each running
 *       pipeline (tag {@code pipeline}), the JVM and process meters, and the alert gauge
 *       {@code binlogsync_alert_active{pipeline,condition}} (1 while firing, else 0; one per
 *       configured condition and running pipeline).</li>
 *   <li>{@code GET /status}: JSON per pipeline: state, health, lag, sync latency and bulk duration
 *       percentiles, buffered actions and bytes, in-flight requests, counts, the last error's
 *       message (secrets masked), the alerts firing; and the service's start time and alert rules,
 *       and, when the registry tells them ({@link PipelineRegistry#serviceStatus()}), the
 *       configuration source, the last reload's time, result and changes, and the last reload
 *       error; for a pipeline with a backfill ({@link PipelineRegistry#backfills()}), its state
 *       ({@code NOT_STARTED}, {@code RUNNING}, {@code DONE}, {@code STOPPED}, {@code FAILED}), the
 *       cleaned error, and per table rows done, rows/s, the estimate left and the document counts.
 *       A failed backfill makes {@code /health} DOWN with the reason, while its pipeline keeps
 *       streaming; its meters ({@link dev.binlogsync.core.micrometer.BackfillMeterBinder}) are on
 *       {@code /metrics}. A re-sync (a {@code resync} section) shows the same under
 *       {@code backfill}, plus {@code resync}: the alias, the new index, the step its state records
 *       ({@code PREPARING}, {@code SHADOWING}, {@code SWITCHED}) and whether the alias already
 *       pointed at the new index (nothing to do); a failed one makes {@code /health} DOWN too, and
 *       its meters {@code binlogsync_resync_failures_total} and {@code binlogsync_resync_switched}
 *       (tags {@code pipeline}, {@code alias}) are on {@code /metrics}.</li>
 * </ul>
 * Another path is 404, another method than GET or HEAD 405, an endpoint failure 500 (logged as one
 * line without the stack trace).
 *
 * <p><b>Pipelines.</b> It listens to the registry: for each pipeline started it binds the meters
 * and, when there are alert rules, starts an {@link dev.binlogsync.core.alert.AlertEvaluator}
 * every alert interval, whose events are logged (FIRING at WARN, RESOLVED at INFO, logger
 * {@code dev.binlogsync.service.http.PipelineWatcher}) and shown in {@code /status} and the gauge;
 * for each pipeline stopped it closes its evaluator and removes its {@code binlogsync.*} meters, so
 * a pipeline replaced by a reload shows its successor's values, not stale or duplicate ones.
 *
 * <p><b>Threads.</b> The JDK's {@link HttpServer} with four daemon handler threads
 * ({@code binlog-sync-http-<n>}) and a queue of 64 exchanges; beyond that an exchange is rejected
 * and the server closes its connection (the dispatcher thread never runs a handler). The JDK
 * server reads a request on a handler thread without a read timeout unless the system properties
 * {@code sun.net.httpserver.maxReqTime} and {@code maxRspTime} (seconds, read once when the
 * server classes load) are set; {@link dev.binlogsync.service.ServiceMain} sets them. Thread-safe.
 *
 * <p><b>Lifecycle.</b> {@link #close()} stops the server (waiting up to a second for exchanges in
 * progress), the evaluators and the meters; the registry keeps this object's listener, which
 * ignores later events. It closes neither the registry nor the pipelines.
 */
public final class ServiceEndpoints implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ServiceEndpoints.class);

    /** How often the alert conditions are evaluated by default: 5 s. */
    public static final Duration DEFAULT_ALERT_INTERVAL = Duration.ofSeconds(5);

    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS_100 = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final PrometheusMeterRegistry meters;
    private final JvmGcMetrics gcMetrics;
    private final PipelineWatcher watcher;
    private final PipelineRegistry registry;
    @Nullable private final AlertRules alertRules;
    private final Duration alertInterval;
    private final Instant startedAt = Instant.now();
    private final Object closeLock = new Object();
    private boolean closed;

    private ServiceEndpoints(PipelineRegistry registry, @Nullable AlertRules alertRules, Duration alertInterval,
            InetSocketAddress address) throws IOException {
        this.registry = registry;
        this.alertRules = alertRules;
        this.alertInterval = alertInterval;
        this.meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        this.gcMetrics = new JvmGcMetrics();
        gcMetrics.bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        new ClassLoaderMetrics().bindTo(meters);
        new ProcessorMetrics().bindTo(meters);
        new UptimeMetrics().bindTo(meters);
        this.watcher = new PipelineWatcher(meters, alertRules, alertInterval, name -> registry.backfills().get(name));

        AtomicInteger threads = new AtomicInteger();
        // beyond the queue an exchange is rejected, and the JDK server then closes its connection:
        // the dispatcher thread never runs a handler (a slow client would freeze every endpoint)
        this.executor = new ThreadPoolExecutor(4, 4, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(64), r -> {
            Thread t = new Thread(r, "binlog-sync-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        Map<String, Router.Endpoint> routes = new LinkedHashMap<>();
        routes.put("/health", x -> health());
        routes.put("/health/ready", x -> health());
        routes.put("/health/live", x -> Router.Response.json(200, Map.of("status", "UP")));
        routes.put("/metrics", this::metrics);
        routes.put("/status", x -> status());
        HttpServer s = null;
        try {
            s = HttpServer.create(address, 0);
            s.setExecutor(executor);
            s.createContext("/", new Router(routes));
            registry.addListener(watcher);
            s.start();
        } catch (IOException | RuntimeException e) {
            if (s != null) {
                s.stop(0);
            }
            watcher.close();
            executor.shutdownNow();
            gcMetrics.close();
            meters.close();
            throw e;
        }
        this.server = s;
    }

    /**
     * {@link #start(PipelineRegistry, AlertRules, InetSocketAddress, Duration)} evaluating the alert
     * rules every {@link #DEFAULT_ALERT_INTERVAL} (5 s).
     */
    public static ServiceEndpoints start(PipelineRegistry registry, @Nullable AlertRules alertRules,
            InetSocketAddress address) throws IOException {
        return start(registry, alertRules, address, DEFAULT_ALERT_INTERVAL);
    }

    /**
     * Binds the HTTP server to {@code address}, listens to {@code registry} (binding the meters and
     * starting the alerts of the pipelines already running at once) and serves until
     * {@link #close()}.
     *
     * @param registry the running pipelines
     * @param alertRules the conditions evaluated for every pipeline; null for no alerts (no
     *     evaluator, no alert gauge)
     * @param address where to listen; port 0 picks a free port (see {@link #address()})
     * @param alertInterval how often each pipeline's conditions are evaluated ({@code > 0}); a few
     *     times per rule duration, and a few seconds or more for the lag-growing condition
     * @throws IOException if the address cannot be bound
     * @throws IllegalArgumentException if {@code alertInterval} is not positive
     */
    public static ServiceEndpoints start(PipelineRegistry registry, @Nullable AlertRules alertRules,
            InetSocketAddress address, Duration alertInterval) throws IOException {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(alertInterval, "alertInterval");
        if (alertInterval.isNegative() || alertInterval.isZero()) {
            throw new IllegalArgumentException("alertInterval must be > 0: " + alertInterval);
        }
        ServiceEndpoints endpoints = new ServiceEndpoints(registry, alertRules, alertInterval, address);
        log.info("HTTP endpoints listening on {} (/health, /metrics, /status){}", endpoints.address(),
                alertRules == null ? ", no alert rules" : ", alerts " + alertRules + " every " + alertInterval);
        return endpoints;
    }

    /** The address bound: with port 0 given to {@code start}, the port chosen. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    /**
     * The Prometheus registry {@code /metrics} renders: register the service's own meters here
     * (names outside {@code binlogsync.*} if they carry a {@code pipeline} tag, which names the
     * meters this class removes when their pipeline stops).
     */
    public PrometheusMeterRegistry meterRegistry() {
        return meters;
    }

    private Router.Response health() {
        Views.Health h = Views.health(registry.pipelines(), statuses());
        return Router.Response.json(h.up() ? 200 : 503, h.body());
    }

    private Map<String, BackfillStatus> statuses() {
        Map<String, BackfillStatus> out = new LinkedHashMap<>();
        registry.backfills().forEach((name, run) -> out.put(name, run.status()));
        return out;
    }

    private Router.Response metrics(HttpExchange exchange) throws IOException {
        String accept = exchange.getRequestHeaders().getFirst("Accept");
        // decided here rather than by the client library's negotiation, so the answer is one of
        // the two text formats whatever else the header lists (no protobuf)
        String contentType = accept != null && accept.contains("application/openmetrics-text")
                ? OPENMETRICS_100 : TEXT_004;
        watcher.sweep();
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        meters.scrape(out, contentType);
        return new Router.Response(200, contentType, out.toByteArray());
    }

    private Router.Response status() {
        Map<String, Object> pipelines = new LinkedHashMap<>();
        Map<String, BackfillStatus> backfills = statuses();
        for (Map.Entry<String, SyncPipeline> e : new TreeMap<>(registry.pipelines()).entrySet()) {
            pipelines.put(e.getKey(), Views.status(e.getKey(), e.getValue(), watcher.firing(e.getKey(), e.getValue()),
                    backfills.get(e.getKey())));
        }
        Map<String, Object> service = new LinkedHashMap<>();
        service.put("startedAt", startedAt.toString());
        service.put("uptimeSeconds", Duration.between(startedAt, Instant.now()).toSeconds());
        service.put("alertRules", alertRules == null ? null : alertRules.toString());
        service.put("alertInterval", alertRules == null ? null : alertInterval.toString());
        ServiceStatus s = registry.serviceStatus();
        if (s != null) {
            service.put("configSource", s.configSource());
            service.put("lastReloadAt", s.lastReloadAt() == null ? null : String.valueOf(s.lastReloadAt()));
            service.put("lastReloadResult", s.lastReloadResult() == null ? null : String.valueOf(s.lastReloadResult()));
            PipelineSupervisor.Reload r = s.lastReload();
            if (r != null) {
                Map<String, Object> reload = new LinkedHashMap<>();
                reload.put("added", List.copyOf(r.added()));
                reload.put("replaced", List.copyOf(r.replaced()));
                reload.put("removed", List.copyOf(r.removed()));
                service.put("lastReload", reload);
            } else {
                service.put("lastReload", null);
            }
            String error = s.lastReloadError();
            service.put("lastReloadError", error == null ? null : Secrets.redact(error));
            service.put("lastReloadErrorAt", s.lastReloadErrorAt() == null ? null : String.valueOf(s.lastReloadErrorAt()));
            service.put("appliedConfigurations", s.appliedConfigurations());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("service", service);
        body.put("pipelines", pipelines);
        return Router.Response.json(200, body);
    }

    /**
     * Stops the HTTP server (exchanges in progress get up to a second), the alert evaluators and
     * the meters. Idempotent.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        server.stop(1);
        executor.shutdownNow();
        watcher.close();
        gcMetrics.close();
        meters.close();
    }

    @Override
    public String toString() {
        return "ServiceEndpoints[" + address() + "]";
    }
}
