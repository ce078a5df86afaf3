package dev.binlogsync.kafka.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.binlogsync.core.DecodeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Reads a Canal flat message into a {@link CanalMessage}: a {@code CanalJsonScanner} over the top
 * level hands only the values of {@code data} and {@code old} rows (as spans of the message's
 * bytes, typed later by {@link CanalValueConverter}) and type objects not yet cached to Jackson.
 * Holds one decoder's caches: the {@code mysqlType}, {@code sqlType} and {@code pkNames} values and
 * the database, table and column names by their bytes (bounded {@link ByteRangeCache}s of
 * 1024 values), and the column layouts of recent rows
 * ({@code CanalRowLayouts}). Thread-safe: the caches are, and each message is read into its own
 * objects.
 */
public final class CanalMessageReader {
    private static final int TYPE_CACHE_LIMIT = 1024;

    /** Parsed {@code mysqlType} / {@code sqlType} objects by their bytes: they repeat in every message of a table. */
    private final ByteRangeCache<Map<String, MysqlColumnType>> mysqlTypes = new ByteRangeCache<>(TYPE_CACHE_LIMIT);
    private final ByteRangeCache<CanalMessage.SqlTypes> sqlTypes = new ByteRangeCache<>(TYPE_CACHE_LIMIT);
    /** {@code pkNames} arrays, and database and table names (their hash codes then computed once), by their bytes. */
    private final ByteRangeCache<List<String>> pkNames = new ByteRangeCache<>(TYPE_CACHE_LIMIT);
    private final ByteRangeCache<String> names = new ByteRangeCache<>(TYPE_CACHE_LIMIT);
    // column names not found in a layout: one after the other, so keeping recent ones would only churn
    private final ByteRangeCache<String> columnNames = new ByteRangeCache<>(TYPE_CACHE_LIMIT, false);
    private final CanalRowLayouts layouts = new CanalRowLayouts();

    /** A reader with empty caches. */
    public CanalMessageReader() {
    }

    /**
     * The message's fields, its rows untyped.
     *
     * @throws DecodeException if the message is not a JSON object of the fields Canal writes, or
     *     malformed where it is read
     * @throws JsonProcessingException if Jackson finds a string, number or type object malformed
     * @throws IOException never, in practice: the bytes are in memory
     */
    public CanalMessage read(byte[] value) throws IOException {
        CanalMessage m = new CanalMessage();
        readMessage(value, m);
        return m;
    }

    /**
     * Reads the top level of a message with a byte scanner and hands only the {@code data} and
     * {@code old} arrays (and type objects not yet cached) to Jackson. The type objects, which
     * repeat byte for byte in every message of a table, are skipped by scanning for their end and
     * found in the caches by their bytes without being tokenized; {@code database}, {@code table}
     * and {@code pkNames} are shared instances found the same way.
     */
    private void readMessage(byte[] value, CanalMessage m) throws IOException {
        CanalJsonScanner in = new CanalJsonScanner(value);
        m.bytes = value;
        in.skipByteOrderMark();
        in.skipWhitespace();
        if (in.peek() != '{') {
            throw new DecodeException("a Canal flat message must be a JSON object, got " + in.describeValue());
        }
        in.pos++;
        in.skipWhitespace();
        if (in.peek() == '}') {
            return;
        }
        while (true) {
            CanalJsonScanner.Field field = in.readFieldName();
            in.skipWhitespace();
            in.expect(':');
            in.skipWhitespace();
            switch (field) {
                case DATABASE: m.database = in.readName(names, "database"); break;
                case TABLE: m.table = in.readName(names, "table"); break;
                case TYPE: m.type = in.readType(); break;
                case IS_DDL: m.isDdl = in.readTrue(); break;
                case ES: m.es = in.readLongOrZero(); break;
                case SQL: m.sql = in.readString("sql"); break;
                case PK_NAMES: m.pkNames = cached(in, pkNames, '[', "'pkNames' must be an array of strings",
                        sub -> readStrings(sub, sub.nextToken(), "pkNames")); break;
                case MYSQL_TYPE: m.mysqlType = cached(in, mysqlTypes, '{', "'mysqlType' must be an object",
                        sub -> readTypes(sub, sub.nextToken())); break;
                case SQL_TYPE: m.sqlTypes = cached(in, sqlTypes, '{', "'sqlType' must be an object",
                        sub -> readSqlTypes(sub, sub.nextToken())); break;
                case DATA: m.data = readRows(in, m, "data"); break;
                case OLD: m.old = readRows(in, m, "old"); break;
                default: in.skipValue();
            }
            in.skipWhitespace();
            byte c = in.next();
            if (c == '}') {
                return; // what follows the object is not read, as a streaming parser would not
            }
            if (c != ',') {
                in.pos--;
                throw in.malformed("expected ',' or '}' after the value of a field");
            }
            in.skipWhitespace();
        }
    }

