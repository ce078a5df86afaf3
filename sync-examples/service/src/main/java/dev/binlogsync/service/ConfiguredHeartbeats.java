package dev.binlogsync.service;

import dev.binlogsync.core.BulkSink;
import dev.binlogsync.core.config.ComponentConfig;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.elasticsearch.HeartbeatCheck;
import dev.binlogsync.service.http.HeartbeatProbe;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat probe of the service: for a pipeline with a {@code heartbeat} object in the newest
 * configuration ({@link ServiceConfig#heartbeats()}), a {@link HeartbeatCheck} of its index read
 * through connections made from the pipeline's own {@code sink} settings (an
 * {@link ElasticsearchSink} built, never started, only for its connections); empty for a pipeline
 * without one. The connections are made at the first probe and made again when the heartbeat or the
 * sink settings change (a reload), and closed when the pipeline leaves the configuration or at
 * {@link #close()}.
 *
 * <p>Thread-safe (the reporter's thread probes, another one closes).
 */
final class ConfiguredHeartbeats implements HeartbeatProbe, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConfiguredHeartbeats.class);

    private final Supplier<ServiceConfig> config;
    private final Map<String, Entry> checks = new HashMap<>();
    private boolean closed;

    /** What a check was made from, and the sink whose connections it reads through. */
    private record Entry(ServiceConfig.Heartbeat heartbeat, ComponentConfig sinkConfig, ElasticsearchSink sink,
            HeartbeatCheck check) {
    }

    /** @param config the newest configuration (null before the first one) */
    ConfiguredHeartbeats(Supplier<ServiceConfig> config) {
        this.config = config;
    }

    @Override
    public Optional<Instant> newest(String pipeline) throws IOException {
        HeartbeatCheck check = check(pipeline);
        return check == null ? Optional.empty() : check.newest().map(HeartbeatCheck.Heartbeat::beat);
    }

    @Nullable
    private synchronized HeartbeatCheck check(String pipeline) {
        if (closed) {
            return null;
        }
        ServiceConfig c = config.get();
        ServiceConfig.Heartbeat heartbeat = c == null ? null : c.heartbeats().get(pipeline);
        PipelineDefinition definition = c == null ? null : c.pipelines().get(pipeline);
        ComponentConfig sinkConfig = definition == null ? null : definition.sink();
        // pipelines gone from the configuration lose their connections
        checks.keySet().removeIf(name -> {
            boolean gone = c == null || !c.heartbeats().containsKey(name);
            if (gone) {
                checks.get(name).sink().close();
            }
            return gone;
        });
        if (heartbeat == null || definition == null || sinkConfig == null) {
            return null;
        }
        Entry e = checks.get(pipeline);
        if (e != null && e.heartbeat().equals(heartbeat) && e.sinkConfig().equals(sinkConfig)) {
            return e.check();
        }
        if (e != null) {
            e.sink().close();
            checks.remove(pipeline);
        }
        BulkSink sink = definition.createSink(); // checked to be of type elasticsearch when parsed
        if (!(sink instanceof ElasticsearchSink es)) {
            sink.close();
            throw new IllegalStateException("pipeline " + pipeline + ": the sink is no ElasticsearchSink");
        }
        HeartbeatCheck check = HeartbeatCheck.of(es, heartbeat.index(), heartbeat.field(), Clock.systemUTC());
        checks.put(pipeline, new Entry(heartbeat, sinkConfig, es, check));
        log.info("pipeline {}: heartbeat read from index {}, field {}", pipeline, heartbeat.index(), heartbeat.field());
        return check;
    }

    /** Closes every connection; later probes find no heartbeat. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        for (Entry e : checks.values()) {
            e.sink().close();
        }
        checks.clear();
    }
}
