package dev.binlogsync.kafka.decode;

import static dev.binlogsync.kafka.decode.Resources.bytes;
import static dev.binlogsync.kafka.decode.Resources.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanalFlatMessageDecoderTest {

    static final SourcePosition POS = new SourcePosition("canal-0", 17);
    final CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();

    @Test
    void typesEveryAwkwardColumnOfAnInsertFromItsMysqlType() {
        List<ChangeEvent> events = decoder.decode(null, bytes("canal/insert-all-types.json"), POS);
        assertEquals(1, events.size());
        ChangeEvent e = events.get(0);
        assertEquals("shop", e.database());
        assertEquals("products", e.table());
        assertEquals(Operation.INSERT, e.operation());
        assertEquals(List.of("id"), e.primaryKeys());
        assertEquals(1709296245000L, e.eventTimeMillis());
        assertEquals(POS, e.position());
        assertEquals(Map.of(), e.oldValues());
        Map<String, Object> r = e.row();
        assertEquals(new BigInteger("18446744073709551615"), r.get("id"), "unsigned bigint beyond Long stays exact");
        assertEquals(-5, r.get("small"));
        assertEquals(1, r.get("active"), "tinyint(1) is a number by default");
        assertEquals(4294967295L, r.get("qty"));
        assertEquals(-42, r.get("stock"));
        assertEquals(9007199254740993L, r.get("views"));
        assertEquals(new BigDecimal("12345678.9000"), r.get("price"));
        assertEquals(4, ((BigDecimal) r.get("price")).scale(), "scale kept");
        assertEquals(1.25f, r.get("weight"));
        assertEquals(0.1d, r.get("ratio"));
        assertEquals(Boolean.TRUE, r.get("flag"));
        assertEquals(255L, r.get("mask"));
        assertEquals(2024, r.get("born"));
        assertEquals("2024-02-29", r.get("day"));
        assertEquals("2024-03-01T12:30:45.123", r.get("created"));
        assertEquals("2024-03-01T12:30:45", r.get("updated"));
        assertTrue(r.containsKey("zero_dt"));
        assertNull(r.get("zero_dt"), "zero datetime becomes null");
        assertNull(r.get("zero_day"), "zero date becomes null");
        assertEquals("-838:59:59", r.get("dur"));
        assertEquals(Map.of("color", "red", "sizes", List.of(1, 2), "price", new BigDecimal("9.99"), "nested", Map.of("ok", true)),
                r.get("attrs"));
        assertEquals("paid", r.get("status"));
        assertEquals(List.of("a", "c"), r.get("tags"));
        assertEquals(List.of(), r.get("no_tags"));
        assertArrayEquals(new byte[] {0, (byte) 0xff, 0x10, (byte) 0x89, 'P', 'N', 'G'},
                Base64.getDecoder().decode((String) r.get("thumb")), "blob bytes survive Canal's ISO-8859-1 text");
        assertArrayEquals(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef},
                Base64.getDecoder().decode((String) r.get("code")));
        assertEquals("Ünïcode ☃ \"quoted\"", r.get("name"));
        assertTrue(r.containsKey("notes"));
        assertNull(r.get("notes"));
        assertEquals(7L, r.get("legacy"), "no mysqlType: typed from sqlType");
        assertEquals(new ArrayList<>(r.keySet()).subList(0, 3), List.of("id", "small", "active"), "column order kept");
    }

    @Test
    void updateWithTwoRowsGivesTwoEventsWithTypedOldValuesOfChangedColumns() {
        List<ChangeEvent> events = decoder.decode(null, bytes("canal/update-two-rows.json"), POS);
        assertEquals(2, events.size());
        ChangeEvent first = events.get(0);
        assertEquals(Operation.UPDATE, first.operation());
        assertEquals(1, first.row().get("id"));
        assertEquals(new BigDecimal("10.50"), first.row().get("amount"));
        assertEquals(Map.of("status", "new", "updated", "2024-03-01T12:30:00"), first.oldValues());
        ChangeEvent second = events.get(1);
        assertEquals(2, second.row().get("id"));
        assertEquals(new BigDecimal("98.00"), second.oldValues().get("amount"));
        assertTrue(second.oldValues().containsKey("updated"));
        assertNull(second.oldValues().get("updated"), "zero date in old becomes null too");
        assertEquals(new BigDecimal("98.00"), second.beforeImage().get("amount"));
        assertEquals(2, second.beforeImage().get("id"), "unchanged column from the row");
        assertEquals("new", second.beforeImage().get("status"));
    }

    @Test
    void deleteCarriesTheBeforeImageAsItsRow() {
        ChangeEvent e = decoder.decode(null, bytes("canal/delete.json"), POS).get(0);
        assertEquals(Operation.DELETE, e.operation());
        assertEquals(3, e.row().get("id"));
        assertEquals("cancelled", e.row().get("status"));
        assertEquals(1709296270000L, e.eventTimeMillis());
    }

    @Test
    void ddlYieldsNoEventsAndIsPassedToTheListener() {
        List<String> seen = new ArrayList<>();
        CanalFlatMessageDecoder d = CanalFlatMessageDecoder.builder()
                .ddlListener((db, table, type, sql, pos) -> seen.add(db + "|" + table + "|" + type + "|" + sql + "|" + pos))
                .build();
        assertEquals(List.of(), d.decode(null, bytes("canal/ddl-alter.json"), POS));
        assertEquals(List.of("shop|orders|ALTER|ALTER TABLE `orders` ADD COLUMN `note` varchar(64) NULL|canal-0@17"), seen);
    }

    @Test
    void dateTimeStylesRenderInTheConfiguredZone() {
        byte[] msg = bytes("canal/insert-all-types.json");
        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        Map<String, Object> offset = CanalFlatMessageDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_OFFSET).zone(shanghai).build()
                .decode(null, msg, POS).get(0).row();
        assertEquals("2024-03-01T12:30:45.123+08:00", offset.get("created"));
        assertEquals("2024-03-01T12:30:45+08:00", offset.get("updated"));
        Map<String, Object> utc = CanalFlatMessageDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_UTC).zone(shanghai).build()
                .decode(null, msg, POS).get(0).row();
        assertEquals("2024-03-01T04:30:45.123Z", utc.get("created"));
        assertNull(utc.get("zero_dt"));
        Map<String, Object> raw = CanalFlatMessageDecoder.builder().dateTimeStyle(DateTimeStyle.RAW).build()
                .decode(null, msg, POS).get(0).row();
        assertEquals("2024-03-01 12:30:45.123", raw.get("created"));
        assertEquals("2024-02-29", raw.get("day"));
    }

    @Test
    void tinyint1KeepsItsNumberByDefaultAlsoBeyondZeroAndOne() {
        for (String v : new String[] {"0", "1", "2", "-128", "127"}) {
            assertEquals(Integer.valueOf(v), decoder.decode(null, tinyint1Row(v, "tinyint(1)"), POS).get(0).row().get("flag"), v);
            assertEquals(Integer.valueOf(v), decoder.decode(null, tinyint1Row(v, "tinyint(1) unsigned"), POS).get(0).row().get("flag"), v);
            assertEquals(Integer.valueOf(v), decoder.decode(null, tinyint1Row(v, "boolean"), POS).get(0).row().get("flag"), v);
        }
        assertEquals(255, decoder.decode(null, tinyint1Row("255", "tinyint(1) unsigned"), POS).get(0).row().get("flag"));
    }

    @Test
    void tinyint1AsBooleanGivesBooleansForZeroAndOneAndADecodeErrorForAnyOtherValue() {
        CanalFlatMessageDecoder asBoolean = CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).build();
        assertEquals(Boolean.FALSE, asBoolean.decode(null, tinyint1Row("0", "tinyint(1)"), POS).get(0).row().get("flag"));
        assertEquals(Boolean.TRUE, asBoolean.decode(null, tinyint1Row("1", "tinyint(1)"), POS).get(0).row().get("flag"));
        assertEquals(Boolean.TRUE, asBoolean.decode(null, tinyint1Row("\\u0031", "tinyint(1)"), POS).get(0).row().get("flag"),
                "the string path (an escaped value) agrees");
        for (String v : new String[] {"2", "-1", "127", "\\u0032"}) {
            DecodeException e = assertThrows(DecodeException.class, () -> asBoolean.decode(null, tinyint1Row(v, "tinyint(1)"), POS), v);
            assertTrue(e.getMessage().startsWith("column shop.orders.flag (tinyint(1)) in data[0]: value '"), e.getMessage());
            assertTrue(e.getMessage().endsWith("is not 0 or 1, so it cannot be a boolean (tinyint1AsBoolean)"), e.getMessage());
        }
        assertEquals(Integer.valueOf(1), asBoolean.decode(null, tinyint1Row("1", "tinyint(4)"), POS).get(0).row().get("flag"),
                "only tinyint(1) becomes a boolean");
    }

    private static byte[] tinyint1Row(String value, String type) {
        return utf8("{\"data\":[{\"id\":\"1\",\"flag\":\"" + value + "\"}],\"database\":\"shop\",\"isDdl\":false,"
                + "\"mysqlType\":{\"id\":\"int(11)\",\"flag\":\"" + type + "\"},\"pkNames\":[\"id\"],\"table\":\"orders\","
                + "\"type\":\"INSERT\"}");
    }

    @Test
    void enumAndSetBecomeTheMembersTheIndexAndBitmapCanalSendsName() {
        // Canal passes on the binlog's numbers: an ENUM's 1-based index, a SET's bitmap
        assertEquals("paid", value("2", "enum('new','paid','shipped')"));
        assertEquals("", value("0", "enum('new','paid')"), "index 0 is MySQL's error value ''");
        assertEquals("0", value("1", "enum('0','1')"), "index 1 of digit members is the first member");
        assertEquals("it's, \\ok", value("1", "enum('it''s, \\\\ok','b')"), "quotes, commas and backslashes in a member");
        assertEquals("shipped", value("shipped", "enum('new','shipped')"), "a member's name passes through");
        assertEquals(List.of("a", "c"), value("5", "set('a','b','c')"));
        assertEquals(List.of(), value("0", "set('a','b')"));
        assertEquals(List.of("m63"), value("9223372036854775808", "set(" + members(64) + ")"), "bit 63 of a 64-member SET");
        assertEquals(List.of("b", "c"), value("b,c", "set('a','b','c')"), "names pass through");
        for (String[] c : new String[][] {{"4", "enum('a','b','c')"}, {"8", "set('a','b','c')"}, {"1", "enum"},
            {"18446744073709551616", "set(" + members(64) + ")"}}) {
            DecodeException e = assertThrows(DecodeException.class, () -> value(c[0], c[1]), c[0] + " " + c[1]);
            assertTrue(e.getMessage().contains("shop.orders.flag"), e.getMessage());
        }
    }

    private Object value(String value, String type) {
        return decoder.decode(null, tinyint1Row(value, type.replace("\\", "\\\\")), POS).get(0).row().get("flag");
    }

    private static String members(int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("'m").append(i).append("'");
        }
        return b.toString();
    }

    @Test
    void hostileNumbersAreDecodeErrorsNotGigabytes() {
        String huge = "9".repeat(100_000);
        String[][] cases = {
            {"decimal(10,2)", "1E+999999999", "scale -999999999 is outside a MySQL DECIMAL's"},
            {"decimal(10,2)", "1E-999999999", "scale 999999999 is outside a MySQL DECIMAL's"},
            {"decimal(10,2)", huge, "longer than a MySQL DECIMAL can be"},
            {"decimal(65,0)", "1" + "0".repeat(65), "more than 65 digits"},
            {"bigint(20) unsigned", huge, "longer than a MySQL BIGINT can be"},
            {"bigint(20) unsigned", "18446744073709551616", "beyond the range of a MySQL BIGINT (UNSIGNED)"},
            {"json", "{\\\"a\\\":[1E+999999999]}", "exponent 999999999 is beyond what a MySQL column can hold"},
        };
        for (String[] c : cases) {
            String msg = "{\"data\":[{\"v\":\"" + c[1] + "\"}],\"database\":\"d\",\"mysqlType\":{\"v\":\"" + c[0] + "\"},"
                    + "\"table\":\"t\",\"type\":\"INSERT\"}";
            DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(msg), POS), c[0] + " " + c[2]);
            assertTrue(e.getMessage().startsWith("column d.t.v (" + c[0] + ") in data[0]: value '"), e.getMessage());
            assertTrue(e.getMessage().contains(c[2]), e.getMessage());
            assertTrue(e.getMessage().length() < 300, "the value is abbreviated: " + e.getMessage().length());
        }
        String fits = "{\"data\":[{\"v\":\"-" + "9".repeat(35) + "." + "9".repeat(30) + "\",\"u\":\"18446744073709551615\"}],"
                + "\"database\":\"d\",\"mysqlType\":{\"v\":\"decimal(65,30)\",\"u\":\"bigint(20) unsigned\"},\"table\":\"t\","
                + "\"type\":\"INSERT\"}";
        Map<String, Object> row = decoder.decode(null, utf8(fits), POS).get(0).row();
        assertEquals(new BigDecimal("-" + "9".repeat(35) + "." + "9".repeat(30)), row.get("v"), "DECIMAL(65,30) at its limits");
        assertEquals(new BigInteger("18446744073709551615"), row.get("u"));
    }

    @Test
    void truncateAndDropTableOfASyncedTableAreDecodeErrorsSayingWhatHappened() {
        DecodeException truncate = assertThrows(DecodeException.class, () -> decoder.decode(null, ddl("TRUNCATE", "orders",
                "TRUNCATE TABLE orders"), POS));
        assertEquals("shop.orders: TRUNCATE TABLE cannot be applied to the index (it removes every row without a row event);"
                + " re-sync the table's documents, or leave the table out of syncedTables if it is not synced", truncate.getMessage());
        DecodeException drop = assertThrows(DecodeException.class, () -> decoder.decode(null, ddl("ERASE", "orders",
                "DROP TABLE orders"), POS));
        assertTrue(drop.getMessage().startsWith("shop.orders: DROP TABLE cannot be applied to the index"), drop.getMessage());
    }

    @Test
    void truncateAndDropTableOfATableOutsideSyncedTablesAreSkippedAsDdl() {
        List<String> seen = new ArrayList<>();
        CanalFlatMessageDecoder scoped = CanalFlatMessageDecoder.builder()
                .syncedTables((db, table) -> db.equals("shop") && table.equals("orders"))
                .ddlListener((db, table, type, sql, pos) -> seen.add(type + " " + db + "." + table))
                .build();
        assertEquals(List.of(), scoped.decode(null, ddl("TRUNCATE", "audit_log", "TRUNCATE TABLE audit_log"), POS));
        assertEquals(List.of(), scoped.decode(null, ddl("ERASE", "_orders_del", "DROP TABLE _orders_del"), POS));
        assertEquals(List.of("TRUNCATE shop.audit_log", "ERASE shop._orders_del"), seen);
        assertThrows(DecodeException.class, () -> scoped.decode(null, ddl("TRUNCATE", "orders", "TRUNCATE orders"), POS));
        assertEquals(1, scoped.decode(null, tinyint1Row("1", "tinyint(1)"), POS).size(), "rows are decoded whatever the scope");
    }

    @Test
    void aDropOfSeveralTablesCountsAsSyncedWhateverTheOneCanalNames() {
        CanalFlatMessageDecoder scoped = CanalFlatMessageDecoder.builder()
                .syncedTables((db, table) -> table.equals("orders")).build();
        // Canal's DDL parser names one table (here a mangled "_a_del,") for a statement that drops two
        DecodeException e = assertThrows(DecodeException.class, () -> scoped.decode(null,
                ddl("ERASE", "_a_del,", "DROP TABLE _a_del, orders"), POS));
        assertEquals("shop: DROP TABLE of several tables ('DROP TABLE _a_del, orders') cannot be applied to the index (it"
                + " removes every row without a row event); re-sync the table's documents, or leave the table out of"
                + " syncedTables if it is not synced", e.getMessage());
    }

    @Test
    void aRowMessageWithoutRowsButWithItsStatementIsAStatementFormatError() {
        // Canal's parser types statement-format DML as INSERT/UPDATE/DELETE with isDdl false, the text in sql and no data
        String msg = "{\"data\":null,\"database\":\"shop\",\"isDdl\":false,\"sql\":\"DELETE FROM orders WHERE id < 10\","
                + "\"table\":\"orders\",\"type\":\"DELETE\"}";
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(msg), POS));
        assertEquals("shop.orders: a DELETE message without rows, its statement in 'sql' (a statement-format change), cannot be"
                + " applied to the index; the binlog must be in ROW format (binlog_format=ROW): DELETE FROM orders WHERE id < 10",
                e.getMessage());
        CanalFlatMessageDecoder scoped = CanalFlatMessageDecoder.builder().syncedTables((db, t) -> t.equals("audit")).build();
        assertEquals(List.of(), scoped.decode(null, utf8(msg), POS), "of a table that is not synced: skipped");
    }

    @Test
    void aStatementFormatChangeIsADecodeErrorNotASilentDrop() {
        String query = "{\"data\":null,\"database\":\"shop\",\"isDdl\":false,\"sql\":\"UPDATE orders SET status='PAID' WHERE id < 10\","
                + "\"table\":\"orders\",\"type\":\"QUERY\"}";
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(query), POS));
        assertTrue(e.getMessage().startsWith("shop.orders: a statement-format change (QUERY, not DDL) carries no rows and cannot"
                + " be applied to the index; the binlog must be in ROW format (binlog_format=ROW)"), e.getMessage());
        String noRows = "{\"data\":[],\"database\":\"shop\",\"isDdl\":false,\"table\":\"orders\",\"type\":\"UPDATE\"}";
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(noRows), POS)).getMessage()
                .contains("an UPDATE message with no rows"));
        assertEquals(List.of(), decoder.decode(null, ddl("QUERY", "", "DROP DATABASE scratch"), POS), "a DDL QUERY stays DDL");
    }

    @Test
    void alterAndCreateStaySkippedDdl() {
        List<String> seen = new ArrayList<>();
        CanalFlatMessageDecoder d = CanalFlatMessageDecoder.builder().ddlListener((db, t, type, sql, pos) -> seen.add(type)).build();
        assertEquals(List.of(), d.decode(null, bytes("canal/ddl-alter.json"), POS));
        assertEquals(List.of(), d.decode(null, ddl("CREATE", "orders2", "CREATE TABLE orders2 (id INT)"), POS));
        assertEquals(List.of(), d.decode(null, ddl("RENAME", "orders", "RENAME TABLE orders TO _orders_del, _orders_gho TO orders"), POS));
        assertEquals(List.of("ALTER", "CREATE", "RENAME"), seen);
    }

    private static byte[] ddl(String type, String table, String sql) {
        return utf8("{\"data\":null,\"database\":\"shop\",\"es\":1,\"isDdl\":true,\"sql\":\"" + sql + "\",\"table\":\""
                + table + "\",\"type\":\"" + type + "\"}");
    }

    @Test
    void fieldOrderDoesNotMatter() {
        String msg = "{\"type\":\"INSERT\",\"mysqlType\":{\"id\":\"int(11)\",\"ok\":\"tinyint(1)\"},\"table\":\"t\","
                + "\"pkNames\":[\"id\"],\"database\":\"d\",\"extra\":{\"x\":[1,{\"y\":2}]},\"data\":[{\"id\":\"5\",\"ok\":\"0\"}]}";
        ChangeEvent e = decoder.decode(null, utf8(msg), POS).get(0);
        assertEquals(Map.of("id", 5, "ok", 0), e.row());
        assertEquals(0L, e.eventTimeMillis());
    }

    @Test
    void columnsWithoutAnyTypeStayStrings() {
        String msg = "{\"data\":[{\"id\":\"5\",\"v\":\"x\"}],\"database\":\"d\",\"table\":\"t\",\"type\":\"INSERT\"}";
        assertEquals(Map.of("id", "5", "v", "x"), decoder.decode(null, utf8(msg), POS).get(0).row());
    }

    @Test
    void malformedJsonIsADecodeExceptionSayingWhere() {
        DecodeException e = assertThrows(DecodeException.class,
                () -> decoder.decode(null, utf8("{\"data\":[{\"id\":\"1\"}],\"database\":"), POS));
        assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
    }

    @Test
    void aValueThatDoesNotFitItsTypeNamesTableColumnTypeRowAndValue() {
        String msg = "{\"data\":[{\"id\":\"1\",\"amount\":\"1.5\"},{\"id\":\"2\",\"amount\":\"ten\"}],\"database\":\"shop\","
                + "\"mysqlType\":{\"id\":\"int(11)\",\"amount\":\"decimal(10,2)\"},\"table\":\"orders\",\"type\":\"INSERT\"}";
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(msg), POS));
        assertEquals("column shop.orders.amount (decimal(10,2)) in data[1]: value 'ten' does not fit its type", e.getMessage());
    }

    @Test
    void badDatetimeAndBadJsonColumnsAreDecodeExceptions() {
        String dt = "{\"data\":[{\"c\":\"yesterday\"}],\"database\":\"d\",\"mysqlType\":{\"c\":\"datetime\"},\"table\":\"t\",\"type\":\"INSERT\"}";
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(dt), POS)).getMessage()
                .contains("expected yyyy-MM-dd HH:mm:ss"));
        String js = "{\"data\":[{\"c\":\"{nope\"}],\"database\":\"d\",\"mysqlType\":{\"c\":\"json\"},\"table\":\"t\",\"type\":\"INSERT\"}";
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(js), POS)).getMessage()
                .contains("d.t.c (json)"));
    }

    @Test
    void unknownTypeMissingTableMissingDataAndTombstoneAreDecodeExceptions() {
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"data\":[],\"database\":\"d\",\"table\":\"t\",\"type\":\"UPSERT\"}"), POS)).getMessage()
                .contains("unknown type 'UPSERT'"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"data\":[{\"a\":\"1\"}],\"database\":\"d\",\"type\":\"INSERT\"}"), POS)).getMessage()
                .contains("missing 'table'"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"database\":\"d\",\"table\":\"t\",\"type\":\"DELETE\"}"), POS)).getMessage()
                .contains("missing 'data'"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, null, POS)).getMessage()
                .contains("tombstone"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"data\":[{\"a\":\"1\"},{\"a\":\"2\"}],\"old\":[{\"a\":\"0\"}],\"database\":\"d\",\"table\":\"t\",\"type\":\"UPDATE\"}"),
                POS)).getMessage().contains("'old' has 1 rows but 'data' has 2"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8("[1,2]"), POS)).getMessage()
                .contains("must be a JSON object"));
    }

    @Test
    void unsignedBigintThatFitsALongIsALong() {
        String msg = "{\"data\":[{\"id\":\"9223372036854775807\",\"n\":\"9223372036854775808\"}],\"database\":\"d\","
                + "\"mysqlType\":{\"id\":\"bigint unsigned\",\"n\":\"bigint(20) unsigned\"},\"table\":\"t\",\"type\":\"INSERT\"}";
        Map<String, Object> row = decoder.decode(null, msg.getBytes(StandardCharsets.UTF_8), POS).get(0).row();
        assertEquals(Long.MAX_VALUE, row.get("id"));
        assertEquals(new BigInteger("9223372036854775808"), row.get("n"));
    }

    @Test
    void anUnknownMysqlTypeFallsBackToSqlTypeEveryTime() {
        String msg = "{\"data\":[{\"n\":\"12\",\"v\":\"x\"}],\"database\":\"d\",\"mysqlType\":{\"n\":\"vector(3)\","
                + "\"v\":\"vector(3)\"},\"sqlType\":{\"n\":4},\"table\":\"t\",\"type\":\"INSERT\"}";
        for (int i = 0; i < 3; i++) { // the second and third time the miss comes from the type cache
            Map<String, Object> row = decoder.decode(null, utf8(msg), POS).get(0).row();
            assertEquals(12L, row.get("n"));
            assertEquals("x", row.get("v"));
        }
    }

    @Test
    void aChangedSchemaIsTypedByItsOwnTypesNotByTheCachedOnes() {
        String before = "{\"data\":[{\"n\":\"12\",\"m\":\"7\"}],\"database\":\"d\",\"mysqlType\":{\"n\":\"int(11)\","
                + "\"m\":\"int(11)\"},\"sqlType\":{\"n\":4,\"m\":4},\"table\":\"t\",\"type\":\"INSERT\"}";
        // same length, same table: only the bytes of the type objects differ
        String after = "{\"data\":[{\"n\":\"12\",\"m\":\"7\"}],\"database\":\"d\",\"mysqlType\":{\"n\":\"varchar\","
                + "\"m\":\"vector1\"},\"sqlType\":{\"n\":4,\"m\":-5},\"table\":\"t\",\"type\":\"INSERT\"}";
        for (int i = 0; i < 2; i++) {
            Map<String, Object> b = decoder.decode(null, utf8(before), POS).get(0).row();
            assertEquals(12, b.get("n"));
            assertEquals(7, b.get("m"));
            Map<String, Object> a = decoder.decode(null, utf8(after), POS).get(0).row();
            assertEquals("12", a.get("n"));
            assertEquals(7L, a.get("m"), "unknown mysqlType: typed from the changed sqlType");
        }
    }

    @Test
    void aMalformedTypeObjectIsADecodeErrorAlsoWhenAnEqualPrefixWasCached() {
        String good = "{\"data\":[{\"n\":\"12\"}],\"database\":\"d\",\"mysqlType\":{\"n\":\"int(11)\"},"
                + "\"table\":\"t\",\"type\":\"INSERT\"}";
        assertEquals(12, decoder.decode(null, utf8(good), POS).get(0).row().get("n"));
        String bad = "{\"data\":[{\"n\":\"12\"}],\"database\":\"d\",\"mysqlType\":{\"n\":\"int(11)\",},"
                + "\"table\":\"t\",\"type\":\"INSERT\"}";
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(bad), POS));
        assertTrue(e.getMessage().contains("malformed JSON"), e.getMessage());
        String notAString = "{\"data\":[{\"n\":\"12\"}],\"database\":\"d\",\"mysqlType\":[\"int(11)\"],"
                + "\"table\":\"t\",\"type\":\"INSERT\"}";
        e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(notAString), POS));
        assertTrue(e.getMessage().contains("'mysqlType' must be an object"), e.getMessage());
    }

    @Test
    void typeObjectsAreFoundByTheirBytesAlsoAfterAByteOrderMarkOrLeadingWhitespace() {
        String msg = "{\"data\":[{\"n\":\"12\"}],\"database\":\"d\",\"mysqlType\":{\"n\":\"int(11)\"},"
                + "\"sqlType\":{\"n\":4},\"table\":\"t\",\"type\":\"INSERT\"}";
        byte[] plain = utf8(msg);
        byte[] bom = new byte[plain.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(plain, 0, bom, 3, plain.length);
        for (byte[] m : List.of(bom, plain, utf8(" \n\t" + msg), bom)) {
            assertEquals(12, decoder.decode(null, m, POS).get(0).row().get("n"));
        }
    }
}
