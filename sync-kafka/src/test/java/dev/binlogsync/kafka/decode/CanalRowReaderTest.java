package dev.binlogsync.kafka.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.SourcePosition;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoder reads {@code data} and {@code old} rows with its own scanner: plain values are typed
 * straight from the message's bytes, escaped ones through a string, and column names are shared
 * through the layouts of recent rows. Each shortcut is checked against the way around it.
 */
class CanalRowReaderTest {

    private static final SourcePosition POS = new SourcePosition("canal-0", 5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String[] TYPES = {"int(11)", "bigint(20)", "bigint(20) unsigned", "int(10) unsigned", "tinyint(1)",
        "bit(8)", "decimal(10,2)", "datetime(3)", "timestamp", "date", "double", "float", "varchar(20)", "year", "time"};

    private static final String[] VALUES = {"0", "-0", "+5", "007", "-12", "2147483647", "2147483648", "-2147483648", "999999999",
        "1000000000", "123456789012345678", "1234567890123456789", "-123456789012345678", "9223372036854775807",
        "9223372036854775808", "18446744073709551615", "", " 1", "1 ", "+", "-", "1.50", "-0.00", "1e3", ".5", "abc",
        "2024-01-02 03:04:05", "2024-01-02T03:04:05.123", "2024-01-02 03:04:05 x y", "0000-00-00 00:00:00",
        "2024-00-10 00:00:00", "2024-03-00 10:00:00", "2024/01/02 03:04:05", "2024-01-02 03:04", "2024-01-02", "0000-00-00",
        "10:11:12", "1.7976931348623157E308", "NaN", "2024"};

    /**
     * A plain value is typed from its bytes; the same value written with every character as a
     * {@code \}{@code u} escape takes the string path. Both must give the same value, or fail with
     * the same message.
     */
    @Test
    void valuesTypedFromTheirBytesEqualValuesTypedFromTheirString() {
        List<CanalFlatMessageDecoder> decoders = List.of(CanalFlatMessageDecoder.create(),
                CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).dateTimeStyle(DateTimeStyle.RAW).build(),
                CanalFlatMessageDecoder.builder().dateTimeStyle(DateTimeStyle.ISO_UTC).zone(ZoneId.of("Asia/Shanghai")).build());
        int compared = 0;
        int failedBoth = 0;
        for (CanalFlatMessageDecoder decoder : decoders) {
            for (String type : TYPES) {
                for (String value : VALUES) {
                    Object plain = decodeOne(decoder, type, quote(value));
                    Object escaped = decodeOne(decoder, type, escapeAll(value));
                    assertEquals(escaped, plain, decoder + " " + type + " '" + value + "'");
                    if (plain != null) {
                        assertEquals(escaped.getClass(), plain.getClass(), decoder + " " + type + " '" + value + "'");
                    }
                    compared++;
                    if (plain instanceof String s && s.startsWith("failed: ")) {
                        failedBoth++;
                    }
                }
            }
        }
        assertEquals(3 * TYPES.length * VALUES.length, compared);
        assertTrue(failedBoth > 50, "the values include many that do not fit their type: " + failedBoth);
    }

