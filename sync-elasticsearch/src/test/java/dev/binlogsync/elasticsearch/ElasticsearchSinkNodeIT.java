package dev.binlogsync.elasticsearch;

import dev.binlogsync.testing.EmbeddedElasticsearch;


/** The sink contract against the in-process Elasticsearch 8.19.21 node (shared by the JVM's test classes). */
class ElasticsearchSinkNodeIT extends SinkContractTest {

    @Override
    protected String httpUrl() {
        return EmbeddedElasticsearch.shared().httpUrl();
    }

    @Override
    protected ServerInfo.Distribution expectedDistribution() {
        return ServerInfo.Distribution.ELASTICSEARCH;
    }

    @Override
    protected String expectedVersion() {
        return "8.19.21";
    }
}
