package dev.binlogsync.elasticsearch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.RetriableSyncException;
import dev.binlogsync.core.StoredDocument;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading an {@code _mget} answer: documents, missing ones, and per-document errors by kind. */
class MgetCodecTest {
    private static final List<DocumentRef> REFS = List.of(new DocumentRef("items", "1", null),
            new DocumentRef("items", "2", null));

    private static InputStream answer(String secondEntry) {
        return new ByteArrayInputStream(("{\"docs\":[{\"_index\":\"items\",\"_id\":\"1\",\"_version\":3,\"_seq_no\":7,"
                + "\"_primary_term\":1,\"found\":true,\"_source\":{\"id\":1}}," + secondEntry + "]}")
                .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsFoundAndMissingDocuments() throws Exception {
        List<StoredDocument> docs = MgetCodec.parse(answer("{\"_index\":\"items\",\"_id\":\"2\",\"found\":false}"), REFS);
        assertTrue(docs.get(0).found());
        assertEquals(7, docs.get(0).seqNo());
        assertEquals(3, docs.get(0).version());
        assertFalse(docs.get(1).found());
    }

    @Test
    void aShardNotAvailableYetIsRetriable() {
        // what a node answers for a document of a shard still starting after a restart
        RetriableSyncException e = assertThrows(RetriableSyncException.class, () -> MgetCodec.parse(answer(
                "{\"_index\":\"items\",\"_id\":\"2\",\"error\":{\"type\":\"no_shard_available_action_exception\","
                        + "\"reason\":\"No shard available for [MultiGetShardRequest]\"}}"), REFS));
        assertTrue(e.getMessage().contains("items/2") && e.getMessage().contains("no_shard_available_action_exception"),
                e.getMessage());
    }

    @Test
    void anotherPerDocumentErrorIsNot() {
        MalformedBulkResponseException e = assertThrows(MalformedBulkResponseException.class, () -> MgetCodec.parse(
                answer("{\"_index\":\"items\",\"_id\":\"2\",\"error\":{\"type\":\"illegal_argument_exception\","
                        + "\"reason\":\"bad routing\"}}"), REFS));
        assertFalse(RetriableSyncException.class.isInstance(e));
        assertTrue(e.getMessage().contains("illegal_argument_exception"), e.getMessage());
    }
}
