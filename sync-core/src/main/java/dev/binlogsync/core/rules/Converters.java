package dev.binlogsync.core.rules;

import dev.binlogsync.core.rules.internal.DateConverter;
import dev.binlogsync.core.rules.internal.JsonConverter;
import dev.binlogsync.core.rules.internal.SplitConverter;
import java.time.ZoneId;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * The built-in {@link FieldConverter}s. Each has a configuration-file form (shown per method) and
 * renders back to it. All are immutable and thread-safe; null stays null.
 */
public final class Converters {
    private Converters() {
    }

    /**
     * Splits a string at every occurrence of {@code separator} (a literal, not a regex) into a list
     * of trimmed, non-empty strings: {@code "a, b,,c"} becomes {@code ["a","b","c"]}. A list stays
     * as it is; other values are split by their string form. File form:
     * {@code {"type": "split", "separator": ","}}.
     *
     * @throws IllegalArgumentException if {@code separator} is empty
     */
    public static FieldConverter split(String separator) {
        return new SplitConverter(separator);
    }

    /**
     * Converts a date to an ISO-8601 string with offset ({@code 2024-03-05T12:00:00+08:00}), which
     * Elasticsearch's default date format reads. A string is parsed with {@code format} (a
     * {@link java.time.format.DateTimeFormatter} pattern; null means MySQL's
     * {@code yyyy-MM-dd[ HH:mm:ss[.ffffff]]}, also accepting ISO-8601) as a local date-time in
     * {@code zone}; a number is epoch milliseconds. MySQL's zero date ({@code 0000-00-00...})
     * becomes null. File form: {@code {"type": "date", "format": "yyyy/MM/dd HH:mm", "zone":
     * "Asia/Shanghai", "epochUnit": "millis"}}.
     *
     * @throws IllegalArgumentException if {@code format} is not a valid pattern
     */
    public static FieldConverter date(@Nullable String format, ZoneId zone) {
        return new DateConverter(format, Objects.requireNonNull(zone, "zone"), false);
    }

    /** Like {@link #date(String, ZoneId)} but numbers are epoch seconds ({@code "epochUnit": "seconds"}). */
    public static FieldConverter dateFromEpochSeconds(@Nullable String format, ZoneId zone) {
        return new DateConverter(format, Objects.requireNonNull(zone, "zone"), true);
    }

    /**
     * Parses a JSON string into maps, lists and scalars, so a MySQL {@code json} column that
     * arrives as text becomes an object. A map or list stays as it is. Invalid JSON fails the
     * event. File form: {@code {"type": "json"}}.
     */
    public static FieldConverter json() {
        return JsonConverter.INSTANCE;
    }
}
