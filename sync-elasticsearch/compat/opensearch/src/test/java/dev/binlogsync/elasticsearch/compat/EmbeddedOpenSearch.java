package dev.binlogsync.elasticsearch.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.http.HttpServerTransport;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

/**
 * An OpenSearch 2.19 node in the test JVM (docs/test-servers.md): single-node, HTTP on 127.0.0.1 with a
 * free port, netty4, painless, a temporary home. Not thread-safe; one per test class.
 */
final class EmbeddedOpenSearch implements AutoCloseable {

    private final Path home;
    private final Node node;
    private final int port;

    private static final class PluginNode extends Node {
        PluginNode(Environment environment, Collection<Class<? extends Plugin>> plugins) {
            super(environment, plugins, true);
        }
    }

    EmbeddedOpenSearch() {
        try {
            home = Files.createTempDirectory("embedded-opensearch-");
            Settings settings = Settings.builder()
                    .put("path.home", home.toString())
                    .put("node.name", "compat")
                    .put("cluster.name", "compat-opensearch")
                    .put("discovery.type", "single-node")
                    .put("network.host", "127.0.0.1")
                    .put("http.port", "0")
                    .put("transport.port", "0")
                    .put("http.type", "netty4")
                    .put("transport.type", "netty4")
                    .put("cluster.routing.allocation.disk.threshold_enabled", "false")
                    .build();
            LogConfigurator.configureWithoutConfig(settings);
            node = new PluginNode(InternalSettingsPreparer.prepareEnvironment(settings, Map.of(), null, () -> "compat"),
                    List.of(Netty4Plugin.class, PainlessPlugin.class));
            node.start();
            port = node.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("OpenSearch node failed to start", e);
        }
    }

    String httpUrl() {
        return "http://127.0.0.1:" + port;
    }

    @Override
    public void close() {
        try {
            node.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try (Stream<Path> paths = Files.walk(home)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind is not worth failing a test for
            }
        }
    }
}
