package dev.binlogsync.examples.testbed;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * Turns binlog row values (as mysql-binlog-connector-java hands them over with
 * {@code DATE_AND_TIME_AS_LONG_MICRO}, {@code INVALID_DATE_AND_TIME_AS_MIN_VALUE} and
 * {@code CHAR_AND_BINARY_AS_BYTE_ARRAY}) into Canal's string values and {@code java.sql.Types}, the
 * way Canal's {@code RowsLogBuffer} and {@code LogEventConvert} do, and writes flat messages with
 * the fields in Canal's (alphabetical) order. Package-private; stateless and thread-safe.
 */
final class CanalFormat {

    private static final JsonFactory JSON = new JsonFactory();
    private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

    private CanalFormat() {
    }

    /** What a column is, parsed once from its {@code COLUMN_TYPE}. */
    enum Kind {
        TINYINT(Types.TINYINT), SMALLINT(Types.SMALLINT), MEDIUMINT(Types.INTEGER), INT(Types.INTEGER),
        BIGINT(Types.BIGINT), DECIMAL(Types.DECIMAL), FLOAT(Types.REAL), DOUBLE(Types.DOUBLE), BIT(Types.BIT),
        DATE(Types.DATE), DATETIME(Types.TIMESTAMP), TIMESTAMP(Types.TIMESTAMP), TIME(Types.TIME),
        YEAR(Types.VARCHAR), ENUM(Types.INTEGER), SET(Types.BIT), CHAR(Types.CHAR), VARCHAR(Types.VARCHAR),
        TEXT(Types.CLOB), BINARY(Types.BLOB), BLOB(Types.BLOB), JSON(Types.VARCHAR), OTHER(Types.OTHER);

        final int sqlType;

        Kind(int sqlType) {
            this.sqlType = sqlType;
        }
    }

    /**
     * One column of a table as Canal describes it.
     *
     * @param name the column name
     * @param mysqlType {@code COLUMN_TYPE}, e.g. {@code bigint(20) unsigned}
     * @param kind parsed from mysqlType
     * @param unsigned whether the type is unsigned
     * @param fsp fractional seconds digits of temporal types, 0 otherwise
     * @param charset the column's character set for text kinds
     */
    record Column(String name, String mysqlType, Kind kind, boolean unsigned, int fsp, Charset charset) {

        static Column of(String name, String mysqlType, @Nullable String characterSet) {
            String t = mysqlType.toLowerCase(Locale.ROOT);
            String base = t.replaceFirst("[ (].*$", "");
            Kind kind;
            switch (base) {
                case "tinyint": kind = Kind.TINYINT; break;
                case "smallint": kind = Kind.SMALLINT; break;
                case "mediumint": kind = Kind.MEDIUMINT; break;
                case "int": case "integer": kind = Kind.INT; break;
                case "bigint": kind = Kind.BIGINT; break;
                case "decimal": case "numeric": kind = Kind.DECIMAL; break;
                case "float": kind = Kind.FLOAT; break;
                case "double": case "real": kind = Kind.DOUBLE; break;
                case "bit": kind = Kind.BIT; break;
                case "date": kind = Kind.DATE; break;
                case "datetime": kind = Kind.DATETIME; break;
                case "timestamp": kind = Kind.TIMESTAMP; break;
                case "time": kind = Kind.TIME; break;
                case "year": kind = Kind.YEAR; break;
                case "enum": kind = Kind.ENUM; break;
                case "set": kind = Kind.SET; break;
                case "char": kind = Kind.CHAR; break;
                case "varchar": kind = Kind.VARCHAR; break;
                case "tinytext": case "text": case "mediumtext": case "longtext": kind = Kind.TEXT; break;
                case "binary": case "varbinary": kind = Kind.BINARY; break;
                case "tinyblob": case "blob": case "mediumblob": case "longblob": kind = Kind.BLOB; break;
                case "json": kind = Kind.JSON; break;
                default: kind = Kind.OTHER;
            }
            int fsp = 0;
            if (kind == Kind.DATETIME || kind == Kind.TIMESTAMP || kind == Kind.TIME) {
                int open = t.indexOf('(');
                if (open > 0) {
                    fsp = Integer.parseInt(t.substring(open + 1, t.indexOf(')', open)).trim());
                }
            }
            return new Column(name, mysqlType, kind, t.contains("unsigned"), fsp, javaCharset(characterSet));
        }
    }

    static Charset javaCharset(@Nullable String mysqlCharset) {
        if (mysqlCharset == null) {
            return StandardCharsets.UTF_8;
        }
        switch (mysqlCharset.toLowerCase(Locale.ROOT)) {
            case "utf8": case "utf8mb3": case "utf8mb4": return StandardCharsets.UTF_8;
            case "latin1": return Charset.forName("windows-1252");
            case "ascii": return StandardCharsets.US_ASCII;
            case "binary": return StandardCharsets.ISO_8859_1;
            case "ucs2": case "utf16": return StandardCharsets.UTF_16BE;
            default:
                try {
                    return Charset.forName(mysqlCharset);
                } catch (IllegalArgumentException e) {
                    return StandardCharsets.UTF_8;
                }
        }
    }

