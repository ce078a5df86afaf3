package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The verification's re-select reads rows through the same {@link BackfillValues} as the chunk:
 * a values mapping that changes a value the rules' filter, index template and routing use gives
 * the verification the places the creates went, so an unchanged row's copy is kept.
 */
class BackfillVerificationValuesTest {

    /** Selects {@code region} by an expression of its own and reads its code as a name; other columns as they are. */
    private static final class RegionNames implements BackfillValues {
        @Override
        public String select(BackfillColumn column) {
            return column.name().equals("region") ? "TRIM(" + column.quotedName() + ")" : column.quotedName();
        }

        @Override
        @Nullable
        public Object read(ResultSet rs, int index, BackfillColumn column) throws SQLException {
            Object v = rs.getObject(index);
            return column.name().equals("region") && v != null ? (v.equals("eu") ? "Europe" : "America") : v;
        }
    }

    @Test
    void theVerificationRendersTheRowsThroughTheSameValuesAsTheChunkSoUnchangedRowsKeepTheirCopies() {
        // the table as the driver returns it: region as a code; the values read it as a name
        List<Object[]> table = List.of(new Object[] {1L, "eu", 1L}, new Object[] {2L, "eu", 2L},
                new Object[] {3L, "us", 3L});
        FakeSchemaDataSource db = BackfillFixture.keyedById().column("region", "varchar", "varchar(8)");
        db.answer = BackfillFixture.oneChunk(table, table);
        // only the name passes the filter; it names the index and routes
        Rules rules = Rules.builder().rule(TableRule.builder().database("shop").table("t")
                .index("orders-{region}").routing("region").where("region IN ('Europe', 'America')").build()).build();
        RecordingBulkSink es = new RecordingBulkSink();
        Backfill backfill = Backfill.builder().dataSource(db.dataSource()).rules(rules).sink(es)
                .values(new RegionNames()).reader(BackfillFixture.documentsOf(es)).build();

        assertTrue(backfill.run());

        assertTrue(db.queries.stream().anyMatch(q -> q.startsWith("SELECT `id`,TRIM(`region`),`id` FROM")
                && q.contains(" IN (")), String.valueOf(db.queries));
        assertEquals(List.of(), es.actions().stream().filter(a -> a.type() == ActionType.DELETE).toList());
        assertEquals(Map.of("id", 1L, "region", "Europe"), es.document("orders-europe", "1"));
        assertEquals(Map.of("id", 2L, "region", "Europe"), es.document("orders-europe", "2"));
        assertEquals(Map.of("id", 3L, "region", "America"), es.document("orders-america", "3"));
        assertEquals(List.of("Europe", "Europe", "America"), es.actions().stream().map(a -> a.routing()).toList());
        assertEquals(0, backfill.progress().resurrectionsRemoved());
        assertEquals(3, backfill.progress().created());
    }
}
