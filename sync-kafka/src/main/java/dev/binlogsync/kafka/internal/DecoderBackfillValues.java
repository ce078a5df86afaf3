package dev.binlogsync.kafka.internal;

import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.backfill.BackfillColumn;
import dev.binlogsync.core.backfill.BackfillValues;
import dev.binlogsync.kafka.decode.DateTimeStyle;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * The {@link BackfillValues} of a decoder: each column selected in a form that loses nothing and
 * does not depend on the JDBC driver's conversions or time zones, then typed as the decoder types
 * the same MySQL value in a message.
 *
 * <p><b>Selecting.</b> {@code TINYINT(1)} as {@code CAST(c AS SIGNED)} (a driver may make it a
 * boolean), {@code BIT} and {@code YEAR} as {@code CAST(c AS UNSIGNED)}, {@code FLOAT} as
 * {@code c + 0E0} (the server's text of a FLOAT has 6 digits; the double holds the float exactly),
 * {@code DATE}, {@code DATETIME} and {@code TIME} as {@code CAST(c AS CHAR)} (MySQL's own text, zero
 * dates and negative times included), {@code TIMESTAMP} as {@code UNIX_TIMESTAMP(c)} (the instant,
 * whatever the session's or the driver's zone; 0 for the zero timestamp), binary kinds read with
 * {@code getBytes}, everything else read with {@code getString} (the text protocol's exact digits).
 *
 * <p><b>Typing.</b>
 * <ul>
 *   <li>Canal: each value is rendered as the text Canal sends for it (a TIMESTAMP as its local
 *       date-time in the decoder's zone, the zone Canal's server renders it in; bytes as ISO-8859-1
 *       text; a FLOAT / DOUBLE as Java's {@code String.valueOf}; a BIT as its number; an ENUM as
 *       its index and a SET as its bitmap, selected as {@code c + 0}, the binlog's numbers Canal
 *       passes on) and converted
 *       by the decoder's own {@link CanalValueConverter}: the stream's values by construction.</li>
 *   <li>Debezium (with schemas): integers as JSON numbers ({@code Integer}, {@code Long}; a
 *       {@code BIGINT UNSIGNED} beyond {@code Long.MAX_VALUE} wraps to a negative {@code Long}, as
 *       {@code bigint.unsigned.handling.mode=long} does), {@code DECIMAL} {@code BigDecimal} with the
 *       column's scale, {@code FLOAT}/{@code DOUBLE} the {@code BigDecimal} of the {@code float64}'s
 *       text, {@code BIT(1)} {@code Boolean}, {@code BIT(n)} base64 of its little-endian bytes (padded to
 *       the column's {@code (n + 7) / 8} bytes, as the connector pads them),
 *       temporal columns the {@link TemporalText} of the value with the column's declared fraction
 *       digits (zero dates null, or the epoch in a NOT NULL column, as the connector gives them),
 *       {@code YEAR} {@code Integer} (0 null), {@code SET} its text
 *       ({@code "a,b"}), {@code JSON} its text, binary base64; {@code tinyint1AsBoolean} as the
 *       decoder's.</li>
 *   <li>Maxwell: integers (unsigned exact, {@code BigInteger} beyond {@code Long}) and
 *       {@code DECIMAL}s as the JSON numbers Maxwell writes ({@code BigDecimal} when the column has
 *       a scale), {@code FLOAT} / {@code DOUBLE} the {@code BigDecimal} of Java's text of the
 *       float / double, {@code BIT} its number, {@code DATE} / {@code DATETIME} / {@code TIME}
 *       MySQL's text (a zero or partly zero date as {@code 0000-00-00} / {@code 0000-00-00 00:00:00}),
 *       {@code TIMESTAMP} its text in UTC (the zero timestamp null), {@code YEAR} its
 *       number, {@code SET} a list of its members, {@code JSON} parsed, binary base64.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class DecoderBackfillValues implements BackfillValues {

    /** Whose values. */
    public enum Format { CANAL, DEBEZIUM, MAXWELL }

    private static final String WHERE = "a backfilled row";

    private final Format format;
    private final boolean tinyint1AsBoolean;
    private final TemporalText temporal;
    private final CanalValueConverter canal;

    /**
     * @param format whose values
     * @param tinyint1AsBoolean the decoder's option (Canal, Debezium); false for Maxwell
     * @param style the decoder's date-time style (Canal, Debezium); ignored for Maxwell
     * @param zone the decoder's zone (Canal, Debezium); ignored for Maxwell (UTC)
     */
    public DecoderBackfillValues(Format format, boolean tinyint1AsBoolean, DateTimeStyle style, ZoneId zone) {
        this.format = Objects.requireNonNull(format, "format");
        this.tinyint1AsBoolean = tinyint1AsBoolean && format != Format.MAXWELL;
        DateTimeStyle s = format == Format.MAXWELL ? DateTimeStyle.RAW : style;
        ZoneId z = format == Format.MAXWELL ? ZoneOffset.UTC : zone;
        this.temporal = new TemporalText(s, z);
        this.canal = new CanalValueConverter(tinyint1AsBoolean, s, z);
    }

    /** The column's type as Canal's {@code mysqlType} names it; an unknown type is a string. */
    static MysqlColumnType typeOf(BackfillColumn column) {
        MysqlColumnType type = MysqlColumnType.ofMysqlType(column.columnType());
        return type != null ? type : MysqlColumnType.ofSqlType(Types.OTHER);
    }

    private static boolean isTimestamp(BackfillColumn column) {
        return column.dataType().equals("timestamp");
    }

    @Override
    public String select(BackfillColumn column) {
        String q = column.quotedName();
        if (format == Format.CANAL && (column.dataType().equals("enum") || column.dataType().equals("set"))) {
            // Canal sends an ENUM's index and a SET's bitmap, as numbers (the binlog's values)
            return "(" + q + " + 0)";
        }
        switch (typeOf(column).kind()) {
            case TINYINT1:
                return "CAST(" + q + " AS SIGNED)";
            case BIT1:
            case BIT:
            case YEAR:
                return "CAST(" + q + " AS UNSIGNED)";
            case FLOAT:
                return "(" + q + " + 0E0)";
            case DATE:
            case TIME:
                return "CAST(" + q + " AS CHAR)";
            case DATETIME:
                return isTimestamp(column) ? "UNIX_TIMESTAMP(" + q + ")" : "CAST(" + q + " AS CHAR)";
            default:
                return q;
        }
    }

    @Nullable
    @Override
    public Object read(ResultSet rs, int index, BackfillColumn column) throws SQLException {
        MysqlColumnType type = typeOf(column);
        if (type.kind() == MysqlColumnType.Kind.BINARY) {
            byte[] bytes = rs.getBytes(index);
            if (bytes == null) {
                return null;
            }
            return format == Format.CANAL
                    ? canal.convert(column.database(), column.table(), column.name(), type,
                            new String(bytes, StandardCharsets.ISO_8859_1), WHERE)
                    : Base64.getEncoder().encodeToString(bytes);
        }
        String text = rs.getString(index);
        if (text == null) {
            return null;
        }
        try {
            switch (format) {
                case CANAL:
                    return canal.convert(column.database(), column.table(), column.name(), type, canalText(column, type, text),
                            WHERE);
                case DEBEZIUM:
                    return debezium(column, type, text);
                default:
                    return maxwell(column, type, text);
            }
        } catch (NumberFormatException | java.time.DateTimeException | IOException e) {
            throw new DecodeException("column " + column.qualifiedName() + " (" + column.columnType() + ") in " + WHERE
                    + ": value '" + NumberBounds.shown(text) + "' does not fit its type", e);
        }
    }

    /** The text Canal sends for the value the select gave as {@code text}. */
    private String canalText(BackfillColumn column, MysqlColumnType type, String text) {
        switch (type.kind()) {
            case FLOAT:
                return String.valueOf((float) Double.parseDouble(text));
            case DOUBLE:
                return String.valueOf(Double.parseDouble(text));
            case BIT1:
            case BIT:
                return String.valueOf(new BigInteger(text).longValue());
            case DATETIME:
                if (!isTimestamp(column)) {
                    return text;
                }
                Instant instant = instant(text);
                return instant == null ? zeroDateTime(fsp(column))
                        : mysqlText(LocalDateTime.ofInstant(instant, temporal.zone()), fsp(column));
            default:
                return text;
        }
    }

    @Nullable
    private Object debezium(BackfillColumn column, MysqlColumnType type, String text) {
        switch (type.kind()) {
            case TINYINT1:
                if (tinyint1AsBoolean) {
                    return canal.convert(column.database(), column.table(), column.name(), type, text, WHERE);
                }
                return integer(new BigInteger(text));
            case INT:
            case LONG:
                return integer(new BigInteger(text));
            case BIGINT_UNSIGNED:
                // bigint.unsigned.handling.mode=long: the value's 64 bits as a signed long
                return integer(BigInteger.valueOf(new BigInteger(text).longValue()));
            case DECIMAL:
                return decimal(column, text);
            case FLOAT:
                return new BigDecimal(Double.toString((float) Double.parseDouble(text)));
            case DOUBLE:
                return new BigDecimal(Double.toString(Double.parseDouble(text)));
            case BIT1:
                return new BigInteger(text).signum() != 0;
            case BIT:
                return Base64.getEncoder().encodeToString(bitBytes(new BigInteger(text).longValue(), fsp(column)));
            case YEAR: {
                int year = Integer.parseInt(text);
                return year == 0 ? null : year;
            }
            case DATE:
                if (isZeroDate(text)) {
                    // the connector gives a NOT NULL column's zero date as the epoch
                    return column.nullable() ? null : "1970-01-01";
                }
                return TemporalText.date(LocalDate.parse(text));
            case DATETIME: {
                if (isTimestamp(column)) {
                    Instant instant = instant(text);
                    return instant == null ? null : temporal.timestamp(instant, fsp(column));
                }
                if (isZeroDate(text)) {
                    return column.nullable() ? null : temporal.dateTime(LocalDateTime.of(1970, 1, 1, 0, 0), fsp(column));
                }
                return temporal.dateTime(LocalDateTime.parse(text.replace(' ', 'T')), fsp(column));
            }
            default:
                // TIME is MySQL's text ([-]HH:mm:ss[.f], the declared digits); strings, ENUM, SET and JSON their text
                return text;
        }
    }

    @Nullable
    private Object maxwell(BackfillColumn column, MysqlColumnType type, String text) throws IOException {
        switch (type.kind()) {
            case TINYINT1:
            case INT:
            case LONG:
            case BIGINT_UNSIGNED:
                return integer(new BigInteger(text));
            case DECIMAL:
                return text.indexOf('.') < 0 ? integer(new BigInteger(text)) : decimal(column, text);
            case FLOAT:
                return new BigDecimal(Float.toString((float) Double.parseDouble(text)));
            case DOUBLE:
                return new BigDecimal(Double.toString(Double.parseDouble(text)));
            case BIT1:
            case BIT:
                return integer(BigInteger.valueOf(new BigInteger(text).longValue()));
            case YEAR:
                return Integer.valueOf(Integer.parseInt(text));
            case DATE:
                return isZeroDate(text) ? "0000-00-00" : text;
            case DATETIME: {
                if (isTimestamp(column)) {
                    Instant instant = instant(text);
                    return instant == null ? null : mysqlText(LocalDateTime.ofInstant(instant, ZoneOffset.UTC), fsp(column));
                }
                return isZeroDate(text) ? "0000-00-00 00:00:00" : text;
            }
            case SET:
                return text.isEmpty() ? List.of() : List.of(text.split(",", -1));
            case JSON: {
                Object tree = Json.MAPPER.readValue(text, Object.class);
                String problem = NumberBounds.jsonTree(tree);
                if (problem != null) {
                    throw new DecodeException("column " + column.qualifiedName() + " (json) in " + WHERE + ": " + problem);
                }
                return tree;
            }
            default:
                return text;
        }
    }

    /**
     * A {@code BIT(n)} value as Debezium writes it: its little-endian bytes, padded with zero bytes to
     * the column's {@code (n + 7) / 8} (the connector's {@code io.debezium.data.Bits}).
     */
    private static byte[] bitBytes(long value, int bits) {
        byte[] set = BitSet.valueOf(new long[] {value}).toByteArray();
        int length = Math.max(set.length, (bits + 7) / 8);
        return java.util.Arrays.copyOf(set, length);
    }

    /** A JSON integer as Jackson reads it: {@code Integer}, {@code Long} or {@code BigInteger} by size. */
    private static Number integer(BigInteger v) {
        int bits = v.bitLength();
        if (bits < 32) {
            return v.intValue();
        }
        return bits < 64 ? (Number) v.longValue() : v;
    }

    private static BigDecimal decimal(BackfillColumn column, String text) {
        BigDecimal d = new BigDecimal(text);
        String problem = NumberBounds.decimal(d);
        if (problem != null) {
            throw new DecodeException("column " + column.qualifiedName() + " in " + WHERE + ": " + problem);
        }
        return d;
    }

    /** The instant of {@code UNIX_TIMESTAMP(c)}'s text, null for the zero timestamp (0). */
    @Nullable
    private static Instant instant(String text) {
        BigDecimal seconds = new BigDecimal(text);
        if (seconds.signum() == 0) {
            return null;
        }
        BigDecimal whole = seconds.setScale(0, java.math.RoundingMode.FLOOR);
        int nanos = seconds.subtract(whole).movePointRight(9).intValueExact();
        return Instant.ofEpochSecond(whole.longValueExact(), nanos);
    }

    /** The number in the column type's parentheses: fraction digits of {@code datetime(3)}, bits of {@code bit(12)}; 0 without. */
    private static int fsp(BackfillColumn column) {
        String t = column.columnType();
        int open = t.indexOf('(');
        if (open < 0) {
            return 0;
        }
        return Integer.parseInt(t.substring(open + 1, t.indexOf(')', open)).trim());
    }

    private static boolean isZeroDate(String s) {
        return s.length() >= 10 && ((s.charAt(5) == '0' && s.charAt(6) == '0') || (s.charAt(8) == '0' && s.charAt(9) == '0'));
    }

    private static String zeroDateTime(int fsp) {
        return fsp > 0 ? "0000-00-00 00:00:00." + "000000".substring(0, fsp) : "0000-00-00 00:00:00";
    }

    /** MySQL's text of a date-time: {@code yyyy-MM-dd HH:mm:ss} and {@code fsp} fraction digits. */
    private static String mysqlText(LocalDateTime t, int fsp) {
        return new TemporalText(DateTimeStyle.RAW, ZoneOffset.UTC).dateTime(t, fsp);
    }

    @Override
    public String toString() {
        return "DecoderBackfillValues{" + format + ", tinyint1AsBoolean=" + tinyint1AsBoolean + ", dateTimeStyle="
                + temporal.style() + ", zone=" + temporal.zone() + "}";
    }
}
