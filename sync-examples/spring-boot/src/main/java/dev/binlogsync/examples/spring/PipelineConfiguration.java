package dev.binlogsync.examples.spring;

import dev.binlogsync.core.PipelineListener;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.micrometer.SyncPipelineMeterBinder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;

/**
 * The pipeline and what Spring needs around it:
 * <ul>
 *   <li>{@link SyncPipeline} built from {@code binlog-sync.config-file} through
 *       {@link ConfigLoader} (source, sink, rules and settings all come from that file), with the
 *       application's {@link PipelineListener} beans;</li>
 *   <li>{@link PipelineLifecycle}: starts it once the context is refreshed, drains and commits it
 *       when the context closes, before the web server stops. The lifecycle owns the close; the
 *       pipeline bean's destroy method ({@code close}, declared explicitly) is only the safety net
 *       for a context whose start failed after the pipeline was built, where no lifecycle ran: it
 *       releases the Kafka consumer and the Elasticsearch client of the pipeline that never started
 *       (after the lifecycle's stop it is a no-op);</li>
 *   <li>{@link PipelineHealthIndicator} as the {@code binlogSync} component of
 *       {@code /actuator/health} (for readiness), and {@link PipelineLivenessIndicator} as the
 *       {@code binlogSyncLiveness} component (for liveness: DOWN only when the pipeline failed);</li>
 *   <li>{@link SyncPipelineMeterBinder}: Spring Boot binds every {@code MeterBinder} bean to its
 *       meter registry, so the {@code binlogsync.*} meters appear in {@code /actuator/metrics} and
 *       {@code /actuator/prometheus}, tagged {@code pipeline=<name>}.</li>
 * </ul>
 * An invalid configuration fails the application's start with the
 * {@link dev.binlogsync.core.config.ConfigException} naming the offending key; an error about the
 * file names it with the user info of its URL masked ({@link Secrets#maskUserInfo}), since Spring
 * Boot logs the exception that failed the start.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BinlogSyncProperties.class)
public class PipelineConfiguration {

    /**
     * The pipeline, not started (the lifecycle starts it), hearing every {@link PipelineListener}
     * bean of the application, in their {@code @Order}.
     */
    @Bean(destroyMethod = "close")
    public SyncPipeline syncPipeline(BinlogSyncProperties properties, ObjectProvider<PipelineListener> listeners) {
        SyncPipeline.Builder builder = load(properties).toPipelineBuilder();
        try {
            // creating a listener bean can fail: the Kafka consumer and the Elasticsearch client the
            // definition made are then closed here (build() closes them itself when it throws)
            listeners.orderedStream().forEach(builder::listener);
        } catch (RuntimeException | Error e) {
            builder.discard();
            throw e;
        }
        return builder.build();
    }

    /** Starts and stops the pipeline with the context. */
    @Bean
    public PipelineLifecycle syncPipelineLifecycle(SyncPipeline pipeline) {
        return new PipelineLifecycle(pipeline);
    }

    /** {@code /actuator/health}'s {@code binlogSync} component. */
    @Bean
    public PipelineHealthIndicator binlogSyncHealthIndicator(SyncPipeline pipeline) {
        return new PipelineHealthIndicator(pipeline);
    }

    /** {@code /actuator/health}'s {@code binlogSyncLiveness} component, for the liveness group. */
    @Bean
    public PipelineLivenessIndicator binlogSyncLivenessHealthIndicator(SyncPipeline pipeline) {
        return new PipelineLivenessIndicator(pipeline);
    }

    /** The pipeline's meters, bound by Spring Boot to its registry. */
    @Bean
    public SyncPipelineMeterBinder syncPipelineMeterBinder(SyncPipeline pipeline) {
        return new SyncPipelineMeterBinder(pipeline);
    }

    /**
     * Reads the configuration file: its format from its name ({@code .json} or {@code .toml}),
     * placeholders from the process environment overlaid with {@code binlog-sync.env.*}.
     */
    static PipelineDefinition load(BinlogSyncProperties properties) {
        Resource file = properties.configFile();
        String name = String.valueOf(file.getFilename()).toLowerCase(Locale.ROOT);
        boolean toml = name.endsWith(".toml");
        if (!toml && !name.endsWith(".json")) {
            throw new IllegalArgumentException("binlog-sync.config-file must name a .json or .toml file: "
                    + description(file));
        }
        String text;
        try {
            text = file.getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read binlog-sync.config-file " + description(file), masked(e));
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(properties.env());
        ConfigLoader loader = ConfigLoader.create().withEnv(env);
        return toml ? loader.fromToml(text) : loader.fromJson(text);
    }

    /** The resource's description ({@code URL [https://****@host/...]}) with a URL's user info masked. */
    private static String description(Resource file) {
        return Secrets.maskUserInfo(file.getDescription());
    }

    /**
     * {@code e} without the user info of any URL in its message or its causes' (a JDK URL
     * connection names the URL it failed to read, credentials included): an {@link IOException}
     * with the class and masked message of each, and {@code e}'s stack trace.
     */
    private static IOException masked(IOException e) {
        StringBuilder message = new StringBuilder();
        int depth = 0;
        for (Throwable t = e; t != null && depth < 8; t = t.getCause(), depth++) {
            message.append(message.length() == 0 ? "" : "; caused by ").append(t.getClass().getName());
            if (t.getMessage() != null) {
                message.append(": ").append(Secrets.redact(t.getMessage()));
            }
        }
        IOException m = new IOException(message.toString());
        m.setStackTrace(e.getStackTrace());
        return m;
    }
}
