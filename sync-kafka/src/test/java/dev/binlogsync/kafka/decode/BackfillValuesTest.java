package dev.binlogsync.kafka.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.backfill.BackfillColumn;
import dev.binlogsync.core.backfill.BackfillValues;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The decoders' backfill values, per MySQL type and decoder option: the SQL each column is selected
 * with, and the value read from what the server returns for that SQL. The expectations are the
 * values each decoder's javadoc gives for the same MySQL value in a message, written out here.
 */
class BackfillValuesTest {

    static final BackfillValues CANAL = CanalFlatMessageDecoder.create().backfillValues();
    static final BackfillValues DEBEZIUM = DebeziumDecoder.create().backfillValues();
    static final BackfillValues MAXWELL = MaxwellDecoder.create().backfillValues();

    static BackfillColumn col(String dataType, String columnType) {
        return new BackfillColumn("shop", "t", "c", dataType, columnType, true);
    }

    /** A one-column result whose current row holds {@code value} (a String, a byte[] or null). */
    static ResultSet row(@Nullable Object value) {
        return (ResultSet) Proxy.newProxyInstance(BackfillValuesTest.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "getString":
                            return value == null ? null : value instanceof byte[] b ? new String(b) : value;
                        case "getBytes":
                            return value == null ? null : value instanceof byte[] b ? b : ((String) value).getBytes();
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    @Nullable
    static Object read(BackfillValues values, String dataType, String columnType, @Nullable Object server)
            throws SQLException {
        return values.read(row(server), 1, col(dataType, columnType));
    }

    @Test
    void selectsEachTypeInAFormThatLosesNothing() {
        assertEquals("`c`", CANAL.select(col("int", "int(11)")));
        assertEquals("CAST(`c` AS SIGNED)", CANAL.select(col("tinyint", "tinyint(1)")));
        assertEquals("CAST(`c` AS UNSIGNED)", CANAL.select(col("bit", "bit(1)")));
        assertEquals("CAST(`c` AS UNSIGNED)", CANAL.select(col("bit", "bit(12)")));
        assertEquals("CAST(`c` AS UNSIGNED)", CANAL.select(col("year", "year(4)")));
        assertEquals("(`c` + 0E0)", CANAL.select(col("float", "float")));
        assertEquals("`c`", CANAL.select(col("double", "double")));
        assertEquals("CAST(`c` AS CHAR)", CANAL.select(col("date", "date")));
        assertEquals("CAST(`c` AS CHAR)", CANAL.select(col("datetime", "datetime(3)")));
        assertEquals("CAST(`c` AS CHAR)", CANAL.select(col("time", "time(1)")));
        assertEquals("UNIX_TIMESTAMP(`c`)", CANAL.select(col("timestamp", "timestamp(6)")));
        assertEquals("`c`", CANAL.select(col("json", "json")));
        assertEquals("`c`", MAXWELL.select(col("varbinary", "varbinary(8)")));
        assertEquals("CAST(`a``b` AS CHAR)", DEBEZIUM.select(new BackfillColumn("d", "t", "a`b", "date", "date", true)));
    }

    @Test
    void nullStaysNullForEveryTypeAndDecoder() throws SQLException {
        for (BackfillValues v : List.of(CANAL, DEBEZIUM, MAXWELL)) {
            for (String[] type : new String[][] {{"int", "int(11)"}, {"tinyint", "tinyint(1)"}, {"timestamp", "timestamp"},
                    {"blob", "blob"}, {"json", "json"}, {"set", "set('a','b')"}, {"bit", "bit(1)"}}) {
                assertNull(read(v, type[0], type[1], null), v + " " + type[1]);
            }
        }
    }

    @Test
    void canalTypesIntegersByTheirColumnAndKeepsUnsignedBigintExact() throws SQLException {
        assertEquals(5, read(CANAL, "int", "int(11)", "5"));
        assertEquals(4294967295L, read(CANAL, "int", "int(10) unsigned", "4294967295"));
        assertEquals(-9223372036854775808L, read(CANAL, "bigint", "bigint(20)", "-9223372036854775808"));
        assertEquals(7L, read(CANAL, "bigint", "bigint(20) unsigned", "7"));
        assertEquals(new BigInteger("18446744073709551615"), read(CANAL, "bigint", "bigint(20) unsigned", "18446744073709551615"));
        assertEquals(new BigDecimal("12.50"), read(CANAL, "decimal", "decimal(10,2)", "12.50"));
        assertEquals(2, ((BigDecimal) read(CANAL, "decimal", "decimal(10,2)", "12.50")).scale());
    }

    @Test
    void canalKeepsTinyint1AsItsNumberUnlessAskedForBooleans() throws SQLException {
        assertEquals(5, read(CANAL, "tinyint", "tinyint(1)", "5"));
        assertEquals(200, read(CANAL, "tinyint", "tinyint(1) unsigned", "200"));
        BackfillValues booleans = CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).build().backfillValues();
        assertEquals(Boolean.TRUE, read(booleans, "tinyint", "tinyint(1)", "1"));
        assertEquals(Boolean.FALSE, read(booleans, "tinyint", "tinyint(1)", "0"));
        assertThrows(DecodeException.class, () -> read(booleans, "tinyint", "tinyint(1)", "5"));
    }

    @Test
    void canalFloatIsTheFloatTheColumnHoldsAndDoubleTheDouble() throws SQLException {
        // FLOAT 3.1415927 selected as a double: its exact double expansion
        assertEquals(3.1415927f, read(CANAL, "float", "float", "3.1415927410125732"));
        assertEquals(3.1415927f, read(CANAL, "float", "float", "3.14159274101257"));
        assertEquals(0.30000000000000004, read(CANAL, "double", "double", "0.30000000000000004"));
        assertEquals(-1.0E300, read(CANAL, "double", "double", "-1e300"));
    }

    @Test
    void canalBitOneIsABooleanAndWiderBitsTheirNumber() throws SQLException {
        assertEquals(Boolean.TRUE, read(CANAL, "bit", "bit(1)", "1"));
        assertEquals(Boolean.FALSE, read(CANAL, "bit", "bit(1)", "0"));
        assertEquals(4095L, read(CANAL, "bit", "bit(12)", "4095"));
        assertEquals(-1L, read(CANAL, "bit", "bit(64)", "18446744073709551615"));
    }

    @Test
    void canalYearIsAnIntegerAndZeroYearNull() throws SQLException {
        assertEquals(2024, read(CANAL, "year", "year(4)", "2024"));
        assertNull(read(CANAL, "year", "year(4)", "0"));
    }

    @Test
    void canalDatesAndDateTimesFollowTheStyleAndZeroDatesAreNull() throws SQLException {
        assertEquals("2024-03-01", read(CANAL, "date", "date", "2024-03-01"));
        assertNull(read(CANAL, "date", "date", "0000-00-00"));
        assertNull(read(CANAL, "date", "date", "2024-00-15"));
        assertEquals("2024-03-01T12:30:45.120", read(CANAL, "datetime", "datetime(3)", "2024-03-01 12:30:45.120"));
        assertEquals("2024-03-01T12:30:45", read(CANAL, "datetime", "datetime", "2024-03-01 12:30:45"));
        assertNull(read(CANAL, "datetime", "datetime(2)", "0000-00-00 00:00:00.00"));
        BackfillValues raw = CanalFlatMessageDecoder.builder().dateTimeStyle(DateTimeStyle.RAW).build().backfillValues();
        assertEquals("2024-03-01 12:30:45.120", read(raw, "datetime", "datetime(3)", "2024-03-01 12:30:45.120"));
        BackfillValues utc = CanalFlatMessageDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_UTC)
                .zone(ZoneId.of("Asia/Shanghai")).build().backfillValues();
        assertEquals("2024-03-01T04:30:45.120Z", read(utc, "datetime", "datetime(3)", "2024-03-01 12:30:45.120"));
    }

