package dev.binlogsync.kafka.internal;

import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;

/**
 * The value kind of a MySQL column, parsed from a Canal {@code mysqlType} string such as
 * {@code "bigint(20) unsigned"} or from a {@code java.sql.Types} code. Parsed types are cached by
 * their text (a stream has few distinct column types), so the hot path does a map lookup only.
 * The cache is shared by every decoder and its keys come from message data, so it is bounded by
 * size: a text longer than {@value #MAX_CACHED_TEXT} characters (a long {@code enum(...)} or
 * {@code set(...)}) is parsed every time and never cached, and at {@value #CACHE_LIMIT} entries the
 * cache is cleared; the slots of the character lookup hold texts of that length at most too.
 */
public final class MysqlColumnType {

    /** What a column value is converted to. */
    public enum Kind {
        STRING, TINYINT1, INT, LONG, BIGINT_UNSIGNED, DECIMAL, FLOAT, DOUBLE, BIT1, BIT, YEAR,
        DATE, DATETIME, TIME, JSON, ENUM, SET, BINARY
    }

    static final int CACHE_LIMIT = 1024;
    /** The longest type text that is cached, in characters. */
    static final int MAX_CACHED_TEXT = 256;
    private static final ConcurrentHashMap<String, MysqlColumnType> CACHE = new ConcurrentHashMap<>();
    /**
     * Lookup straight from the parser's character buffer, so the hot path creates no String per
     * column type. Racy by design: slots hold immutable objects, a lost write only costs a miss.
     */
    private static final MysqlColumnType[] SLOTS = new MysqlColumnType[1024];

    @Nullable
    private final Kind kind; // null only for cached misses in SLOTS
    private final String text;
    private final List<String> members;

    private MysqlColumnType(@Nullable Kind kind, String text) {
        this.kind = kind;
        this.text = text;
        this.members = kind == Kind.ENUM || kind == Kind.SET ? members(text) : List.of();
    }

    /**
     * The members of an {@code enum(...)} or {@code set(...)} type in declaration order (index 1 is
     * element 0), unquoted ({@code ''} and backslash escapes undone); empty for any other type or
     * when the text lists none.
     */
    public List<String> members() {
        return members;
    }