    /**
     * Canal's string for one value, writing Canal's sqlType for it into {@code sqlTypeOut[0]} (an
     * unsigned integer whose raw value is negative moves up one type, as Canal does).
     *
     * @return the string, or null for SQL NULL
     */
    @Nullable
    static String format(@Nullable Serializable value, Column column, int[] sqlTypeOut) {
        sqlTypeOut[0] = column.kind.sqlType;
        if (value == null) {
            return null;
        }
        switch (column.kind) {
            case TINYINT: case SMALLINT: case MEDIUMINT: case INT: case BIGINT:
                return integer((Number) value, column, sqlTypeOut);
            case DECIMAL:
                return ((BigDecimal) value).toPlainString();
            case FLOAT: case DOUBLE:
                return String.valueOf(value);
            case BIT:
                return String.valueOf(bits(value));
            case DATE:
                return date((Long) value);
            case DATETIME:
                return dateTime((Long) value, column.fsp, ZoneOffset.UTC);
            case TIMESTAMP:
                // Canal renders TIMESTAMP in the JVM's default zone (new Timestamp(ms).toString())
                return ((Long) value) == 0L ? zeroDateTime(column.fsp) : dateTime((Long) value, column.fsp, ZoneId.systemDefault());
            case TIME:
                return time((Long) value, column.fsp);
            case YEAR: {
                int year = ((Number) value).intValue();
                return year == 1900 || year == 0 ? "0000" : String.valueOf(year);
            }
            case ENUM: case SET:
                return String.valueOf(value);
            case CHAR: case VARCHAR: case TEXT: case JSON:
                return value instanceof byte[] ? new String((byte[]) value, column.charset) : value.toString();
            case BINARY: case BLOB:
                // Canal keeps bytes as an ISO-8859-1 string (one char per byte)
                return value instanceof byte[] ? new String((byte[]) value, StandardCharsets.ISO_8859_1) : value.toString();
            default:
                return value instanceof byte[] ? new String((byte[]) value, StandardCharsets.ISO_8859_1) : value.toString();
        }
    }

    private static String integer(Number number, Column column, int[] sqlTypeOut) {
        long raw = number.longValue();
        if (!column.unsigned || raw >= 0) {
            return String.valueOf(raw);
        }
        switch (column.kind) {
            case TINYINT:
                sqlTypeOut[0] = Types.SMALLINT;
                return String.valueOf(raw + 256);
            case SMALLINT:
                sqlTypeOut[0] = Types.INTEGER;
                return String.valueOf(raw + 65536);
            case MEDIUMINT:
                sqlTypeOut[0] = Types.INTEGER;
                return String.valueOf(raw + 16777216);
            case INT:
                sqlTypeOut[0] = Types.BIGINT;
                return String.valueOf(raw + 4294967296L);
            default:
                sqlTypeOut[0] = Types.DECIMAL;
                return TWO_64.add(BigInteger.valueOf(raw)).toString();
        }
    }

    private static long bits(Serializable value) {
        if (value instanceof BitSet) {
            BitSet set = (BitSet) value;
            long v = 0;
            for (int i = set.nextSetBit(0); i >= 0 && i < 64; i = set.nextSetBit(i + 1)) {
                v |= 1L << i;
            }
            return v;
        }
        return ((Number) value).longValue();
    }

