package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.elasticsearch.ServerInfo;
import dev.binlogsync.elasticsearch.SinkContractTest;
import org.junit.jupiter.api.AfterAll;

/** The sink contract against an in-process OpenSearch 2.19.6 node. */
class OpenSearchSinkIT extends SinkContractTest {

    private EmbeddedOpenSearch node;

    @Override
    protected String httpUrl() {
        if (node == null) {
            node = new EmbeddedOpenSearch();
        }
        return node.httpUrl();
    }

    @Override
    protected ServerInfo.Distribution expectedDistribution() {
        return ServerInfo.Distribution.OPENSEARCH;
    }

    @Override
    protected String expectedVersion() {
        return "2.19.6";
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }
}
