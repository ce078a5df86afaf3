package dev.binlogsync.elasticsearch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.PartialObject;
import dev.binlogsync.core.RowMap;
import dev.binlogsync.core.VersionType;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BulkBodyEncoderTest {

    private final BulkBodyEncoder encoder = new BulkBodyEncoder();

    private String encode(DocumentAction... actions) throws IOException {
        ByteBuf buf = new ByteBuf(16);
        encoder.encode(List.of(actions), buf);
        return new String(buf.array(), 0, buf.size(), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> doc(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void writesCreateWithItsDocumentAndAConditionalDeleteWithSeqNoAndPrimaryTerm() throws IOException {
        String body = encode(
                DocumentAction.create("orders", "1", doc("id", 1)).withRouting("r"),
                DocumentAction.deleteIf("orders", "2", 17, 3),
                DocumentAction.create("orders", "3", doc("id", 3)).withVersion(9, VersionType.EXTERNAL));
        assertEquals("{\"create\":{\"_index\":\"orders\",\"_id\":\"1\",\"routing\":\"r\"}}\n"
                + "{\"id\":1}\n"
                + "{\"delete\":{\"_index\":\"orders\",\"_id\":\"2\",\"if_seq_no\":17,\"if_primary_term\":3}}\n"
                + "{\"create\":{\"_index\":\"orders\",\"_id\":\"3\",\"version\":9,\"version_type\":\"external\"}}\n"
                + "{\"id\":3}\n", body);
    }

    @Test
    void writesIndexUpsertAndDeleteAsNdjsonEndingWithNewline() throws IOException {
        String body = encode(
                DocumentAction.index("orders", "1", doc("id", 1, "name", "a")),
                DocumentAction.upsert("orders", "2", doc("name", "b")),
                DocumentAction.delete("orders", "3"));
        assertEquals("{\"index\":{\"_index\":\"orders\",\"_id\":\"1\"}}\n"
                + "{\"id\":1,\"name\":\"a\"}\n"
                + "{\"update\":{\"_index\":\"orders\",\"_id\":\"2\"}}\n"
                + "{\"doc\":{\"name\":\"b\"},\"doc_as_upsert\":true}\n"
                + "{\"delete\":{\"_index\":\"orders\",\"_id\":\"3\"}}\n", body);
        assertFalse(body.contains("_type"));
    }

    @Test
    void writesAnUpdateAsDocWithoutUpsertSoItNeverCreatesTheDocument() throws IOException {
        String body = encode(DocumentAction.update("orders", "7", doc("carrier", "ups", "boxes", List.of(doc("w", 1))))
                .withRouting("r"));
        assertEquals("{\"update\":{\"_index\":\"orders\",\"_id\":\"7\",\"routing\":\"r\"}}\n"
                + "{\"doc\":{\"carrier\":\"ups\",\"boxes\":[{\"w\":1}]}}\n", body, "a list of objects is replaced by a doc");
    }

    private static final String SCRIPT = "{\"script\":{\"source\":\"def s=ctx._source;boolean c=false;"
            + "for(def e:params.doc.entrySet()){def k=e.getKey();def v=e.getValue();def x=s[k];"
            + "if(!s.containsKey(k)||(x==null?v!=null:!x.equals(v))){s[k]=v;c=true;}}"
            + "if(params.merge!=null){for(def m:params.merge.entrySet()){def o=s[m.getKey()];"
            + "if(!(o instanceof Map)){o=new HashMap();s[m.getKey()]=o;c=true;}"
            + "for(def e:m.getValue().entrySet()){def k=e.getKey();def v=e.getValue();def x=o[k];"
            + "if(!o.containsKey(k)||(x==null?v!=null:!x.equals(v))){o[k]=v;c=true;}}}}"
            + "if(!c){ctx.op='noop';}\",\"lang\":\"painless\",\"params\":";

    @Test
    void theScriptComparesValuesWithJavaEqualsNeverPainlessNumericEquality() throws IOException {
        // painless's == and != on def values compare 5 and 2^63+5 (BigInteger by intValue) or 5 and
        // 5.00 (as doubles) as equal: the script would answer noop and the write would be lost
        String body = encode(DocumentAction.update("t", "1", doc("u", new BigInteger("9223372036854775813"),
                "attrs", doc("d", new BigDecimal("5.00")))));
        assertEquals("{\"update\":{\"_index\":\"t\",\"_id\":\"1\"}}\n"
                + "{\"script\":{\"source\":\"def s=ctx._source;boolean c=false;"
                + "for(def e:params.doc.entrySet()){def k=e.getKey();def v=e.getValue();def x=s[k];"
                + "if(!s.containsKey(k)||(x==null?v!=null:!x.equals(v))){s[k]=v;c=true;}}"
                + "if(params.merge!=null){for(def m:params.merge.entrySet()){def o=s[m.getKey()];"
                + "if(!(o instanceof Map)){o=new HashMap();s[m.getKey()]=o;c=true;}"
                + "for(def e:m.getValue().entrySet()){def k=e.getKey();def v=e.getValue();def x=o[k];"
                + "if(!o.containsKey(k)||(x==null?v!=null:!x.equals(v))){o[k]=v;c=true;}}}}"
                + "if(!c){ctx.op='noop';}\",\"lang\":\"painless\",\"params\":"
                + "{\"doc\":{\"u\":9223372036854775813,\"attrs\":{\"d\":5.00}}}}}\n", body);
        assertFalse(BulkBodyEncoder.SET_FIELDS.contains("]!=") || BulkBodyEncoder.SET_FIELDS.contains("]=="),
                "no painless equality on a stored value");
    }

    @Test
    void writesAnUpsertWithAnObjectFieldAsAScriptThatCreatesAMissingDocumentWithExactlyTheFields() throws IOException {
        String body = encode(DocumentAction.upsert("items", "1", doc("name", "a\"b", "attrs", doc("color", "red"), "n", null)));
        assertEquals("{\"update\":{\"_index\":\"items\",\"_id\":\"1\"}}\n"
                + SCRIPT + "{\"doc\":{\"name\":\"a\\\"b\",\"attrs\":{\"color\":\"red\"},\"n\":null}}},"
                + "\"scripted_upsert\":true,\"upsert\":{}}\n", body);
    }

    @Test
    void writesAnUpdateWithAnObjectFieldAsAScriptWithoutUpsertKeepingRoutingAndSeqNo() throws IOException {
        String body = encode(new DocumentAction("orders", "7", "r", ActionType.UPDATE,
                doc("shipping", new PartialObject(doc("box", doc("w", 1))), "total", 5, "extra", doc()), null, null, 12L, 2L));
        assertEquals("{\"update\":{\"_index\":\"orders\",\"_id\":\"7\",\"routing\":\"r\",\"if_seq_no\":12,"
                + "\"if_primary_term\":2}}\n"
                + SCRIPT + "{\"doc\":{\"total\":5,\"extra\":{}},\"merge\":{\"shipping\":{\"box\":{\"w\":1}}}}}}\n", body);
    }

    @Test
    void aDocumentWithoutObjectValuesKeepsTheDocEvenAsARowMap() throws IOException {
        RowMap row = new RowMap(2);
        row.put("id", 1);
        row.put("tags", List.of("x"));
        assertEquals("{\"update\":{\"_index\":\"i\",\"_id\":\"1\"}}\n{\"doc\":{\"id\":1,\"tags\":[\"x\"]},"
                + "\"doc_as_upsert\":true}\n", encode(DocumentAction.upsert("i", "1", row)));
        row.put("attrs", doc("a", 1));
        assertEquals("{\"update\":{\"_index\":\"i\",\"_id\":\"1\"}}\n" + SCRIPT
                + "{\"doc\":{\"id\":1,\"tags\":[\"x\"],\"attrs\":{\"a\":1}}}},\"scripted_upsert\":true,\"upsert\":{}}\n",
                encode(DocumentAction.upsert("i", "1", row)));
    }

    @Test
    void writesRoutingAndExternalVersions() throws IOException {
        String body = encode(
                DocumentAction.index("i", "1", doc("a", 1)).withRouting("r1").withVersion(7, VersionType.EXTERNAL),
                DocumentAction.delete("i", "2").withVersion(9, VersionType.EXTERNAL_GTE));
        assertEquals("{\"index\":{\"_index\":\"i\",\"_id\":\"1\",\"routing\":\"r1\",\"version\":7,\"version_type\":\"external\"}}\n"
                + "{\"a\":1}\n"
                + "{\"delete\":{\"_index\":\"i\",\"_id\":\"2\",\"version\":9,\"version_type\":\"external_gte\"}}\n", body);
    }

    @Test
    void writesEveryRowValueTypeAndEscapesStrings() throws IOException {
        Map<String, Object> d = doc(
                "s", "quote \" backslash \\ newline \n unicode é",
                "l", Long.MAX_VALUE,
                "big", new BigInteger("18446744073709551615"),
                "dec", new BigDecimal("12345.670"),
                "dbl", 1.5d,
                "f", 2.5f,
                "b", true,
                "n", null,
                "json", doc("k", Arrays.asList(1, "x", null)),
                "bin", new byte[] {1, 2, 3});
        assertEquals("{\"index\":{\"_index\":\"i\",\"_id\":\"\\\"odd\\\" id\"}}\n"
                + "{\"s\":\"quote \\\" backslash \\\\ newline \\n unicode é\",\"l\":9223372036854775807,"
                + "\"big\":18446744073709551615,\"dec\":12345.670,\"dbl\":1.5,\"f\":2.5,\"b\":true,\"n\":null,"
                + "\"json\":{\"k\":[1,\"x\",null]},\"bin\":\"AQID\"}\n",
                encode(DocumentAction.index("i", "\"odd\" id", d)));
    }

    @Test
    void appendsToAReusedBufferAfterReset() throws IOException {
        ByteBuf buf = new ByteBuf(8);
        encoder.encode(List.of(DocumentAction.delete("i", "1")), buf);
        buf.reset();
        encoder.encode(List.of(DocumentAction.delete("i", "2")), buf);
        assertEquals("{\"delete\":{\"_index\":\"i\",\"_id\":\"2\"}}\n",
                new String(buf.array(), 0, buf.size(), StandardCharsets.UTF_8));
    }

    @Test
    void writesNegativeAndExtremeNumbersAndNonFiniteDoublesAsJacksonDoes() throws IOException {
        assertEquals("{\"delete\":{\"_index\":\"i\",\"_id\":\"1\",\"version\":0,\"version_type\":\"external\"}}\n"
                + "{\"index\":{\"_index\":\"i\",\"_id\":\"2\"}}\n"
                + "{\"a\":-9223372036854775808,\"b\":-1,\"c\":0,\"d\":-2147483648,\"e\":\"NaN\",\"f\":\"-Infinity\","
                + "\"g\":1.0E-7,\"h\":1E+3,\"i\":[],\"j\":{},\"k\":\"\"}\n",
                encode(new DocumentAction("i", "1", null, dev.binlogsync.core.ActionType.DELETE, null, 0L, VersionType.EXTERNAL),
                        DocumentAction.index("i", "2", doc("a", Long.MIN_VALUE, "b", -1L, "c", 0, "d", Integer.MIN_VALUE,
                                "e", Double.NaN, "f", Float.NEGATIVE_INFINITY, "g", 1.0e-7, "h", new BigDecimal("1E+3"),
                                "i", List.of(), "j", Map.of(), "k", ""))));
    }

    @Test
    void writesObjectArraysWithNullElements() throws IOException {
        assertEquals("{\"index\":{\"_index\":\"i\",\"_id\":\"1\"}}\n{\"a\":[1,null,\"x\"]}\n",
                encode(DocumentAction.index("i", "1", doc("a", new Object[] {1, null, "x"}))));
    }

    @Test
    void escapesControlCharactersAndEncodesEveryPlaneLikeJackson() throws IOException {
        StringBuilder all = new StringBuilder();
        for (char c = 0; c < 0x800; c++) {
            if (!Character.isSurrogate(c)) {
                all.append(c);
            }
        }
        all.append("\u4e2d\u6587 \uffff \ud83d\ude00 end"); // CJK, the last BMP char, an emoji (surrogate pair)
        DocumentAction a = DocumentAction.index("i", all.toString(), doc(all.toString(), all.toString()));
        assertSameBytes(jackson(List.of(a)), bytes(List.of(a)), "");
    }

    @Test
    void writesSurrogatesAsEscapesThatReadBackAsTheSameString() throws IOException {
        String body = encode(DocumentAction.index("i", "1", doc("s", "a\ud800b\udc00\ud83d\ude00")));
        assertEquals("{\"index\":{\"_index\":\"i\",\"_id\":\"1\"}}\n{\"s\":\"a\\uD800b\\uDC00\\uD83D\\uDE00\"}\n", body);
        try (JsonParser p = new JsonFactory().createParser(body.substring(body.indexOf('\n') + 1))) {
            p.nextToken();
            p.nextToken();
            assertEquals(JsonToken.VALUE_STRING, p.nextToken());
            assertEquals("a\ud800b\udc00\ud83d\ude00", p.getText(), "reads back as the same string");
        }
    }

    /**
     * Seeded random bodies of every action shape and value type, strings mixing ASCII, escapes,
     * two- and three-byte chars and surrogate pairs at every position: byte for byte what Jackson's
     * generator writes (the encoder this one replaced).
     */
    @Test
    void randomBodiesAreByteForByteWhatJacksonWrites() throws IOException {
        Random random = new Random(20261125);
        for (int round = 0; round < 300; round++) {
            List<DocumentAction> actions = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(20); i < n; i++) {
                actions.add(randomAction(random));
            }
            assertSameBytes(jackson(actions), bytes(actions), "round " + round);
        }
    }

    @Test
    void writesEveryLongAsLongToStringDoes() {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 9L, 10L, 99L, 100L, 101L, Long.MAX_VALUE, Long.MIN_VALUE,
                Long.MIN_VALUE + 1, (long) Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, (long) Integer.MIN_VALUE, Integer.MIN_VALUE - 1L));
        for (long p = 10; p > 0 && p <= Long.MAX_VALUE / 10 * 10; p *= 10) {
            values.addAll(List.of(p - 1, p, p + 1, -(p - 1), -p, -(p + 1)));
            if (p > Long.MAX_VALUE / 10) {
                break;
            }
        }
        Random random = new Random(5);
        for (int i = 0; i < 100_000; i++) {
            values.add(random.nextLong() >> random.nextInt(64));
        }
        ByteBuf buf = new ByteBuf(1);
        for (long v : values) {
            buf.reset();
            BulkBodyEncoder.writeLong(buf, v);
            assertEquals(Long.toString(v), new String(buf.array(), 0, buf.size(), StandardCharsets.US_ASCII));
        }
    }

    private static void assertSameBytes(byte[] expected, byte[] actual, String message) {
        assertEquals(new String(expected, StandardCharsets.UTF_8), new String(actual, StandardCharsets.UTF_8), message);
        assertArrayEquals(expected, actual, message);
    }

    private byte[] bytes(List<DocumentAction> actions) {
        ByteBuf buf = new ByteBuf(1);
        encoder.encode(actions, buf);
        return Arrays.copyOf(buf.array(), buf.size());
    }

    private static DocumentAction randomAction(Random r) {
        String index = randomString(r, 1 + r.nextInt(12));
        String id = randomString(r, 1 + r.nextInt(12));
        DocumentAction a;
        switch (r.nextInt(4)) {
            case 0: a = DocumentAction.index(index, id, randomDoc(r, 0)); break;
            case 1: a = DocumentAction.upsert(index, id, randomDoc(r, 0)); break;
            case 2: a = DocumentAction.update(index, id, randomDoc(r, 0)); break;
            default: a = DocumentAction.delete(index, id);
        }
        if (r.nextInt(4) == 0) {
            a = a.withRouting(randomString(r, r.nextInt(6)));
        }
        if ((a.type() == dev.binlogsync.core.ActionType.INDEX || a.type() == dev.binlogsync.core.ActionType.DELETE)
                && r.nextInt(4) == 0) {
            a = a.withVersion(r.nextLong() & Long.MAX_VALUE, r.nextBoolean() ? VersionType.EXTERNAL : VersionType.EXTERNAL_GTE);
        }
        return a;
    }

    private static Map<String, Object> randomDoc(Random r, int depth) {
        // decoded rows are RowMaps (written by index), other documents any map (written through entrySet)
        Map<String, Object> d = r.nextBoolean() ? new LinkedHashMap<>() : new RowMap(r.nextInt(4));
        for (int i = 0, n = r.nextInt(12); i < n; i++) {
            d.put(randomString(r, 1 + r.nextInt(10)), randomValue(r, depth));
        }
        return d;
    }

    private static Object randomValue(Random r, int depth) {
        switch (r.nextInt(depth < 2 ? 14 : 11)) {
            case 0: return null;
            case 1: case 2: return randomString(r, r.nextInt(40));
            case 3: return r.nextLong() >> r.nextInt(64);
            case 4: return r.nextInt() >> r.nextInt(32);
            case 5: return r.nextBoolean();
            case 6: return Double.longBitsToDouble(r.nextLong()); // every double, NaN and infinities included
            case 7: return Float.intBitsToFloat(r.nextInt());
            case 8: return new BigDecimal(new BigInteger(64, r), r.nextInt(40) - 20); // plain and scientific forms
            case 9: return new BigInteger(70, r).negate();
            case 10: byte[] b = new byte[r.nextInt(10)]; r.nextBytes(b); return b;
            case 11: return depth == 0 && r.nextInt(3) == 0 ? new PartialObject(randomDoc(r, depth + 1)) : randomDoc(r, depth + 1);
            case 12: List<Object> l = new ArrayList<>(); for (int i = r.nextInt(4); i > 0; i--) { l.add(randomValue(r, depth + 1)); } return l;
            default: return Set.of(randomString(r, 3)); // an Iterable that is not a List
        }
    }

    private static final String ALPHABET = "abcXYZ019 _-\"\\/\n\t\r\b\f\u0000\u0001\u001f\u007f\u0080\u00e9\u07ff\u0800\u4e2d\uffff";

    private static String randomString(Random r, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            if (r.nextInt(10) == 0) {
                sb.appendCodePoint(0x10000 + r.nextInt(0x100000)); // a surrogate pair
            } else {
                sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
            }
        }
        return sb.toString();
    }

    /** The reference: Jackson's generator with its defaults, as the encoder wrote it before (commit 52bfd57). */
    private static byte[] jackson(List<DocumentAction> actions) throws IOException {
        JsonFactory factory = new JsonFactoryBuilder().rootValueSeparator((String) null).build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator gen = factory.createGenerator(out)) {
            for (DocumentAction a : actions) {
                gen.writeStartObject();
                gen.writeFieldName(a.type() == dev.binlogsync.core.ActionType.INDEX ? "index"
                        : a.type() == dev.binlogsync.core.ActionType.DELETE ? "delete" : "update");
                gen.writeStartObject();
                gen.writeStringField("_index", a.index());
                gen.writeStringField("_id", a.id());
                if (a.routing() != null) {
                    gen.writeStringField("routing", a.routing());
                }
                if (a.version() != null) {
                    gen.writeNumberField("version", a.version());
                    gen.writeStringField("version_type", a.versionType() == VersionType.EXTERNAL ? "external" : "external_gte");
                }
                gen.writeEndObject();
                gen.writeEndObject();
                gen.writeRaw('\n');
                if (a.type() == dev.binlogsync.core.ActionType.INDEX) {
                    jacksonValue(gen, a.document());
                    gen.writeRaw('\n');
                } else if (a.type() != dev.binlogsync.core.ActionType.DELETE
                        && a.document().values().stream().anyMatch(v -> v instanceof Map)) {
                    jacksonScript(gen, a);
                } else if (a.type() != dev.binlogsync.core.ActionType.DELETE) {
                    gen.writeStartObject();
                    gen.writeFieldName("doc");
                    jacksonValue(gen, a.document());
                    if (a.type() == dev.binlogsync.core.ActionType.UPSERT) {
                        gen.writeBooleanField("doc_as_upsert", true);
                    }
                    gen.writeEndObject();
                    gen.writeRaw('\n');
                }
            }
        }
        return out.toByteArray();
    }

    /** A partial write with an object field: the script, its fields split into params.doc and params.merge. */
    private static void jacksonScript(JsonGenerator gen, DocumentAction a) throws IOException {
        gen.writeStartObject();
        gen.writeObjectFieldStart("script");
        gen.writeStringField("source", BulkBodyEncoder.SET_FIELDS);
        gen.writeStringField("lang", "painless");
        gen.writeObjectFieldStart("params");
        gen.writeObjectFieldStart("doc");
        for (Map.Entry<String, Object> e : a.document().entrySet()) {
            if (!(e.getValue() instanceof PartialObject)) {
                gen.writeFieldName(e.getKey());
                jacksonValue(gen, e.getValue());
            }
        }
        gen.writeEndObject();
        if (a.document().values().stream().anyMatch(v -> v instanceof PartialObject)) {
            gen.writeObjectFieldStart("merge");
            for (Map.Entry<String, Object> e : a.document().entrySet()) {
                if (e.getValue() instanceof PartialObject) {
                    gen.writeFieldName(e.getKey());
                    jacksonValue(gen, e.getValue());
                }
            }
            gen.writeEndObject();
        }
        gen.writeEndObject();
        gen.writeEndObject();
        if (a.type() == dev.binlogsync.core.ActionType.UPSERT) {
            gen.writeBooleanField("scripted_upsert", true);
            gen.writeObjectFieldStart("upsert");
            gen.writeEndObject();
        }
        gen.writeEndObject();
        gen.writeRaw('\n');
    }

    private static void jacksonValue(JsonGenerator gen, Object v) throws IOException {
        if (v instanceof Map<?, ?> m) {
            gen.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                gen.writeFieldName(String.valueOf(e.getKey()));
                jacksonValue(gen, e.getValue());
            }
            gen.writeEndObject();
        } else if (v instanceof Iterable<?> it) {
            gen.writeStartArray();
            for (Object o : it) {
                jacksonValue(gen, o);
            }
            gen.writeEndArray();
        } else if (v instanceof byte[] b) {
            gen.writeBinary(b);
        } else if (v instanceof Double d) {
            gen.writeNumber(d.doubleValue());
        } else if (v instanceof Float f) {
            gen.writeNumber(f.floatValue());
        } else if (v instanceof BigDecimal d) {
            gen.writeNumber(d);
        } else if (v instanceof BigInteger i) {
            gen.writeNumber(i);
        } else if (v instanceof Long l) {
            gen.writeNumber(l.longValue());
        } else if (v instanceof Integer i) {
            gen.writeNumber(i.intValue());
        } else if (v instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (v == null) {
            gen.writeNull();
        } else {
            gen.writeString(v.toString());
        }
    }
}