    @Test
    void decodedValuesOfTheFastPathsAreTheExpectedOnes() {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        assertEquals(5, decodeOne(decoder, "int(11)", "\"+5\""));
        assertEquals(123456789012345678L, decodeOne(decoder, "bigint(20)", "\"123456789012345678\""));
        assertEquals(1234567890123456789L, decodeOne(decoder, "bigint(20)", "\"1234567890123456789\""));
        assertEquals(2, decodeOne(decoder, "tinyint(1)", "\"2\""));
        assertEquals(Boolean.TRUE, decodeOne(CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).build(), "tinyint(1)", "\"1\""));
        assertEquals(new BigDecimal("-0.00"), decodeOne(decoder, "decimal(10,2)", "\"-0.00\""));
        assertEquals(2, ((BigDecimal) decodeOne(decoder, "decimal(10,2)", "\"-0.00\"")).scale());
        assertEquals("2024-01-02T03:04:05", decodeOne(decoder, "datetime", "\"2024-01-02 03:04:05\""));
        assertEquals("2024-01-02T03:04:05TxTy", decodeOne(decoder, "datetime", "\"2024-01-02 03:04:05 x y\""));
        assertEquals(null, decodeOne(decoder, "datetime", "\"0000-00-00 00:00:00\""));
        assertEquals("failed: column shop.t.c (int(11)) in data[0]: value '2147483648' does not fit its type",
                decodeOne(decoder, "int(11)", "\"2147483648\""));
    }

    /** Canal only sends strings; numbers and booleans are accepted and typed from their text. */
    @Test
    void nonStringScalarsAreTypedFromTheirText() {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        assertEquals(42, decodeOne(decoder, "int(11)", "42"));
        assertEquals(new BigDecimal("-1.5E+3"), decodeOne(decoder, "decimal(10,2)", "-1.5e3"));
        assertEquals("true", decodeOne(decoder, "varchar(5)", "true"));
        assertEquals("failed: column shop.t.c (tinyint(1)) in data[0]: value 'false' does not fit its type",
                decodeOne(decoder, "tinyint(1)", "false"));
        assertEquals(null, decodeOne(decoder, "int(11)", "null"));
        assertEquals("failed: 'data' column 'c' must be a string or null, got START_OBJECT", decodeOne(decoder, "int(11)", "{}"));
        assertEquals("failed: 'data' column 'c' must be a string or null, got START_ARRAY", decodeOne(decoder, "int(11)", "[1]"));
        for (String bad : new String[] {"1x", "tru", "nul", "01", "1.", "-", "\"1\"x", "1 2"}) {
            String result = String.valueOf(decodeOne(decoder, "int(11)", bad));
            assertTrue(result.startsWith("failed: malformed JSON"), bad + ": " + result);
        }
    }

    @Test
    void aRepeatedColumnKeepsItsFirstPlaceAndItsLastValue() {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        for (int i = 0; i < 2; i++) { // the second time the first row's layout is known
            ChangeEvent e = decoder.decode(null, message("[{\"a\":\"1\",\"b\":\"2\",\"c\":\"3\"},{\"a\":\"4\",\"b\":\"5\",\"a\":\"6\"}]",
                    "{\"a\":\"int(11)\",\"b\":\"int(11)\",\"c\":\"int(11)\"}"), POS).get(1);
            assertEquals(List.of("a", "b"), new ArrayList<>(e.row().keySet()));
            assertEquals(Map.of("a", 6, "b", 5), e.row());
        }
    }

    /**
     * Many tables through one decoder, more than it keeps layouts for, sharing first columns and
     * prefixes, rows with columns missing, added or reordered, old rows in any order: every row has
     * exactly the columns, values and order of the JSON.
     */
    @Test
    void rowsOfManyTablesThroughOneDecoderKeepTheirColumnsAndOrder() throws Exception {
        Random random = new Random(11);
        List<List<String>> tables = new ArrayList<>();
        List<Map<String, String>> tableTypes = new ArrayList<>(); // the same column is an int in some tables, text in others
        for (int t = 0; t < 24; t++) {
            List<String> columns = new ArrayList<>(List.of("id"));
            if (t % 2 == 0) {
                columns.add("type");
            }
            for (int c = 0, n = 1 + random.nextInt(8); c < n; c++) {
                columns.add(random.nextInt(3) == 0 ? "col" + c : "t" + t + "_c" + c + (random.nextInt(4) == 0 ? "\u00e9" : ""));
            }
            tables.add(columns);
            Map<String, String> types = new LinkedHashMap<>();
            for (String c : columns) {
                types.put(c, random.nextBoolean() ? "int(11)" : "varchar(10)");
            }
            tableTypes.add(types);
        }
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        for (int round = 0; round < 3000; round++) {
            int table = random.nextInt(random.nextBoolean() ? 3 : tables.size());
            List<String> columns = new ArrayList<>(tables.get(table));
            Map<String, String> types = tableTypes.get(table);
            List<Map<String, Object>> data = new ArrayList<>();
            List<Map<String, Object>> old = new ArrayList<>();
            for (int r = 0, n = 1 + random.nextInt(3); r < n; r++) {
                List<String> rowColumns = new ArrayList<>(columns);
                switch (random.nextInt(6)) {
                    case 0 -> rowColumns.remove(random.nextInt(rowColumns.size()));
                    case 1 -> rowColumns.add("extra" + random.nextInt(3));
                    case 2 -> java.util.Collections.shuffle(rowColumns, random);
                    default -> { }
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (String c : rowColumns) {
                    row.put(c, random.nextInt(6) == 0 ? null : Integer.toString(random.nextInt(1000)));
                }
                data.add(row);
                Map<String, Object> before = new LinkedHashMap<>();
                List<String> changed = new ArrayList<>(rowColumns);
                java.util.Collections.shuffle(changed, random);
                for (String c : changed.subList(0, random.nextInt(changed.size() + 1))) {
                    before.put(c, Integer.toString(random.nextInt(10)));
                }
                old.add(before);
            }
            String json = "{\"data\":" + JSON.writeValueAsString(data) + ",\"database\":\"shop\",\"es\":1,\"isDdl\":false,"
                    + "\"mysqlType\":" + JSON.writeValueAsString(types) + ",\"old\":" + JSON.writeValueAsString(old) + ",\"pkNames\":[\"id\"],\"table\":\"t\",\"type\":\"UPDATE\"}";
            List<ChangeEvent> events = decoder.decode(null, json.getBytes(StandardCharsets.UTF_8), POS);
            assertEquals(data.size(), events.size());
            for (int r = 0; r < data.size(); r++) {
                String what = "round " + round + " row " + r + ": " + json;
                assertEquals(typed(data.get(r), types), events.get(r).row(), what);
                assertEquals(new ArrayList<>(data.get(r).keySet()), new ArrayList<>(events.get(r).row().keySet()), what);
                assertEquals(typed(old.get(r), types), events.get(r).oldValues(), what);
                assertEquals(new ArrayList<>(old.get(r).keySet()), new ArrayList<>(events.get(r).oldValues().keySet()), what);
            }
        }
        // the same names are the same strings, whichever way they were found
        Map<String, Object> a = decoder.decode(null, message("[{\"id\":\"1\",\"type\":\"2\"}]", "{}"), POS).get(0).row();
        Map<String, Object> b = decoder.decode(null, message("[{\"type\":\"2\",\"id\":\"1\"}]", "{}"), POS).get(0).row();
        assertTrue(a.keySet().iterator().next() == new ArrayList<>(b.keySet()).get(1));
        assertEquals(Map.of("id", "1", "type", "2"), JSON.readValue(JSON.writeValueAsString(a), new TypeReference<Map<String, Object>>() { }));
    }

    private static Map<String, Object> typed(Map<String, Object> row, Map<String, String> types) {
        Map<String, Object> typed = new LinkedHashMap<>();
        row.forEach((k, v) -> typed.put(k, v != null && "int(11)".equals(types.get(k)) ? (Object) Integer.valueOf((String) v) : v));
        return typed;
    }

    private static Object decodeOne(CanalFlatMessageDecoder decoder, String type, String jsonValue) {
        try {
            return decoder.decode(null, message("[{\"c\":" + jsonValue + "}]", "{\"c\":\"" + type + "\"}"), POS).get(0).row().get("c");
        } catch (DecodeException e) {
            return "failed: " + e.getMessage();
        }
    }

    private static byte[] message(String data, String mysqlType) {
        return ("{\"data\":" + data + ",\"database\":\"shop\",\"es\":1,\"isDdl\":false,\"mysqlType\":" + mysqlType
                + ",\"old\":null,\"pkNames\":[\"c\"],\"table\":\"t\",\"type\":\"INSERT\"}").getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }

    private static String escapeAll(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            sb.append(String.format("\\u%04x", (int) s.charAt(i)));
        }
        return sb.append('"').toString();
    }

    /** A character that needs care (an escape, a control or non-ASCII character) is found at any offset of a name or value. */
    @Test
    void stringsWithASpecialCharacterAtEveryOffsetReadBackExactly() throws Exception {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        String[] specials = {"", "\"", "\\", "\n", "\u0001", "\u007f", "\u00e9", "\u4e2d", "\ud83d\ude00"};
        int checked = 0;
        for (String special : specials) {
            for (int length = 0; length <= 26; length++) {
                for (int at = 0; at <= length; at++) {
                    String value = "a".repeat(at) + special + "b".repeat(length - at);
                    String name = "n" + "c".repeat(length - at) + special + "d".repeat(at);
                    for (String type : new String[] {"varchar(64)", "text"}) {
                        byte[] message = ("{\"data\":[{" + JSON.writeValueAsString(name) + ":" + JSON.writeValueAsString(value)
                                + ",\"x\":\"1\"}],\"database\":\"d\",\"table\":\"t\",\"type\":\"INSERT\",\"mysqlType\":{"
                                + JSON.writeValueAsString(name) + ":\"" + type + "\"}}").getBytes(StandardCharsets.UTF_8);
                        Map<String, Object> row = decoder.decode(null, message, POS).get(0).row();
                        assertEquals(List.of(name, "x"), new ArrayList<>(row.keySet()), value);
                        assertEquals(value, row.get(name));
                        checked++;
                    }
                }
            }
        }
        assertEquals(2 * 9 * (27 * 28 / 2), checked);
        // a raw control character is not JSON, wherever it is in the string
        for (int length = 1; length <= 20; length++) {
            for (int at = 0; at < length; at++) {
                char[] chars = "x".repeat(length).toCharArray();
                chars[at] = '\u0001';
                byte[] message = ("{\"data\":[{\"c\":\"" + new String(chars) + "\"}],\"database\":\"d\",\"table\":\"t\",\"type\":\"INSERT\"}")
                        .getBytes(StandardCharsets.UTF_8);
                DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, message, POS));
                assertTrue(e.getMessage().startsWith("malformed JSON"), e.getMessage());
            }
        }
    }

    @Test
    void malformedRowsFailWithADecodeExceptionSayingWhere() {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        String[][] cases = {
            {"[{\"c\":\"1\",}]", "malformed JSON: expected a column name at byte "},
            {"[{\"c\":\"1\"]", "malformed JSON: expected ',' or '}' after the value of column 'c' at byte "},
            {"[{\"c\" \"1\"}]", "malformed JSON: expected ':' at byte "},
            {"[{\"c\":\"1\"}", "'data' must be an array of row objects, got VALUE_STRING in it"}, // the next field's name
            {"[{\"c\":\"1\"},", "malformed JSON: expected a value at byte 19"},
            {"[{\"c\":\"1\"} {\"c\":\"2\"}]", "malformed JSON: expected ',' or ']' after a row of 'data' at byte "},
            {"[null]", "'data' must not contain null rows"},
            {"[\"x\"]", "'data' must be an array of row objects, got VALUE_STRING in it"},
            {"[{\"c\":\"1\\x\"}]", "malformed JSON: "},
        };
        for (String[] c : cases) {
            DecodeException e = assertThrows(DecodeException.class, () -> decoder.decode(null, message(c[0], "{}"), POS), c[0]);
            assertTrue(e.getMessage().startsWith(c[1]), c[0] + ": " + e.getMessage());
        }
        for (String truncated : new String[] {"{\"data\":[{\"c\":\"1\"}", "{\"data\":[{\"c\":", "{\"data\":[{\"c\"", "{\"data\":[{"}) {
            DecodeException e = assertThrows(DecodeException.class,
                    () -> decoder.decode(null, truncated.getBytes(StandardCharsets.UTF_8), POS), truncated);
            assertTrue(e.getMessage().startsWith("malformed JSON: "), truncated + ": " + e.getMessage());
        }
    }
}
