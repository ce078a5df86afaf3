package dev.binlogsync.kafka.internal;

import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * The fields of one Canal flat message as {@link CanalMessageReader} read them, filled in whatever
 * order they arrive; the rows still untyped ({@link RawRow}) until {@link CanalValueConverter}
 * types them by the message's column types. One instance per message, used by one thread.
 */
public final class CanalMessage {
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
    @Nullable CanalColumnLayout layout; // the column layout of the data rows read so far
    @Nullable private byte[] scratch;

    CanalMessage() {
    }

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

    /**
     * How many columns the message's {@code mysqlType} (or, when larger, {@code sqlType}) names: Canal
     * fills both from the columns of all the message's rows, so a row with fewer columns is
     * missing some (a partial row image); 0 when the message has neither.
     */
    public int typedColumns() {
        int m = mysqlType == null ? 0 : mysqlType.size();
        int s = sqlTypes == null ? 0 : sqlTypes.count();
        return Math.max(m, s);
    }

    /** {@code database}, or null when absent or JSON null. */
    @Nullable
    public String database() {
        return database;
    }

    /** {@code table}, or null when absent or JSON null. */
    @Nullable
    public String table() {
        return table;
    }

    /** {@code type} ({@code "INSERT"}, {@code "ALTER"}, ...), or null when absent or JSON null. */
    @Nullable
    public String type() {
        return type;
    }

    /** Whether {@code isDdl} is the literal true. */
    public boolean isDdl() {
        return isDdl;
    }

    /** {@code es}, the event time in epoch milliseconds; 0 when absent or not an integer. */
    public long es() {
        return es;
    }

    /** {@code sql}, or null when absent or JSON null. */
    @Nullable
    public String sql() {
        return sql;
    }

    /** {@code pkNames} (an unmodifiable, shared list), or null when absent or JSON null. */
    @Nullable
    public List<String> pkNames() {
        return pkNames;
    }

    /** The rows of {@code data}, or null when absent or JSON null. */
    @Nullable
    public List<RawRow> data() {
        return data;
    }

    /** The rows of {@code old} (an element is null for a JSON null), or null when absent or JSON null. */
    @Nullable
    public List<RawRow> old() {
        return old;
    }

    /**
     * A row as read, before typing (opaque outside this package): column {@code i} is
     * {@code names[i]}; its value is the plain span {@code bytes[spans[2i], spans[2i+1])} of the
     * message, or, when {@code spans[2i] < 0}, {@code values[i]} (null, or the decoded text of an
     * escaped string or a bare scalar).
     */
    public static final class RawRow {
        final String[] names;
        final Object[] values;
        final int[] spans;
        final int size;
        @Nullable final CanalColumnLayout layout; // when names[0, size) are its first names, in order

        RawRow(String[] names, Object[] values, int[] spans, int size, @Nullable CanalColumnLayout layout) {
            this.names = names;
            this.values = values;
            this.spans = spans;
            this.size = size;
            this.layout = layout;
        }
    }

    /** A parsed {@code sqlType}: the first {@code count} names and codes. Never modified once built. */
    record SqlTypes(String[] names, int[] codes, int count) {
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
}
