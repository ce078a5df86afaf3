package dev.binlogsync.kafka.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.binlogsync.core.DecodeException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import javax.annotation.Nullable;

/**
 * One temporal column of a Debezium schema (a field schema whose {@code name} is one of
 * Debezium's or Kafka Connect's temporal logical types), and the conversion of its values to the
 * text {@link TemporalText} gives, which is what the Canal decoder gives for the same MySQL value:
 *
 * <table>
 * <caption>Logical type to value</caption>
 * <tr><th>logical type (JSON value)</th><th>MySQL type</th><th>value</th></tr>
 * <tr><td>{@code io.debezium.time.Date}, {@code org.apache.kafka.connect.data.Date} (days since the epoch)</td>
 *     <td>DATE</td><td>{@code yyyy-MM-dd}</td></tr>
 * <tr><td>{@code io.debezium.time.Time}, {@code org.apache.kafka.connect.data.Time} (ms),
 *     {@code io.debezium.time.MicroTime} (µs), {@code io.debezium.time.NanoTime} (ns)</td>
 *     <td>TIME</td><td>{@code [-]HH:mm:ss[.f]}</td></tr>
 * <tr><td>{@code io.debezium.time.Timestamp}, {@code org.apache.kafka.connect.data.Timestamp} (ms),
 *     {@code io.debezium.time.MicroTimestamp} (µs), {@code io.debezium.time.NanoTimestamp} (ns);
 *     the local date-time read as UTC</td><td>DATETIME</td><td>the style's text</td></tr>
 * <tr><td>{@code io.debezium.time.ZonedTimestamp} (ISO-8601 string, in UTC)</td><td>TIMESTAMP</td>
 *     <td>the style's text of the instant; the epoch itself ({@code 1970-01-01T00:00:00Z}, no
 *     MySQL TIMESTAMP, Debezium's form of the zero timestamp) is null</td></tr>
 * <tr><td>{@code io.debezium.time.Year} (number)</td><td>YEAR</td><td>{@code Integer}; 0 is null</td></tr>
 * </table>
 * Fraction digits: the column's declared precision when the schema carries
 * {@code column.propagate.source.type}'s {@code __debezium.source.column.length} (or
 * {@code __debezium.source.column.scale}) of 0 to 6, or its {@code __debezium.source.column.type}
 * without a length (precision 0); else none for a whole second and otherwise the precision the
 * encoding carries (3 for milliseconds, 6 for microseconds, 9 for nanoseconds, a ZonedTimestamp's
 * own digits). Digits the value has are never dropped. A value that is not of its encoding's JSON
 * type, or beyond MySQL's range (years 0 to 9999, TIME within ±838:59:59), is a
 * {@link DecodeException}. Immutable and thread-safe.
 */
public final class DebeziumTemporal {

    private enum Kind { DATE, TIME, DATETIME, TIMESTAMP, YEAR }

    private static final String LENGTH = "__debezium.source.column.length";
    private static final String SCALE = "__debezium.source.column.scale";
    private static final String TYPE = "__debezium.source.column.type";

    private final Kind kind;
    private final String logicalName;
    /** Units of the JSON number per second (1000 for ms); 0 for DATE, YEAR and TIMESTAMP. */
    private final long perSecond;
    /** The column's declared fraction digits, -1 when the schema does not say. */
    private final int declared;

    private DebeziumTemporal(Kind kind, String logicalName, long perSecond, int declared) {
        this.kind = kind;
        this.logicalName = logicalName;
        this.perSecond = perSecond;
        this.declared = declared;
    }

    /** The temporal column a field schema describes, or null when its logical type is not temporal. */
    @Nullable
    public static DebeziumTemporal of(JsonNode fieldSchema) {
        String name = fieldSchema.path("name").asText("");
        switch (name) {
            case "io.debezium.time.Date":
            case "org.apache.kafka.connect.data.Date":
                return new DebeziumTemporal(Kind.DATE, name, 0, -1);
            case "io.debezium.time.Year":
                return new DebeziumTemporal(Kind.YEAR, name, 0, -1);
            case "io.debezium.time.Time":
            case "org.apache.kafka.connect.data.Time":
                return new DebeziumTemporal(Kind.TIME, name, 1_000L, declared(fieldSchema));
            case "io.debezium.time.MicroTime":
                return new DebeziumTemporal(Kind.TIME, name, 1_000_000L, declared(fieldSchema));
            case "io.debezium.time.NanoTime":
                return new DebeziumTemporal(Kind.TIME, name, 1_000_000_000L, declared(fieldSchema));
            case "io.debezium.time.Timestamp":
            case "org.apache.kafka.connect.data.Timestamp":
                return new DebeziumTemporal(Kind.DATETIME, name, 1_000L, declared(fieldSchema));
            case "io.debezium.time.MicroTimestamp":
                return new DebeziumTemporal(Kind.DATETIME, name, 1_000_000L, declared(fieldSchema));
            case "io.debezium.time.NanoTimestamp":
                return new DebeziumTemporal(Kind.DATETIME, name, 1_000_000_000L, declared(fieldSchema));
            case "io.debezium.time.ZonedTimestamp":
                return new DebeziumTemporal(Kind.TIMESTAMP, name, 0, declared(fieldSchema));
            default:
                return null;
        }
    }

