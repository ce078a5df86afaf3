package dev.binlogsync.elasticsearch.internal;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.PartialObject;
import dev.binlogsync.core.RowMap;
import dev.binlogsync.core.VersionType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Writes the NDJSON body of a {@code _bulk} request straight from {@link DocumentAction}s into a
 * {@link ByteBuf}: no trees, no intermediate strings, no generator state. Never writes {@code _type}
 * (removed in Elasticsearch 7 and OpenSearch 2), and uses the un-prefixed {@code routing},
 * {@code version} and {@code version_type} that 7.x, 8.x, 9.x and OpenSearch all accept.
 *
 * <p>Lines per action:
 * <pre>
 * {"index":{"_index":"i","_id":"1","routing":"r","version":7,"version_type":"external"}}
 * {...document...}
 * {"update":{"_index":"i","_id":"1"}}
 * {"doc":{...fields...},"doc_as_upsert":true}
 * {"update":{"_index":"i","_id":"1"}}
 * {"doc":{...fields...}}
 * {"update":{"_index":"i","_id":"1"}}
 * {"script":{"source":"...","lang":"painless","params":{"doc":{...},"merge":{...}}},"scripted_upsert":true,"upsert":{}}
 * {"update":{"_index":"i","_id":"1"}}
 * {"script":{"source":"...","lang":"painless","params":{"doc":{...}}}}
 * {"delete":{"_index":"i","_id":"1"}}
 * {"delete":{"_index":"i","_id":"1","if_seq_no":5,"if_primary_term":1}}
 * {"create":{"_index":"i","_id":"1"}}
 * {...document...}
 * </pre>
 *
 * <p>An UPSERT or UPDATE whose document has an object (a {@code Map}) as a top-level value is
 * written as the script {@link #SET_FIELDS} instead of a {@code doc}: Elasticsearch merges a
 * {@code doc}'s objects into the stored ones key by key, so a key the row's new object lacks would
 * stay; the script replaces each field whole (a {@link PartialObject} key by key). Documents
 * without an object value keep the cheaper {@code doc} (with {@code detect_noop}). The script is
 * inline: a cluster that does not allow inline scripts or the update context answers each such
 * item 400 (see {@link ItemClassifier}).
 *
 * <p>The output is byte for byte what Jackson's {@code JsonGenerator} writes with its defaults
 * (the tests hold it to that): strings as UTF-8 with {@code "}, {@code \} and control characters
 * escaped ({@code \b \t \n \f \r}, else {@code \}{@code u00XX}); numbers as
 * {@code toString()} ({@code BigDecimal} in its scientific form when it has one), a non-finite
 * {@code double} or {@code float} as a string ({@code "NaN"}); {@code byte[]} as base64 with padding;
 * maps as objects (keys by {@code String.valueOf}); lists, other iterables and object arrays as
 * arrays; any other object as the string of its {@code toString()}. Chars outside the Basic
 * Multilingual Plane (a UTF-16 surrogate pair) are written as two {@code \}{@code uXXXX} escapes,
 * as Jackson writes them, and so is a lone surrogate, which has no UTF-8 form.
 *
 * <p>Thread-safe: stateless.
 */
public final class BulkBodyEncoder {

    private static final byte[] INDEX_OPEN = ascii("{\"index\":{\"_index\":");
    private static final byte[] UPDATE_OPEN = ascii("{\"update\":{\"_index\":");
    private static final byte[] DELETE_OPEN = ascii("{\"delete\":{\"_index\":");
    private static final byte[] CREATE_OPEN = ascii("{\"create\":{\"_index\":");
    private static final byte[] IF_SEQ_NO = ascii(",\"if_seq_no\":");
    private static final byte[] IF_PRIMARY_TERM = ascii(",\"if_primary_term\":");
    private static final byte[] ID = ascii(",\"_id\":");
    private static final byte[] ROUTING = ascii(",\"routing\":");
    private static final byte[] VERSION = ascii(",\"version\":");
    private static final byte[] VERSION_TYPE_EXTERNAL = ascii(",\"version_type\":\"external\"");
    private static final byte[] VERSION_TYPE_EXTERNAL_GTE = ascii(",\"version_type\":\"external_gte\"");
    private static final byte[] META_CLOSE = ascii("}}\n");
    private static final byte[] DOC_OPEN = ascii("{\"doc\":");
    private static final byte[] DOC_CLOSE = ascii(",\"doc_as_upsert\":true}\n");
    private static final byte[] DOC_CLOSE_NO_UPSERT = ascii("}\n");
    /**
     * The painless script of a partial write whose document has an object value: each field of
     * {@code params.doc} replaces the stored one whole (Elasticsearch's {@code doc} would merge
     * objects key by key and keep a key the new object lacks); each object of {@code params.merge}
     * (a {@link PartialObject}) has its keys replaced one by one in the stored object (created when
     * absent or not an object). Nothing changed: {@code noop}, as {@code detect_noop} answers a
     * {@code doc}. Values are compared with Java's {@code equals} ({@code x.equals(v)}, null apart),
     * never painless's {@code ==}/{@code !=}: on {@code def} values those compare numbers of
     * different types numerically after narrowing (a {@code BigInteger} by its {@code intValue} or
     * {@code longValue}, a {@code long} against a {@code double} as doubles), so 5 and 2^63+5, or 5
     * and 5.0, would be taken as unchanged and the write lost. Both sides are parsed from JSON by
     * the same parser, so an unchanged value has the same class and {@code equals} holds; a value
     * of another class is written (at worst a write that changes nothing visible). Constant, so the
     * node compiles it once and caches it.
     */
    static final String SET_FIELDS = "def s=ctx._source;boolean c=false;"
            + "for(def e:params.doc.entrySet()){def k=e.getKey();def v=e.getValue();def x=s[k];"
            + "if(!s.containsKey(k)||(x==null?v!=null:!x.equals(v))){s[k]=v;c=true;}}"
            + "if(params.merge!=null){for(def m:params.merge.entrySet()){def o=s[m.getKey()];"
            + "if(!(o instanceof Map)){o=new HashMap();s[m.getKey()]=o;c=true;}"
            + "for(def e:m.getValue().entrySet()){def k=e.getKey();def v=e.getValue();def x=o[k];"
            + "if(!o.containsKey(k)||(x==null?v!=null:!x.equals(v))){o[k]=v;c=true;}}}}"
            + "if(!c){ctx.op='noop';}";
    private static final byte[] SCRIPT_OPEN = ascii("{\"script\":{\"source\":\"" + SET_FIELDS
            + "\",\"lang\":\"painless\",\"params\":{\"doc\":{");
    private static final byte[] MERGE_OPEN = ascii(",\"merge\":{");
    private static final byte[] SCRIPT_CLOSE = ascii("}}}\n");
    private static final byte[] SCRIPT_CLOSE_UPSERT = ascii("}},\"scripted_upsert\":true,\"upsert\":{}}\n");
    private static final byte[] NULL = ascii("null");
    private static final byte[] TRUE = ascii("true");
    private static final byte[] FALSE = ascii("false");
    private static final byte[] LONG_MIN = ascii(Long.toString(Long.MIN_VALUE));
    private static final byte[] HEX = ascii("0123456789ABCDEF");

    /**
     * For each ASCII byte: 0 to copy it, else the letter of its short escape ({@code \n}), or
     * {@code 'u'} for the {@code \}{@code u00XX} form. Negative bytes (non-ASCII) are handled apart.
     */
    private static final byte[] ESCAPES = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['\b'] = 'b';
        ESCAPES['\t'] = 't';
        ESCAPES['\n'] = 'n';
        ESCAPES['\f'] = 'f';
        ESCAPES['\r'] = 'r';
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
    }

    /**
     * Appends the NDJSON lines of {@code actions} to {@code out}, ending with a newline as
     * {@code _bulk} requires. Fails only on an action whose body cannot be represented (never for
     * the values decoders and rules produce), with {@code out} then holding a partial body.
     */
    public void encode(List<DocumentAction> actions, ByteBuf out) {
        encode(actions, out, true);
    }

    /**
     * As {@link #encode(List, ByteBuf)}; {@code replaceObjects} false writes every UPSERT and UPDATE
     * as a {@code doc} (Elasticsearch's key-by-key merge of objects, for a cluster without painless).
     */
    public void encode(List<DocumentAction> actions, ByteBuf out, boolean replaceObjects) {
        for (int i = 0, n = actions.size(); i < n; i++) {
            writeAction(out, actions.get(i), replaceObjects);
        }
    }

    private static void writeAction(ByteBuf out, DocumentAction action, boolean replaceObjects) {
        ActionType type = action.type();
        out.append(type == ActionType.INDEX ? INDEX_OPEN : type == ActionType.DELETE ? DELETE_OPEN
                : type == ActionType.CREATE ? CREATE_OPEN : UPDATE_OPEN);
        writeString(out, action.index());
        out.append(ID);
        writeString(out, action.id());
        String routing = action.routing();
        if (routing != null) {
            out.append(ROUTING);
            writeString(out, routing);
        }
        Long version = action.version();
        VersionType versionType = action.versionType();
        if (version != null && versionType != null) {
            out.append(VERSION);
            writeLong(out, version.longValue());
            out.append(versionType == VersionType.EXTERNAL ? VERSION_TYPE_EXTERNAL : VERSION_TYPE_EXTERNAL_GTE);
        }
        Long ifSeqNo = action.ifSeqNo();
        Long ifPrimaryTerm = action.ifPrimaryTerm();
        if (ifSeqNo != null && ifPrimaryTerm != null) {
            out.append(IF_SEQ_NO);
            writeLong(out, ifSeqNo.longValue());
            out.append(IF_PRIMARY_TERM);
            writeLong(out, ifPrimaryTerm.longValue());
        }
        out.append(META_CLOSE);
        Map<String, Object> document = action.document();
        if ((type == ActionType.INDEX || type == ActionType.CREATE) && document != null) {
            writeMap(out, document);
            out.append((byte) '\n');
        } else if (document != null && replaceObjects && hasObject(document)) {
            writeScript(out, document, type == ActionType.UPSERT);
        } else if (document != null) {
            // UPSERT creates a missing document; UPDATE must not (a 404 document_missing answers it)
            out.append(DOC_OPEN);
            writeMap(out, document);
            out.append(type == ActionType.UPSERT ? DOC_CLOSE : DOC_CLOSE_NO_UPSERT);
        }
    }

    /** Whether a top-level value is an object: a {@code doc} would merge it key by key into the stored one. */
    static boolean hasObject(Map<String, Object> document) {
        if (document instanceof RowMap) {
            RowMap row = (RowMap) document;
            for (int i = 0, n = row.size(); i < n; i++) {
                if (row.valueAt(i) instanceof Map) {
                    return true;
                }
            }
            return false;
        }
        for (Object v : document.values()) {
            if (v instanceof Map) {
                return true;
            }
        }
        return false;
    }

    /**
     * The partial write as {@link #SET_FIELDS}: the plain fields as {@code params.doc}, the
     * {@link PartialObject}s as {@code params.merge}. An UPSERT runs it on an empty document when the
     * document is missing ({@code scripted_upsert}), so the document is created with exactly the
     * fields; an UPDATE has no upsert, so a missing document stays a 404 {@code document_missing}.
     */
    private static void writeScript(ByteBuf out, Map<String, Object> document, boolean upsert) {
        out.append(SCRIPT_OPEN);
        boolean first = true;
        boolean partial = false;
        for (Map.Entry<String, Object> e : document.entrySet()) {
            Object value = e.getValue();
            if (value instanceof PartialObject) {
                partial = true;
                continue;
            }
            if (!first) {
                out.append((byte) ',');
            }
            first = false;
            writeString(out, e.getKey());
            out.append((byte) ':');
            writeValue(out, value);
        }
        out.append((byte) '}');
        if (partial) {
            out.append(MERGE_OPEN);
            first = true;
            for (Map.Entry<String, Object> e : document.entrySet()) {
                if (e.getValue() instanceof PartialObject) {
                    if (!first) {
                        out.append((byte) ',');
                    }
                    first = false;
                    writeString(out, e.getKey());
                    out.append((byte) ':');
                    writeMap(out, (PartialObject) e.getValue());
                }
            }
            out.append((byte) '}');
        }
        out.append(upsert ? SCRIPT_CLOSE_UPSERT : SCRIPT_CLOSE);
    }

    private static void writeMap(ByteBuf out, Map<?, ?> map) {
        if (map instanceof RowMap) {
            writeRow(out, (RowMap) map);
            return;
        }
        out.append((byte) '{');
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!first) {
                out.append((byte) ',');
            }
            first = false;
            Object key = e.getKey();
            writeString(out, key instanceof String ? (String) key : String.valueOf(key));
            out.append((byte) ':');
            writeValue(out, e.getValue());
        }
        out.append((byte) '}');
    }

    /** A decoded row, by index: no iterator, no entry objects. */
    private static void writeRow(ByteBuf out, RowMap row) {
        out.append((byte) '{');
        for (int i = 0, n = row.size(); i < n; i++) {
            if (i > 0) {
                out.append((byte) ',');
            }
            writeString(out, row.keyAt(i));
            out.append((byte) ':');
            writeValue(out, row.valueAt(i));
        }
        out.append((byte) '}');
    }

    // Most frequent types first: row values are mostly strings and numbers.
    private static void writeValue(ByteBuf out, Object value) {
        if (value == null) {
            out.append(NULL);
        } else if (value instanceof String) {
            writeString(out, (String) value);
        } else if (value instanceof Long) {
            writeLong(out, ((Long) value).longValue());
        } else if (value instanceof Integer) {
            writeLong(out, ((Integer) value).intValue());
        } else if (value instanceof Boolean) {
            out.append(((Boolean) value).booleanValue() ? TRUE : FALSE);
        } else if (value instanceof Double) {
            double d = ((Double) value).doubleValue();
            writeNumber(out, Double.toString(d), Double.isFinite(d));
        } else if (value instanceof BigDecimal || value instanceof BigInteger) {
            writeNumber(out, value.toString(), true);
        } else if (value instanceof Float) {
            float f = ((Float) value).floatValue();
            writeNumber(out, Float.toString(f), Float.isFinite(f));
        } else if (value instanceof Short || value instanceof Byte) {
            writeLong(out, ((Number) value).intValue());
        } else if (value instanceof Map) {
            writeMap(out, (Map<?, ?>) value);
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            out.append((byte) '[');
            for (int i = 0, n = list.size(); i < n; i++) {
                if (i > 0) {
                    out.append((byte) ',');
                }
                writeValue(out, list.get(i));
            }
            out.append((byte) ']');
        } else if (value instanceof Iterable) {
            writeArray(out, (Iterable<?>) value);
        } else if (value instanceof byte[]) {
            out.append((byte) '"');
            out.append(Base64.getEncoder().encode((byte[]) value));
            out.append((byte) '"');
        } else if (value instanceof Object[]) {
            writeArray(out, java.util.Arrays.asList((Object[]) value)); // asList: elements may be null
        } else {
            writeString(out, value.toString());
        }
    }

    private static void writeArray(ByteBuf out, Iterable<?> values) {
        out.append((byte) '[');
        boolean first = true;
        for (Object o : values) {
            if (!first) {
                out.append((byte) ',');
            }
            first = false;
            writeValue(out, o);
        }
        out.append((byte) ']');
    }

    /** The text of a number (ASCII), quoted when it is not finite, as Jackson writes NaN and infinities. */
    private static void writeNumber(ByteBuf out, String text, boolean finite) {
        if (!finite) {
            writeString(out, text);
            return;
        }
        int n = text.length();
        int pos = out.reserve(n);
        byte[] b = out.array();
        for (int i = 0; i < n; i++) {
            b[pos + i] = (byte) text.charAt(i);
        }
        out.advance(n);
    }

    static void writeLong(ByteBuf out, long v) {
        if (v == Long.MIN_VALUE) {
            out.append(LONG_MIN);
            return;
        }
        int start = out.reserve(20);
        int pos = start;
        byte[] b = out.array();
        if (v < 0) {
            b[pos++] = '-';
            v = -v;
        }
        int end = pos + digits(v);
        int i = end;
        // two digits per division, by long only while the value does not fit an int
        while (v > Integer.MAX_VALUE) {
            long q = v / 100;
            int r = (int) (v - q * 100);
            v = q;
            b[--i] = DIGIT_ONES[r];
            b[--i] = DIGIT_TENS[r];
        }
        int iv = (int) v;
        while (iv >= 100) {
            int q = iv / 100;
            int r = iv - q * 100;
            iv = q;
            b[--i] = DIGIT_ONES[r];
            b[--i] = DIGIT_TENS[r];
        }
        if (iv >= 10) {
            b[--i] = DIGIT_ONES[iv];
            b[--i] = DIGIT_TENS[iv];
        } else {
            b[--i] = (byte) ('0' + iv);
        }
        out.advance(end - start);
    }

    /** The number of decimal digits of {@code v >= 0}. */
    private static int digits(long v) {
        long p = 10;
        for (int d = 1; d < 19; d++) {
            if (v < p) {
                return d;
            }
            p *= 10;
        }
        return 19;
    }

    private static final byte[] DIGIT_TENS = new byte[100];
    private static final byte[] DIGIT_ONES = new byte[100];

    static {
        for (int i = 0; i < 100; i++) {
            DIGIT_TENS[i] = (byte) ('0' + i / 10);
            DIGIT_ONES[i] = (byte) ('0' + i % 10);
        }
    }

    /**
     * A JSON string. Fast path: ASCII chars that need no escape are stored straight into the
     * reserved room; from the first char that needs an escape or is not ASCII on, chars are
     * encoded one by one.
     */
    static void writeString(ByteBuf out, String s) {
        int n = s.length();
        int pos = out.reserve(n + 2);
        byte[] b = out.array();
        b[pos++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x80 || ESCAPES[c] != 0) {
                out.advance(1 + i);
                writeStringSlow(out, s, i);
                return;
            }
            b[pos + i] = (byte) c;
        }
        b[pos + n] = '"';
        out.advance(n + 2);
    }

    /** Chars {@code from} to the end of {@code s}, escaped and UTF-8 encoded, then the closing quote. */
    private static void writeStringSlow(ByteBuf out, String s, int from) {
        int n = s.length();
        for (int i = from; i < n; i++) {
            char c = s.charAt(i);
            int pos = out.reserve(12);
            byte[] b = out.array();
            if (c < 0x80) {
                byte esc = ESCAPES[c];
                if (esc == 0) {
                    b[pos] = (byte) c;
                    out.advance(1);
                } else if (esc != 'u') {
                    b[pos] = '\\';
                    b[pos + 1] = esc;
                    out.advance(2);
                } else {
                    writeUnicodeEscape(b, pos, c);
                    out.advance(6);
                }
            } else if (c < 0x800) {
                b[pos] = (byte) (0xC0 | (c >> 6));
                b[pos + 1] = (byte) (0x80 | (c & 0x3F));
                out.advance(2);
            } else if (!Character.isSurrogate(c)) {
                b[pos] = (byte) (0xE0 | (c >> 12));
                b[pos + 1] = (byte) (0x80 | ((c >> 6) & 0x3F));
                b[pos + 2] = (byte) (0x80 | (c & 0x3F));
                out.advance(3);
            } else {
                // as Jackson does: a surrogate, paired or lone, is written as its escape (valid JSON
                // either way, and a lone one has no UTF-8 form)
                writeUnicodeEscape(b, pos, c);
                out.advance(6);
            }
        }
        out.append((byte) '"');
    }

    private static void writeUnicodeEscape(byte[] b, int pos, char c) {
        b[pos] = '\\';
        b[pos + 1] = 'u';
        b[pos + 2] = HEX[(c >> 12) & 0xF];
        b[pos + 3] = HEX[(c >> 8) & 0xF];
        b[pos + 4] = HEX[(c >> 4) & 0xF];
        b[pos + 5] = HEX[c & 0xF];
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
