package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ElasticsearchCheckpointStore} made from a sink, against the in-process Elasticsearch node. */
class ElasticsearchCheckpointStoreIT {

    /** A local port nothing listens on: a connection to it is refused. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aStoreMadeFromASinkUsesItsOtherHostsWhenTheFirstIsUnreachable() throws IOException {
        String run = Long.toString(System.nanoTime(), 36);
        String live = EmbeddedElasticsearch.shared().httpUrl();
        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts("http://127.0.0.1:" + closedPort(), live).build()) {
            sink.start();
            ElasticsearchCheckpointStore store = ElasticsearchCheckpointStore.of(sink, "cp-hosts-" + run);

            assertNull(store.load("shop.orders")); // index created and read through the second host
            store.save("shop.orders", new Checkpoint(List.of(10L), List.of(), false));
            store.save("shop.orders", new Checkpoint(List.of(20L), List.of(), true));
            assertEquals(new Checkpoint(List.of(20L), List.of(), true), store.load("shop.orders"));
            assertEquals(new Checkpoint(List.of(20L), List.of(), true),
                    ElasticsearchCheckpointStore.of(sink, "cp-hosts-" + run).load("shop.orders"));
        }
    }

    @Test
    void aStoreWithNoReachableHostFailsRetriably() throws IOException {
        try (ElasticsearchSink sink = ElasticsearchSink.builder().hosts("http://127.0.0.1:" + closedPort(),
                "http://127.0.0.1:" + closedPort()).build()) {
            ElasticsearchCheckpointStore store = ElasticsearchCheckpointStore.of(sink, "cp-none");
            assertThrows(RetriableSyncException.class, () -> store.load("shop.orders"));
            assertThrows(RetriableSyncException.class,
                    () -> store.save("shop.orders", new Checkpoint(List.of(1L), List.of(), false)));
        }
    }
}
