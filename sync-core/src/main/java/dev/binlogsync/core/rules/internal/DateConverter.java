package dev.binlogsync.core.rules.internal;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/** See {@link dev.binlogsync.core.rules.Converters#date}. Immutable. */
public final class DateConverter implements RenderableConverter {
    @Nullable private final String format;
    @Nullable private final DateTimeFormatter parser;
    private final ZoneId zone;
    private final boolean epochSeconds;

    public DateConverter(@Nullable String format, ZoneId zone, boolean epochSeconds) {
        this.format = format;
        try {
            this.parser = format == null ? null : DateTimeFormatter.ofPattern(format);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid date format '" + format + "': " + e.getMessage(), e);
        }
        this.zone = Objects.requireNonNull(zone, "zone");
        this.epochSeconds = epochSeconds;
    }

    @Override
    @Nullable
    public Object convert(@Nullable Object value) {
        if (value == null) {
            return null;
        }
        LocalDateTime local;
        if (parser != null && value instanceof String) {
            String s = (String) value;
            if (s.startsWith("0000-00-00")) {
                return null;
            }
            try {
                TemporalAccessor t = parser.parseBest(s, LocalDateTime::from, LocalDate::from);
                local = t instanceof LocalDateTime ? (LocalDateTime) t : ((LocalDate) t).atStartOfDay();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + DateValues.abbreviate(s) + "' does not match the date format '" + format + "'");
            }
        } else {
            local = DateValues.toLocal(value, zone, epochSeconds);
            if (local == null) {
                return null;
            }
        }
        return local.atZone(zone).toOffsetDateTime().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    }

    @Override
    public Map<String, Object> toConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "date");
        if (format != null) {
            m.put("format", format);
        }
        m.put("zone", zone.getId());
        m.put("epochUnit", epochSeconds ? "seconds" : "millis");
        return m;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DateConverter)) {
            return false;
        }
        DateConverter d = (DateConverter) o;
        return Objects.equals(format, d.format) && zone.equals(d.zone) && epochSeconds == d.epochSeconds;
    }

    @Override
    public int hashCode() {
        return Objects.hash(format, zone, epochSeconds);
    }

    @Override
    public String toString() {
        return "date(" + toConfig() + ")";
    }
}
