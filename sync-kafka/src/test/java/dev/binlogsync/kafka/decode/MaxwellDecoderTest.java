package dev.binlogsync.kafka.decode;

import static dev.binlogsync.kafka.decode.Resources.bytes;
import static dev.binlogsync.kafka.decode.Resources.utf8;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MaxwellDecoderTest {

    static final SourcePosition POS = new SourcePosition("maxwell-2", 9);
    final MaxwellDecoder decoder = MaxwellDecoder.create();

    @Test
    void datetimeTextIsKeptAsMaxwellSentItAndAVarcharOfTheSameTextStaysThatText() {
        String insert = "{\"database\":\"shop\",\"table\":\"orders\",\"type\":\"insert\",\"ts\":1796409908,"
                + "\"data\":{\"id\":1,\"created\":\"2026-12-04 18:45:08.583\",\"note\":\"2026-12-04 18:45:08.583\","
                + "\"day\":\"2026-12-04\",\"at\":\"18:45:08\",\"zero\":\"0000-00-00 00:00:00\"}}";
        Map<String, Object> row = decoder.decode(null, utf8(insert), POS).get(0).row();
        assertEquals("2026-12-04 18:45:08.583", row.get("created"), "a DATETIME(3): Maxwell's text, no column type to say so");
        assertEquals("2026-12-04 18:45:08.583", row.get("note"), "a VARCHAR that looks like a date is never changed");
        assertEquals("2026-12-04", row.get("day"));
        assertEquals("18:45:08", row.get("at"));
        assertEquals("0000-00-00 00:00:00", row.get("zero"), "kept: only a column type could say it is a zero date");
    }

    @Test
    void insertKeepsJsonTypesTurnsSecondsIntoMillisAndTakesPrimaryKeysFromTheKey() {
        ChangeEvent e = decoder.decode(bytes("maxwell/key-insert.json"), bytes("maxwell/insert.json"), POS).get(0);
        assertEquals(Operation.INSERT, e.operation());
        assertEquals("shop", e.database());
        assertEquals("orders", e.table());
        assertEquals(1709296245000L, e.eventTimeMillis());
        assertEquals(List.of("id"), e.primaryKeys());
        assertEquals(1, e.row().get("id"));
        assertEquals(new BigDecimal("12.50"), e.row().get("amount"), "exact, scale kept");
        assertEquals("2024-03-01 12:30:45", e.row().get("created"));
        assertEquals(Map.of("color", "red"), e.row().get("attrs"));
        assertEquals(new BigInteger("18446744073709551615"), e.row().get("big"));
        assertTrue(e.row().containsKey("note"));
        assertNull(e.row().get("note"));
    }

    @Test
    void updateOldHoldsThePreviousValuesOfChangedColumns() {
        ChangeEvent e = decoder.decode(null, bytes("maxwell/update.json"), POS).get(0);
        assertEquals(Operation.UPDATE, e.operation());
        Map<String, Object> expected = new HashMap<>();
        expected.put("amount", new BigDecimal("12.50"));
        expected.put("active", 1);
        expected.put("note", null);
        assertEquals(expected, e.oldValues());
        assertEquals(new BigDecimal("15.00"), e.row().get("amount"));
    }

    @Test
    void deleteCarriesTheDeletedRow() {
        ChangeEvent e = decoder.decode(null, bytes("maxwell/delete.json"), POS).get(0);
        assertEquals(Operation.DELETE, e.operation());
        assertEquals(1, e.row().get("id"));
    }

    @Test
    void bootstrapInsertIsAnInsertAndItsStartAndCompleteMarkersYieldNothing() {
        assertEquals(List.of(), decoder.decode(null, bytes("maxwell/bootstrap-start.json"), POS));
        assertEquals(Operation.INSERT, decoder.decode(null, bytes("maxwell/bootstrap-insert.json"), POS).get(0).operation());
        assertEquals(List.of(), decoder.decode(null, bytes("maxwell/bootstrap-complete.json"), POS));
    }

    @Test
    void ddlYieldsNothingAndIsPassedToTheListener() {
        List<String> seen = new ArrayList<>();
        MaxwellDecoder d = MaxwellDecoder.withDdlListener((db, table, type, sql, pos) -> seen.add(type + " " + db + "." + table + ": " + sql));
        assertEquals(List.of(), d.decode(null, bytes("maxwell/ddl-table-alter.json"), POS));
        assertEquals(List.of("table-alter shop.orders: ALTER TABLE orders ADD note varchar(64)"), seen);
    }

    @Test
    void primaryKeysFromPrimaryKeyColumnsOrTheArrayKeyFormat() {
        String v = "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1,\"data\":{\"a\":1,\"b\":2},"
                + "\"primary_key_columns\":[\"a\",\"b\"]}";
        assertEquals(List.of("a", "b"), decoder.decode(null, utf8(v), POS).get(0).primaryKeys());
        String v2 = "{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\",\"ts\":1,\"data\":{\"a\":1}}";
        assertEquals(List.of("a"), decoder.decode(utf8("[\"d\",\"t\",[{\"a\":1}]]"), utf8(v2), POS).get(0).primaryKeys());
    }

    @Test
    void tinyint1KeepsItsNumberAlsoBeyondZeroAndOne() {
        for (int v : new int[] {0, 1, 2, -128, 255}) {
            String m = "{\"database\":\"shop\",\"table\":\"orders\",\"type\":\"insert\",\"ts\":1,\"data\":{\"id\":1,\"flag\":" + v + "}}";
            assertEquals(v, decoder.decode(null, utf8(m), POS).get(0).row().get("flag"));
        }
    }

    @Test
    void dropOfASyncedTableIsADecodeErrorAndOfAnotherTableSkippedDdl() {
        String drop = "{\"type\":\"table-drop\",\"database\":\"shop\",\"table\":\"%s\",\"sql\":\"DROP TABLE %1$s\",\"ts\":1}";
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(drop, "orders")), POS));
        assertEquals("shop.orders: DROP TABLE cannot be applied to the index (it removes every row without a row event);"
                + " re-sync the table's documents, or leave the table out of syncedTables if it is not synced", e.getMessage());
        List<String> seen = new ArrayList<>();
        MaxwellDecoder scoped = MaxwellDecoder.builder().syncedTables((db, t) -> t.equals("orders"))
                .ddlListener((db, t, type, sql, pos) -> seen.add(type + " " + db + "." + t)).build();
        assertEquals(List.of(), scoped.decode(null, utf8(String.format(drop, "_orders_del")), POS));
        assertEquals(List.of("table-drop shop._orders_del"), seen);
        assertThrows(DecodeException.class, () -> scoped.decode(null, utf8(String.format(drop, "orders")), POS));
    }

    @Test
    void hostileNumbersAreDecodeErrorsNotGigabytes() {
        String m = "{\"database\":\"shop\",\"table\":\"orders\",\"type\":\"update\",\"ts\":1,\"data\":{\"id\":1,\"amount\":%s},"
                + "\"old\":{\"amount\":%s}}";
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(m, "1E+999999999", "1")), POS));
        assertEquals("column shop.orders.amount in 'data': number 1E+999999999: exponent 999999999 is beyond what a MySQL column"
                + " can hold", e.getMessage());
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(m, "1", "-1E+999999999")), POS))
                .getMessage().startsWith("column shop.orders.amount in 'old': number -1E+999999999"));
        assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(m, "9".repeat(100_000), "1")), POS));
        assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(m, "1" + "0".repeat(70) + ".5", "1")), POS));
        assertEquals(new BigDecimal("1.7976931348623157E+308"),
                decoder.decode(null, utf8(String.format(m, "1.7976931348623157E308", "1")), POS).get(0).row().get("amount"));
    }

    @Test
    void unknownTypeMissingDataAndMalformedJsonAreDecodeExceptions() {
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"database\":\"d\",\"table\":\"t\",\"type\":\"replace\",\"data\":{}}"), POS)).getMessage()
                .contains("unknown type 'replace'"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"database\":\"d\",\"table\":\"t\",\"type\":\"insert\"}"), POS)).getMessage()
                .contains("missing 'data'"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8("{"), POS)).getMessage()
                .startsWith("malformed JSON"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"table\":\"t\",\"type\":\"insert\",\"data\":{}}"), POS)).getMessage()
                .contains("missing 'database'"));
    }
}
