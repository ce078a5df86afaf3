package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.elasticsearch.ObjectFieldContractTest;
import org.junit.jupiter.api.AfterAll;

/** Partial writes with object fields (painless scripts) against an in-process OpenSearch 2.19.6 node. */
class OpenSearchObjectFieldIT extends ObjectFieldContractTest {

    private EmbeddedOpenSearch node;

    @Override
    protected String httpUrl() {
        if (node == null) {
            node = new EmbeddedOpenSearch();
        }
        return node.httpUrl();
    }

    @AfterAll
    void stopNode() {
        if (node != null) {
            node.close();
        }
    }
}
