package dev.binlogsync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.http.HttpHost;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.EmbeddedNode;
import org.elasticsearch.node.InternalSettingsPreparer;
import org.elasticsearch.node.Node;
import org.elasticsearch.node.NodeValidationException;
import org.elasticsearch.transport.netty4.Netty4Plugin;

/**
 * A real Elasticsearch 8.19 node running inside the test JVM (docs/test-servers.md): HTTP on
 * 127.0.0.1, single-node discovery, a temporary home directory, the netty4 transport. No x-pack,
 * no ingest pipelines, no painless, and {@code GET /} answers 405 (the root action lives in a
 * module that is not published).
 *
 * <p>{@link #start()} binds a free HTTP port the first time and the <em>same</em> port on every
 * later start, and keeps the data directory between {@link #stop()} and {@link #start()}, so a
 * client configured once sees an outage and a recovery with its data intact. {@link #close()}
 * stops the node and deletes its home directory.
 *
 * <p>Thread-safe (all lifecycle methods are synchronized). About 3.5 s to start and 300 MiB of
 * heap: share one node per test class, or use {@link #shared()} across classes.
 *
 * <p><b>Dependencies:</b> {@code dev.binlogsync:sync-testing} (test scope) brings the node
 * ({@code org.elasticsearch:elasticsearch}, {@code org.elasticsearch.plugin:transport-netty4},
 * {@code org.elasticsearch.test:framework} without its transitive dependencies, log4j). The node
 * is built through {@code org.elasticsearch.node.EmbeddedNode}, which must sit in Elasticsearch's
 * own package: run tests on the class path, not the module path. The same class runs another
 * Elasticsearch version (9.x on a Java 21+ test JVM) when the server jars are swapped for that
 * version's.
 *
 * <pre>{@code
 * try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder()
 *         .setting("http.max_content_length", "64kb").build().start()) {
 *     RestClient client = RestClient.builder(es.httpHost()).build();
 *     ...
 * }
 * }</pre>
 */
public final class EmbeddedElasticsearch implements AutoCloseable {

    private static final Object LOGGING_LOCK = new Object();
    private static boolean loggingConfigured;
    @Nullable private static EmbeddedElasticsearch shared;

    private final Map<String, String> extraSettings;
    private final String nodeName;
    @Nullable private Path home;
    @Nullable private Node node;
    private int httpPort;
    private boolean closed;

    private EmbeddedElasticsearch(Builder builder) {
        this.extraSettings = Map.copyOf(builder.settings);
        this.nodeName = builder.nodeName;
    }

    /** A builder for a node with default settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * One node per JVM with default settings, started on first use and closed by a shutdown hook.
     * Tests using it must not stop it and should use their own index names.
     */
    public static synchronized EmbeddedElasticsearch shared() {
        if (shared == null) {
            EmbeddedElasticsearch es = builder().nodeName("shared").build();
            es.start();
            Runtime.getRuntime().addShutdownHook(new Thread(es::close, "embedded-es-shutdown"));
            shared = es;
        }
        return shared;
    }

