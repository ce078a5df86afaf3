package dev.binlogsync.kafka.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.binlogsync.core.DecodeException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.annotation.Nullable;

/**
 * A cursor over the bytes of a Canal flat message (UTF-8, optionally after a byte order mark) for
 * its top level: field names, names shared through caches, strings, literals, and values skipped
 * by their structure. Strings are taken as they are when they hold only printable ASCII without
 * escapes, and otherwise decoded (and checked) by Jackson. Values of fields the decoder does not
 * read are skipped by their structure (strings, brackets) without checking their syntax inside.
 * One instance per message, used by one thread; malformed input is a {@link DecodeException}
 * naming the byte offset.
 */
final class CanalJsonScanner {

    /** The top-level fields this decoder reads; {@link #OTHER} for any other name (skipped). */
    enum Field { DATABASE, TABLE, TYPE, IS_DDL, ES, SQL, PK_NAMES, MYSQL_TYPE, SQL_TYPE, DATA, OLD, OTHER }

    private static final Field[] FIELDS = Field.values();
    /** The JSON names of {@link #FIELDS} but {@code OTHER}, in the same order. */
    private static final String[] FIELD_TEXTS =
            {"database", "table", "type", "isDdl", "es", "sql", "pkNames", "mysqlType", "sqlType", "data", "old"};

    /**
     * Every field name Canal writes, as bytes, with the field it is ({@code OTHER} for those the
     * decoder skips), grouped by first byte: a name is found by comparing its bytes in place, with
     * no scan for the string's end. Names not listed, and names written with escapes, take the
     * general path.
     */
    private static final byte[][][] KNOWN_NAMES_BY_FIRST = new byte[128][][];
    private static final Field[][] KNOWN_FIELDS_BY_FIRST = new Field[128][];

    static {
        for (int i = 0; i < FIELD_TEXTS.length; i++) {
            knownName(FIELD_TEXTS[i].getBytes(StandardCharsets.US_ASCII), FIELDS[i]);
        }
        for (String skipped : new String[] {"gtid", "id", "ts"}) {
            knownName(skipped.getBytes(StandardCharsets.US_ASCII), Field.OTHER);
        }
    }

    private static void knownName(byte[] name, Field field) {
        int first = name[0];
        byte[][] names = KNOWN_NAMES_BY_FIRST[first];
        Field[] fields = KNOWN_FIELDS_BY_FIRST[first];
        int n = names == null ? 0 : names.length;
        names = names == null ? new byte[1][] : Arrays.copyOf(names, n + 1);
        fields = fields == null ? new Field[1] : Arrays.copyOf(fields, n + 1);
        names[n] = name;
        fields[n] = field;
        KNOWN_NAMES_BY_FIRST[first] = names;
        KNOWN_FIELDS_BY_FIRST[first] = fields;
    }

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final String[] DML_TYPES = {"INSERT", "UPDATE", "DELETE"};

    final byte[] bytes;
    int pos;

    CanalJsonScanner(byte[] bytes) {
        this.bytes = bytes;
    }

    void skipByteOrderMark() {
        if (bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF) {
            pos = 3;
        }
    }

