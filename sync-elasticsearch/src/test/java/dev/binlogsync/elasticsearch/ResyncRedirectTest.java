package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.VersionType;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The re-sync's backfill writes and reads through {@link Resync.Redirect}: the alias's documents
 * go to the new index with everything else unchanged, so a versioned rule's snapshot, the
 * verification's versioned and conditional deletes and what it reads work there as on the alias.
 */
class ResyncRedirectTest {

    @Test
    void theAliasesActionsGoToTheNewIndexWithTheirVersionsAndConditionsUnchanged() {
        RecordingBulkSink es = new RecordingBulkSink();
        Resync.Redirect redirect = new Resync.Redirect(es, refs -> CompletableFuture.completedFuture(List.of()),
                "items", "items-v2");
        List<DocumentAction> actions = List.of(
                new DocumentAction("items", "1", "r1", ActionType.INDEX, Map.of("v", 7), 7L, VersionType.EXTERNAL),
                new DocumentAction("items", "1", "r1", ActionType.DELETE, null, 7L, VersionType.EXTERNAL_GTE),
                new DocumentAction("items", "2", null, ActionType.CREATE, Map.of("v", 1), null, null),
                new DocumentAction("items", "2", null, ActionType.DELETE, null, null, null, 5L, 2L),
                new DocumentAction("other", "3", null, ActionType.CREATE, Map.of("v", 1), null, null));
        redirect.execute(actions).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(List.of(
                new DocumentAction("items-v2", "1", "r1", ActionType.INDEX, Map.of("v", 7), 7L, VersionType.EXTERNAL),
                new DocumentAction("items-v2", "1", "r1", ActionType.DELETE, null, 7L, VersionType.EXTERNAL_GTE),
                new DocumentAction("items-v2", "2", null, ActionType.CREATE, Map.of("v", 1), null, null),
                new DocumentAction("items-v2", "2", null, ActionType.DELETE, null, null, null, 5L, 2L),
                new DocumentAction("other", "3", null, ActionType.CREATE, Map.of("v", 1), null, null)),
                es.requests().get(0).actions());
    }

    @Test
    void readsTheNewIndexAndHandsBackTheStoredRoutingAndVersion() {
        List<DocumentRef> asked = new ArrayList<>();
        Resync.Redirect redirect = new Resync.Redirect(new RecordingBulkSink(), refs -> {
            asked.addAll(refs);
            List<StoredDocument> out = new ArrayList<>();
            for (DocumentRef r : refs) {
                out.add(new StoredDocument(r, true, 11, 3, "{}", "stored-" + r.id(), 42));
            }
            return CompletableFuture.completedFuture(out);
        }, "items", "items-v2");
        List<StoredDocument> read = redirect.read(List.of(new DocumentRef("items", "1", "r1"),
                new DocumentRef("other", "2", null))).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        assertEquals(List.of(new DocumentRef("items-v2", "1", "r1"), new DocumentRef("other", "2", null)), asked);
        assertEquals(List.of(
                new StoredDocument(new DocumentRef("items-v2", "1", "r1"), true, 11, 3, "{}", "stored-1", 42),
                new StoredDocument(new DocumentRef("other", "2", null), true, 11, 3, "{}", "stored-2", 42)), read);
    }
}