    /**
     * Starts the node and waits until it accepts HTTP requests. No-op when running.
     *
     * @return this
     * @throws IllegalStateException after {@link #close()}, or if the node fails to start
     */
    public synchronized EmbeddedElasticsearch start() {
        if (closed) {
            throw new IllegalStateException("closed");
        }
        if (node != null) {
            return this;
        }
        configureLogging();
        try {
            if (home == null) {
                home = Files.createTempDirectory("embedded-es-");
            }
            Settings.Builder settings = Settings.builder()
                    .put("path.home", home.toString())
                    .put("node.name", nodeName)
                    .put("cluster.name", "embedded-" + nodeName)
                    .put("discovery.type", "single-node")
                    .put("network.host", "127.0.0.1")
                    .put("http.port", Integer.toString(httpPort)) // 0 the first time, then the same port
                    .put("transport.port", "0")
                    .put("http.type", "netty4")
                    .put("transport.type", "netty4")
                    .put("cluster.routing.allocation.disk.threshold_enabled", "false")
                    .put("action.auto_create_index", "true");
            extraSettings.forEach(settings::put);
            Node n = new EmbeddedNode(
                    InternalSettingsPreparer.prepareEnvironment(settings.build(), Map.of(), null, () -> nodeName),
                    List.of(Netty4Plugin.class));
            try {
                n.start();
            } catch (NodeValidationException | RuntimeException e) {
                closeQuietly(n);
                throw new IllegalStateException("Elasticsearch node failed to start", e);
            }
            node = n;
            httpPort = n.injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
            awaitShardsRecovered();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops the node, keeping its data and port for the next {@link #start()}. No-op when stopped. */
    public synchronized void stop() {
        Node n = node;
        node = null;
        if (n != null) {
            closeQuietly(n);
        }
    }

    /** {@link #stop()} then {@link #start()}: same port, same data. */
    public synchronized EmbeddedElasticsearch restart() {
        stop();
        return start();
    }

    /** Whether the node is running. */
    public synchronized boolean isRunning() {
        return node != null;
    }

    /**
     * The HTTP address; stable across restarts once started.
     *
     * @throws IllegalStateException if the node was never started
     */
    public synchronized HttpHost httpHost() {
        if (httpPort == 0) {
            throw new IllegalStateException("never started");
        }
        return new HttpHost("127.0.0.1", httpPort, "http");
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String httpUrl() {
        return httpHost().toURI();
    }

    /** A new low-level client for this node; the caller closes it. */
    public RestClient newClient() {
        return RestClient.builder(httpHost()).build();
    }

    /** Stops the node and deletes its home directory. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stop();
        closed = true;
        if (home != null) {
            deleteRecursively(home);
        }
    }

    @Override
    public String toString() {
        return "EmbeddedElasticsearch[" + nodeName + ", port " + httpPort + (node != null ? ", running]" : "]");
    }

    /** After a restart, existing indices recover asynchronously; wait so the first request finds its shards. */
    private void awaitShardsRecovered() throws IOException {
        try (RestClient client = newClient()) {
            Request health = new Request("GET", "/_cluster/health");
            health.addParameter("wait_for_status", "yellow");
            health.addParameter("wait_for_no_initializing_shards", "true");
            health.addParameter("timeout", "60s");
            client.performRequest(health);
        }
    }

    private static void configureLogging() {
        synchronized (LOGGING_LOCK) {
            if (!loggingConfigured) {
                // must come before any other Elasticsearch class initialises its loggers
                LogConfigurator.configureESLogging();
                loggingConfigured = true;
            }
        }
    }

    private static void closeQuietly(Node n) {
        try {
            n.close();
            n.awaitClose(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is not worth failing a test for
        }
    }

    /** Builds an {@link EmbeddedElasticsearch}; not thread-safe. */
    public static final class Builder {
        private final Map<String, String> settings = new LinkedHashMap<>();
        private String nodeName = "node";

        private Builder() {
        }

        /**
         * Adds a node setting, e.g. {@code http.max_content_length=64kb}. Unknown settings make
         * {@link EmbeddedElasticsearch#start()} fail.
         */
        public Builder setting(String key, String value) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(value, "value");
            if (key.isEmpty()) {
                throw new IllegalArgumentException("setting key must not be empty");
            }
            settings.put(key, value);
            return this;
        }

        /** The node name (default {@code node}). */
        public Builder nodeName(String nodeName) {
            Objects.requireNonNull(nodeName, "nodeName");
            if (nodeName.isEmpty()) {
                throw new IllegalArgumentException("nodeName must not be empty");
            }
            this.nodeName = nodeName;
            return this;
        }

        /** A stopped node; call {@link EmbeddedElasticsearch#start()}. */
        public EmbeddedElasticsearch build() {
            return new EmbeddedElasticsearch(this);
        }
    }
}