    private static List<String> members(String text) {
        int open = text.indexOf('(');
        if (open < 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        int i = open + 1;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                StringBuilder member = new StringBuilder();
                i++;
                while (i < n) {
                    char d = text.charAt(i);
                    if (d == '\\' && i + 1 < n) {
                        member.append(text.charAt(i + 1));
                        i += 2;
                    } else if (d == c && i + 1 < n && text.charAt(i + 1) == c) {
                        member.append(c);
                        i += 2;
                    } else if (d == c) {
                        i++;
                        break;
                    } else {
                        member.append(d);
                        i++;
                    }
                }
                out.add(member.toString());
            } else if (c == ')') {
                break;
            } else {
                i++;
            }
        }
        return List.copyOf(out);
    }

    public Kind kind() {
        return java.util.Objects.requireNonNull(kind);
    }

    /** The declared type as the message stated it (for error messages). */
    public String text() {
        return text;
    }

    /**
     * The kind for a {@code mysqlType} string, or null when the type is not recognised (the caller
     * then falls back to the {@code sqlType} code).
     */
    @Nullable
    public static MysqlColumnType ofMysqlType(String mysqlType) {
        boolean cacheable = mysqlType.length() <= MAX_CACHED_TEXT;
        MysqlColumnType cached = cacheable ? CACHE.get(mysqlType) : null;
        if (cached != null) {
            return cached;
        }
        Kind kind = parse(mysqlType);
        if (kind == null) {
            return null;
        }
        MysqlColumnType type = new MysqlColumnType(kind, mysqlType);
        if (cacheable) {
            if (CACHE.size() >= CACHE_LIMIT) {
                CACHE.clear(); // bounded: unusual churn costs re-parsing, never memory
            }
            CACHE.putIfAbsent(mysqlType, type);
        }
        return type;
    }

    /**
     * {@link #ofMysqlType(String)} for the characters {@code chars[offset, offset + length)},
     * without creating a String when the type was seen before.
     */
    @Nullable
    public static MysqlColumnType ofMysqlType(char[] chars, int offset, int length) {
        if (length > MAX_CACHED_TEXT) {
            return ofMysqlType(new String(chars, offset, length));
        }
        int h = 0;
        for (int i = offset, end = offset + length; i < end; i++) {
            h = 31 * h + chars[i];
        }
        int slot = (h ^ (h >>> 16)) & (SLOTS.length - 1);
        MysqlColumnType cached = SLOTS[slot];
        if (cached != null && cached.matches(chars, offset, length)) {
            return cached.kind == null ? null : cached;
        }
        String text = new String(chars, offset, length);
        MysqlColumnType type = ofMysqlType(text);
        SLOTS[slot] = type != null ? type : new MysqlColumnType(null, text);
        return type;
    }

    private boolean matches(char[] chars, int offset, int length) {
        if (text.length() != length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (text.charAt(i) != chars[offset + i]) {
                return false;
            }
        }
        return true;
    }

    /** The kind for a {@code java.sql.Types} code; unknown codes are kept as strings. */
    public static MysqlColumnType ofSqlType(int sqlType) {
        Kind kind;
        switch (sqlType) {
            case Types.BOOLEAN: kind = Kind.TINYINT1; break;
            case Types.TINYINT:
            case Types.SMALLINT: kind = Kind.INT; break;
            case Types.INTEGER: kind = Kind.LONG; break; // may be an unsigned int
            case Types.BIGINT: kind = Kind.BIGINT_UNSIGNED; break; // Long when it fits
            case Types.DECIMAL:
            case Types.NUMERIC: kind = Kind.DECIMAL; break;
            case Types.REAL: kind = Kind.FLOAT; break;
            case Types.FLOAT:
            case Types.DOUBLE: kind = Kind.DOUBLE; break;
            case Types.BIT: kind = Kind.BIT; break;
            case Types.DATE: kind = Kind.DATE; break;
            case Types.TIME: kind = Kind.TIME; break;
            case Types.TIMESTAMP: kind = Kind.DATETIME; break;
            case Types.BINARY:
            case Types.VARBINARY:
            case Types.LONGVARBINARY:
            case Types.BLOB: kind = Kind.BINARY; break;
            default: kind = Kind.STRING;
        }
        return new MysqlColumnType(kind, "sqlType " + sqlType);
    }

    @Nullable
    private static Kind parse(String mysqlType) {
        String t = mysqlType.trim().toLowerCase(Locale.ROOT);
        int end = 0;
        while (end < t.length() && Character.isLetter(t.charAt(end))) {
            end++;
        }
        String base = t.substring(0, end);
        boolean unsigned = t.contains("unsigned");
        switch (base) {
            case "tinyint":
                return t.startsWith("tinyint(1)") ? Kind.TINYINT1 : Kind.INT;
            case "bool":
            case "boolean":
                return Kind.TINYINT1;
            case "smallint":
            case "mediumint":
                return Kind.INT;
            case "int":
            case "integer":
                return unsigned ? Kind.LONG : Kind.INT;
            case "bigint":
                return unsigned ? Kind.BIGINT_UNSIGNED : Kind.LONG;
            case "decimal":
            case "numeric":
            case "dec":
            case "fixed":
                return Kind.DECIMAL;
            case "float":
                return Kind.FLOAT;
            case "double":
            case "real":
                return Kind.DOUBLE;
            case "bit":
                return t.equals("bit") || t.startsWith("bit(1)") ? Kind.BIT1 : Kind.BIT;
            case "year":
                return Kind.YEAR;
            case "date":
                return Kind.DATE;
            case "datetime":
            case "timestamp":
                return Kind.DATETIME;
            case "time":
                return Kind.TIME;
            case "json":
                return Kind.JSON;
            case "set":
                return Kind.SET;
            case "enum":
                return Kind.ENUM;
            case "char":
            case "varchar":
            case "tinytext":
            case "text":
            case "mediumtext":
            case "longtext":
            case "nchar":
            case "nvarchar":
                return Kind.STRING;
            case "binary":
            case "varbinary":
            case "tinyblob":
            case "blob":
            case "mediumblob":
            case "longblob":
            case "geometry":
            case "point":
            case "linestring":
            case "polygon":
            case "multipoint":
            case "multilinestring":
            case "multipolygon":
            case "geometrycollection":
            case "geomcollection":
                return Kind.BINARY;
            default:
                return null;
        }
    }
}