    /**
     * The declared fraction digits from {@code column.propagate.source.type}'s parameters: the
     * length (else the scale) when it is 0 to 6, 0 for a propagated type without either, else -1.
     */
    private static int declared(JsonNode fieldSchema) {
        JsonNode parameters = fieldSchema.path("parameters");
        for (String key : new String[] {LENGTH, SCALE}) {
            JsonNode v = parameters.get(key);
            if (v != null && !v.isNull()) {
                String text = v.asText();
                return text.length() == 1 && text.charAt(0) >= '0' && text.charAt(0) <= '6' ? text.charAt(0) - '0' : -1;
            }
        }
        return parameters.hasNonNull(TYPE) ? 0 : -1;
    }

    /** The value of this column: a String (an Integer for YEAR), or null. */
    @Nullable
    public Object convert(JsonNode value, TemporalText text, String column, String part) {
        if (value.isNull()) {
            return null;
        }
        try {
            switch (kind) {
                case YEAR: {
                    int year = (int) number(value, Integer.MIN_VALUE, Integer.MAX_VALUE);
                    return year == 0 ? null : Integer.valueOf(year);
                }
                case DATE:
                    return TemporalText.date(inRange(LocalDate.ofEpochDay(number(value, Integer.MIN_VALUE, Integer.MAX_VALUE))));
                case TIME:
                    return time(number(value, Long.MIN_VALUE + 1, Long.MAX_VALUE));
                case DATETIME: {
                    long v = number(value, Long.MIN_VALUE, Long.MAX_VALUE);
                    int nanos = (int) (Math.floorMod(v, perSecond) * (1_000_000_000L / perSecond));
                    LocalDateTime local = LocalDateTime.ofEpochSecond(Math.floorDiv(v, perSecond), nanos, ZoneOffset.UTC);
                    inRange(local.toLocalDate());
                    return text.dateTime(local, TemporalText.fractionDigits(nanos, declared, carried()));
                }
                case TIMESTAMP:
                    return timestamp(value, text);
                default:
                    throw new IllegalStateException("unhandled " + kind);
            }
        } catch (BadValue | DateTimeException e) {
            throw new DecodeException("column " + column + " (" + logicalName + ") in '" + part + "': value "
                    + NumberBounds.shown(value.toString()) + " does not fit its type: " + e.getMessage(), e);
        }
    }

    @Nullable
    private String timestamp(JsonNode value, TemporalText text) throws BadValue {
        if (!value.isTextual()) {
            throw new BadValue("not an ISO-8601 date-time string");
        }
        String s = value.textValue();
        Instant instant = OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        if (instant.equals(Instant.EPOCH)) {
            return null; // no TIMESTAMP holds the epoch (they start a second later): the zero timestamp
        }
        inRange(text.localDateTime(instant).toLocalDate());
        int dot = s.indexOf('.', s.indexOf('T'));
        int carried = 0;
        if (dot > 0) {
            while (dot + 1 + carried < s.length() && Character.isDigit(s.charAt(dot + 1 + carried))) {
                carried++;
            }
        }
        return text.timestamp(instant, TemporalText.fractionDigits(instant.getNano(), declared, carried));
    }

    private String time(long v) throws BadValue {
        long magnitude = Math.abs(v);
        long seconds = magnitude / perSecond;
        int nanos = (int) (magnitude % perSecond * (1_000_000_000L / perSecond));
        if (seconds > TemporalText.MAX_TIME_SECONDS || (seconds == TemporalText.MAX_TIME_SECONDS && nanos > 0)) {
            throw new BadValue("beyond a MySQL TIME (at most 838:59:59 either side of zero)");
        }
        return TemporalText.time(v < 0, seconds, nanos, TemporalText.fractionDigits(nanos, declared, carried()));
    }

    private int carried() {
        return perSecond == 1_000L ? 3 : perSecond == 1_000_000L ? 6 : 9;
    }

    private static long number(JsonNode value, long min, long max) throws BadValue {
        if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < min || value.longValue() > max) {
            throw new BadValue("not an integer of the logical type's range");
        }
        return value.longValue();
    }

    private static LocalDate inRange(LocalDate date) throws BadValue {
        if (date.getYear() < 0 || date.getYear() > 9999) {
            throw new BadValue("beyond MySQL's years (0 to 9999)");
        }
        return date;
    }

    @Override
    public String toString() {
        return logicalName + (declared >= 0 ? "(" + declared + ")" : "");
    }

    /** A value that does not fit its logical type. */
    private static final class BadValue extends Exception {
        private static final long serialVersionUID = 1L;

        BadValue(String message) {
            super(message, null, false, false);
        }
    }
}
