package dev.binlogsync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

class EmbeddedElasticsearchIT {

    @Test
    void restartKeepsPortAndData() throws IOException {
        try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("restart").build().start()) {
            int port = es.httpHost().getPort();
            try (RestClient client = es.newClient()) {
                Request put = new Request("PUT", "/kept/_doc/1");
                put.addParameter("refresh", "true");
                put.setJsonEntity("{\"a\":1}");
                client.performRequest(put);

                es.stop();
                assertThrows(IOException.class, () -> client.performRequest(new Request("GET", "/kept/_doc/1")));

                es.start();
                assertEquals(port, es.httpHost().getPort());
                Response get = client.performRequest(new Request("GET", "/kept/_doc/1"));
                String body = new String(get.getEntity().getContent().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(body.contains("\"a\":1"), body);
            }
        }
    }
}