    private static String date(long micros) {
        if (micros == Long.MIN_VALUE) {
            return "0000-00-00";
        }
        LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), 0, ZoneOffset.UTC);
        StringBuilder b = new StringBuilder(10);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2);
        return b.toString();
    }

    private static String zeroDateTime(int fsp) {
        return fsp > 0 ? "0000-00-00 00:00:00." + "000000".substring(0, fsp) : "0000-00-00 00:00:00";
    }

    private static String dateTime(long micros, int fsp, ZoneId zone) {
        if (micros == Long.MIN_VALUE) {
            return zeroDateTime(fsp);
        }
        long seconds = Math.floorDiv(micros, 1_000_000L);
        int micro = (int) Math.floorMod(micros, 1_000_000L);
        LocalDateTime t = LocalDateTime.ofInstant(Instant.ofEpochSecond(seconds), zone);
        StringBuilder b = new StringBuilder(26);
        pad(b, t.getYear(), 4).append('-');
        pad(b, t.getMonthValue(), 2).append('-');
        pad(b, t.getDayOfMonth(), 2).append(' ');
        pad(b, t.getHour(), 2).append(':');
        pad(b, t.getMinute(), 2).append(':');
        pad(b, t.getSecond(), 2);
        fraction(b, micro, fsp);
        return b.toString();
    }

    private static String time(long micros, int fsp) {
        if (micros == Long.MIN_VALUE) {
            return fsp > 0 ? "00:00:00." + "000000".substring(0, fsp) : "00:00:00";
        }
        StringBuilder b = new StringBuilder(17);
        if (micros < 0) {
            b.append('-');
            micros = -micros;
        }
        long seconds = micros / 1_000_000L;
        int hours = (int) (seconds / 3600);
        if (hours >= 100) {
            b.append(hours);
        } else {
            pad(b, hours, 2);
        }
        b.append(':');
        pad(b, (int) (seconds / 60 % 60), 2).append(':');
        pad(b, (int) (seconds % 60), 2);
        fraction(b, (int) (micros % 1_000_000L), fsp);
        return b.toString();
    }

    private static void fraction(StringBuilder b, int micro, int fsp) {
        if (fsp > 0) {
            String digits = Integer.toString(micro);
            b.append('.');
            for (int i = digits.length(); i < 6; i++) {
                b.append('0');
            }
            b.append(digits);
            b.setLength(b.length() - (6 - fsp));
        }
    }

    private static StringBuilder pad(StringBuilder b, int value, int width) {
        String digits = Integer.toString(value);
        for (int i = digits.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(digits);
    }

    /**
     * A DML flat message.
     *
     * @param rows the rows' string values, one map per row in column order
     * @param old for UPDATE, per row the previous values of changed columns; null otherwise
     */
    static byte[] rowsMessage(long id, String database, String table, List<String> pkNames, String type,
            long es, long ts, @Nullable String gtid, Map<String, Integer> sqlType, Map<String, String> mysqlType,
            List<Map<String, String>> rows, @Nullable List<Map<String, String>> old) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + rows.size() * 128);
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeArrayFieldStart("data");
            for (Map<String, String> row : rows) {
                writeStringMap(g, row);
            }
            g.writeEndArray();
            g.writeStringField("database", database);
            g.writeNumberField("es", es);
            g.writeStringField("gtid", gtid == null ? "" : gtid);
            g.writeNumberField("id", id);
            g.writeBooleanField("isDdl", false);
            g.writeObjectFieldStart("mysqlType");
            for (Map.Entry<String, String> e : mysqlType.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeFieldName("old");
            if (old == null) {
                g.writeNull();
            } else {
                g.writeStartArray();
                for (Map<String, String> row : old) {
                    writeStringMap(g, row);
                }
                g.writeEndArray();
            }
            g.writeArrayFieldStart("pkNames");
            for (String pk : pkNames) {
                g.writeString(pk);
            }
            g.writeEndArray();
            g.writeStringField("sql", "");
            g.writeObjectFieldStart("sqlType");
            for (Map.Entry<String, Integer> e : sqlType.entrySet()) {
                g.writeNumberField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeStringField("table", table);
            g.writeNumberField("ts", ts);
            g.writeStringField("type", type);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A DDL flat message: {@code isDdl: true}, the statement in {@code sql}, no rows. */
    static byte[] ddlMessage(long id, String database, String table, String type, long es, long ts,
            @Nullable String gtid, String sql) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + sql.length());
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeNullField("data");
            g.writeStringField("database", database);
            g.writeNumberField("es", es);
            g.writeStringField("gtid", gtid == null ? "" : gtid);
            g.writeNumberField("id", id);
            g.writeBooleanField("isDdl", true);
            g.writeNullField("mysqlType");
            g.writeNullField("old");
            g.writeNullField("pkNames");
            g.writeStringField("sql", sql);
            g.writeNullField("sqlType");
            g.writeStringField("table", table);
            g.writeNumberField("ts", ts);
            g.writeStringField("type", type);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeStringMap(JsonGenerator g, Map<String, String> row) throws IOException {
        g.writeStartObject();
        for (Map.Entry<String, String> e : row.entrySet()) {
            if (e.getValue() == null) {
                g.writeNullField(e.getKey());
            } else {
                g.writeStringField(e.getKey(), e.getValue());
            }
        }
        g.writeEndObject();
    }

    /**
     * The partition Canal's {@code canal.mq.partitionHash} picks for a row, as Canal's
     * {@code MQMessageUtils} computes it: the database name's hash, XOR-ed with each primary-key
     * value's hash (null as the empty string), absolute value modulo the partition count. The table
     * name takes no part, so a child table whose key is its parent's id (order_shipping keyed by
     * order_id) lands in its parent row's partition. Rows without a primary key go to partition 0.
     */
    static int partition(String database, String table, List<String> pkNames, Map<String, String> row, int partitions) {
        if (partitions <= 1 || pkNames.isEmpty()) {
            return 0;
        }
        int hash = database.hashCode();
        for (String pk : pkNames) {
            String value = row.get(pk);
            hash ^= (value == null ? "" : value).hashCode();
        }
        return Math.abs(Math.abs(hash) % partitions);
    }
}
