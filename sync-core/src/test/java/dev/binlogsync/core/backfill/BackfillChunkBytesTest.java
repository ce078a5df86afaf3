package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.config.ConfigLoader;
import dev.binlogsync.core.config.PipelineDefinition;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@code maxChunkBytes}: a chunk of wide rows ends once its documents reach the bound; the rows
 * after it are not taken from the result, and the next chunk's {@code SELECT} asks only for the rows
 * that fit at the widths seen, so what a driver buffers follows the bound too.
 */
class BackfillChunkBytesTest {
    private static final int ROWS = 20;
    private static final int TEXT = 10_000;
    private static final long BOUND = 32 * 1024;

    private final Rules rules = BackfillFixture.tableT();
    private final RecordingBulkSink es = new RecordingBulkSink();
    private final FakeSchemaDataSource db = BackfillFixture.keyedById().column("body", "text", "text");

    private static String body(long id) {
        return Long.toString(id % 10).repeat(TEXT);
    }

    private Backfill backfill(Backfill.Builder b) {
        db.answerWithParameters = BackfillFixture.idsUpTo(ROWS, id -> new Object[] {id, body(id)});
        return b.dataSource(db.dataSource()).rules(rules).sink(es).reader(BackfillFixture.noDocuments()).build();
    }

    @Test
    void aChunkOfWideRowsEndsWhenItsDocumentsReachTheBoundAndTheRowsAfterItAreNotRead() throws Exception {
        Backfill backfill = backfill(Backfill.builder().chunkSize(1000).maxChunkBytes(BOUND));

        assertTrue(backfill.run());

        // one row's document as JSON: the chunk ends with the row whose document reaches the bound
        long rowBytes = new ObjectMapper().writeValueAsBytes(Map.of("id", 1L, "body", body(1))).length;
        int perChunk = (int) (BOUND / rowBytes) + 1;
        assertEquals(4, perChunk, "the test's own arithmetic: " + rowBytes + " bytes a row");
        List<Integer> creates = new ArrayList<>();
        for (RecordingBulkSink.Request r : es.requests()) {
            creates.add((int) r.actions().stream().filter(a -> a.type() == ActionType.CREATE).count());
        }
        assertEquals(List.of(4, 4, 4, 4, 4), creates);
        for (long id = 1; id <= ROWS; id++) {
            assertEquals(Map.of("id", id, "body", body(id)), es.document("t", Long.toString(id)), "document " + id);
        }
        // what was taken from each chunk's result: never a row beyond the bound
        List<Integer> taken = new ArrayList<>();
        List<Integer> limits = new ArrayList<>();
        for (int i = 0, q = 0; i < db.queries.size(); i++) {
            if (db.queries.get(i).contains("LIMIT ?")) {
                taken.add(db.rowsTaken.get(q));
                List<Object> p = db.parametersOf.get(q);
                limits.add(((Number) p.get(p.size() - 1)).intValue());
            }
            q++;
        }
        assertEquals(List.of(4, 4, 4, 4, 4, 0), taken);
        // the first SELECT asks for chunkSize rows; the next ones for the rows that fit at the widths seen
        int fit = (int) ((BOUND + rowBytes - 1) / rowBytes);
        assertEquals(List.of(1000, fit, fit, fit, fit, fit), limits);
    }

    @Test
    void aResyncFromTheConfigurationTakesTheBackfillSectionsMaxChunkBytes() {
        PipelineDefinition d = ConfigLoader.create().withEnv(Map.of("DB_PASSWORD", "x")).fromJson(
                "{\"rules\": [{\"database\": \"shop\", \"table\": \"t\", \"index\": \"t\"}],"
                        + " \"backfill\": {\"jdbc\": {\"url\": \"jdbc:mariadb://db:3306/shop\","
                        + " \"password\": \"${DB_PASSWORD}\"}, \"chunkSize\": 1000, \"maxChunkBytes\": " + BOUND + "}}");
        Backfill.Builder b = Backfill.builder();
        d.toResyncBackfillSettings().accept(b);

        assertTrue(backfill(b).run());

        List<Integer> creates = new ArrayList<>();
        for (RecordingBulkSink.Request r : es.requests()) {
            creates.add((int) r.actions().stream().filter(a -> a.type() == ActionType.CREATE).count());
        }
        // as in the first test: 4 rows reach the bound (the default 5 MiB would take all 20 in one chunk)
        assertEquals(List.of(4, 4, 4, 4, 4), creates);
    }

    @Test
    void binaryValuesCountAsTheBase64TextTheyAreWrittenAs() throws Exception {
        FakeSchemaDataSource blobs = BackfillFixture.keyedById().column("data", "blob", "blob");
        byte[] data = new byte[8192];
        blobs.answerWithParameters = BackfillFixture.idsUpTo(ROWS, id -> new Object[] {id, data});
        Backfill backfill = Backfill.builder().dataSource(blobs.dataSource()).rules(rules).sink(es)
                .values(BackfillValues.jdbc()).chunkSize(1000).maxChunkBytes(BOUND)
                .reader(refs -> CompletableFuture.completedFuture(refs.stream().map(StoredDocument::missing).toList()))
                .build();

        assertTrue(backfill.run());

        long rowBytes = new ObjectMapper().writeValueAsBytes(Map.of("id", 1L, "data", data)).length;
        int perChunk = (int) (BOUND / rowBytes) + 1;
        assertEquals(3, perChunk, "the test's own arithmetic: " + rowBytes + " bytes a row");
        List<Integer> sizes = new ArrayList<>();
        for (RecordingBulkSink.Request r : es.requests()) {
            sizes.add(r.actions().size());
        }
        assertEquals(List.of(3, 3, 3, 3, 3, 3, 2), sizes);
    }

    @Test
    void rowsFarBelowTheDefaultBoundFillTheChunkByRows() {
        Backfill backfill = backfill(Backfill.builder().chunkSize(8));
        assertTrue(backfill.run());
        List<Integer> sizes = new ArrayList<>();
        for (RecordingBulkSink.Request r : es.requests()) {
            sizes.add(r.actions().size());
        }
        assertEquals(List.of(8, 8, 4), sizes, "20 rows of about 10 kB: far below the default bound");
    }

    @Test
    void theBuilderRefusesABoundOutsideItsRangeNamingTheValue() {
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> Backfill.builder().maxChunkBytes(1023));
        assertTrue(small.getMessage().contains("1023"), small.getMessage());
        IllegalArgumentException large = assertThrows(IllegalArgumentException.class,
                () -> Backfill.builder().maxChunkBytes((1L << 30) + 1));
        assertTrue(large.getMessage().contains("1073741825"), large.getMessage());
        Backfill.builder().maxChunkBytes(1024).maxChunkBytes(1L << 30);
    }
}
