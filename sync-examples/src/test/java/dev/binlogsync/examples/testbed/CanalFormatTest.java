package dev.binlogsync.examples.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Canal's value rendering for the awkward cases, without a server. */
class CanalFormatTest {

    private static String format(Object value, String mysqlType, int[] sqlType) {
        return CanalFormat.format((java.io.Serializable) value, CanalFormat.Column.of("c", mysqlType, "utf8mb4"), sqlType);
    }

    @Test
    void zeroDatesKeepTheColumnsPrecision() {
        int[] t = new int[1];
        assertEquals("0000-00-00 00:00:00", format(Long.MIN_VALUE, "datetime", t));
        assertEquals("0000-00-00 00:00:00.000", format(Long.MIN_VALUE, "datetime(3)", t));
        assertEquals("0000-00-00", format(Long.MIN_VALUE, "date", t));
        assertEquals("0000-00-00 00:00:00.00", format(0L, "timestamp(2)", t));
        assertEquals(Types.TIMESTAMP, t[0]);
    }

    @Test
    void fractionalSecondsAreTruncatedToThePrecisionWithLeadingZeros() {
        int[] t = new int[1];
        long micros = 1_709_528_767_034_500L; // 2024-03-04 05:06:07.0345 UTC
        assertEquals("2024-03-04 05:06:07.034", format(micros, "datetime(3)", t));
        assertEquals("2024-03-04 05:06:07.034500", format(micros, "datetime(6)", t));
        assertEquals("2024-03-04 05:06:07", format(micros, "datetime", t));
    }

    @Test
    void timesBeyondADayAndNegativeTimesRenderAsMysqlDoes() {
        int[] t = new int[1];
        assertEquals("838:59:59", format((838L * 3600 + 59 * 60 + 59) * 1_000_000L, "time", t));
        assertEquals("-01:02:03.50", format(-(3723L * 1_000_000L + 500_000L), "time(2)", t));
        assertEquals(Types.TIME, t[0]);
    }

    @Test
    void unsignedIntegersAreWidenedAndMoveUpOneTypeOnlyWhenTheRawValueIsNegative() {
        int[] t = new int[1];
        assertEquals("255", format(-1, "tinyint(3) unsigned", t));
        assertEquals(Types.SMALLINT, t[0]);
        assertEquals("7", format(7, "tinyint(3) unsigned", t));
        assertEquals(Types.TINYINT, t[0]);
        assertEquals("65535", format(-1, "smallint(5) unsigned", t));
        assertEquals("16777215", format(-1, "mediumint(8) unsigned", t));
        assertEquals(Types.INTEGER, t[0]);
        assertEquals("18446744073709551615", format(-1L, "bigint(20) unsigned", t));
        assertEquals(Types.DECIMAL, t[0]);
        assertEquals("-5", format(-5, "int(11)", t));
        assertEquals(Types.INTEGER, t[0]);
    }

    @Test
    void otherTypesFollowCanal() {
        int[] t = new int[1];
        assertEquals("0.10", format(new BigDecimal("0.10"), "decimal(10,2)", t));
        assertEquals("1E+3", new BigDecimal("1E+3").toString());
        assertEquals("1000", format(new BigDecimal("1E+3"), "decimal(10,0)", t), "decimals are plain, never exponent");
        BitSet bits = new BitSet();
        bits.set(0);
        bits.set(2);
        assertEquals("5", format(bits, "bit(3)", t));
        assertEquals(Types.BIT, t[0]);
        assertEquals("0000", format(1900, "year(4)", t));
        assertEquals(Types.VARCHAR, t[0]);
        assertEquals("2", format(2, "enum('a','b')", t));
        assertEquals(Types.INTEGER, t[0]);
        assertEquals("\u00ff\u0000", format(new byte[] {(byte) 0xff, 0}, "blob", t));
        assertEquals(Types.BLOB, t[0]);
        assertEquals("é", format("é".getBytes(StandardCharsets.UTF_8), "text", t));
        assertEquals(Types.CLOB, t[0]);
        assertNull(format(null, "varchar(5)", t));
        assertEquals(Types.VARCHAR, t[0]);
    }

    @Test
    void sameKeyAlwaysHashesToTheSamePartitionAndKeylessRowsToZero() {
        Map<String, String> row = new LinkedHashMap<>();
        row.put("id", "42");
        row.put("v", "x");
        int p = CanalFormat.partition("shop", "orders", List.of("id"), row, 8);
        row.put("v", "changed");
        assertEquals(p, CanalFormat.partition("shop", "orders", List.of("id"), row, 8), "only the key decides");
        assertEquals(0, CanalFormat.partition("shop", "orders", List.of(), row, 8));
        assertEquals(0, CanalFormat.partition("shop", "orders", List.of("id"), row, 1));
    }

    @Test
    void aChildKeyedByItsParentsIdSharesTheParentsPartitionAsCanalHashesIt() {
        for (int id = 0; id < 50; id++) {
            Map<String, String> order = Map.of("id", String.valueOf(id), "status", "NEW");
            Map<String, String> shipping = Map.of("order_id", String.valueOf(id), "carrier", "UPS");
            assertEquals(CanalFormat.partition("shop", "orders", List.of("id"), order, 4),
                    CanalFormat.partition("shop", "order_shipping", List.of("order_id"), shipping, 4));
        }
        // Canal's formula: database hash XOR key hash, absolute value, modulo
        Map<String, String> row = Map.of("id", "42");
        assertEquals(Math.abs("shop".hashCode() ^ "42".hashCode()) % 4,
                CanalFormat.partition("shop", "orders", List.of("id"), row, 4));
    }
}
