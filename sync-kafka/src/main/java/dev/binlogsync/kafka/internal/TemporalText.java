package dev.binlogsync.kafka.internal;

import dev.binlogsync.kafka.decode.DateTimeStyle;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * The text the decoders give for MySQL temporal values, so that one MySQL value gives one text
 * whichever format carried it: Canal sends MySQL's own text ({@code "2024-03-01 12:30:45.123"}),
 * Debezium sends numbers and ISO strings, and both end here.
 *
 * <ul>
 *   <li>DATE: {@code yyyy-MM-dd}, the year in four digits.</li>
 *   <li>TIME: {@code [-]HH:mm:ss[.f]}, the hours in two digits or more ({@code -838:59:59}).</li>
 *   <li>DATETIME: the {@link DateTimeStyle}; {@code RAW} and {@code ISO_LOCAL} keep the local
 *       date-time with its fraction digits ({@code yyyy-MM-dd HH:mm:ss[.f]}, with {@code 'T'}
 *       for {@code ISO_LOCAL}), {@code ISO_OFFSET} and {@code ISO_UTC} read it in the zone and
 *       format it with {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} /
 *       {@link DateTimeFormatter#ISO_INSTANT} (which choose their own fraction digits).</li>
 *   <li>TIMESTAMP given as an instant: its local date-time in the zone for {@code RAW} and
 *       {@code ISO_LOCAL} (the text Canal sends when its server runs in that zone), the instant
 *       itself for {@code ISO_OFFSET} and {@code ISO_UTC}.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class TemporalText {

    /** MySQL's largest TIME, {@code 838:59:59}, in seconds. */
    public static final long MAX_TIME_SECONDS = 838L * 3600 + 59 * 60 + 59;
    private static final int[] POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000};

    private final DateTimeStyle style;
    private final ZoneId zone;

    public TemporalText(DateTimeStyle style, ZoneId zone) {
        this.style = Objects.requireNonNull(style, "style");
        this.zone = Objects.requireNonNull(zone, "zone");
    }

    public DateTimeStyle style() {
        return style;
    }

    public ZoneId zone() {
        return zone;
    }

    /**
     * MySQL's DATETIME / TIMESTAMP text ({@code yyyy-MM-dd HH:mm:ss[.f]}, or with {@code 'T'}),
     * already checked for that shape and for a zero date by the caller, in the style.
     */
    public String dateTime(String text) {
        switch (style) {
            case RAW:
                return text;
            case ISO_LOCAL:
                // the only space in "yyyy-MM-dd HH:mm:ss[.f]" is the date/time separator
                return text.charAt(10) == 'T' ? text : text.replace(' ', 'T');
            default:
                String iso = text.charAt(10) == 'T' ? text : text.substring(0, 10) + 'T' + text.substring(11);
                return zoned(LocalDateTime.parse(iso).atZone(zone));
        }
    }

    /** A DATETIME value (a local date-time, year 0 to 9999) with {@code digits} fraction digits, in the style. */
    public String dateTime(LocalDateTime value, int digits) {
        switch (style) {
            case RAW:
                return local(value, digits, ' ');
            case ISO_LOCAL:
                return local(value, digits, 'T');
            default:
                return zoned(value.atZone(zone));
        }
    }

    /**
     * A TIMESTAMP value, an instant: for {@code RAW} and {@code ISO_LOCAL} its local date-time in
     * the zone with {@code digits} fraction digits; for {@code ISO_OFFSET} and {@code ISO_UTC}
     * the instant, with the zone's offset at that instant.
     */
    public String timestamp(Instant value, int digits) {
        switch (style) {
            case RAW:
                return local(LocalDateTime.ofInstant(value, zone), digits, ' ');
            case ISO_LOCAL:
                return local(LocalDateTime.ofInstant(value, zone), digits, 'T');
            default:
                return zoned(value.atZone(zone));
        }
    }

    /** The local date-time of an instant in this zone (to check its range). */
    public LocalDateTime localDateTime(Instant value) {
        return LocalDateTime.ofInstant(value, zone);
    }

    private String zoned(ZonedDateTime value) {
        switch (style) {
            case ISO_OFFSET:
                return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(value.toOffsetDateTime());
            case ISO_UTC:
                return DateTimeFormatter.ISO_INSTANT.format(value.toInstant());
            default:
                throw new IllegalStateException("unhandled " + style);
        }
    }

    /** A DATE value (year 0 to 9999) as {@code yyyy-MM-dd}. */
    public static String date(LocalDate value) {
        StringBuilder b = new StringBuilder(10);
        pad(b, value.getYear(), 4).append('-');
        pad(b, value.getMonthValue(), 2).append('-');
        return pad(b, value.getDayOfMonth(), 2).toString();
    }

    /**
     * A TIME value, {@code seconds} and {@code nanos} (0 to 999,999,999) after the sign, as
     * {@code [-]HH:mm:ss} and {@code digits} fraction digits.
     */
    public static String time(boolean negative, long seconds, int nanos, int digits) {
        StringBuilder b = new StringBuilder(18);
        if (negative) {
            b.append('-');
        }
        pad(b, seconds / 3600, 2).append(':');
        pad(b, seconds / 60 % 60, 2).append(':');
        pad(b, seconds % 60, 2);
        return fraction(b, nanos, digits).toString();
    }

    /**
     * The fraction digits to render: {@code declared} (a column's declared precision, 0 to 6, or
     * -1 when unknown) when the value fits in it, else none for a whole second, else
     * {@code carried} (the precision the encoding carries), never fewer than the value needs.
     */
    public static int fractionDigits(int nanos, int declared, int carried) {
        if (declared >= 0 && declared <= 9 && nanos % POW10[9 - declared] == 0) {
            return declared;
        }
        if (nanos == 0) {
            return 0;
        }
        int needed = 9;
        while (needed > 0 && nanos % POW10[10 - needed] == 0) {
            needed--;
        }
        return Math.max(carried, needed);
    }

    private static String local(LocalDateTime v, int digits, char separator) {
        StringBuilder b = new StringBuilder(26);
        pad(b, v.getYear(), 4).append('-');
        pad(b, v.getMonthValue(), 2).append('-');
        pad(b, v.getDayOfMonth(), 2).append(separator);
        pad(b, v.getHour(), 2).append(':');
        pad(b, v.getMinute(), 2).append(':');
        pad(b, v.getSecond(), 2);
        return fraction(b, v.getNano(), digits).toString();
    }

    private static StringBuilder fraction(StringBuilder b, int nanos, int digits) {
        if (digits > 0) {
            b.append('.');
            String nine = Integer.toString(nanos + 1_000_000_000).substring(1);
            b.append(nine, 0, digits);
        }
        return b;
    }

    private static StringBuilder pad(StringBuilder b, long value, int width) {
        String s = Long.toString(value);
        for (int i = s.length(); i < width; i++) {
            b.append('0');
        }
        return b.append(s);
    }
}
