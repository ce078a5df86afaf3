package dev.binlogsync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.testing.FaultProxy.Fault;
import dev.binlogsync.testing.FaultProxy.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import org.apache.http.HttpHost;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test proxy itself: each fault reaches the client as the fault it stands for, and the request still reaches the node. */
class FaultProxyIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EmbeddedElasticsearch es;
    private static RestClient node;

    @BeforeAll
    static void connect() {
        es = EmbeddedElasticsearch.shared();
        node = es.newClient();
    }

    @AfterAll
    static void disconnect() throws IOException {
        node.close();
    }

    private static FaultProxy proxy() throws IOException {
        return FaultProxy.start(es.httpHost().getHostName(), es.httpHost().getPort());
    }

    /**
     * A single-host client (so the client itself never re-sends) that waits for an answer as long as
     * a loaded machine may take (creating an index on the first write can take seconds there).
     */
    private static RestClient clientOf(FaultProxy proxy) {
        return clientOf(proxy, WAIT);
    }

    /** A single-host client whose socket timeout is {@code socketTimeout}. */
    private static RestClient clientOf(FaultProxy proxy, Duration socketTimeout) {
        return RestClient.builder(HttpHost.create(proxy.url()))
                .setRequestConfigCallback(rc -> rc.setConnectTimeout(2_000).setSocketTimeout((int) socketTimeout.toMillis()))
                .build();
    }

    /** Whether the node holds the document. */
    private static boolean found(String index, String id) throws IOException {
        Request get = new Request("GET", "/" + index + "/_doc/" + id);
        get.addParameter(RestClient.IGNORE_RESPONSE_CODES_PARAM, "404");
        return json(node.performRequest(get)).path("found").asBoolean(false);
    }

    /** The number of documents in {@code index} after a refresh. */
    private static long count(String index) throws IOException {
        node.performRequest(new Request("POST", "/" + index + "/_refresh"));
        return json(node.performRequest(new Request("GET", "/" + index + "/_count"))).path("count").asLong(-1);
    }

    private static JsonNode json(Response response) throws IOException {
        return JSON.readTree(response.getEntity().getContent());
    }

    private static Request bulkIndex(String index, String id) {
        Request r = new Request("POST", "/_bulk");
        r.setEntity(new StringEntity("{\"index\":{\"_index\":\"" + index + "\",\"_id\":\"" + id + "\"}}\n{\"n\":1}\n",
                ContentType.create("application/x-ndjson")));
        return r;
    }

    @Test
    void passesRequestsThroughOnKeptAliveConnections() throws Exception {
        try (FaultProxy proxy = proxy(); RestClient client = clientOf(proxy)) {
            for (int i = 0; i < 3; i++) {
                assertEquals(200, client.performRequest(bulkIndex("proxy-pass", "d" + i)).getStatusLine().getStatusCode());
            }
            assertEquals(3, count("proxy-pass"));
            assertEquals(3, proxy.passed());
        }
    }

    @Test
    void heldRequestTimesOutOnTheClientAndIsStillAppliedLater() throws Exception {
        // the client gives up after 300 ms, the proxy holds the request for 1 s
        try (FaultProxy proxy = proxy(); RestClient client = clientOf(proxy, Duration.ofMillis(300))) {
            proxy.inject(Fault.holdThenForward(Duration.ofSeconds(1), false), 1);
            IOException e = assertThrows(IOException.class, () -> client.performRequest(bulkIndex("proxy-hold", "a")));
            assertInstanceOf(SocketTimeoutException.class, e, e.toString());
            assertTrue(proxy.awaitLateForwards(WAIT));
            assertTrue(found("proxy-hold", "a"), "the node applied the request the client gave up on");
            assertEquals(1, proxy.injected(Kind.HOLD_THEN_FORWARD));
        }
    }

    @Test
    void gatewayErrorReachesTheClientWhileTheRequestIsStillForwarded() throws Exception {
        try (FaultProxy proxy = proxy(); RestClient client = clientOf(proxy)) {
            proxy.inject(Fault.errorWhileForwarding(504, Duration.ofMillis(200)), 1);
            ResponseException e = assertThrows(ResponseException.class,
                    () -> client.performRequest(bulkIndex("proxy-504", "a")));
            assertEquals(504, e.getResponse().getStatusLine().getStatusCode());
            assertTrue(proxy.awaitLateForwards(WAIT));
            assertTrue(found("proxy-504", "a"));
        }
    }

    @Test
    void connectionResetAfterTheRequestWasTakenStillForwardsIt() throws Exception {
        try (FaultProxy proxy = proxy(); RestClient client = clientOf(proxy)) {
            proxy.inject(Fault.resetAfterSend(Duration.ofMillis(200)), 1);
            assertThrows(IOException.class, () -> client.performRequest(bulkIndex("proxy-reset", "a")));
            assertTrue(proxy.awaitLateForwards(WAIT));
            assertTrue(found("proxy-reset", "a"));
        }
    }

    @Test
    void stalledReadsLetTheClientTimeOutAndDeliverTheRequestAfterwards() throws Exception {
        // the client gives up after 300 ms, the proxy stalls for 1 s
        try (FaultProxy proxy = proxy(); RestClient client = clientOf(proxy, Duration.ofMillis(300))) {
            proxy.inject(Fault.stallReads(Duration.ofSeconds(1), false), 1);
            IOException e = assertThrows(IOException.class, () -> client.performRequest(bulkIndex("proxy-stall", "a")));
            assertInstanceOf(SocketTimeoutException.class, e, e.toString());
            assertTrue(proxy.awaitLateForwards(WAIT));
            assertTrue(found("proxy-stall", "a"));
        }
    }

    @Test
    void faultsApplyToWritesOnlyAndToAsManyAsAsked() throws Exception {
        try (FaultProxy proxy = proxy(); RestClient client = clientOf(proxy)) {
            proxy.inject(Fault.errorWhileForwarding(502, Duration.ZERO), 1);
            assertEquals(200, client.performRequest(new Request("GET", "/_cluster/health")).getStatusLine().getStatusCode());
            assertTrue(proxy.faultPending(), "a GET does not take the fault");
            ResponseException e = assertThrows(ResponseException.class,
                    () -> client.performRequest(bulkIndex("proxy-once", "a")));
            assertEquals(502, e.getResponse().getStatusLine().getStatusCode());
            assertFalse(proxy.faultPending());
            assertEquals(200, client.performRequest(bulkIndex("proxy-once", "b")).getStatusLine().getStatusCode());
            assertEquals(1, proxy.injected(Kind.ERROR_WHILE_FORWARDING));
        }
    }

    @Test
    void closeReleasesThePort() throws Exception {
        FaultProxy proxy = proxy();
        int port = proxy.port();
        proxy.close();
        proxy.close();
        assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", port).close());
    }
}
