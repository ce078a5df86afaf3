package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.elasticsearch.ServerInfo;
import dev.binlogsync.elasticsearch.SinkContractTest;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import org.junit.jupiter.api.AfterAll;

/**
 * The sink contract against an in-process Elasticsearch 9.5.3 node: the same
 * {@link EmbeddedElasticsearch} harness, with the 9.5 jars on the class path (its node-construction
 * hooks kept their 8.19 signatures).
 */
class Elasticsearch9SinkIT extends SinkContractTest {

    private EmbeddedElasticsearch node;

    @Override
    protected String httpUrl() {
        if (node == null) {
            node = EmbeddedElasticsearch.builder().nodeName("es9").build().start();
        }
        return node.httpUrl();
    }

    @Override
    protected ServerInfo.Distribution expectedDistribution() {
        return ServerInfo.Distribution.ELASTICSEARCH;
    }

    @Override
    protected String expectedVersion() {
        return "9.5.3";
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }
}
