package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.elasticsearch.ServerInfo;
import dev.binlogsync.elasticsearch.SinkContractTest;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;

/** The sink contract against Elasticsearch 7.10.2 in the test JVM (codelibs cluster runner, one node). */
class Elasticsearch7SinkIT extends SinkContractTest {

    private Elasticsearch7Node node;

    @Override
    protected String httpUrl() {
        if (node == null) {
            node = new Elasticsearch7Node();
        }
        return node.httpUrl();
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
        if (node != null) {
            node.close();
        }
    }
}
