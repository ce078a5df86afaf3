package dev.binlogsync.kafka.decode;

import static dev.binlogsync.kafka.decode.Resources.bytes;
import static dev.binlogsync.kafka.decode.Resources.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DebeziumDecoderTest {

    static final SourcePosition POS = new SourcePosition("dbserver1.shop.orders-0", 3);
    final DebeziumDecoder decoder = DebeziumDecoder.create();

    @Test
    void createWithoutSchemaIsAnInsertOfTheAfterImageWithKeyColumnsAsPrimaryKeys() {
        ChangeEvent e = decoder.decode(utf8("{\"id\":1001}"), bytes("debezium/insert-schemaless.json"), POS).get(0);
        assertEquals(Operation.INSERT, e.operation());
        assertEquals("shop", e.database());
        assertEquals("orders", e.table());
        assertEquals(List.of("id"), e.primaryKeys());
        assertEquals(1709296245000L, e.eventTimeMillis(), "source.ts_ms, the binlog time");
        assertEquals(1001, e.row().get("id"));
        assertEquals("12.50", e.row().get("amount"), "without schemas a decimal cannot be recognised");
        assertEquals(true, e.row().get("active"));
        assertEquals(1709296245123L, e.row().get("created"));
        assertEquals(Map.of(), e.oldValues());
        assertEquals(POS, e.position());
    }

    @Test
    void updateWithSchemaDecodesBase64DecimalsWithTheSchemaScaleAndKeepsOnlyChangedOldValues() {
        ChangeEvent e = decoder.decode(bytes("debezium/key-with-schema.json"), bytes("debezium/update-with-schema.json"), POS).get(0);
        assertEquals(Operation.UPDATE, e.operation());
        assertEquals(List.of("id"), e.primaryKeys());
        assertEquals(new BigDecimal("-999999.99"), e.row().get("amount"));
        assertEquals(0, e.row().get("active"));
        assertEquals(Map.of("amount", new BigDecimal("12.50"), "active", 1), e.oldValues());
        assertEquals(1709296300000L, e.eventTimeMillis());
    }

    @Test
    void oldValuesAreTheChangedColumnsAlsoWhenTheImagesListColumnsInAnotherOrder() {
        String message = "{\"before\":{\"id\":1,\"b\":2,\"a\":\"x\",\"gone\":5,\"same\":null,\"n\":{\"k\":1}},"
                + "\"after\":{\"id\":1,\"a\":\"y\",\"b\":2,\"same\":null,\"n\":{\"k\":2},\"new\":7},"
                + "\"source\":{\"db\":\"d\",\"table\":\"t\"},\"op\":\"u\"}";
        ChangeEvent e = decoder.decode(null, utf8(message), POS).get(0);
        java.util.Map<String, Object> expectedOld = new java.util.LinkedHashMap<>();
        expectedOld.put("a", "x");
        expectedOld.put("gone", 5);
        expectedOld.put("n", Map.of("k", 1));
        assertEquals(expectedOld, e.oldValues());
        assertEquals(List.of("a", "gone", "n"), List.copyOf(e.oldValues().keySet()), "in the before image's order");
        java.util.Map<String, Object> expectedRow = new java.util.LinkedHashMap<>();
        expectedRow.put("id", 1);
        expectedRow.put("a", "y");
        expectedRow.put("b", 2);
        expectedRow.put("same", null);
        expectedRow.put("n", Map.of("k", 2));
        expectedRow.put("new", 7);
        assertEquals(expectedRow, e.row());
        assertEquals(List.copyOf(expectedRow.keySet()), List.copyOf(e.row().keySet()), "in the after image's order");
    }

    @Test
    void deleteCarriesTheBeforeImageAndItsTombstoneYieldsNothing() {
        ChangeEvent e = decoder.decode(utf8("{\"id\":1001}"), bytes("debezium/delete-schemaless.json"), POS).get(0);
        assertEquals(Operation.DELETE, e.operation());
        assertEquals(1001, e.row().get("id"));
        assertEquals(List.of(), decoder.decode(utf8("{\"id\":1001}"), null, POS));
        assertEquals(List.of(), decoder.decode(null, utf8("{\"schema\":null,\"payload\":null}"), POS));
    }

    @Test
    void snapshotReadIsAnInsert() {
        ChangeEvent e = decoder.decode(null, bytes("debezium/snapshot-read-schemaless.json"), POS).get(0);
        assertEquals(Operation.INSERT, e.operation());
        assertEquals("bob", e.row().get("customer"));
        assertEquals(List.of(), e.primaryKeys(), "no key, no primary keys");
    }

    @Test
    void variableScaleDecimalIsDecoded() {
        String v = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"field\":\"after\",\"fields\":["
                + "{\"type\":\"struct\",\"name\":\"io.debezium.data.VariableScaleDecimal\",\"field\":\"n\"}]}]},"
                + "\"payload\":{\"before\":null,\"after\":{\"n\":{\"scale\":3,\"value\":\"BNI=\"}},"
                + "\"source\":{\"db\":\"d\",\"table\":\"t\",\"ts_ms\":5},\"op\":\"c\",\"ts_ms\":6}}";
        assertEquals(new BigDecimal("1.234"), decoder.decode(null, utf8(v), POS).get(0).row().get("n"));
    }

    /** A Debezium message with schemas whose {@code flag} column is a MySQL tinyint(1) (column.propagate.source.type). */
    private static byte[] tinyint1Message(String op, String before, String after) {
        String flag = "{\"type\":\"int16\",\"optional\":true,\"parameters\":{\"__debezium.source.column.type\":\"TINYINT\","
                + "\"__debezium.source.column.length\":\"1\"},\"field\":\"flag\"}";
        String struct = "{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"field\":\"id\"}," + flag + "],\"optional\":true,"
                + "\"field\":\"%s\"}";
        return utf8("{\"schema\":{\"type\":\"struct\",\"fields\":[" + String.format(struct, "before") + "," + String.format(struct, "after")
                + "]},\"payload\":{\"before\":" + before + ",\"after\":" + after + ",\"source\":{\"db\":\"shop\",\"table\":\"orders\"},"
                + "\"op\":\"" + op + "\"}}");
    }

    @Test
    void tinyint1KeepsItsNumberByDefaultAlsoBeyondZeroAndOne() {
        for (int v : new int[] {0, 1, 2, -128, 127}) {
            assertEquals(v, decoder.decode(null, tinyint1Message("c", "null", "{\"id\":1,\"flag\":" + v + "}"), POS)
                    .get(0).row().get("flag"));
            assertEquals(v, decoder.decode(null, utf8("{\"before\":null,\"after\":{\"id\":1,\"flag\":" + v + "},"
                    + "\"source\":{\"db\":\"shop\",\"table\":\"orders\"},\"op\":\"c\"}"), POS).get(0).row().get("flag"));
        }
    }

    @Test
    void tinyint1AsBooleanGivesBooleansForZeroAndOneAndADecodeErrorForAnyOtherValue() {
        DebeziumDecoder asBoolean = DebeziumDecoder.builder().tinyint1AsBoolean(true).build();
        ChangeEvent e = asBoolean.decode(null, tinyint1Message("u", "{\"id\":1,\"flag\":0}", "{\"id\":1,\"flag\":1}"), POS).get(0);
        assertEquals(Boolean.TRUE, e.row().get("flag"));
        assertEquals(Map.of("flag", Boolean.FALSE), e.oldValues());
        assertEquals(1, e.row().get("id"), "only the tinyint(1) column changes");
        DecodeException bad = assertThrows(DecodeException.class,
                () -> asBoolean.decode(null, tinyint1Message("c", "null", "{\"id\":1,\"flag\":2}"), POS));
        assertEquals("column shop.orders.flag (tinyint(1)) in 'after': value 2 is not 0 or 1, so it cannot be a boolean"
                + " (tinyint1AsBoolean)", bad.getMessage());
        assertThrows(DecodeException.class,
                () -> asBoolean.decode(null, tinyint1Message("d", "{\"id\":1,\"flag\":-1}", "null"), POS));
        assertThrows(DecodeException.class,
                () -> asBoolean.decode(null, tinyint1Message("c", "null", "{\"id\":1,\"flag\":\"1\"}"), POS));
    }

    @Test
    void truncateOfASyncedTableIsADecodeErrorSayingWhatHappened() {
        String truncate = "{\"before\":null,\"after\":null,\"source\":{\"db\":\"shop\",\"table\":\"%s\"},\"op\":\"t\"}";
        DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(truncate, "orders")), POS));
        assertEquals("shop.orders: TRUNCATE TABLE cannot be applied to the index (it removes every row without a row event);"
                + " re-sync the table's documents, or leave the table out of syncedTables if it is not synced", e.getMessage());
        DebeziumDecoder scoped = DebeziumDecoder.builder().syncedTables((db, t) -> t.equals("orders")).build();
        assertEquals(List.of(), scoped.decode(null, utf8(String.format(truncate, "audit_log")), POS));
        assertThrows(DecodeException.class, () -> scoped.decode(null, utf8(String.format(truncate, "orders")), POS));
    }

    @Test
    void hostileNumbersAreDecodeErrorsNotGigabytes() {
        String decimalScale = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"field\":\"after\",\"fields\":["
                + "{\"type\":\"bytes\",\"name\":\"org.apache.kafka.connect.data.Decimal\",\"parameters\":{\"scale\":\"-999999999\"},"
                + "\"field\":\"n\"}]}]},\"payload\":{\"before\":null,\"after\":{\"n\":\"BNI=\"},"
                + "\"source\":{\"db\":\"d\",\"table\":\"t\"},\"op\":\"c\"}}";
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(decimalScale), POS)).getMessage()
                .startsWith("column d.t.n: scale -999999999 is outside a MySQL DECIMAL's"));
        String variableScale = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"field\":\"after\",\"fields\":["
                + "{\"type\":\"struct\",\"name\":\"io.debezium.data.VariableScaleDecimal\",\"field\":\"n\"}]}]},"
                + "\"payload\":{\"before\":null,\"after\":{\"n\":{\"scale\":999999999,\"value\":\"BNI=\"}},"
                + "\"source\":{\"db\":\"d\",\"table\":\"t\"},\"op\":\"c\"}}";
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(variableScale), POS)).getMessage()
                .startsWith("column d.t.n: scale 999999999 is outside a MySQL DECIMAL's"));
        String manyBytes = variableScale.replace("999999999", "2").replace("BNI=",
                java.util.Base64.getEncoder().encodeToString(new byte[100_000]).replace("A", "f"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(manyBytes), POS)).getMessage()
                .startsWith("column d.t.n: more than 65 digits"));
        String plain = "{\"before\":null,\"after\":{\"id\":1,\"v\":%s},\"source\":{\"db\":\"d\",\"table\":\"t\"},\"op\":\"c\"}";
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(plain, "1E+999999999")), POS))
                .getMessage().startsWith("column d.t.v in 'after': number 1E+999999999: exponent 999999999 is beyond"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(plain, "{\"x\":[1e-999999999]}")),
                POS)).getMessage().startsWith("column d.t.v in 'after': number 1E-999999999: exponent -999999999"));
        assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(plain, "9".repeat(100_000))), POS));
        assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(plain, "18446744073709551616")), POS));
        assertEquals(new java.math.BigInteger("18446744073709551615"),
                decoder.decode(null, utf8(String.format(plain, "18446744073709551615")), POS).get(0).row().get("v"));
    }

    @Test
    void truncateUnknownOpMissingSourceAndMalformedJsonAreDecodeExceptions() {
        String base = "{\"before\":null,\"after\":{\"id\":1},\"source\":{\"db\":\"d\",\"table\":\"t\"},\"op\":\"%s\"}";
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(base, "t")), POS))
                .getMessage().startsWith("d.t: TRUNCATE TABLE cannot be applied"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8(String.format(base, "x")), POS))
                .getMessage().contains("unknown op 'x'"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"after\":{\"id\":1},\"op\":\"c\"}"), POS)).getMessage().contains("missing 'source'"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null, utf8("{\"op\":"), POS))
                .getMessage().startsWith("malformed JSON"));
        assertTrue(assertThrows(DecodeException.class, () -> decoder.decode(null,
                utf8("{\"before\":null,\"after\":null,\"source\":{\"db\":\"d\",\"table\":\"t\"},\"op\":\"c\"}"), POS))
                .getMessage().contains("missing 'after'"));
    }
}