    void skipWhitespace() {
        while (pos < bytes.length) {
            byte c = bytes[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    /** The current byte, or -1 at the end. */
    int peek() {
        return pos < bytes.length ? bytes[pos] : -1;
    }

    byte next() {
        if (pos >= bytes.length) {
            throw malformed("unexpected end of input");
        }
        return bytes[pos++];
    }

    void expect(char c) {
        if (next() != c) {
            pos--;
            throw malformed("expected '" + c + "'");
        }
    }

    DecodeException malformed(String what) {
        return new DecodeException("malformed JSON: " + what + " at byte " + pos);
    }

    /** Jackson's name for the token starting here, for error messages. */
    String describeValue() {
        switch (peek()) {
            case '{': return "START_OBJECT";
            case '[': return "START_ARRAY";
            case '"': return "VALUE_STRING";
            case 't': return "VALUE_TRUE";
            case 'f': return "VALUE_FALSE";
            case 'n': return "VALUE_NULL";
            case -1: return "the end of the input";
            default: return peek() == '-' || (peek() >= '0' && peek() <= '9') ? "a number" : "'" + (char) peek() + "'";
        }
    }

    /** A field name and the quotes around it; names with escapes are compared after decoding. */
    Field readFieldName() throws IOException {
        if (peek() != '"') {
            throw malformed("expected a field name");
        }
        int start = pos + 1;
        int first = start < bytes.length ? bytes[start] : -1;
        if (first > 0) { // and < 128: a byte
            byte[][] names = KNOWN_NAMES_BY_FIRST[first];
            if (names != null) {
                for (int k = 0; k < names.length; k++) {
                    if (isNameAt(names[k], start)) {
                        pos = start + names[k].length + 1;
                        return KNOWN_FIELDS_BY_FIRST[first][k];
                    }
                }
            }
        }
        int end = stringEnd(pos);
        boolean plain = isPlain(start, end);
        pos = end + 1;
        if (plain) {
            return Field.OTHER; // a plain name of a field the decoder reads was found above
        }
        String name = decodeString(start - 1, end + 1);
        for (int f = 0; f < FIELD_TEXTS.length; f++) {
            if (name.equals(FIELD_TEXTS[f])) {
                return FIELDS[f];
            }
        }
        return Field.OTHER;
    }

    /**
     * Whether the string starting at {@code start} (after its opening quote) is exactly
     * {@code name}: its bytes, then the closing quote. A name of plain ASCII letters can be
     * written no other way without escapes, so this is the string's value.
     */
    private boolean isNameAt(byte[] name, int start) {
        int end = start + name.length;
        if (end >= bytes.length || bytes[end] != '"') {
            return false;
        }
        for (int i = 1; i < name.length; i++) { // name[0] matched by the caller
            if (bytes[start + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code null}, or a string shared through {@code cache} (database, table and column names
     * repeat); a name longer than MySQL allows is a {@link DecodeException}.
     */
    @Nullable
    String readName(ByteRangeCache<String> cache, String field) throws IOException {
        if (peek() != '"') {
            return readNull("'" + field + "' must be a string");
        }
        ByteRangeCache.Entry<String> recent = cache.recentAt(bytes, pos);
        if (recent != null) {
            pos += recent.length(); // the same string, quotes included
            return recent.value();
        }
        int end = stringEnd(pos);
        ByteRangeCache.Key key = cache.key(bytes, pos, end + 1);
        String name = cache.get(key);
        if (name == null) {
            // only checked names are cached, so a hit needs no check
            name = Identifiers.check(decodeString(pos, end + 1), field);
            cache.put(key, name);
        }
        pos = end + 1;
        return name;
    }

    /** {@code type}: the constant for INSERT, UPDATE and DELETE, else the decoded string (or null). */
    @Nullable
    String readType() throws IOException {
        if (peek() == '"') {
            int end = stringEnd(pos);
            for (String t : DML_TYPES) {
                if (end - pos - 1 == t.length() && startsWith(pos + 1, t)) {
                    pos = end + 1;
                    return t;
                }
            }
        }
        return readString("type");
    }

    @Nullable
    String readString(String field) throws IOException {
        if (peek() != '"') {
            return readNull("'" + field + "' must be a string");
        }
        int start = pos;
        int end = stringEnd(pos);
        pos = end + 1;
        return isPlain(start + 1, end) ? new String(bytes, start + 1, end - start - 1, StandardCharsets.ISO_8859_1)
                : decodeString(start, end + 1);
    }

    /** {@code true} for the literal true; any other value is skipped and read as false. */
    boolean readTrue() {
        if (literal(TRUE)) {
            return true;
        }
        skipValue();
        return false;
    }

    /** An integer as a long; any other value is skipped and read as 0 (as Canal's missing {@code es}). */
    long readLongOrZero() throws IOException {
        int start = pos;
        int i = pos;
        if (i < bytes.length && bytes[i] == '-') {
            i++;
        }
        int digits = i;
        while (i < bytes.length && bytes[i] >= '0' && bytes[i] <= '9') {
            i++;
        }
        boolean integer = i > digits && (i == bytes.length || (bytes[i] != '.' && bytes[i] != 'e' && bytes[i] != 'E'));
        if (!integer) {
            skipValue();
            return 0L;
        }
        pos = i;
        if (i - digits <= 18) {
            long v = 0;
            for (int k = digits; k < i; k++) {
                v = v * 10 + (bytes[k] - '0');
            }
            return digits > start ? -v : v;
        }
        try (JsonParser sub = Json.FACTORY.createParser(bytes, start, i - start)) {
            sub.nextToken();
            return sub.getLongValue(); // out of range: Jackson's error, reported as malformed
        }
    }

    /** The literal null (returns null), else a decode error saying what the field must be. */
    @Nullable
    <T> T readNull(String mustBe) {
        if (literal(NULL)) {
            return null;
        }
        int c = peek();
        if (c == -1) {
            throw malformed("unexpected end of input");
        }
        if (c == ',' || c == '}' || c == ']' || c == ':') {
            throw malformed("expected a value");
        }
        throw new DecodeException(mustBe + ", got " + describeValue());
    }

    boolean literal(byte[] word) {
        int end = pos + word.length;
        if (end <= bytes.length && Arrays.equals(bytes, pos, end, word, 0, word.length)
                && (end == bytes.length || isDelimiter(bytes[end]))) {
            pos = end;
            return true;
        }
        return false;
    }

    /**
     * A row value that is not a string: null for the literal null, else a number or boolean
     * checked by Jackson and returned as its text (typed later like a string, as Canal only
     * ever sends strings); objects and arrays are errors.
     */
    @Nullable
    String readScalarText(String field, String column) throws IOException {
        if (literal(NULL)) {
            return null;
        }
        int c = peek();
        if (c == '{' || c == '[') {
            throw new DecodeException("'" + field + "' column '" + column + "' must be a string or null, got " + describeValue());
        }
        int start = pos;
        while (pos < bytes.length && !isDelimiter(bytes[pos])) {
            pos++;
        }
        if (pos == start) {
            throw malformed(c == -1 ? "unexpected end of input" : "expected a value");
        }
        try (JsonParser sub = Json.FACTORY.createParser(bytes, start, pos - start)) {
            JsonToken t = sub.nextToken();
            if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT && t != JsonToken.VALUE_TRUE
                    && t != JsonToken.VALUE_FALSE) {
                throw new DecodeException("'" + field + "' column '" + column + "' must be a string or null, got " + t);
            }
            String text = sub.getText();
            if (sub.nextToken() != null) {
                throw malformed("unexpected bytes after the value of column '" + column + "'");
            }
            return text;
        }
    }

    /** The object or array starting here as a cache key (its exact bytes); the cursor goes past it. */
    ByteRangeCache.Key skipValueAsKey(ByteRangeCache<?> cache) {
        int start = pos;
        skipValue();
        return cache.key(bytes, start, pos);
    }

    /** Skips one value by its structure: a string, an object or array (to its matching end), or a bare word. */
    void skipValue() {
        int c = peek();
        if (c == '"') {
            pos = stringEnd(pos) + 1;
        } else if (c == '{' || c == '[') {
            int depth = 0;
            while (true) {
                byte b = next();
                if (b == '"') {
                    pos = stringEnd(pos - 1) + 1;
                } else if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    if (--depth == 0) {
                        return;
                    }
                }
            }
        } else {
            int start = pos;
            while (pos < bytes.length && !isDelimiter(bytes[pos])) {
                pos++;
            }
            if (pos == start) {
                throw malformed(c == -1 ? "unexpected end of input" : "expected a value");
            }
        }
    }

    /**
     * The index of the closing quote of the string whose opening quote is at {@code quote} if
     * the string is plain (printable ASCII, no escapes), else -1; one pass for both.
     */
    int plainStringEnd(int quote) {
        for (int i = quote + 1; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '"') {
                return i;
            }
            if (b < 0x20 || b == '\\') { // negative: a byte of a multi-byte UTF-8 sequence
                return -1;
            }
        }
        return -1; // unterminated: stringEnd reports it
    }

    /** The index of the closing quote of the string whose opening quote is at {@code quote}. */
    int stringEnd(int quote) {
        for (int i = quote + 1; i < bytes.length; i++) {
            byte b = bytes[i];
            if (b == '"') {
                return i;
            }
            if (b == '\\') {
                i++;
            }
        }
        pos = bytes.length;
        throw malformed("unterminated string starting at byte " + quote);
    }

    /** Whether {@code [from, to)} is printable ASCII without escapes, so it is the string's content as it is. */
    private boolean isPlain(int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b < 0x20 || b == '\\') { // negative: a byte of a multi-byte UTF-8 sequence
                return false;
            }
        }
        return true;
    }

    private boolean startsWith(int from, String ascii) {
        for (int i = 0; i < ascii.length(); i++) {
            if (bytes[from + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** The JSON string {@code [quote, afterQuote)} (quotes included) decoded and checked by Jackson. */
    String decodeString(int quote, int afterQuote) throws IOException {
        try (JsonParser sub = Json.FACTORY.createParser(bytes, quote, afterQuote - quote)) {
            sub.nextToken();
            return sub.getText();
        }
    }

    private static boolean isDelimiter(byte b) {
        return b == ',' || b == '}' || b == ']' || b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }
}
