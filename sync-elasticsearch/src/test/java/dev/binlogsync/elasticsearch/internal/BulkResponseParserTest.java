package dev.binlogsync.elasticsearch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.ItemResult.Outcome;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.VersionType;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BulkResponseParserTest {

    private final BulkResponseParser parser = new BulkResponseParser();

    private List<ItemResult> parse(String json, List<DocumentAction> actions) throws IOException {
        return parser.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), actions);
    }

    private static DocumentAction idx(String id) {
        return DocumentAction.index("i", id, Map.of("a", 1));
    }

    @Test
    void classifiesEveryKindOfItem() throws IOException {
        List<DocumentAction> actions = List.of(
                idx("ok"),
                DocumentAction.delete("i", "gone"),
                idx("v").withVersion(3, VersionType.EXTERNAL),
                DocumentAction.upsert("i", "concurrent", Map.of("a", 1)),
                idx("busy"),
                idx("rejected"),
                idx("unavailable"),
                idx("bad"),
                DocumentAction.delete("i", "5xx"));
        String response = "{\"took\":3,\"errors\":true,\"items\":["
                + "{\"index\":{\"_index\":\"i\",\"_id\":\"ok\",\"result\":\"created\",\"_shards\":{\"total\":1},\"status\":201}},"
                + "{\"delete\":{\"status\":404,\"result\":\"not_found\"}},"
                + "{\"index\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"[v]: version conflict, current version [5] is higher or equal to the one provided [3]\"}}},"
                + "{\"update\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"seq no conflict\"}}},"
                + "{\"index\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"queue full\"}}},"
                + "{\"index\":{\"status\":400,\"error\":{\"type\":\"es_rejected_execution_exception\",\"reason\":\"odd status\"}}},"
                + "{\"index\":{\"status\":503,\"error\":{\"type\":\"unavailable_shards_exception\",\"reason\":\"primary shard is not active\"}}},"
                + "{\"index\":{\"status\":400,\"error\":{\"type\":\"document_parsing_exception\",\"reason\":\"[1:8] failed to parse field [n] of type [long]\","
                + "\"caused_by\":{\"type\":\"illegal_argument_exception\",\"reason\":\"For input string: \\\"abc\\\"\",\"caused_by\":{\"type\":\"x\"}}}}},"
                + "{\"delete\":{\"status\":500,\"error\":{\"type\":\"exception\",\"reason\":\"boom\"}}}"
                + "]}";

        List<ItemResult> r = parse(response, actions);

        assertEquals(ItemResult.success(201), r.get(0));
        assertEquals(new ItemResult(Outcome.SUCCESS, 404, null, null), r.get(1));
        assertEquals(Outcome.STALE, r.get(2).outcome());
        assertEquals(Outcome.RETRYABLE, r.get(3).outcome());
        assertEquals(Outcome.RETRYABLE, r.get(4).outcome());
        assertEquals(Outcome.RETRYABLE, r.get(5).outcome());
        assertEquals(ItemResult.retryable(503, "unavailable_shards_exception", "primary shard is not active"), r.get(6));
        assertEquals(Outcome.PERMANENT, r.get(7).outcome());
        assertEquals(400, r.get(7).status());
        assertEquals("document_parsing_exception", r.get(7).errorType());
        assertEquals("[1:8] failed to parse field [n] of type [long] (caused by illegal_argument_exception: For input string: \"abc\")",
                r.get(7).reason());
        assertEquals(Outcome.RETRYABLE, r.get(8).outcome());
    }

    @Test
    void aMissingDocumentAnswersAnUpdateAsMissingAndAnUpsertOrAMissingIndexStaysAFailure() throws IOException {
        List<DocumentAction> actions = List.of(
                DocumentAction.update("i", "gone", Map.of("a", 1)),
                DocumentAction.update("nope", "1", Map.of("a", 1)),
                idx("x"));
        String response = "{\"errors\":true,\"items\":["
                + "{\"update\":{\"status\":404,\"error\":{\"type\":\"document_missing_exception\",\"reason\":\"[gone]: document missing\"}}},"
                + "{\"update\":{\"status\":404,\"error\":{\"type\":\"index_not_found_exception\",\"reason\":\"no such index [nope]\"}}},"
                + "{\"index\":{\"status\":404,\"error\":{\"type\":\"document_missing_exception\",\"reason\":\"odd\"}}}"
                + "]}";
        List<ItemResult> r = parse(response, actions);
        assertEquals(ItemResult.missing("[gone]: document missing"), r.get(0));
        assertTrue(r.get(0).isDone());
        assertEquals(Outcome.PERMANENT, r.get(1).outcome());
        assertEquals(Outcome.PERMANENT, r.get(2).outcome());
    }

    @Test
    void aConflictOnCreateIsExistsAndOnAConditionalDeleteIsConflictBothDoneButAPlainConflictStaysRetryable()
            throws IOException {
        List<DocumentAction> actions = List.of(
                DocumentAction.create("i", "1", Map.of("a", 1)),
                DocumentAction.create("i", "2", Map.of("a", 1)),
                DocumentAction.deleteIf("i", "3", 4, 1),
                DocumentAction.deleteIf("i", "4", 4, 1),
                DocumentAction.upsert("i", "5", Map.of("a", 1)));
        String conflict = "\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\",\"reason\":\"x\"}";
        List<ItemResult> r = parse("{\"errors\":true,\"items\":["
                + "{\"create\":{\"status\":201}},"
                + "{\"create\":{" + conflict + "}},"
                + "{\"delete\":{\"status\":200}},"
                + "{\"delete\":{" + conflict + "}},"
                + "{\"update\":{" + conflict + "}}]}", actions);
        assertEquals(Outcome.SUCCESS, r.get(0).outcome());
        assertEquals(Outcome.EXISTS, r.get(1).outcome());
        assertTrue(r.get(1).isDone());
        assertEquals(Outcome.SUCCESS, r.get(2).outcome());
        assertEquals(Outcome.CONFLICT, r.get(3).outcome());
        assertTrue(r.get(3).isDone());
        assertEquals(Outcome.RETRYABLE, r.get(4).outcome());
    }

    @Test
    void aCreateAnsweredAsAnIndexItemIsMalformed() {
        assertThrows(SyncException.class, () -> parse("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}",
                List.of(DocumentAction.create("i", "1", Map.of("a", 1)))));
    }

    @Test
    void readsResponsesTrimmedByFilterPath() throws IOException {
        List<ItemResult> r = parse("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}},{\"update\":{\"status\":200}}]}",
                List.of(idx("1"), DocumentAction.upsert("i", "2", Map.of())));
        assertEquals(List.of(ItemResult.success(201), ItemResult.success(200)), r);
    }

    @Test
    void rejectsAResponseWithFewerItemsThanActions() {
        SyncException e = assertThrows(SyncException.class,
                () -> parse("{\"errors\":false,\"items\":[{\"index\":{\"status\":201}}]}", List.of(idx("1"), idx("2"))));
        assertTrue(e.getMessage().contains("1 items for 2 actions"), e.getMessage());
    }

    @Test
    void rejectsAResponseWithMoreItemsThanActions() {
        assertThrows(SyncException.class, () -> parse(
                "{\"items\":[{\"index\":{\"status\":201}},{\"index\":{\"status\":201}}]}", List.of(idx("1"))));
    }

    @Test
    void rejectsAResponseWithoutItems() {
        assertThrows(SyncException.class, () -> parse("{\"error\":\"x\"}", Collections.singletonList(idx("1"))));
    }

    @Test
    void anItemWithoutAStatusIsMalformedNotARejection() {
        SyncException e = assertThrows(SyncException.class, () -> parse(
                "{\"errors\":true,\"items\":[{\"index\":{\"error\":{\"type\":\"x\",\"reason\":\"y\"}}}]}",
                List.of(idx("1"))));
        assertTrue(e.getMessage().contains("item 0") && e.getMessage().contains("status"), e.getMessage());
    }
}
