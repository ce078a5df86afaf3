package dev.binlogsync.core.rules.internal;

import dev.binlogsync.core.SyncException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import javax.annotation.Nullable;

/**
 * Reads MySQL-style date values quickly: {@code yyyy-MM-dd}, {@code yyyy-MM-dd HH:mm:ss[.f...]},
 * ISO-8601 with {@code T} and an optional offset, and epoch numbers. Static; thread-safe.
 */
public final class DateValues {
    private DateValues() {
    }

    /**
     * The local date-time {@code value} denotes in {@code zone}: strings without an offset as
     * written, strings with an offset and epoch numbers converted into {@code zone}.
     *
     * @return null for null and MySQL zero dates
     * @throws IllegalArgumentException if the value is not a date
     */
    @Nullable
    public static LocalDateTime toLocal(@Nullable Object value, ZoneId zone, boolean epochSeconds) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number) {
            long n = ((Number) value).longValue();
            Instant instant = epochSeconds ? Instant.ofEpochSecond(n) : Instant.ofEpochMilli(n);
            return LocalDateTime.ofInstant(instant, zone);
        }
        String s = value.toString();
        if (s.startsWith("0000-00-00")) {
            return null;
        }
        LocalDateTime fast = fastParse(s);
        if (fast != null) {
            return fast;
        }
        if (!s.isEmpty() && isAllDigits(s)) {
            return toLocal(new BigDecimal(s).longValue(), zone, epochSeconds);
        }
        try {
            return OffsetDateTime.parse(s).atZoneSameInstant(zone).toLocalDateTime();
        } catch (DateTimeParseException notWithOffset) {
            try {
                return LocalDateTime.parse(s.replace(' ', 'T'));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a date: '" + abbreviate(s) + "'");
            }
        }
    }

    /** Epoch milliseconds of {@code value} ({@link #toLocal} in {@code zone}). */
    public static long toEpochMillis(Object value, ZoneId zone) {
        LocalDateTime t = toLocal(value, zone, false);
        if (t == null) {
            throw new SyncException("zero date");
        }
        return t.atZone(zone).toInstant().toEpochMilli();
    }

    private static boolean isAllDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return s.length() < 19;
    }

    /**
     * {@code yyyymmdd} as an int when {@code s} starts with a valid {@code yyyy-MM-dd} date in a
     * MySQL form ({@code yyyy-MM-dd}, or followed by a space or 'T' and a time without offset), else
     * {@code -1}. Allocates nothing.
     */
    static int dayKey(String s) {
        int n = s.length();
        if (n < 10 || s.charAt(4) != '-' || s.charAt(7) != '-') {
            return -1;
        }
        if (n > 10) {
            char sep = s.charAt(10);
            if (sep != ' ' && sep != 'T') {
                return -1;
            }
            for (int i = 11; i < n; i++) {
                char c = s.charAt(i);
                if (c == 'Z' || c == '+' || (c == '-')) {
                    return -1; // an offset: the day may differ in the target zone; slow path
                }
            }
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 28 && day > java.time.YearMonth.of(year, month).lengthOfMonth()) {
            return -1;
        }
        return year * 10000 + month * 100 + day;
    }

    /** {@code yyyy-MM-dd}, optionally followed by {@code ' '|'T' HH:mm:ss[.fraction]}; else null. */
    @Nullable
    static LocalDateTime fastParse(String s) {
        int n = s.length();
        if (n != 10 && n < 19) {
            return null;
        }
        if (s.charAt(4) != '-' || s.charAt(7) != '-') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        if (year < 0 || month < 1 || day < 1) {
            return null;
        }
        int hour = 0;
        int minute = 0;
        int second = 0;
        int nanos = 0;
        if (n > 10) {
            char sep = s.charAt(10);
            if ((sep != ' ' && sep != 'T') || s.charAt(13) != ':' || s.charAt(16) != ':') {
                return null;
            }
            hour = digits(s, 11, 2);
            minute = digits(s, 14, 2);
            second = digits(s, 17, 2);
            if (hour < 0 || minute < 0 || second < 0) {
                return null;
            }
            if (n > 19) {
                if (s.charAt(19) != '.' || n > 29 || n == 20) {
                    return null; // an offset or something else: the slow path handles it
                }
                int frac = digits(s, 20, n - 20);
                if (frac < 0) {
                    return null;
                }
                nanos = frac;
                for (int k = n - 20; k < 9; k++) {
                    nanos *= 10;
                }
            }
        }
        try {
            return LocalDateTime.of(year, month, day, hour, minute, second, nanos);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String s, int from, int count) {
        int r = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            r = r * 10 + (c - '0');
        }
        return r;
    }

    static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
