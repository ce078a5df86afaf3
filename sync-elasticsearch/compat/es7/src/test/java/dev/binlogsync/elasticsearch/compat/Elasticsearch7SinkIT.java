package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.elasticsearch.ServerInfo;
import dev.binlogsync.elasticsearch.SinkContractTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.codelibs.elasticsearch.runner.ElasticsearchClusterRunner;
import org.elasticsearch.http.HttpServerTransport;
import org.junit.jupiter.api.AfterAll;

/** The sink contract against Elasticsearch 7.10.2 in the test JVM (codelibs cluster runner, one node). */
class Elasticsearch7SinkIT extends SinkContractTest {

    private ElasticsearchClusterRunner runner;
    private Path home;
    private String url;

    @Override
    protected String httpUrl() {
        if (runner == null) {
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
        return url;
    }

    @Override
    protected ServerInfo.Distribution expectedDistribution() {
        return ServerInfo.Distribution.ELASTICSEARCH;
    }

    @Override
    protected String expectedVersion() {
        return "7.10.2";
    }

    @AfterAll
    void stopNode() throws IOException {
        if (runner != null) {
            runner.close();
            runner.clean();
        }
        if (home != null && Files.exists(home)) {
            try (Stream<Path> paths = Files.walk(home)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
