package dev.binlogsync.service;

import dev.binlogsync.service.http.HeartbeatReporter;
import dev.binlogsync.service.http.ServiceEndpoints;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * What {@link ServiceMain} plugs into a {@link BinlogSyncService} ({@code StandardEndpoints::start}
 * is a {@link BinlogSyncService.Endpoints}): the HTTP endpoints ({@link ServiceEndpoints}: health,
 * metrics, status) over the service's {@link BinlogSyncService#registry() registry} at
 * {@code service.http}, evaluating {@code service.alerts} every {@code service.alertInterval}, and
 * a {@link HeartbeatReporter} that reads each pipeline's {@code heartbeat} index every
 * {@code service.heartbeatInterval} through its sink's connection settings (a pipeline without a
 * {@code heartbeat} object reports none). These settings are read at the start; the heartbeat
 * indices and sink settings follow reloads.
 *
 * <p>Thread-safe; {@link #close()} stops the reporter, its connections and the endpoints.
 */
public final class StandardEndpoints implements AutoCloseable {
    private final ServiceEndpoints http;
    private final ConfiguredHeartbeats heartbeats;
    private final HeartbeatReporter reporter;

    private StandardEndpoints(ServiceEndpoints http, ConfiguredHeartbeats heartbeats, HeartbeatReporter reporter) {
        this.http = http;
        this.heartbeats = heartbeats;
        this.reporter = reporter;
    }

    /**
     * Starts the endpoints and the heartbeat reporter of {@code service}, which has applied its
     * first configuration.
     *
     * @throws IOException if the HTTP address cannot be bound
     */
    public static StandardEndpoints start(BinlogSyncService service) throws IOException {
        Objects.requireNonNull(service, "service");
        ServiceConfig config = Objects.requireNonNull(service.currentConfig(), "the service has no configuration yet");
        ServiceEndpoints http = ServiceEndpoints.start(service.registry(), config.alertRules(), config.httpAddress(),
                config.alertInterval());
        ConfiguredHeartbeats heartbeats = new ConfiguredHeartbeats(service::currentConfig);
        HeartbeatReporter reporter;
        try {
            reporter = HeartbeatReporter.start(service.registry(), heartbeats, config.heartbeatInterval());
        } catch (RuntimeException e) {
            http.close();
            throw e;
        }
        return new StandardEndpoints(http, heartbeats, reporter);
    }

    /** The address the HTTP endpoints listen on (with {@code service.http.port} 0, the port chosen). */
    public InetSocketAddress address() {
        return http.address();
    }

    /** The HTTP endpoints. */
    public ServiceEndpoints http() {
        return http;
    }

    /** Stops the heartbeat reporter, closes its connections, then the endpoints. Idempotent. */
    @Override
    public void close() {
        reporter.close();
        heartbeats.close();
        http.close();
    }
}