    /** A value parsed from its own bytes by a Jackson parser positioned at them. */
    @FunctionalInterface
    private interface SubParse<T> {
        @Nullable
        T parse(JsonParser sub) throws IOException;
    }

    /**
     * A value that repeats byte for byte across messages ({@code mysqlType}, {@code sqlType},
     * {@code pkNames}): null for a JSON null, else skipped by the scanner and found in {@code cache}
     * by its bytes; only a miss is parsed (from the same bytes, so its syntax is checked once).
     *
     * @param open the value's opening bracket, {@code '{'} or {@code '['}
     * @param mustBe the error for any other value
     */
    @Nullable
    private static <T> T cached(CanalJsonScanner in, ByteRangeCache<T> cache, char open, String mustBe, SubParse<T> parse)
            throws IOException {
        if (in.peek() != open) {
            return in.readNull(mustBe);
        }
        ByteRangeCache.Entry<T> recent = cache.recentAt(in.bytes, in.pos);
        if (recent != null) {
            in.pos += recent.length(); // the same complete value, byte for byte: it ends where the cached one did
            return recent.value();
        }
        ByteRangeCache.Key key = in.skipValueAsKey(cache);
        T value = cache.get(key);
        if (value == null) {
            try (JsonParser sub = Json.FACTORY.createParser(key.bytes(), key.from(), key.length())) {
                value = parse.parse(sub);
            }
            cache.put(key, value);
        }
        return value;
    }

    /**
     * {@code data} or {@code old}: null, or an array of row objects whose values are kept as spans
     * of the message's bytes until the column types are known ({@code mysqlType} usually comes
     * after {@code data}). Column names are shared strings: found positionally in the layout of a
     * recent row of the same columns (a byte comparison per name), else in a cache by their bytes.
     */
    @Nullable
    private List<CanalMessage.RawRow> readRows(CanalJsonScanner in, CanalMessage m, String field) throws IOException {
        if (in.peek() != '[') {
            return in.readNull("'" + field + "' must be an array of row objects");
        }
        boolean data = field.equals("data");
        in.pos++;
        in.skipWhitespace();
        List<CanalMessage.RawRow> rows = new ArrayList<>(1);
        if (in.peek() == ']') {
            in.pos++;
            return rows;
        }
        while (true) {
            int c = in.peek();
            if (c == '{') {
                rows.add(readRow(in, m, field, data));
            } else if (in.literal(CanalJsonScanner.NULL)) {
                if (data) {
                    throw new DecodeException("'data' must not contain null rows");
                }
                rows.add(null);
            } else if (c == -1) {
                throw in.malformed("unexpected end of input");
            } else if (c == ',' || c == ']' || c == '}' || c == ':') {
                throw in.malformed("expected a value");
            } else {
                throw new DecodeException("'" + field + "' must be an array of row objects, got " + in.describeValue() + " in it");
            }
            in.skipWhitespace();
            byte b = in.next();
            if (b == ']') {
                return rows;
            }
            if (b != ',') {
                in.pos--;
                throw in.malformed("expected ',' or ']' after a row of '" + field + "'");
            }
            in.skipWhitespace();
        }
    }

    /** One row object, the scanner at its '{'. */
    private CanalMessage.RawRow readRow(CanalJsonScanner in, CanalMessage m, String field, boolean data) throws IOException {
        byte[] bytes = in.bytes;
        in.pos++;
        in.skipWhitespace();
        CanalColumnLayout layout = m.layout; // for data: the layout the previous row matched; for old: the data rows'
        boolean exact = data; // every name so far found at its own position in `layout`
        CanalColumnLayout guess = layout != null ? layout : layouts.mostRecent(); // most rows have its columns
        int capacity = guess != null ? Math.max(guess.names.length, 1) : 16;
        String[] columns = new String[capacity];
        Object[] values = new Object[capacity];
        int[] spans = new int[2 * capacity];
        int n = 0;
        if (in.peek() == '}') {
            in.pos++;
            return new CanalMessage.RawRow(columns, values, spans, 0, null);
        }
        while (true) {
            if (in.peek() != '"') {
                throw in.malformed("expected a column name");
            }
            int quote = in.pos;
            int end = -1;
            String name = null;
            if (exact) {
                // compared in place: a layout's name has no quote or backslash, so its bytes and a quote are the whole string
                CanalColumnLayout l = layouts.match(layout, columns, n, bytes, quote + 1);
                if (l != null) {
                    layout = l;
                    name = l.names[n];
                    end = quote + 1 + l.raw[n].length;
                } else {
                    exact = false;
                }
            }
            if (name == null) {
                end = in.stringEnd(quote);
                if (!data && layout != null) {
                    name = layout.find(n, bytes, quote + 1, end);
                }
                if (name == null) {
                    name = in.readName(columnNames, "column");
                }
            }
            in.pos = end + 1;
            in.skipWhitespace();
            in.expect(':');
            in.skipWhitespace();
            if (n == columns.length) {
                Identifiers.checkColumnCount(n, "'" + field + "'");
                columns = Arrays.copyOf(columns, n * 2);
                values = Arrays.copyOf(values, n * 2);
                spans = Arrays.copyOf(spans, n * 4);
            }
            columns[n] = name;
            if (in.peek() == '"') {
                int start = in.pos;
                int close = in.plainStringEnd(start);
                if (close >= 0) {
                    spans[2 * n] = start + 1;
                    spans[2 * n + 1] = close;
                } else {
                    close = in.stringEnd(start);
                    spans[2 * n] = -1;
                    values[n] = in.decodeString(start, close + 1);
                }
                in.pos = close + 1;
            } else {
                spans[2 * n] = -1;
                values[n] = in.readScalarText(field, name);
            }
            n++;
            in.skipWhitespace();
            byte b = in.next();
            if (b == '}') {
                break;
            }
            if (b != ',') {
                in.pos--;
                throw in.malformed("expected ',' or '}' after the value of column '" + name + "'");
            }
            in.skipWhitespace();
        }
        if (!exact) {
            n = dropDuplicates(columns, values, spans, n);
            if (data) {
                layout = layouts.remember(new CanalColumnLayout(columns, n));
            }
        }
        if (data) {
            m.layout = layout;
        }
        return new CanalMessage.RawRow(columns, values, spans, n, data ? layout : null);
    }

