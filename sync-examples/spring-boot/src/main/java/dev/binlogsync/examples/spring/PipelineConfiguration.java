package dev.binlogsync.examples.spring;

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
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.Resource;

/**
 * The pipeline and what Spring needs around it:
 * <ul>
 *   <li>{@link SyncPipeline} built from {@code binlog-sync.config-file} through
 *       {@link ConfigLoader} (source, sink, rules and settings all come from that file); Spring
 *       closes it when the context is destroyed, which is a no-op after
 *       {@link PipelineLifecycle#stop()} and releases the Kafka consumer and the Elasticsearch client
 *       of a pipeline that never started;</li>
 *   <li>{@link PipelineLifecycle}: starts it once the context is refreshed, drains and commits it
 *       when the context closes, before the web server stops;</li>
 *   <li>{@link PipelineHealthIndicator} as the {@code binlogSync} component of
 *       {@code /actuator/health};</li>
 *   <li>{@link SyncPipelineMeterBinder}: Spring Boot binds every {@code MeterBinder} bean to its
 *       meter registry, so the {@code binlogsync.*} meters appear in {@code /actuator/metrics} and
 *       {@code /actuator/prometheus}, tagged {@code pipeline=<name>}.</li>
 * </ul>
 * An invalid configuration fails the application's start with the
 * {@link dev.binlogsync.core.config.ConfigException} naming the offending key.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BinlogSyncProperties.class)
public class PipelineConfiguration {

    /** The pipeline, not started (the lifecycle starts it). */
    @Bean
    public SyncPipeline syncPipeline(BinlogSyncProperties properties) {
        return load(properties).toPipelineBuilder().build();
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
        String text;
        try {
            text = file.getContentAsString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read binlog-sync.config-file " + file.getDescription(), e);
        }
        Map<String, String> env = new HashMap<>(System.getenv());
        env.putAll(properties.env());
        ConfigLoader loader = ConfigLoader.create().withEnv(env);
        if (name.endsWith(".toml")) {
            return loader.fromToml(text);
        }
        if (name.endsWith(".json")) {
            return loader.fromJson(text);
        }
        throw new IllegalArgumentException("binlog-sync.config-file must name a .json or .toml file: "
                + file.getDescription());
    }
}