    @Test
    void canalTimestampIsTheInstantRenderedInTheDecodersZone() throws SQLException {
        // UNIX_TIMESTAMP of 2024-03-01 12:30:45.123456 UTC
        assertEquals("2024-03-01T12:30:45.123456", read(CANAL, "timestamp", "timestamp(6)", "1709296245.123456"));
        assertEquals("2024-03-01T12:30:45.100", read(CANAL, "timestamp", "timestamp(3)", "1709296245.100"));
        assertEquals("2024-03-01T12:30:45", read(CANAL, "timestamp", "timestamp", "1709296245"));
        assertNull(read(CANAL, "timestamp", "timestamp(3)", "0.000"));
        BackfillValues shanghai = CanalFlatMessageDecoder.builder().zone(ZoneId.of("Asia/Shanghai")).build().backfillValues();
        assertEquals("2024-03-01T20:30:45", read(shanghai, "timestamp", "timestamp", "1709296245"));
        BackfillValues offset = CanalFlatMessageDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_OFFSET)
                .zone(ZoneId.of("Asia/Shanghai")).build().backfillValues();
        assertEquals("2024-03-01T20:30:45+08:00", read(offset, "timestamp", "timestamp", "1709296245"));
    }

    @Test
    void canalTimeIsMySqlsTextNegativeAndFractionalIncluded() throws SQLException {
        assertEquals("-838:59:59", read(CANAL, "time", "time", "-838:59:59"));
        assertEquals("12:30:45.5", read(CANAL, "time", "time(1)", "12:30:45.5"));
    }

    @Test
    void canalJsonIsParsedSetIsAListAndBinaryIsBase64() throws SQLException {
        assertEquals(Map.of("a", List.of(1, new BigDecimal("2.5")), "b", "ü"), read(CANAL, "json", "json", "{\"a\": [1, 2.5], \"b\": \"ü\"}"));
        assertEquals("", read(CANAL, "varchar", "varchar(10)", ""));
        assertEquals("", read(CANAL, "varchar", "varchar(10)", ""));
        assertEquals("😀 ü", read(CANAL, "text", "text", "😀 ü"));
        assertEquals("AP8=", read(CANAL, "varbinary", "varbinary(8)", new byte[] {0, (byte) 0xff}));
        assertEquals("", read(CANAL, "blob", "blob", new byte[0]));
    }

    @Test
    void canalSelectsAnEnumsIndexAndASetsBitmapAsCanalSendsThemAndNamesTheirMembersAsTheDecoderDoes() throws SQLException {
        // Canal passes on the binlog's numbers: ENUM('a','b') 'b' is "2", SET('a','b') 'a,b' is "3"
        assertEquals("(`c` + 0)", CANAL.select(col("enum", "enum('a','b')")));
        assertEquals("(`c` + 0)", CANAL.select(col("set", "set('a','b')")));
        assertEquals("b", read(CANAL, "enum", "enum('a','b')", "2"));
        assertEquals(List.of("a", "b"), read(CANAL, "set", "set('a','b')", "3"));
        assertEquals("`c`", MAXWELL.select(col("enum", "enum('a','b')")));
        assertEquals("`c`", DEBEZIUM.select(col("set", "set('a','b')")));
        assertEquals("b", read(MAXWELL, "enum", "enum('a','b')", "b"));
        assertEquals(List.of(), read(MAXWELL, "set", "set('a','b')", ""));
    }

    @Test
    void debeziumGivesJsonNumbersAndWrapsUnsignedBigintAsTheConnectorDoes() throws SQLException {
        assertEquals(5, read(DEBEZIUM, "int", "int(11)", "5"));
        assertEquals(4294967295L, read(DEBEZIUM, "int", "int(10) unsigned", "4294967295"));
        assertEquals(5, read(DEBEZIUM, "tinyint", "tinyint(1)", "5"));
        // the wrapped long -1 is written as the JSON number -1, which reads back as an Integer
        assertEquals(-1, read(DEBEZIUM, "bigint", "bigint(20) unsigned", "18446744073709551615"));
        assertEquals(-9223372036854775808L, read(DEBEZIUM, "bigint", "bigint(20) unsigned", "9223372036854775808"));
        assertEquals(new BigDecimal("12.50"), read(DEBEZIUM, "decimal", "decimal(10,2)", "12.50"));
        assertEquals(new BigDecimal("1.100000023841858"), read(DEBEZIUM, "float", "float", "1.100000023841858"));
        assertEquals(new BigDecimal("0.1"), read(DEBEZIUM, "double", "double", "0.1"));
        assertEquals(new BigDecimal("2.0"), read(DEBEZIUM, "double", "double", "2"));
        BackfillValues booleans = DebeziumDecoder.builder().tinyint1AsBoolean(true).build().backfillValues();
        assertEquals(Boolean.TRUE, read(booleans, "tinyint", "tinyint(1)", "1"));
        assertThrows(DecodeException.class, () -> read(booleans, "tinyint", "tinyint(1)", "2"));
    }

    @Test
    void debeziumBitOneIsABooleanAndWiderBitsLittleEndianBase64() throws SQLException {
        assertEquals(Boolean.TRUE, read(DEBEZIUM, "bit", "bit(1)", "1"));
        assertEquals("/w8=", read(DEBEZIUM, "bit", "bit(12)", "4095"));
        // the connector pads a BIT(n)'s little-endian bytes to (n + 7) / 8 (io.debezium.data.Bits)
        assertEquals("AQA=", read(DEBEZIUM, "bit", "bit(12)", "1"));
        assertEquals("AAA=", read(DEBEZIUM, "bit", "bit(12)", "0"));
        assertEquals("AQAAAAAAAAA=", read(DEBEZIUM, "bit", "bit(64)", "1"));
        assertEquals("AAE=", read(DEBEZIUM, "bit", "bit(9)", "256"));
    }

    @Test
    void debeziumTemporalValuesAreCanalsAndSetAndJsonStayText() throws SQLException {
        assertEquals("2024-03-01", read(DEBEZIUM, "date", "date", "2024-03-01"));
        assertNull(read(DEBEZIUM, "date", "date", "0000-00-00"));
        assertEquals("2024-03-01T12:30:45.000", read(DEBEZIUM, "datetime", "datetime(3)", "2024-03-01 12:30:45.000"));
        assertNull(read(DEBEZIUM, "datetime", "datetime", "0000-00-00 00:00:00"));
        assertEquals("2024-03-01T12:30:45.123456", read(DEBEZIUM, "timestamp", "timestamp(6)", "1709296245.123456"));
        assertNull(read(DEBEZIUM, "timestamp", "timestamp", "0"));
        BackfillValues offset = DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_OFFSET)
                .zone(ZoneId.of("Asia/Shanghai")).build().backfillValues();
        assertEquals("2024-03-01T20:30:45.5+08:00", read(offset, "timestamp", "timestamp(1)", "1709296245.5"));
        assertEquals("-838:59:59", read(DEBEZIUM, "time", "time", "-838:59:59"));
        assertNull(read(DEBEZIUM, "year", "year(4)", "0"));
        assertEquals(1999, read(DEBEZIUM, "year", "year(4)", "1999"));
        assertEquals("a,b", read(DEBEZIUM, "set", "set('a','b')", "a,b"));
        assertEquals("{\"a\": 1}", read(DEBEZIUM, "json", "json", "{\"a\": 1}"));
        assertEquals("AP8=", read(DEBEZIUM, "binary", "binary(2)", new byte[] {0, (byte) 0xff}));
    }

    @Test
    void debeziumGivesTheEpochForAZeroDateInANotNullColumnAsTheConnectorDoes() throws SQLException {
        BackfillColumn date = new BackfillColumn("shop", "t", "c", "date", "date", false);
        BackfillColumn dateTime = new BackfillColumn("shop", "t", "c", "datetime", "datetime(3)", false);
        BackfillColumn timestamp = new BackfillColumn("shop", "t", "c", "timestamp", "timestamp", false);
        assertEquals("1970-01-01", DEBEZIUM.read(row("0000-00-00"), 1, date));
        assertEquals("1970-01-01T00:00:00.000", DEBEZIUM.read(row("0000-00-00 00:00:00.000"), 1, dateTime));
        assertNull(DEBEZIUM.read(row("0"), 1, timestamp));
    }

    @Test
    void maxwellGivesJsonNumbersExactlyAndMySqlsTemporalText() throws SQLException {
        assertEquals(5, read(MAXWELL, "tinyint", "tinyint(1)", "5"));
        assertEquals(new BigInteger("18446744073709551615"), read(MAXWELL, "bigint", "bigint(20) unsigned", "18446744073709551615"));
        assertEquals(new BigDecimal("12.50"), read(MAXWELL, "decimal", "decimal(10,2)", "12.50"));
        assertEquals(5, read(MAXWELL, "decimal", "decimal(10,0)", "5"));
        assertEquals(new BigDecimal("1.1"), read(MAXWELL, "float", "float", "1.100000023841858"));
        assertEquals(new BigDecimal("0.1"), read(MAXWELL, "double", "double", "0.1"));
        assertEquals(4095, read(MAXWELL, "bit", "bit(12)", "4095"));
        assertEquals(1, read(MAXWELL, "bit", "bit(1)", "1"));
        assertEquals(2024, read(MAXWELL, "year", "year(4)", "2024"));
        assertEquals("2024-03-01 12:30:45.120", read(MAXWELL, "datetime", "datetime(3)", "2024-03-01 12:30:45.120"));
        assertEquals("0000-00-00", read(MAXWELL, "date", "date", "0000-00-00"));
        assertEquals("0000-00-00 00:00:00", read(MAXWELL, "datetime", "datetime", "0000-00-00 00:00:00"));
        assertEquals("2024-03-01 12:30:45.120", read(MAXWELL, "timestamp", "timestamp(3)", "1709296245.120"));
        assertNull(read(MAXWELL, "timestamp", "timestamp", "0"));
        assertEquals(List.of("a", "b"), read(MAXWELL, "set", "set('a','b')", "a,b"));
        assertEquals(Map.of("a", 1), read(MAXWELL, "json", "json", "{\"a\": 1}"));
        assertEquals("AP8=", read(MAXWELL, "blob", "blob", new byte[] {0, (byte) 0xff}));
    }

    @Test
    void aValueThatDoesNotFitItsTypeFailsNamingTheColumn() {
        DecodeException e = assertThrows(DecodeException.class, () -> read(MAXWELL, "int", "int(11)", "abc"));
        assertEquals(true, e.getMessage().contains("shop.t.c"), e.getMessage());
        assertThrows(DecodeException.class, () -> read(CANAL, "int", "int(11)", "abc"));
    }
}