    /** Whether a name repeats in {@code columns[0, n)}: pairwise for short rows, through a set for long ones. */
    private static boolean hasDuplicates(String[] columns, int n) {
        if (n > 16) {
            return new HashSet<>(Arrays.asList(columns).subList(0, n)).size() < n;
        }
        for (int i = 1; i < n; i++) {
            for (int j = 0; j < i; j++) {
                if (columns[j].equals(columns[i])) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Keeps the last value of a repeated column at the position of its first occurrence (as a
     * {@code LinkedHashMap} would); returns the new size. Rows matched to a layout never have any.
     */
    private static int dropDuplicates(String[] columns, Object[] values, int[] spans, int n) {
        if (!hasDuplicates(columns, n)) {
            return n;
        }
        Map<String, Integer> first = new HashMap<>();
        int size = 0;
        for (int i = 0; i < n; i++) {
            Integer at = first.get(columns[i]);
            int to = at != null ? at : size++;
            if (at == null) {
                first.put(columns[i], to);
                columns[to] = columns[i];
            }
            values[to] = values[i];
            spans[2 * to] = spans[2 * i];
            spans[2 * to + 1] = spans[2 * i + 1];
        }
        for (int i = size; i < n; i++) {
            columns[i] = null;
            values[i] = null;
        }
        return size;
    }

    @Nullable
    private static List<String> readStrings(JsonParser p, JsonToken t, String field) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_ARRAY) {
            throw new DecodeException("'" + field + "' must be an array of strings, got " + t);
        }
        List<String> out = new ArrayList<>(2);
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t != JsonToken.VALUE_STRING) {
                throw new DecodeException("'" + field + "' must be an array of strings, got " + t + " in it");
            }
            out.add(Identifiers.check(p.getText(), "primary key column"));
        }
        return Collections.unmodifiableList(out);
    }

    @Nullable
    private static Map<String, MysqlColumnType> readTypes(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw new DecodeException("'mysqlType' must be an object, got " + t);
        }
        Map<String, MysqlColumnType> types = new HashMap<>();
        String column;
        while ((column = p.nextFieldName()) != null) {
            Identifiers.check(column, "column");
            if (p.nextToken() == JsonToken.VALUE_STRING) {
                MysqlColumnType type = MysqlColumnType.ofMysqlType(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                if (type != null) {
                    types.put(column, type);
                }
            } else {
                p.skipChildren();
            }
        }
        return Collections.unmodifiableMap(types);
    }

    /** Reads {@code sqlType} into two small arrays: it is only the fallback, a map would cost more than it saves. */
    @Nullable
    private static CanalMessage.SqlTypes readSqlTypes(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw new DecodeException("'sqlType' must be an object, got " + t);
        }
        String[] names = new String[16];
        int[] codes = new int[16];
        int n = 0;
        String column;
        while ((column = p.nextFieldName()) != null) {
            Identifiers.check(column, "column");
            if (p.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                if (n == names.length) {
                    names = Arrays.copyOf(names, n * 2);
                    codes = Arrays.copyOf(codes, n * 2);
                }
                names[n] = column;
                codes[n++] = p.getIntValue();
            } else {
                p.skipChildren();
            }
        }
        return new CanalMessage.SqlTypes(names, codes, n);
    }
}
