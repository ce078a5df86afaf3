package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Without {@code values(...)}, a backfill reads with the driver's values only the tables where
 * they equal every decoder's, and refuses the others before reading a row.
 */
class BackfillDefaultValuesTest {

    private static Backfill.Builder builder(FakeSchemaDataSource db) {
        return Backfill.builder().dataSource(db.dataSource()).rules(BackfillFixture.tableT()).sink(new RecordingBulkSink())
                .reader(refs -> CompletableFuture.completedFuture(List.of()));
    }

    private static boolean readARow(FakeSchemaDataSource db) {
        return db.queries.stream().anyMatch(q -> q.startsWith("SELECT `id`") || q.contains("LIMIT ?"));
    }

    @Test
    void withoutValuesATableWithColumnsWhoseDriverValuesMayDifferIsRefusedNamingThemBeforeAnyRowIsRead() {
        FakeSchemaDataSource db = BackfillFixture.keyedById()
                .column("name", "varchar", "varchar(64)")
                .column("created", "datetime", "datetime(3)")
                .column("active", "tinyint", "tinyint(1)")
                .column("big", "bigint", "bigint(20) unsigned")
                .column("doc", "json", "json")
                .column("price", "decimal", "decimal(10,2)");
        BackfillException e = assertThrows(BackfillException.class, () -> builder(db).build().run());
        String m = e.getMessage();
        assertTrue(m.contains("shop.t") && m.contains("created (datetime(3))") && m.contains("active (tinyint(1))")
                && m.contains("big (bigint(20) unsigned)") && m.contains("doc (json)")
                && m.contains("values(decoder.backfillValues())"), m);
        assertFalse(m.contains("name (") || m.contains("price (") || m.contains("id ("), m);
        assertFalse(readARow(db), String.valueOf(db.queries));
    }

    @Test
    void everyTypeOutsideIntegersDecimalsAndCharacterColumnsIsRefusedWithoutValues() {
        String[][] differing = {{"tinyint", "tinyint(1) unsigned"}, {"bit", "bit(1)"}, {"year", "year(4)"},
            {"date", "date"}, {"time", "time"}, {"timestamp", "timestamp"}, {"float", "float"}, {"double", "double"},
            {"enum", "enum('a','b')"}, {"set", "set('a','b')"}, {"blob", "blob"}, {"varbinary", "varbinary(8)"},
            {"binary", "binary(16)"}, {"geometry", "geometry"}, {"uuid", "uuid"}, {"inet6", "inet6"}};
        for (String[] type : differing) {
            FakeSchemaDataSource db = new FakeSchemaDataSource("id").column("id", "int", "int(11)")
                    .column("c", type[0], type[1]);
            BackfillException e = assertThrows(BackfillException.class, () -> builder(db).build().run(), type[1]);
            assertTrue(e.getMessage().contains("c (" + type[1] + ")"), e.getMessage());
            assertFalse(readARow(db), type[1]);
        }
    }

    @Test
    void withoutValuesATableOfIntegersDecimalsAndCharacterColumnsIsRead() {
        FakeSchemaDataSource db = BackfillFixture.keyedById()
                .column("a", "tinyint", "tinyint(4)").column("b", "tinyint", "tinyint(3) unsigned")
                .column("c", "smallint", "smallint(6)").column("d", "mediumint", "mediumint(8) unsigned")
                .column("e", "int", "int(10) unsigned zerofill").column("f", "decimal", "decimal(65,30)")
                .column("g", "char", "char(3)").column("h", "varchar", "varchar(64)").column("i", "text", "text")
                .column("j", "longtext", "longtext").column("k", "tinytext", "tinytext")
                .column("l", "mediumtext", "mediumtext");
        assertTrue(builder(db).build().run());
        assertTrue(db.queries.stream().anyMatch(q -> q.startsWith("SELECT `id`,`a`,`b`")), String.valueOf(db.queries));
    }

    @Test
    void aTinyint1KeyIsRefusedBecauseDriversReadItAsABooleanWhateverTheValues() {
        FakeSchemaDataSource db = new FakeSchemaDataSource("id").column("id", "tinyint", "tinyint(1)")
                .column("name", "varchar", "varchar(8)");
        BackfillException e = assertThrows(BackfillException.class,
                () -> builder(db).values(BackfillValues.jdbc()).build().run());
        assertTrue(e.getMessage().contains("shop.t") && e.getMessage().contains("key column id")
                && e.getMessage().contains("tinyint(1)"), e.getMessage());
        assertFalse(readARow(db), String.valueOf(db.queries));
    }

    @Test
    void explicitDriverValuesReadATableOfAnyTypes() {
        FakeSchemaDataSource db = new FakeSchemaDataSource("id").column("id", "int", "int(11)")
                .column("created", "datetime", "datetime");
        assertTrue(builder(db).values(BackfillValues.jdbc()).build().run());
        assertEquals(1, db.queries.stream().filter(q -> q.startsWith("SELECT `id`,`created`,`id` FROM")).count(),
                String.valueOf(db.queries));
    }
}
