package dev.binlogsync.examples.spring;

import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;

/**
 * The application's {@code binlog-sync.*} properties.
 *
 * @param configFile the pipeline's configuration, a {@code .json} or {@code .toml} file in the
 *     form of {@code docs/configuration.md} ({@code file:/etc/binlog-sync/orders.toml},
 *     {@code classpath:binlog-sync.json}); required
 * @param env values for the file's {@code ${NAME}} placeholders, over the process environment
 *     (so a Spring property source, a test's for instance, can supply addresses and secrets);
 *     empty when not set
 */
@ConfigurationProperties("binlog-sync")
public record BinlogSyncProperties(Resource configFile, @Nullable Map<String, String> env) {

    public BinlogSyncProperties {
        Objects.requireNonNull(configFile, "binlog-sync.config-file must be set");
        env = env == null ? Map.of() : Map.copyOf(env);
    }

    /** {@link #env()}, never null. */
    @Override
    public Map<String, String> env() {
        return Objects.requireNonNull(env);
    }
}
