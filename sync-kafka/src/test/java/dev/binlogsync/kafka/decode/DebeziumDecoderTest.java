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
import java.time.ZoneId;
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

    /** A Debezium message with schemas whose only column {@code c} has the field schema {@code type} (without "field"). */
    static byte[] withSchema(String type, String value) {
        String struct = "{\"type\":\"struct\",\"fields\":[" + type.replaceFirst("\\}$", ",\"field\":\"c\"}") + "],\"optional\":true,"
                + "\"field\":\"%s\"}";
        return utf8("{\"schema\":{\"type\":\"struct\",\"fields\":[" + String.format(struct, "before") + "," + String.format(struct, "after")
                + "]},\"payload\":{\"before\":null,\"after\":{\"c\":" + value + "},\"source\":{\"db\":\"shop\",\"table\":\"orders\"},"
                + "\"op\":\"c\"}}");
    }

    /** A field schema of the logical type {@code name} over {@code type}, with propagated source type parameters if {@code sourceType} is set. */
    static String logical(String type, String name, String sourceType, String length) {
        String parameters = sourceType == null ? "" : ",\"parameters\":{\"__debezium.source.column.type\":\"" + sourceType + "\""
                + (length == null ? "" : ",\"__debezium.source.column.length\":\"" + length + "\"") + "}";
        return "{\"type\":\"" + type + "\",\"optional\":true,\"name\":\"" + name + "\",\"version\":1" + parameters + "}";
    }

    static Object value(DebeziumDecoder d, String fieldSchema, String value) {
        return d.decode(null, withSchema(fieldSchema, value), POS).get(0).row().get("c");
    }

    Object value(String fieldSchema, String value) {
        return value(decoder, fieldSchema, value);
    }

    @Test
    void dateDaysSinceTheEpochBecomeYyyyMmDd() {
        for (String name : new String[] {"io.debezium.time.Date", "org.apache.kafka.connect.data.Date"}) {
            assertEquals("2026-12-04", value(logical("int32", name, null, null), "20791"));
            assertEquals("1969-12-31", value(logical("int32", name, null, null), "-1"));
            assertEquals("1000-01-01", value(logical("int32", name, "DATE", null), "-354285"));
            assertEquals(null, value(logical("int32", name, null, null), "null"));
        }
    }

    @Test
    void timeTypesBecomeMysqlTimeTextWithTheDeclaredFractionDigits() {
        String micro = "io.debezium.time.MicroTime";
        assertEquals("18:45:04.264000", value(logical("int64", micro, null, null), "67504264000"), "µs: six digits");
        assertEquals("18:45:04", value(logical("int64", micro, null, null), "67504000000"), "a whole second: none");
        assertEquals("18:45:04.264", value(logical("int64", micro, "TIME", "3"), "67504264000"), "TIME(3)");
        assertEquals("18:45:04.000", value(logical("int64", micro, "TIME", "3"), "67504000000"), "TIME(3) of a whole second");
        assertEquals("18:45:04", value(logical("int64", micro, "TIME", null), "67504000000"), "TIME: no length, no digits");
        assertEquals("-838:59:59", value(logical("int64", micro, "TIME", null), "-3020399000000"));
        assertEquals("100:00:00.5", value(logical("int64", micro, "TIME", "1"), "360000500000"));
        assertEquals("-00:00:01.250000", value(logical("int64", micro, null, null), "-1250000"));
        for (String ms : new String[] {"io.debezium.time.Time", "org.apache.kafka.connect.data.Time"}) {
            assertEquals("18:45:04.264", value(logical("int32", ms, null, null), "67504264"));
            assertEquals("18:45:04.26", value(logical("int32", ms, "TIME", "2"), "67504260"));
            assertEquals("00:00:00", value(logical("int32", ms, null, null), "0"));
        }
        assertEquals("18:45:04.264000001", value(logical("int64", "io.debezium.time.NanoTime", null, null), "67504264000001"));
        assertEquals("18:45:04.264000", value(logical("int64", "io.debezium.time.NanoTime", "TIME", "6"), "67504264000000"));
    }

    @Test
    void timestampTypesAreDatetimeTextWithTheDeclaredFractionDigits() {
        for (String ms : new String[] {"io.debezium.time.Timestamp", "org.apache.kafka.connect.data.Timestamp"}) {
            assertEquals("2026-12-04T18:45:04.264", value(logical("int64", ms, null, null), "1796409904264"));
            assertEquals("2026-12-04T18:45:04", value(logical("int64", ms, null, null), "1796409904000"), "a whole second: none");
            assertEquals("2026-12-04T18:45:04.000", value(logical("int64", ms, "DATETIME", "3"), "1796409904000"), "DATETIME(3)");
            assertEquals("2026-12-04T18:45:04.26", value(logical("int64", ms, "DATETIME", "2"), "1796409904260"), "DATETIME(2)");
            assertEquals("2026-12-04T18:45:04.260", value(logical("int64", ms, null, null), "1796409904260"), "unknown: three");
            assertEquals("2026-12-04T18:45:04", value(logical("int64", ms, "DATETIME", null), "1796409904000"), "DATETIME");
            assertEquals("1969-12-31T23:59:59.999", value(logical("int64", ms, null, null), "-1"));
        }
        String micro = "io.debezium.time.MicroTimestamp";
        assertEquals("2026-12-04T18:45:04.264100", value(logical("int64", micro, null, null), "1796409904264100"));
        assertEquals("2026-12-04T18:45:04.2641", value(logical("int64", micro, "DATETIME", "4"), "1796409904264100"));
        assertEquals("2026-12-04T18:45:04.000000", value(logical("int64", micro, "DATETIME", "6"), "1796409904000000"));
        assertEquals("2026-12-04T18:45:04", value(logical("int64", micro, null, null), "1796409904000000"));
        assertEquals("2026-12-04T18:45:04.264100001",
                value(logical("int64", "io.debezium.time.NanoTimestamp", null, null), "1796409904264100001"));
        assertEquals("2026-12-04T18:45:04.2641",
                value(logical("int64", "io.debezium.time.NanoTimestamp", "DATETIME", "4"), "1796409904264100000"));
    }

    @Test
    void aDeclaredPrecisionNeverDropsDigitsTheValueHas() {
        assertEquals("2026-12-04T18:45:04.264", value(logical("int64", "io.debezium.time.Timestamp", "DATETIME", "1"), "1796409904264"));
        assertEquals("2026-12-04T18:45:04.264",
                value(logical("int64", "io.debezium.time.Timestamp", "DATETIME", "19"), "1796409904264"), "not a precision: ignored");
    }

    @Test
    void datetimeStylesAndZoneApplyAsForCanal() {
        String schema = logical("int64", "io.debezium.time.Timestamp", "DATETIME", "3");
        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        assertEquals("2026-12-04 18:45:04.264",
                value(DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.RAW).build(), schema, "1796409904264"));
        assertEquals("2026-12-04T18:45:04.264+08:00", value(DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_OFFSET)
                .zone(shanghai).build(), schema, "1796409904264"));
        assertEquals("2026-12-04T10:45:04.264Z", value(DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_UTC)
                .zone(shanghai).build(), schema, "1796409904264"));
        assertEquals("2026-12-04T18:45:04.264", value(DebeziumDecoder.builder().zone(shanghai).build(), schema, "1796409904264"),
                "ISO_LOCAL: a DATETIME is the same text in any zone");
    }

    @Test
    void zonedTimestampIsTheLocalTimeInTheZoneOrTheInstantAndTheEpochIsTheZeroTimestamp() {
        String zoned = logical("string", "io.debezium.time.ZonedTimestamp", null, null);
        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        assertEquals("2026-12-04T10:45:04.264", value(zoned, "\"2026-12-04T10:45:04.264Z\""), "UTC by default");
        assertEquals("2026-12-04T18:45:04.264", value(DebeziumDecoder.builder().zone(shanghai).build(), zoned,
                "\"2026-12-04T10:45:04.264Z\""), "the Canal server's local time");
        assertEquals("2026-12-04 18:45:04", value(DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.RAW).zone(shanghai).build(),
                zoned, "\"2026-12-04T10:45:04Z\""));
        assertEquals("2026-12-04T18:45:04.264+08:00", value(DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_OFFSET)
                .zone(shanghai).build(), zoned, "\"2026-12-04T10:45:04.264Z\""));
        assertEquals("2026-12-04T10:45:04.264Z", value(DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_UTC)
                .zone(shanghai).build(), zoned, "\"2026-12-04T10:45:04.264Z\""));
        assertEquals("2026-12-04T10:45:04.26", value(zoned, "\"2026-12-04T10:45:04.26Z\""), "the string's own digits");
        assertEquals("2026-12-04T10:45:04.260000",
                value(logical("string", "io.debezium.time.ZonedTimestamp", "TIMESTAMP", "6"), "\"2026-12-04T10:45:04.26Z\""));
        assertEquals(null, value(zoned, "\"1970-01-01T00:00:00Z\""), "the zero timestamp, as Canal gives it");
        // the instant decides, also in the hour a DST change repeats
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        DebeziumDecoder offset = DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_OFFSET).zone(berlin).build();
        assertEquals("2026-10-25T02:30:00+02:00", value(offset, zoned, "\"2026-10-25T00:30:00Z\""));
        assertEquals("2026-10-25T02:30:00+01:00", value(offset, zoned, "\"2026-10-25T01:30:00Z\""));
    }

    @Test
    void yearIsItsNumberAndZeroIsNull() {
        assertEquals(2026, value(logical("int32", "io.debezium.time.Year", null, null), "2026"));
        assertEquals(null, value(logical("int32", "io.debezium.time.Year", "YEAR", null), "0"));
    }

    @Test
    void beforeImagesAreConvertedLikeAfterImages() {
        String schema = logical("int64", "io.debezium.time.Timestamp", "DATETIME", "3");
        String struct = "{\"type\":\"struct\",\"fields\":[" + schema.replaceFirst("\\}$", ",\"field\":\"c\"}") + "],\"field\":\"%s\"}";
        byte[] update = utf8("{\"schema\":{\"type\":\"struct\",\"fields\":[" + String.format(struct, "before") + ","
                + String.format(struct, "after") + "]},\"payload\":{\"before\":{\"c\":1796409904000},\"after\":{\"c\":1796409904264},"
                + "\"source\":{\"db\":\"shop\",\"table\":\"orders\"},\"op\":\"u\"}}");
        ChangeEvent e = decoder.decode(null, update, POS).get(0);
        assertEquals("2026-12-04T18:45:04.264", e.row().get("c"));
        assertEquals(Map.of("c", "2026-12-04T18:45:04.000"), e.oldValues());
    }

    @Test
    void temporalValuesThatDoNotFitTheirTypeAreDecodeErrorsNamingTheColumn() {
        DecodeException text = assertThrows(DecodeException.class,
                () -> value(logical("int64", "io.debezium.time.Timestamp", null, null), "\"yesterday\""));
        assertEquals("column shop.orders.c (io.debezium.time.Timestamp) in 'after': value \"yesterday\" does not fit its type:"
                + " not an integer of the logical type's range", text.getMessage());
        assertThrows(DecodeException.class, () -> value(logical("int64", "io.debezium.time.Timestamp", null, null), "1.5"));
        assertTrue(assertThrows(DecodeException.class, () -> value(logical("int64", "io.debezium.time.Timestamp", null, null),
                "9223372036854775807")).getMessage().contains("does not fit its type"));
        assertTrue(assertThrows(DecodeException.class, () -> value(logical("int32", "io.debezium.time.Date", null, null),
                "2932897")).getMessage().endsWith("beyond MySQL's years (0 to 9999)"));
        assertTrue(assertThrows(DecodeException.class, () -> value(logical("int64", "io.debezium.time.MicroTime", null, null),
                "3020399000001")).getMessage().endsWith("beyond a MySQL TIME (at most 838:59:59 either side of zero)"));
        assertThrows(DecodeException.class, () -> value(logical("int64", "io.debezium.time.MicroTime", null, null),
                "-9223372036854775808"));
        assertThrows(DecodeException.class, () -> value(logical("string", "io.debezium.time.ZonedTimestamp", null, null),
                "\"2026-12-04 10:45:04\""));
        assertThrows(DecodeException.class, () -> value(logical("string", "io.debezium.time.ZonedTimestamp", null, null), "12"));
        assertThrows(DecodeException.class, () -> value(logical("int32", "io.debezium.time.Year", null, null), "\"2026\""));
    }

    @Test
    void withoutSchemasTemporalColumnsAndDecimalStringsKeepDebeziumsEncoding() {
        String message = "{\"before\":null,\"after\":{\"day\":20791,\"at\":1796409904264,\"micros\":1796409904264100,"
                + "\"ts\":\"2026-12-04T10:45:04.264Z\",\"amount\":\"12.50\",\"label\":\"2026-12-04 18:45:04.264\"},"
                + "\"source\":{\"db\":\"shop\",\"table\":\"orders\"},\"op\":\"c\"}";
        Map<String, Object> row = decoder.decode(null, utf8(message), POS).get(0).row();
        assertEquals(20791, row.get("day"));
        assertEquals(1796409904264L, row.get("at"));
        assertEquals(1796409904264100L, row.get("micros"));
        assertEquals("2026-12-04T10:45:04.264Z", row.get("ts"));
        assertEquals("12.50", row.get("amount"));
        assertEquals("2026-12-04 18:45:04.264", row.get("label"), "a string is never read as a date by its shape");
    }

    @Test
    void aSchemaColumnWithoutALogicalTypeKeepsItsValueWhateverItLooksLike() {
        assertEquals("2026-12-04 18:45:04.264", value("{\"type\":\"string\",\"optional\":true}", "\"2026-12-04 18:45:04.264\""));
        assertEquals(1796409904264L, value("{\"type\":\"int64\",\"optional\":true}", "1796409904264"));
    }

    /**
     * One row of every temporal type, as MySQL holds it, sent by Canal and by Debezium with schemas
     * ({@code time.precision.mode=adaptive_time_microseconds}, the MySQL connector's default, and
     * {@code column.propagate.source.type}), decodes to equal rows in every style and zone.
     */
    @Test
    void theSameMysqlRowFromCanalAndFromDebeziumWithSchemasDecodesToEqualValues() {
        // MySQL: d DATE '2026-12-04', t TIME(3) '-18:45:04.260', dt DATETIME '2026-12-04 18:45:04',
        // dt3 DATETIME(3) '2026-12-04 18:45:04.000', dt6 DATETIME(6) '2026-12-04 18:45:04.264100',
        // ts3 TIMESTAMP(3) 2026-12-04T10:45:04.260Z, y YEAR 2026, y0 YEAR 0000, zero TIMESTAMP 0
        for (String zoneName : new String[] {"UTC", "Asia/Shanghai", "America/Sao_Paulo"}) {
            ZoneId zone = ZoneId.of(zoneName);
            String ts3Local = java.time.LocalDateTime.ofInstant(java.time.Instant.parse("2026-12-04T10:45:04.260Z"), zone)
                    .toString().replace('T', ' ');
            String canal = "{\"data\":[{\"d\":\"2026-12-04\",\"t\":\"-18:45:04.260\",\"dt\":\"2026-12-04 18:45:04\","
                    + "\"dt3\":\"2026-12-04 18:45:04.000\",\"dt6\":\"2026-12-04 18:45:04.264100\",\"ts3\":\"" + ts3Local + "\","
                    + "\"y\":\"2026\",\"y0\":\"0000\",\"zero\":\"0000-00-00 00:00:00\"}],\"database\":\"shop\",\"isDdl\":false,"
                    + "\"mysqlType\":{\"d\":\"date\",\"t\":\"time(3)\",\"dt\":\"datetime\",\"dt3\":\"datetime(3)\","
                    + "\"dt6\":\"datetime(6)\",\"ts3\":\"timestamp(3)\",\"y\":\"year(4)\",\"y0\":\"year(4)\",\"zero\":\"timestamp\"},"
                    + "\"table\":\"orders\",\"type\":\"INSERT\"}";
            String fields = "[" + logical("int32", "io.debezium.time.Date", "DATE", null).replaceFirst("\\}$", ",\"field\":\"d\"}")
                    + "," + logical("int64", "io.debezium.time.MicroTime", "TIME", "3").replaceFirst("\\}$", ",\"field\":\"t\"}")
                    + "," + logical("int64", "io.debezium.time.Timestamp", "DATETIME", null).replaceFirst("\\}$", ",\"field\":\"dt\"}")
                    + "," + logical("int64", "io.debezium.time.Timestamp", "DATETIME", "3").replaceFirst("\\}$", ",\"field\":\"dt3\"}")
                    + "," + logical("int64", "io.debezium.time.MicroTimestamp", "DATETIME", "6")
                            .replaceFirst("\\}$", ",\"field\":\"dt6\"}")
                    + "," + logical("string", "io.debezium.time.ZonedTimestamp", "TIMESTAMP", "3")
                            .replaceFirst("\\}$", ",\"field\":\"ts3\"}")
                    + "," + logical("int32", "io.debezium.time.Year", "YEAR", null).replaceFirst("\\}$", ",\"field\":\"y\"}")
                    + "," + logical("int32", "io.debezium.time.Year", "YEAR", null).replaceFirst("\\}$", ",\"field\":\"y0\"}")
                    + "," + logical("string", "io.debezium.time.ZonedTimestamp", "TIMESTAMP", null)
                            .replaceFirst("\\}$", ",\"field\":\"zero\"}") + "]";
            String debezium = "{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"struct\",\"fields\":" + fields
                    + ",\"optional\":true,\"field\":\"after\"}]},\"payload\":{\"before\":null,\"after\":{\"d\":20791,"
                    + "\"t\":-67504260000,\"dt\":1796409904000,\"dt3\":1796409904000,\"dt6\":1796409904264100,"
                    + "\"ts3\":\"2026-12-04T10:45:04.260Z\",\"y\":2026,\"y0\":0,\"zero\":\"1970-01-01T00:00:00Z\"},"
                    + "\"source\":{\"db\":\"shop\",\"table\":\"orders\"},\"op\":\"c\"}}";
            for (DateTimeStyle style : DateTimeStyle.values()) {
                Map<String, Object> fromCanal = CanalFlatMessageDecoder.builder().dateTimeStyle(style).zone(zone).build()
                        .decode(null, utf8(canal), POS).get(0).row();
                Map<String, Object> fromDebezium = DebeziumDecoder.builder().dateTimeStyle(style).zone(zone).build()
                        .decode(null, utf8(debezium), POS).get(0).row();
                assertEquals(fromCanal, fromDebezium, style + " in " + zone);
                assertEquals(new java.util.HashMap<>(fromCanal), new java.util.HashMap<>(fromDebezium), style + " in " + zone);
            }
        }
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
