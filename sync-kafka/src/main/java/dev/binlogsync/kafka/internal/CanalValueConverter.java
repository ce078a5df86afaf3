package dev.binlogsync.kafka.internal;

import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.RowMap;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.kafka.decode.DateTimeStyle;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.annotation.Nullable;

/**
 * Types the values of a Canal row by their columns' MySQL types (the table in
 * {@code CanalFlatMessageDecoder}'s javadoc): plain values straight from the message's bytes for
 * the common types, anything unusual through its string, so the result and the errors are the
 * same either way. A value that does not fit its type is a {@link DecodeException} naming the
 * table, column, type, row and value. Immutable and thread-safe.
 */
public final class CanalValueConverter {

    private final boolean tinyint1AsBoolean;
    private final DateTimeStyle dateTimeStyle;
    /** Renders datetime / timestamp values in {@link #dateTimeStyle}, as the Debezium decoder does. */
    private final TemporalText dateTimes;

    /**
     * A converter for these options, as {@code CanalFlatMessageDecoder.Builder} documents them.
     */
    public CanalValueConverter(boolean tinyint1AsBoolean, DateTimeStyle dateTimeStyle, ZoneId zone) {
        this.tinyint1AsBoolean = tinyint1AsBoolean;
        this.dateTimeStyle = dateTimeStyle;
        this.dateTimes = new TemporalText(dateTimeStyle, zone);
    }

    /**
     * The row {@code raw} of {@code m} with each value typed by its column's type, in place: the
     * row's arrays become the map's, so each row is typed once.
     *
     * @param index the row's position in {@code part}, for errors
     * @param part {@code "data"} or {@code "old"}, for errors
     * @throws DecodeException if a value does not fit its column's type
     */
    public RowMap typed(CanalMessage m, CanalMessage.RawRow raw, int index, String part) {
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

    /** Printable ASCII without escapes ({@link CanalMessage.RawRow}'s plain spans): its bytes are its characters. */
    private static String latin1(byte[] bytes, int start, int end) {
        return new String(bytes, start, end - start, StandardCharsets.ISO_8859_1);
    }

    /**
     * {@link #convert(CanalMessage, String, MysqlColumnType, String, int, String)} for a value
     * that is a plain span of the message's bytes: the common types are read from the bytes
     * without an intermediate string; anything unusual (signs aside, non-digits, long numbers,
     * errors) takes the string path, so the result and the errors are the same.
     */
    @Nullable
    private Object convert(CanalMessage m, String column, MysqlColumnType type, int start, int end, int index, String part) {
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

    /** Canal sends an ENUM's index and a SET's bitmap as decimal digits (the binlog's numbers). */
    private static boolean isIndex(String s) {
        if (s.isEmpty() || s.length() > 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    /** The member an ENUM index names: 0 is MySQL's error value {@code ''}, 1 the first member. */
    private static String enumMember(MysqlColumnType type, String s) throws BadValue {
        List<String> members = type.members();
        if (members.isEmpty()) {
            throw new BadValue("an ENUM index, but the type lists no members to name it");
        }
        long index = Long.parseLong(s);
        if (index == 0) {
            return "";
        }
        if (index > members.size()) {
            throw new BadValue("ENUM index " + index + " beyond its " + members.size() + " members");
        }
        return members.get((int) index - 1);
    }

    /** The members a SET bitmap holds, in declaration order (bit 0 is the first member). */
    private static List<String> setMembers(MysqlColumnType type, String s) throws BadValue {
        List<String> members = type.members();
        BigInteger bitmap = new BigInteger(s);
        if (bitmap.bitLength() > 64) { // a SET has at most 64 members
            throw new BadValue("SET bitmap wider than 64 bits");
        }
        long bits = bitmap.longValue();
        if (members.size() < 64 && (bits >>> members.size()) != 0) {
            throw new BadValue("SET bitmap " + s + " names a member beyond its " + members.size());
        }
        List<String> out = new ArrayList<>(Long.bitCount(bits));
        for (int i = 0; i < members.size(); i++) {
            if ((bits & (1L << i)) != 0) {
                out.add(members.get(i));
            }
        }
        return List.copyOf(out);
    }

    /** The checks of {@link #dateTime(String)} on bytes. */
    private static boolean isDateTime(byte[] b, int start, int end) {
        return end - start >= 19 && b[start + 4] == '-' && b[start + 7] == '-' && b[start + 13] == ':' && b[start + 16] == ':'
                && (b[start + 10] == ' ' || b[start + 10] == 'T');
    }

    @Nullable
    private Object convert(CanalMessage m, String column, MysqlColumnType type, String s, int index, String part) {
        return convert(m.database, m.table, column, type, s, part + "[" + index + "]");
    }

    /**
     * The value Canal's text {@code s} of a column of type {@code type} becomes (the table in
     * {@code CanalFlatMessageDecoder}'s javadoc): what the decoder gives for the same text in a
     * message, so a backfill that renders a row's values as Canal sends them gets the stream's
     * values by construction.
     *
     * @param where where the value is, for errors ({@code data[0]}, or a row's key)
     * @throws DecodeException if the value does not fit its type
     */
    @Nullable
    public Object convert(String database, String table, String column, MysqlColumnType type, String s, String where) {
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
                        throw Unfollowable.notABoolean(database + "." + table + "." + column, where,
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
                case ENUM:
                    return isIndex(s) ? enumMember(type, s) : s;
                case SET:
                    if (isIndex(s)) {
                        return setMembers(type, s);
                    }
                    return s.isEmpty() ? List.of() : List.of(s.split(",", -1));
                case BINARY:
                    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.ISO_8859_1));
                default:
                    throw new IllegalStateException("unhandled " + type.kind());
            }
        } catch (NumberFormatException | DateTimeParseException | IOException | BadValue e) {
            throw new DecodeException("column " + database + "." + table + "." + column + " (" + type.text()
                    + ") in " + where + ": value '" + abbreviate(s) + "' does not fit its type"
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

    /** CanalMessage content quoted in a log line or an error: capped at 64 characters and escaped. */
    private static String abbreviate(String s) {
        return UntrustedText.shown(s, 64);
    }

    /** A value that is syntactically wrong for its type. */
    private static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message, null, false, false);
        }
    }
}
