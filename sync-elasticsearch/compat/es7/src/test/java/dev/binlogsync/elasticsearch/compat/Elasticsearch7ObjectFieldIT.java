package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.elasticsearch.ObjectFieldContractTest;
import java.io.IOException;
import org.junit.jupiter.api.AfterAll;

/** Partial writes with object fields (painless scripts) against Elasticsearch 7.10.2 in the test JVM. */
class Elasticsearch7ObjectFieldIT extends ObjectFieldContractTest {

    private Elasticsearch7Node node;

    @Override
    protected String httpUrl() {
        if (node == null) {
            node = new Elasticsearch7Node();
        }
        return node.httpUrl();
    }

    @AfterAll
    void stopNode() throws IOException {
        if (node != null) {
            node.close();
        }
    }
}
