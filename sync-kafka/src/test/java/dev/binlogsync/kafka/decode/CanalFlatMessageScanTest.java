package dev.binlogsync.kafka.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decoder reads a message's top level with its own byte scanner (and caches type objects,
 * {@code pkNames} and names by their bytes): whatever way a message is written (field order,
 * whitespace, escapes, unknown fields with nested values, a byte order mark), it must decode to
 * the same events, and no corruption of the bytes may end in anything but a {@link DecodeException}.
 */
class CanalFlatMessageScanTest {

    private static final SourcePosition POS = new SourcePosition("canal-0", 3);

    /** A message as values: serialized by {@link #write} in many equivalent ways. */
    private record Msg(String database, String table, Operation op, long es, List<String> pks,
            Map<String, String> mysqlTypes, Map<String, Integer> sqlTypes,
            List<Map<String, String>> data, List<Map<String, String>> old, Map<String, Object> unknown) {
    }

    @Test
    void everyWayOfWritingAMessageDecodesToTheSameEvents() {
        Random random = new Random(20261125);
        for (int round = 0; round < 400; round++) {
            Msg msg = randomMessage(random);
            List<ChangeEvent> expected = expected(msg);
            CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
            for (int variant = 0; variant < 6; variant++) {
                // variant 0 is compact and in Canal's order; then shuffled, spaced, escaped, with a BOM
                byte[] bytes = write(msg, variant == 0 ? null : random);
                List<ChangeEvent> actual;
                try {
                    actual = decoder.decode(null, bytes, POS);
                } catch (RuntimeException e) {
                    throw new AssertionError("round " + round + " variant " + variant + ": "
                            + new String(bytes, StandardCharsets.UTF_8), e);
                }
                assertEquals(expected, actual, "round " + round + " variant " + variant + ": "
                        + new String(bytes, StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void corruptedMessagesFailOnlyWithADecodeException() {
        Random random = new Random(7);
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        int failed = 0;
        for (int round = 0; round < 20_000; round++) {
            byte[] bytes = write(randomMessage(random), random.nextBoolean() ? random : null);
            switch (random.nextInt(3)) {
                case 0: bytes = java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length)); break; // truncated
                case 1: bytes[random.nextInt(bytes.length)] = (byte) "{}[]\",:\\ 0an".charAt(random.nextInt(12)); break;
                default: bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            }
            try {
                decoder.decode(null, bytes, POS);
            } catch (DecodeException e) {
                failed++;
                assertTrue(e.getMessage() != null && !e.getMessage().isEmpty());
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e + " on " + new String(bytes, StandardCharsets.UTF_8), e);
            }
        }
        assertTrue(failed > 10_000, "most corruptions are detected: " + failed);
    }

    @Test
    void malformedTopLevelsNameWhatIsWrongAndWhere() {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        String ok = "{\"data\":[{\"a\":\"1\"}],\"database\":\"d\",\"table\":\"t\",\"type\":\"INSERT\"}";
        assertEquals(1, decoder.decode(null, ok.getBytes(StandardCharsets.UTF_8), POS).size());
        for (String[] c : new String[][] {
                {"{\"data\":[{\"a\":\"1\"}] \"database\":\"d\"}", "malformed JSON: expected ',' or '}' after the value of a field at byte 20"},
                {"{\"database\" \"d\"}", "malformed JSON: expected ':' at byte 12"},
                {"{\"database\":\"d", "malformed JSON: unterminated string starting at byte 12 at byte 14"},
                {"{\"database\":", "malformed JSON: unexpected end of input at byte 12"},
                {"{\"database\":,", "malformed JSON: expected a value at byte 12"},
                {"{database:\"d\"}", "malformed JSON: expected a field name at byte 1"},
                {"{\"database\":7}", "'database' must be a string, got a number"},
                {"{\"pkNames\":{}}", "'pkNames' must be an array of strings, got START_OBJECT"},
                {"{\"data\":\"x\"}", "'data' must be an array of row objects, got VALUE_STRING"},
                {"[]", "a Canal flat message must be a JSON object, got START_ARRAY"},
                {"", "a Canal flat message must be a JSON object, got the end of the input"}}) {
            DecodeException e = assertThrows(DecodeException.class,
                    () -> decoder.decode(null, c[0].getBytes(StandardCharsets.UTF_8), POS), c[0]);
            assertEquals(c[1], e.getMessage(), c[0]);
        }
    }

    @Test
    void escapedFieldNamesAndValuesMeanTheSameAsPlainOnes() {
        CanalFlatMessageDecoder decoder = CanalFlatMessageDecoder.create();
        String escaped = "{\"d\\u0061ta\":[{\"a\":\"1\"}],\"database\":\"sh\\u006fp\",\"t\\u0061ble\":\"or\\\"ders\","
                + "\"type\":\"INS\\u0045RT\",\"pkNames\":[\"\\u0061\"],\"es\":-12}";
        ChangeEvent e = decoder.decode(null, escaped.getBytes(StandardCharsets.UTF_8), POS).get(0);
        assertEquals(new ChangeEvent("shop", "or\"ders", Operation.INSERT, Map.of("a", "1"), Map.of(), List.of("a"), -12, POS,
                RowImage.UNKNOWN), e);
    }

    private static List<ChangeEvent> expected(Msg msg) {
        List<ChangeEvent> events = new ArrayList<>();
        for (int i = 0; i < msg.data.size(); i++) {
            Map<String, Object> before = msg.op == Operation.UPDATE ? typed(msg, msg.old.get(i)) : Map.of();
            // every row holds every column the message types, but the decoder is not told the
            // server logs full rows (the default): the image is unknown
            events.add(new ChangeEvent(msg.database, msg.table, msg.op, typed(msg, msg.data.get(i)), before, msg.pks, msg.es, POS,
                    RowImage.UNKNOWN));
        }
        return events;
    }

    private static Map<String, Object> typed(Msg msg, Map<String, String> row) {
        Map<String, Object> typed = new LinkedHashMap<>();
        row.forEach((k, v) -> typed.put(k, v == null ? null
                : "int(11)".equals(msg.mysqlTypes.get(k)) || (msg.mysqlTypes.get(k) == null && Integer.valueOf(4).equals(msg.sqlTypes.get(k)))
                ? (Object) ("int(11)".equals(msg.mysqlTypes.get(k)) ? (Object) Integer.valueOf(v) : (Object) Long.valueOf(v)) : v));
        return typed;
    }

    private static Msg randomMessage(Random r) {
        Operation op = Operation.values()[r.nextInt(3)];
        int columns = 1 + r.nextInt(6);
        Map<String, String> mysqlTypes = new LinkedHashMap<>();
        Map<String, Integer> sqlTypes = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            String name = c == 0 ? "id" : text(r, 1 + r.nextInt(8)) + c;
            names.add(name);
            boolean integer = r.nextBoolean();
            if (r.nextInt(5) > 0) {
                mysqlTypes.put(name, integer ? "int(11)" : "varchar(" + (1 + r.nextInt(99)) + ")");
            }
            sqlTypes.put(name, integer ? 4 : 12);
        }
        List<Map<String, String>> data = new ArrayList<>();
        List<Map<String, String>> old = new ArrayList<>();
        for (int i = 0, n = 1 + r.nextInt(3); i < n; i++) {
            data.add(row(r, names, sqlTypes, false));
            old.add(row(r, names, sqlTypes, true));
        }
        Map<String, Object> unknown = new LinkedHashMap<>();
        unknown.put("id", (long) r.nextInt(100_000));
        unknown.put("ts", System.currentTimeMillis());
        unknown.put("gtid", text(r, r.nextInt(10)));
        // names one byte short of, or longer than, names the decoder reads, or sharing their first byte
        String[] nearMisses = {"dat", "datas", "d", "tabl", "tables", "t", "typ", "es2", "e", "sq", "sqlTyp",
            "sqlTypes", "mysqlTyp", "ol", "olds", "o", "pkName", "isDd", "i", "ids", "gtids", "tsx", "s"};
        for (int i = r.nextInt(3); i > 0; i--) {
            unknown.put(nearMisses[r.nextInt(nearMisses.length)], r.nextBoolean() ? text(r, 4) : List.of(Map.of("type", "DELETE")));
        }
        if (r.nextBoolean()) {
            unknown.put("x" + text(r, 3), List.of(Map.of("k{", "}]\"", "n", List.of(1.5, true)), "[{", Collections.emptyMap()));
        }
        return new Msg(text(r, 1 + r.nextInt(10)), text(r, 1 + r.nextInt(10)), op, r.nextLong() >> r.nextInt(64),
                r.nextBoolean() ? List.of("id") : List.of(), mysqlTypes, sqlTypes, data, op == Operation.UPDATE ? old : null, unknown);
    }

    private static Map<String, String> row(Random r, List<String> names, Map<String, Integer> sqlTypes, boolean partial) {
        Map<String, String> row = new LinkedHashMap<>();
        for (String name : names) {
            if (partial && r.nextBoolean()) {
                continue;
            }
            boolean integer = sqlTypes.get(name) == 4;
            row.put(name, r.nextInt(8) == 0 ? null : integer ? Integer.toString(r.nextInt()) : text(r, r.nextInt(20)));
        }
        return row;
    }

    private static final String CHARS = "abcXYZ09 _-.,:{}[]\"\\/\n\t\u0001\u00e9\u4e2d";

    private static String text(Random r, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            if (r.nextInt(20) == 0) {
                sb.appendCodePoint(0x1F600 + r.nextInt(50));
            } else {
                sb.append(CHARS.charAt(r.nextInt(CHARS.length())));
            }
        }
        return sb.toString();
    }

