package dev.binlogsync.elasticsearch.compat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner;
import org.elasticsearch.http.HttpServerTransport;

/**
 * One Elasticsearch 7.10.2 node in the test JVM (codelibs cluster runner, its modules painless
 * included), on a free port with a temporary home. Not thread-safe; one per test class.
 */
final class Elasticsearch7Node implements AutoCloseable {

    private final ElasticsearchClusterRunner runner;
    private final Path home;
    private final String url;

    Elasticsearch7Node() {
        try {
            home = Files.createTempDirectory("compat-es7-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        runner = new ElasticsearchClusterRunner();
        runner.onBuild((index, settings) -> {
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", "0");
            settings.put("transport.port", "0");
            settings.put("discovery.type", "single-node");
            settings.remove("cluster.initial_master_nodes");
            settings.remove("discovery.seed_hosts");
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
        }).build(ElasticsearchClusterRunner.newConfigs().numOfNode(1).basePath(home.toString())
                .clusterName("compat-es7").useLogger());
        runner.ensureYellow();
        int port = runner.node().injector().getInstance(HttpServerTransport.class).boundAddress().publishAddress().getPort();
        url = "http://127.0.0.1:" + port;
    }

    String httpUrl() {
        return url;
    }

    @Override
    public void close() throws IOException {
        runner.close();
        runner.clean();
        if (Files.exists(home)) {
            try (Stream<Path> paths = Files.walk(home)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
