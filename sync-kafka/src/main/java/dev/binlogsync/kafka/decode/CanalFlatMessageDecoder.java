package dev.binlogsync.kafka.decode;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowMap;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.kafka.internal.ByteRangeCache;
import dev.binlogsync.kafka.internal.Identifiers;
import dev.binlogsync.kafka.internal.Json;
import dev.binlogsync.kafka.internal.MysqlColumnType;
import dev.binlogsync.kafka.internal.NumberBounds;
import dev.binlogsync.kafka.internal.TemporalText;
import dev.binlogsync.kafka.internal.Unfollowable;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes Canal flat messages ({@code canal.mq.flatMessage=true}): one JSON object per Kafka
 * record, carrying one or more rows of one table.
 *
 * <p><b>Rows.</b> Each element of {@code data} becomes one {@link ChangeEvent}, in order, with the
 * message's {@code database}, {@code table}, {@code pkNames} (as {@link ChangeEvent#primaryKeys()},
 * empty when null) and {@code es} (as {@link ChangeEvent#eventTimeMillis()}). For {@code UPDATE}
 * the matching element of {@code old} (the previous values of the changed columns) becomes
 * {@link ChangeEvent#oldValues()}, typed like the row. For {@code DELETE}, {@code data} is the
 * before image.
 *
 * <p><b>Types.</b> Canal sends every value as a JSON string; the column's {@code mysqlType} (or,
 * when absent or unknown, its {@code sqlType}) decides the Java value:
 * <table>
 * <caption>Column type to value</caption>
 * <tr><th>MySQL type</th><th>value</th></tr>
 * <tr><td>tinyint, smallint, mediumint, int</td><td>{@code Integer}</td></tr>
 * <tr><td>int unsigned, bigint</td><td>{@code Long}</td></tr>
 * <tr><td>bigint unsigned</td><td>{@code Long}, or {@code BigInteger} beyond {@code Long.MAX_VALUE}
 *     (up to 18446744073709551615; a larger value is a {@link DecodeException})</td></tr>
 * <tr><td>tinyint(1), bool</td><td>{@code Integer} (the column holds -128..127, or 0..255 unsigned:
 *     the 1 is a display width); with {@link Builder#tinyint1AsBoolean(boolean) tinyint1AsBoolean(true)}
 *     {@code Boolean} for 0 and 1, and a {@link DecodeException} for any other value</td></tr>
 * <tr><td>decimal, numeric</td><td>{@code BigDecimal}, exactly as sent (scale kept); a value beyond
 *     MySQL's {@code DECIMAL(65, 30)} (more than 65 digits, more than 30 after the point, or an
 *     exponent such as {@code 1E+999999999}) is a {@link DecodeException}</td></tr>
 * <tr><td>float / double</td><td>{@code Float} / {@code Double}</td></tr>
 * <tr><td>bit(1) / bit(n)</td><td>{@code Boolean} / {@code Long} (Canal sends the number)</td></tr>
 * <tr><td>year</td><td>{@code Integer} ({@code 0000} becomes null)</td></tr>
 * <tr><td>date</td><td>{@code "yyyy-MM-dd"}</td></tr>
 * <tr><td>datetime, timestamp</td><td>a string in the configured {@link DateTimeStyle}</td></tr>
 * <tr><td>time</td><td>the string as sent ({@code "-838:59:59"} is valid MySQL)</td></tr>
 * <tr><td>json</td><td>parsed: {@code Map}, {@code List}, {@code String}, numbers, {@code Boolean};
 *     a number with more than 65 significant digits, a decimal exponent beyond ±400 or an integer
 *     beyond BIGINT UNSIGNED is a {@link DecodeException}</td></tr>
 * <tr><td>enum</td><td>{@code String}</td></tr>
 * <tr><td>set</td><td>{@code List<String>} of the members ({@code ""} is an empty list)</td></tr>
 * <tr><td>binary, varbinary, blob, geometry</td><td>base64 {@code String} of the original bytes
 *     (Canal carries them as ISO-8859-1 text)</td></tr>
 * <tr><td>char, varchar, text and anything else</td><td>{@code String}</td></tr>
 * </table>
 * A JSON null stays null. Zero dates ({@code 0000-00-00}, any zero month or day) become null and
 * never fail. A value that does not fit its declared type (e.g. {@code "abc"} in an int column)
 * makes the whole message fail with a {@link DecodeException} naming the table, column, type, row
 * and value.
 *
 * <p><b>Changes the index cannot follow</b> are {@link DecodeException}s (the pipeline's failure
 * policy decides: stop by default, dead letter, or counted skip), never a silent drop:
 * {@code TRUNCATE} and {@code ERASE} ({@code DROP TABLE}) of a table in
 * {@link Builder#syncedTables(BiPredicate) syncedTables} (every table by default), as they remove
 * rows without a row event; a {@code QUERY} message with {@code isDdl: false} (a statement-format
 * change, {@code binlog_format=STATEMENT} or {@code MIXED}, which carries no rows) of such a table;
 * and an {@code INSERT}, {@code UPDATE} or {@code DELETE} without rows (Canal's form of a
 * statement-format change: the statement in {@code sql}, no {@code data}), or with an empty
 * {@code data} array, of such a table. A table counts as synced when the message names none, and a
 * {@code TRUNCATE} / {@code DROP TABLE} whose statement lists several tables always counts as one
 * (Canal names only one of them).
 *
 * <p><b>DDL</b> ({@code isDdl: true}, or a type such as {@code ALTER}, {@code CREATE},
 * {@code RENAME}, {@code CINDEX}, {@code DINDEX}, {@code QUERY}; and {@code TRUNCATE} /
 * {@code ERASE} of a table outside {@code syncedTables}, or {@code ERASE} naming no table) yields no
 * events; it is logged at INFO (names and statement capped and escaped, a statement that may
 * carry credentials shown only as its first keywords, see {@link UntrustedText#sql(String)}) and
 * passed, as it is, to the optional {@link DdlListener}. Any other unknown
 * {@code type} is a {@link DecodeException}.
 *
 * <p><b>Input.</b> UTF-8 JSON (as Canal writes it), optionally after a byte order mark. The
 * message, rows included, is read by a byte scanner: a plain value (printable ASCII without
 * escapes, as nearly all are) is typed straight from its bytes once the column types are known;
 * strings with escapes or other characters are decoded and checked by Jackson, as are numbers and
 * booleans where Canal would send strings. Rows are compact insertion-ordered maps (keys and
 * values in two arrays); their column names are shared strings, found by comparing bytes with the
 * columns of recent rows (16 column layouts are remembered) or in a bounded cache. The
 * {@code mysqlType}, {@code sqlType} and {@code pkNames} values, which repeat byte for byte in
 * every message of a table, are parsed once and then found by their bytes (bounded caches of 1024
 * distinct values and 4 MiB of keys each, a value over 256 KiB is parsed every time instead; the
 * 4 most recent of each compared in place), as are the database and table names. A database,
 * table or column name longer than MySQL's 64 characters, or a row of more than 4096 columns, is a
 * {@link DecodeException}. Malformed JSON is a {@link DecodeException} saying where; the values of fields this
 * decoder does not read are skipped by their structure, without checking their syntax inside. A
 * column repeated within a row keeps its first position and its last value. Thread-safe; its
 * configuration is immutable.
 *
 * <pre>{@code
 * MessageDecoder canal = CanalFlatMessageDecoder.builder()
 *         .dateTimeStyle(DateTimeStyle.ISO_OFFSET)
 *         .zone(ZoneId.of("Asia/Shanghai"))
 *         .build();
 * }</pre>
 */
public final class CanalFlatMessageDecoder implements MessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(CanalFlatMessageDecoder.class);
    private static final int TYPE_CACHE_LIMIT = 1024;
    private static final List<String> DDL_TYPES =
            List.of("CREATE", "ALTER", "ERASE", "TRUNCATE", "RENAME", "CINDEX", "DINDEX", "QUERY", "GTID");

    private final boolean tinyint1AsBoolean;
    private final BiPredicate<String, String> syncedTables;
    private final DateTimeStyle dateTimeStyle;
    private final ZoneId zone;
    /** Renders datetime / timestamp values in {@link #dateTimeStyle}, as the Debezium decoder does. */
    private final TemporalText dateTimes;
    @Nullable
    private final DdlListener ddlListener;
    /** Parsed {@code mysqlType} / {@code sqlType} objects by their bytes: they repeat in every message of a table. */
    private final ByteRangeCache<Map<String, MysqlColumnType>> mysqlTypes = new ByteRangeCache<>(TYPE_CACHE_LIMIT);
    private final ByteRangeCache<SqlTypes> sqlTypes = new ByteRangeCache<>(TYPE_CACHE_LIMIT);
    /** {@code pkNames} arrays, and database and table names (their hash codes then computed once), by their bytes. */
    private final ByteRangeCache<List<String>> pkNames = new ByteRangeCache<>(TYPE_CACHE_LIMIT);
    private final ByteRangeCache<String> names = new ByteRangeCache<>(TYPE_CACHE_LIMIT);
    // column names not found in a layout: one after the other, so keeping recent ones would only churn
    private final ByteRangeCache<String> columnNames = new ByteRangeCache<>(TYPE_CACHE_LIMIT, false);
    // the column-name layouts of recently seen rows, most recent first; replaced as a whole, never modified
    private volatile Layout[] layouts = new Layout[0];

    private CanalFlatMessageDecoder(Builder b) {
        this.tinyint1AsBoolean = b.tinyint1AsBoolean;
        this.syncedTables = b.syncedTables;
        this.dateTimeStyle = b.dateTimeStyle;
        this.zone = b.zone;
        this.dateTimes = new TemporalText(b.dateTimeStyle, b.zone);
        this.ddlListener = b.ddlListener;
    }

    /**
     * A decoder with the defaults: tinyint(1) as its number, {@link DateTimeStyle#ISO_LOCAL}, UTC,
     * every table counts as synced.
     */
    public static CanalFlatMessageDecoder create() {
        return builder().build();
    }

    /** A builder with the defaults of {@link #create()}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public List<ChangeEvent> decode(@Nullable byte[] key, @Nullable byte[] value, SourcePosition position) {
        Objects.requireNonNull(position, "position");
        if (value == null) {
            throw new DecodeException("a Canal flat message must not be empty, got a null value (tombstone)");
        }
        Message m = new Message();
        try {
            readMessage(value, m);
        } catch (JsonProcessingException e) {
            throw new DecodeException("malformed JSON: " + UntrustedText.shown(e.getOriginalMessage(), 256) + " at "
                    + e.getLocation().offsetDescription(), e);
        } catch (IOException e) {
            throw new DecodeException("cannot read the message: " + e, e);
        }
        return events(m, position);
    }

    private List<ChangeEvent> events(Message m, SourcePosition position) {
        String type = m.type;
        boolean dml = !m.isDdl && ("INSERT".equals(type) || "UPDATE".equals(type) || "DELETE".equals(type));
        if (!dml && (m.isDdl || (type != null && DDL_TYPES.contains(type)))) {
            String db = m.database == null ? "" : m.database;
            String table = m.table == null ? "" : m.table;
            String sql = m.sql == null ? "" : m.sql;
            boolean reset = "TRUNCATE".equals(type) || ("ERASE".equals(type) && !table.isEmpty());
            boolean statement = "QUERY".equals(type) && !m.isDdl;
            // Canal's DDL parser names one table, mangled, for a statement of several
            boolean several = reset && sql.indexOf(',') >= 0;
            // a table whose name the message leaves out may be a synced one
            if ((reset || statement) && (several || table.isEmpty() || syncedTables.test(db, table))) {
                String statementType = "TRUNCATE".equals(type) ? "TRUNCATE TABLE" : "DROP TABLE";
                if (several) {
                    throw Unfollowable.tableReset(db, statementType + " of several tables ('" + abbreviateSql(sql) + "')");
                }
                if (reset) {
                    throw Unfollowable.tableReset(db + "." + table, statementType);
                }
                throw new DecodeException(db + "." + table + ": a statement-format change (QUERY, not DDL) carries no rows and"
                        + " cannot be applied to the index; the binlog must be in ROW format (binlog_format=ROW): "
                        + abbreviateSql(sql));
            }
            if (LOG.isInfoEnabled()) {
                LOG.info("Skipping DDL at {}: {} on {}.{}: {}", position, abbreviate(type == null ? "" : type), abbreviate(db),
                        abbreviate(table), UntrustedText.sql(sql));
            }
            if (ddlListener != null) {
                ddlListener.onDdl(db, table, type == null ? "" : type, sql, position);
            }
            return List.of();
        }
        if (type == null) {
            throw new DecodeException("missing 'type'");
        }
        Operation op;
        switch (type) {
            case "INSERT": op = Operation.INSERT; break;
            case "UPDATE": op = Operation.UPDATE; break;
            case "DELETE": op = Operation.DELETE; break;
            default: throw new DecodeException("unknown type '" + abbreviate(type) + "' (expected INSERT, UPDATE, DELETE or a DDL type)");
        }
        if (m.database == null || m.database.isEmpty()) {
            throw new DecodeException("missing 'database' in a " + type + " message");
        }
        if (m.table == null || m.table.isEmpty()) {
            throw new DecodeException("missing 'table' in a " + type + " message on " + m.database);
        }
        boolean noRows = m.data == null || m.data.isEmpty();
        if (noRows && !syncedTables.test(m.database, m.table)) {
            LOG.info("Skipping a {} without rows of {}.{} at {}: not a synced table", type, abbreviate(m.database),
                    abbreviate(m.table), position);
            return List.of();
        }
        if (noRows && m.sql != null && !m.sql.isBlank()) {
            throw new DecodeException(m.database + "." + m.table + ": " + (op == Operation.DELETE ? "a " : "an ") + type
                    + " message without rows, its statement in 'sql' (a statement-format change), cannot be applied to the"
                    + " index; the binlog must be in ROW format (binlog_format=ROW): " + abbreviateSql(m.sql));
        }
        if (m.data == null) {
            throw new DecodeException("missing 'data' in a " + type + " message on " + m.database + "." + m.table);
        }
        List<RawRow> old = m.old;
        if (op == Operation.UPDATE && old != null && old.size() != m.data.size()) {
            throw new DecodeException("'old' has " + old.size() + " rows but 'data' has " + m.data.size()
                    + " in an UPDATE on " + m.database + "." + m.table);
        }
        List<String> pks = m.pkNames == null ? List.of() : m.pkNames;
        int n = m.data.size();
        if (n == 0) {
            throw new DecodeException(m.database + "." + m.table + ": " + (op == Operation.DELETE ? "a " : "an ") + type
                    + " message with no rows cannot be applied to the index (a statement-format change?"
                    + " the binlog must be in ROW format)");
        }
        List<ChangeEvent> events = n == 1 ? null : new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Object> row = typed(m, m.data.get(i), i, "data");
            Map<String, Object> before = Map.of();
            if (op == Operation.UPDATE && old != null) {
                RawRow o = old.get(i);
                if (o != null) {
                    before = typed(m, o, i, "old");
                }
            }
            ChangeEvent e = new ChangeEvent(m.database, m.table, op, row, before, pks, m.es, position);
            if (n == 1) {
                return Collections.singletonList(e);
            }
            events.add(e);
        }
        return events;
    }

    /** The row with each value typed by its column's type (the row's arrays become the map's). */
    private RowMap typed(Message m, RawRow raw, int index, String part) {
        String[] columns = raw.names;
        Object[] values = raw.values;
        int[] spans = raw.spans;
        MysqlColumnType[] types = raw.layout == null ? null : raw.layout.types(m);
        for (int i = 0, n = raw.size; i < n; i++) {
            MysqlColumnType type = types != null ? types[i] : m.typeOf(columns[i]);
            int start = spans[2 * i];
            if (start >= 0) {
                int end = spans[2 * i + 1];
                values[i] = type == null ? latin1(m.bytes, start, end) : convert(m, columns[i], type, start, end, index, part);
            } else if (values[i] != null && type != null) {
                values[i] = convert(m, columns[i], type, (String) values[i], index, part);
            }
        }
        return RowMap.wrap(columns, values, raw.size);
    }

    /** Printable ASCII without escapes ({@link RawRow}'s plain spans): its bytes are its characters. */
    private static String latin1(byte[] bytes, int start, int end) {
        return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * {@link #convert(Message, String, MysqlColumnType, String, int, String)} for a value that is a
     * plain span of the message's bytes: the common types are read from the bytes without an
     * intermediate string; anything unusual (signs aside, non-digits, long numbers, errors) takes
     * the string path, so the result and the errors are the same.
     */
    private Object convert(Message m, String column, MysqlColumnType type, int start, int end, int index, String part) {
        byte[] b = m.bytes;
        switch (type.kind()) {
            case STRING:
                return latin1(b, start, end);
            case INT: {
                long v = smallInteger(b, start, end, 9);
                if (v != NOT_SMALL) {
                    return Integer.valueOf((int) v);
                }
                break;
            }
            case LONG:
            case BIGINT_UNSIGNED:
            case BIT: {
                long v = smallInteger(b, start, end, 18);
                if (v != NOT_SMALL) {
                    return Long.valueOf(v);
                }
                break;
            }
            case TINYINT1: {
                long v = smallInteger(b, start, end, 9);
                if (v != NOT_SMALL && (!tinyint1AsBoolean || v == 0 || v == 1)) {
                    return tinyint1AsBoolean ? (Object) Boolean.valueOf(v == 1) : (Object) Integer.valueOf((int) v);
                }
                break; // the string path names the value that is not a boolean
            }
            case DECIMAL: {
                BigDecimal small = smallDecimal(b, start, end);
                if (small != null) {
                    return small;
                }
                break; // longer or unusual: new BigDecimal(String) on the string path
            }
            case DATETIME:
                if ((dateTimeStyle == DateTimeStyle.ISO_LOCAL || dateTimeStyle == DateTimeStyle.RAW) && isDateTime(b, start, end)) {
                    if ((b[start + 5] == '0' && b[start + 6] == '0') || (b[start + 8] == '0' && b[start + 9] == '0')) {
                        return null; // a zero date, as isZeroDate
                    }
                    if (dateTimeStyle == DateTimeStyle.RAW || b[start + 10] == 'T') {
                        return latin1(b, start, end);
                    }
                    int n = end - start;
                    byte[] iso = m.scratch(n);
                    for (int i = 0; i < n; i++) {
                        byte c = b[start + i];
                        iso[i] = c == ' ' ? (byte) 'T' : c; // as String.replace(' ', 'T')
                    }
                    return new String(iso, 0, n, StandardCharsets.ISO_8859_1);
                }
                break;
            default:
                break;
        }
        return convert(m, column, type, latin1(b, start, end), index, part);
    }

    private static final long NOT_SMALL = Long.MIN_VALUE;

    /**
     * An optional sign and 1 to {@code maxDigits} ASCII digits (at most 18) as a long, else
     * {@link #NOT_SMALL}: exactly what {@code Long.parseLong} accepts with so few digits.
     */
    private static long smallInteger(byte[] b, int start, int end, int maxDigits) {
        int i = start;
        boolean negative = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        int digits = end - i;
        if (digits < 1 || digits > maxDigits) {
            return NOT_SMALL;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return NOT_SMALL;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    /**
     * An optional sign, digits, optionally a point and more digits, 18 digits at most in all and
     * at least one before the point, as {@code BigDecimal.valueOf(unscaled, scale)}: the same
     * value and scale {@code new BigDecimal(text)} gives, without parsing a char array. Else null.
     */
    @Nullable
    static BigDecimal smallDecimal(byte[] b, int start, int end) {
        int i = start;
        boolean negative = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            negative = b[i] == '-';
            i++;
        }
        long unscaled = 0;
        int digits = 0;
        int scale = 0;
        int point = -1;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d >= 0 && d <= 9) {
                if (++digits > 18) {
                    return null;
                }
                unscaled = unscaled * 10 + d;
                if (point >= 0) {
                    scale++;
                }
            } else if (b[i] == '.' && point < 0) {
                point = digits;
            } else {
                return null;
            }
        }
        if (digits == 0 || point == 0) {
            return null; // nothing, or no digit before the point: left to BigDecimal
        }
        return BigDecimal.valueOf(negative ? -unscaled : unscaled, scale);
    }

    /** The checks of {@link #dateTime(String)} on bytes. */
    private static boolean isDateTime(byte[] b, int start, int end) {
        return end - start >= 19 && b[start + 4] == '-' && b[start + 7] == '-' && b[start + 13] == ':' && b[start + 16] == ':'
                && (b[start + 10] == ' ' || b[start + 10] == 'T');
    }

    private Object convert(Message m, String column, MysqlColumnType type, String s, int index, String part) {
        try {
            switch (type.kind()) {
                case STRING:
                    return s;
                case INT:
                    return Integer.valueOf(Integer.parseInt(s));
                case LONG:
                    return Long.valueOf(Long.parseLong(s));
                case BIGINT_UNSIGNED:
                    if (s.length() < 19) {
                        return Long.valueOf(Long.parseLong(s));
                    } else {
                        if (s.length() > NumberBounds.INTEGER_TEXT) {
                            throw new BadValue("longer than a MySQL BIGINT can be (" + s.length() + " characters)");
                        }
                        BigInteger big = new BigInteger(s);
                        String problem = NumberBounds.integer(big);
                        if (problem != null) {
                            throw new BadValue(problem);
                        }
                        return big.bitLength() < 64 ? (Object) Long.valueOf(big.longValue()) : big;
                    }
                case TINYINT1:
                    int v = Integer.parseInt(s);
                    if (!tinyint1AsBoolean) {
                        return Integer.valueOf(v);
                    }
                    if (v != 0 && v != 1) {
                        throw Unfollowable.notABoolean(m.database + "." + m.table + "." + column, part + "[" + index + "]",
                                "'" + abbreviate(s) + "'");
                    }
                    return Boolean.valueOf(v == 1);
                case DECIMAL: {
                    if (s.length() > NumberBounds.DECIMAL_TEXT) {
                        throw new BadValue("longer than a MySQL DECIMAL can be (" + s.length() + " characters)");
                    }
                    BigDecimal d = new BigDecimal(s);
                    String problem = NumberBounds.decimal(d);
                    if (problem != null) {
                        throw new BadValue(problem);
                    }
                    return d;
                }
                case FLOAT:
                    return Float.valueOf(Float.parseFloat(s));
                case DOUBLE:
                    return Double.valueOf(Double.parseDouble(s));
                case BIT1:
                    return Boolean.valueOf(Long.parseLong(s) != 0);
                case BIT:
                    return Long.valueOf(Long.parseLong(s));
                case YEAR:
                    int year = Integer.parseInt(s);
                    return year == 0 ? null : Integer.valueOf(year);
                case DATE:
                    return date(s);
                case DATETIME:
                    return dateTime(s);
                case TIME:
                    return s;
                case JSON: {
                    if (s.isBlank()) {
                        return null;
                    }
                    Object tree = Json.MAPPER.readValue(s, Object.class);
                    String problem = NumberBounds.jsonTree(tree);
                    if (problem != null) {
                        throw new BadValue(problem);
                    }
                    return tree;
                }
                case SET:
                    return s.isEmpty() ? List.of() : List.of(s.split(",", -1));
                case BINARY:
                    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.ISO_8859_1));
                default:
                    throw new IllegalStateException("unhandled " + type.kind());
            }
        } catch (NumberFormatException | DateTimeParseException | IOException | BadValue e) {
            throw new DecodeException("column " + m.database + "." + m.table + "." + column + " (" + type.text()
                    + ") in " + part + "[" + index + "]: value '" + abbreviate(s) + "' does not fit its type"
                    + (e instanceof BadValue ? ": " + e.getMessage() : ""), e);
        }
    }

    @Nullable
    private static String date(String s) throws BadValue {
        if (s.length() != 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
            throw new BadValue("expected yyyy-MM-dd");
        }
        return isZeroDate(s) ? null : s;
    }

    @Nullable
    private String dateTime(String s) throws BadValue {
        if (s.length() < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':' || s.charAt(16) != ':'
                || (s.charAt(10) != ' ' && s.charAt(10) != 'T')) {
            throw new BadValue("expected yyyy-MM-dd HH:mm:ss[.fraction]");
        }
        return isZeroDate(s) ? null : dateTimes.dateTime(s);
    }

    private static boolean isZeroDate(String s) {
        return (s.charAt(5) == '0' && s.charAt(6) == '0') || (s.charAt(8) == '0' && s.charAt(9) == '0');
    }

    /** Message content quoted in a log line or an error: capped at 64 characters and escaped. */
    private static String abbreviate(String s) {
        return UntrustedText.shown(s, 64);
    }

    /** A statement quoted in an error: {@link #abbreviate}, and shown only as its first keywords when it may carry credentials. */
    private static String abbreviateSql(String sql) {
        return UntrustedText.sql(sql, 64);
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

    /**
     * Reads the top level of a message with a byte scanner and hands only the {@code data} and
     * {@code old} arrays (and type objects not yet cached) to Jackson. The type objects, which
     * repeat byte for byte in every message of a table, are skipped by scanning for their end and
     * found in the caches by their bytes without being tokenized; {@code database}, {@code table}
     * and {@code pkNames} are shared instances found the same way.
     */
    private void readMessage(byte[] value, Message m) throws IOException {
        Scanner in = new Scanner(value);
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
            Field field = in.readFieldName();
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
    private static <T> T cached(Scanner in, ByteRangeCache<T> cache, char open, String mustBe, SubParse<T> parse)
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
    private List<RawRow> readRows(Scanner in, Message m, String field) throws IOException {
        if (in.peek() != '[') {
            return in.readNull("'" + field + "' must be an array of row objects");
        }
        boolean data = field.equals("data");
        in.pos++;
        in.skipWhitespace();
        List<RawRow> rows = new ArrayList<>(1);
        if (in.peek() == ']') {
            in.pos++;
            return rows;
        }
        while (true) {
            int c = in.peek();
            if (c == '{') {
                rows.add(readRow(in, m, field, data));
            } else if (in.literal(NULL)) {
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
    private RawRow readRow(Scanner in, Message m, String field, boolean data) throws IOException {
        byte[] bytes = in.bytes;
        in.pos++;
        in.skipWhitespace();
        Layout layout = m.layout; // for data: the layout the previous row matched; for old: the data rows'
        boolean exact = data; // every name so far found at its own position in `layout`
        Layout[] recent = layouts;
        Layout guess = layout != null ? layout : recent.length > 0 ? recent[0] : null; // most rows have its columns
        int capacity = guess != null ? Math.max(guess.names.length, 1) : 16;
        String[] columns = new String[capacity];
        Object[] values = new Object[capacity];
        int[] spans = new int[2 * capacity];
        int n = 0;
        if (in.peek() == '}') {
            in.pos++;
            return new RawRow(columns, values, spans, 0, null);
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
                Layout l = matchLayout(layout, columns, n, bytes, quote + 1);
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
                columns = java.util.Arrays.copyOf(columns, n * 2);
                values = java.util.Arrays.copyOf(values, n * 2);
                spans = java.util.Arrays.copyOf(spans, n * 4);
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
                layout = remember(new Layout(columns, n));
            }
        }
        if (data) {
            m.layout = layout;
        }
        return new RawRow(columns, values, spans, n, data ? layout : null);
    }

    /**
     * {@code current} if the string content starting at {@code from} is its name at {@code n},
     * else a recent layout that agrees with the names found so far and has that name at {@code n},
     * else null.
     */
    @Nullable
    private Layout matchLayout(@Nullable Layout current, String[] found, int n, byte[] bytes, int from) {
        if (current != null && current.isAt(n, bytes, from)) {
            return current;
        }
        for (Layout l : layouts) {
            if (l != current && l.isAt(n, bytes, from) && l.startsWith(found, n)) {
                return l;
            }
        }
        return null;
    }

    private Layout remember(Layout l) {
        Layout[] r = layouts;
        Layout[] next = new Layout[Math.min(LAYOUTS, r.length + 1)];
        next[0] = l;
        System.arraycopy(r, 0, next, 1, next.length - 1);
        layouts = next;
        return l;
    }

    private static final int LAYOUTS = 16;

    /** Whether a name repeats in {@code columns[0, n)}: pairwise for short rows, through a set for long ones. */
    private static boolean hasDuplicates(String[] columns, int n) {
        if (n > 16) {
            return new java.util.HashSet<>(java.util.Arrays.asList(columns).subList(0, n)).size() < n;
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

    /** The top-level fields this decoder reads; {@link #OTHER} for any other name (skipped). */
    private enum Field { DATABASE, TABLE, TYPE, IS_DDL, ES, SQL, PK_NAMES, MYSQL_TYPE, SQL_TYPE, DATA, OLD, OTHER }

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
        names = names == null ? new byte[1][] : java.util.Arrays.copyOf(names, n + 1);
        fields = fields == null ? new Field[1] : java.util.Arrays.copyOf(fields, n + 1);
        names[n] = name;
        fields[n] = field;
        KNOWN_NAMES_BY_FIRST[first] = names;
        KNOWN_FIELDS_BY_FIRST[first] = fields;
    }

    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final String[] DML_TYPES = {"INSERT", "UPDATE", "DELETE"};

    /**
     * A cursor over the message's bytes (UTF-8, optionally after a byte order mark) for its top
     * level. Strings are taken as they are when they hold only printable ASCII without escapes, and
     * otherwise decoded (and checked) by Jackson. Values of fields the decoder does not read are
     * skipped by their structure (strings, brackets) without checking their syntax inside.
     */
    private static final class Scanner {
        final byte[] bytes;
        int pos;

        Scanner(byte[] bytes) {
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

        private boolean literal(byte[] word) {
            int end = pos + word.length;
            if (end <= bytes.length && java.util.Arrays.equals(bytes, pos, end, word, 0, word.length)
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
        private int stringEnd(int quote) {
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
        private String decodeString(int quote, int afterQuote) throws IOException {
            try (JsonParser sub = Json.FACTORY.createParser(bytes, quote, afterQuote - quote)) {
                sub.nextToken();
                return sub.getText();
            }
        }

        private static boolean isDelimiter(byte b) {
            return b == ',' || b == '}' || b == ']' || b == ' ' || b == '\n' || b == '\r' || b == '\t';
        }
    }

    /** Reads {@code sqlType} into two small arrays: it is only the fallback, a map would cost more than it saves. */
    @Nullable
    private static SqlTypes readSqlTypes(JsonParser p, JsonToken t) throws IOException {
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
                    names = java.util.Arrays.copyOf(names, n * 2);
                    codes = java.util.Arrays.copyOf(codes, n * 2);
                }
                names[n] = column;
                codes[n++] = p.getIntValue();
            } else {
                p.skipChildren();
            }
        }
        return new SqlTypes(names, codes, n);
    }

    /** A parsed {@code sqlType}: the first {@code count} names and codes. Never modified once built. */
    private record SqlTypes(String[] names, int[] codes, int count) {
        @Nullable
        MysqlColumnType typeOf(String column) {
            for (int i = 0; i < count; i++) {
                if (names[i].equals(column)) {
                    return MysqlColumnType.ofSqlType(codes[i]);
                }
            }
            return null;
        }
    }

    /**
     * A row as read, before typing: column {@code i} is {@code names[i]}; its value is the plain
     * span {@code bytes[spans[2i], spans[2i+1])} of the message, or, when {@code spans[2i] < 0},
     * {@code values[i]} (null, or the decoded text of an escaped string or a bare scalar).
     */
    private static final class RawRow {
        final String[] names;
        final Object[] values;
        final int[] spans;
        final int size;
        @Nullable final Layout layout; // when names[0, size) are its first names, in order

        RawRow(String[] names, Object[] values, int[] spans, int size, @Nullable Layout layout) {
            this.names = names;
            this.values = values;
            this.spans = spans;
            this.size = size;
            this.layout = layout;
        }
    }

    /**
     * The column names of a row, in order, with the bytes each was written as (null for a name
     * whose plain UTF-8 form is not valid JSON string content, so it never matches). Immutable.
     */
    private static final class Layout {
        final String[] names;
        final byte[][] raw;

        Layout(String[] columns, int n) {
            names = java.util.Arrays.copyOf(columns, n);
            raw = new byte[n][];
            for (int i = 0; i < n; i++) {
                byte[] utf8 = names[i].getBytes(StandardCharsets.UTF_8);
                boolean plain = true;
                for (byte b : utf8) {
                    if ((b >= 0 && b < 0x20) || b == '\\' || b == '"') {
                        plain = false;
                        break;
                    }
                }
                raw[i] = plain ? utf8 : null;
            }
        }

        // the column types of `names` for one pair of (cached, shared) type objects; replaced as a whole
        @Nullable private volatile Types types;

        /** The type of each of {@link #names} under the message's type objects (computed once per pair of them). */
        MysqlColumnType[] types(Message m) {
            Types t = types;
            if (t == null || t.mysqlType != m.mysqlType || t.sqlTypes != m.sqlTypes) {
                MysqlColumnType[] byColumn = new MysqlColumnType[names.length];
                for (int i = 0; i < names.length; i++) {
                    byColumn[i] = m.typeOf(names[i]);
                }
                t = new Types(m.mysqlType, m.sqlTypes, byColumn);
                types = t;
            }
            return t.byColumn;
        }

        /** Whether name {@code i}'s bytes followed by a closing quote start at {@code bytes[from]}. */
        boolean isAt(int i, byte[] bytes, int from) {
            if (i >= raw.length || raw[i] == null) {
                return false;
            }
            int to = from + raw[i].length;
            return to < bytes.length && bytes[to] == '"' && matchesAt(i, bytes, from, to);
        }

        boolean matchesAt(int i, byte[] bytes, int from, int to) {
            if (i >= raw.length) {
                return false;
            }
            byte[] r = raw[i];
            int n = to - from;
            if (r == null || r.length != n) {
                return false;
            }
            if (n > 16) {
                return java.util.Arrays.equals(bytes, from, to, r, 0, n);
            }
            for (int k = 0; k < n; k++) { // names are short: a plain loop beats the intrinsic's setup
                if (bytes[from + k] != r[k]) {
                    return false;
                }
            }
            return true;
        }

        boolean startsWith(String[] found, int n) {
            if (n > names.length) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (names[i] != found[i]) {
                    return false;
                }
            }
            return true;
        }

        /** The name written as {@code bytes[from, to)}: tried at {@code i} first, then anywhere; null if absent. */
        @Nullable
        String find(int i, byte[] bytes, int from, int to) {
            if (matchesAt(i, bytes, from, to)) {
                return names[i];
            }
            for (int k = 0; k < raw.length; k++) {
                if (k != i && matchesAt(k, bytes, from, to)) {
                    return names[k];
                }
            }
            return null;
        }
    }

    /** Column types of a layout for the type objects they were looked up in (compared by identity). */
    private record Types(@Nullable Map<String, MysqlColumnType> mysqlType, @Nullable SqlTypes sqlTypes, MysqlColumnType[] byColumn) {
    }

    /** The fields of one message, filled in whatever order they arrive. */
    private static final class Message {
        @Nullable String database;
        @Nullable String table;
        @Nullable String type;
        boolean isDdl;
        long es;
        @Nullable String sql;
        @Nullable List<String> pkNames;
        @Nullable Map<String, MysqlColumnType> mysqlType;
        @Nullable SqlTypes sqlTypes;
        @Nullable List<RawRow> data;
        @Nullable List<RawRow> old;
        byte[] bytes;
        @Nullable Layout layout; // the column layout of the data rows read so far
        @Nullable private byte[] scratch;

        /** A scratch array of at least {@code n} bytes, reused within the message. */
        byte[] scratch(int n) {
            if (scratch == null || scratch.length < n) {
                scratch = new byte[Math.max(n, 32)];
            }
            return scratch;
        }

        @Nullable
        MysqlColumnType typeOf(String column) {
            MysqlColumnType t = mysqlType == null ? null : mysqlType.get(column);
            return t == null && sqlTypes != null ? sqlTypes.typeOf(column) : t;
        }
    }

    /** A value that is syntactically wrong for its type. */
    private static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public String toString() {
        return "CanalFlatMessageDecoder{tinyint1AsBoolean=" + tinyint1AsBoolean + ", dateTimeStyle=" + dateTimeStyle
                + ", zone=" + zone + ", ddlListener=" + (ddlListener != null) + "}";
    }

    /**
     * Configures a {@link CanalFlatMessageDecoder}. Not thread-safe; {@link #build()} may be called
     * more than once.
     */
    public static final class Builder {
        private boolean tinyint1AsBoolean;
        private BiPredicate<String, String> syncedTables = (database, table) -> true;
        private DateTimeStyle dateTimeStyle = DateTimeStyle.ISO_LOCAL;
        private ZoneId zone = ZoneOffset.UTC;
        @Nullable
        private DdlListener ddlListener;

        private Builder() {
        }

        /**
         * Whether {@code tinyint(1)} (and {@code bool}) columns become {@code Boolean}; default
         * false: they keep their number as an {@code Integer}, since the column stores -128..127
         * (0..255 unsigned) whatever its display width. When true, 0 becomes false, 1 true, and
         * any other value makes the message a {@link DecodeException} naming the column and value
         * (for the failure policy), so no value is ever changed silently.
         */
        public Builder tinyint1AsBoolean(boolean asBoolean) {
            this.tinyint1AsBoolean = asBoolean;
            return this;
        }

        /**
         * The tables whose {@code TRUNCATE}, {@code DROP TABLE} and statement-format changes are
         * errors: {@code (database, table) -> true} for a table the pipeline syncs. Default: every
         * table. Such a change of any other table is skipped as DDL (logged, and passed to the
         * {@link #ddlListener}); rows of every table are decoded whatever this says (the rules
         * decide about them). With {@code Rules}:
         * {@code syncedTables((db, t) -> !rules.rulesFor(db, t).isEmpty())}.
         */
        public Builder syncedTables(BiPredicate<String, String> tables) {
            this.syncedTables = Objects.requireNonNull(tables, "syncedTables");
            return this;
        }

        /** How datetime and timestamp values are rendered; default {@link DateTimeStyle#ISO_LOCAL}. */
        public Builder dateTimeStyle(DateTimeStyle style) {
            this.dateTimeStyle = Objects.requireNonNull(style, "dateTimeStyle");
            return this;
        }

        /**
         * The zone the datetime / timestamp strings Canal sends are local to (the MySQL session /
         * Canal server zone); used only by {@link DateTimeStyle#ISO_OFFSET} and
         * {@link DateTimeStyle#ISO_UTC}. Default UTC.
         */
        public Builder zone(ZoneId zone) {
            this.zone = Objects.requireNonNull(zone, "zone");
            return this;
        }

        /** Told about each skipped DDL message; default none (DDL is only logged). */
        public Builder ddlListener(@Nullable DdlListener listener) {
            this.ddlListener = listener;
            return this;
        }

        /** The decoder. */
        public CanalFlatMessageDecoder build() {
            return new CanalFlatMessageDecoder(this);
        }
    }
}