    /** The message as Canal writes it ({@code r} null), or shuffled, spaced, escaped, maybe after a byte order mark. */
    private static byte[] write(Msg msg, Random r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("data", msg.data);
        fields.put("database", msg.database);
        fields.put("es", msg.es);
        fields.putAll(msg.unknown);
        fields.put("isDdl", false);
        fields.put("mysqlType", msg.mysqlTypes);
        fields.put("old", msg.old);
        fields.put("pkNames", msg.pks);
        fields.put("sql", "");
        fields.put("sqlType", msg.sqlTypes);
        fields.put("table", msg.table);
        fields.put("type", msg.op.name());
        List<Map.Entry<String, Object>> entries = new ArrayList<>(fields.entrySet());
        if (r != null) {
            Collections.shuffle(entries, r);
        }
        StringBuilder sb = new StringBuilder();
        if (r != null && r.nextInt(4) == 0) {
            sb.append('\uFEFF');
        }
        space(sb, r);
        sb.append('{');
        for (int i = 0; i < entries.size(); i++) {
            space(sb, r);
            if (i > 0) {
                sb.append(',');
                space(sb, r);
            }
            string(sb, entries.get(i).getKey(), r);
            space(sb, r);
            sb.append(':');
            space(sb, r);
            value(sb, entries.get(i).getValue(), r);
        }
        space(sb, r);
        sb.append('}');
        space(sb, r);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void value(StringBuilder sb, Object v, Random r) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            string(sb, s, r);
        } else if (v instanceof Map<?, ?> m) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                space(sb, r);
                string(sb, (String) e.getKey(), r);
                sb.append(':');
                space(sb, r);
                value(sb, e.getValue(), r);
            }
            sb.append('}');
        } else if (v instanceof List<?> l) {
            sb.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                space(sb, r);
                value(sb, l.get(i), r);
            }
            space(sb, r);
            sb.append(']');
        } else {
            sb.append(v); // numbers, booleans
        }
    }

    /** A JSON string; with {@code r}, some chars (also plain ASCII ones) are written as {@code \}{@code uXXXX}. */
    private static void string(StringBuilder sb, String s, Random r) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || (r != null && !Character.isSurrogate(c) && r.nextInt(6) == 0)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    private static void space(StringBuilder sb, Random r) {
        if (r != null && r.nextInt(3) == 0) {
            sb.append(" \n\t\r".charAt(r.nextInt(4)));
        }
    }
}
