package dev.binlogsync.core.rules.internal;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.SyncException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * An index name, static or a template parsed once: literal text with placeholders
 * {@code {column}}, {@code {column:pattern}} (a date column formatted with a
 * {@link DateTimeFormatter} pattern), {@code {$database}}, {@code {$table}} and
 * {@code {$time:pattern}} (the binlog event time). Rendered values are lower-cased, as
 * Elasticsearch requires. Immutable and thread-safe.
 */
public final class IndexTemplate {
    private static final String INVALID = " \"*\\<|,>/?#:";

    private final String text;
    @Nullable private final String constant;
    private final Part[] parts;
    private final Set<String> columns;
    private final ZoneId zone;

    private abstract static class Part {
        abstract void render(StringBuilder sb, Map<String, Object> row, ChangeEvent event, IndexTemplate t);
    }

    private static final class Text extends Part {
        final String text;

        Text(String text) {
            this.text = text;
        }

        @Override
        void render(StringBuilder sb, Map<String, Object> row, ChangeEvent event, IndexTemplate t) {
            sb.append(text);
        }
    }

    private static final class ColumnPart extends Part {
        final String column;
        @Nullable final DateTimeFormatter format;
        /** Whether the pattern reads only year, month and day, so renderings can be cached per day. */
        final boolean dateOnly;
        /** The last day rendered and its text; binlog events arrive in time order, so this mostly hits. */
        @Nullable private volatile DayCache last;

        ColumnPart(String column, @Nullable DateTimeFormatter format, boolean dateOnly) {
            this.column = column;
            this.format = format;
            this.dateOnly = dateOnly;
        }

        @Override
        void render(StringBuilder sb, Map<String, Object> row, ChangeEvent event, IndexTemplate t) {
            Object v = row.get(column);
            if (v == null) {
                throw new SyncException(event.qualifiedTable() + ": index template '" + t.text + "' needs column '"
                        + column + "', which is null or missing in the row");
            }
            if (format == null) {
                int start = sb.length();
                sb.append(v);
                t.lowerCase(sb, start, event);
                return;
            }
            if (dateOnly && v instanceof String) {
                int day = DateValues.dayKey((String) v);
                if (day > 0) {
                    DayCache c = last;
                    if (c == null || c.day != day) {
                        LocalDate date = LocalDate.of(day / 10000, (day / 100) % 100, day % 100);
                        StringBuilder text = new StringBuilder();
                        format.formatTo(date, text);
                        t.lowerCase(text, 0, event);
                        c = new DayCache(day, text.toString());
                        last = c;
                    }
                    sb.append(c.text);
                    return;
                }
            }
            LocalDateTime time;
            try {
                time = DateValues.toLocal(v, t.zone, false);
            } catch (IllegalArgumentException e) {
                throw new SyncException(event.qualifiedTable() + ": index template '" + t.text + "': column '"
                        + column + "' " + e.getMessage(), e);
            }
            if (time == null) {
                throw new SyncException(event.qualifiedTable() + ": index template '" + t.text + "': column '"
                        + column + "' holds a zero date");
            }
            int start = sb.length();
            format.formatTo(time, sb);
            t.lowerCase(sb, start, event);
        }
    }

    private static final class DayCache {
        final int day;
        final String text;

        DayCache(int day, String text) {
            this.day = day;
            this.text = text;
        }
    }

    private static final class MetaPart extends Part {
        final String name;
        @Nullable final DateTimeFormatter format;

        MetaPart(String name, @Nullable DateTimeFormatter format) {
            this.name = name;
            this.format = format;
        }

        @Override
        void render(StringBuilder sb, Map<String, Object> row, ChangeEvent event, IndexTemplate t) {
            switch (name) {
                case "$database":
                    int dbStart = sb.length();
                    sb.append(event.database());
                    t.lowerCase(sb, dbStart, event);
                    break;
                case "$table":
                    int tableStart = sb.length();
                    sb.append(event.table());
                    t.lowerCase(sb, tableStart, event);
                    break;
                default:
                    if (event.eventTimeMillis() <= 0) {
                        throw new SyncException(event.qualifiedTable() + ": index template '" + t.text
                                + "' uses {$time}, but the event carries no binlog time");
                    }
                    int start = sb.length();
                    format.formatTo(LocalDateTime.ofInstant(Instant.ofEpochMilli(event.eventTimeMillis()), t.zone), sb);
                    t.lowerCase(sb, start, event);
            }
        }
    }

    /** Whether a DateTimeFormatter pattern uses no letters but y, u, M, L and d outside quotes. */
    static boolean dateOnly(String pattern) {
        boolean quoted = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && Character.isLetter(c) && "yuMLd".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    private static final boolean[] FORBIDDEN = new boolean[128];

    static {
        for (char c : INVALID.toCharArray()) {
            FORBIDDEN[c] = true;
        }
    }

    /** Lower-cases what a placeholder appended; rejects characters Elasticsearch forbids in index names. */
    void lowerCase(StringBuilder sb, int from, ChangeEvent event) {
        for (int i = from; i < sb.length(); i++) {
            char c = sb.charAt(i);
            if (c < 128 ? FORBIDDEN[c] : Character.isWhitespace(c)) {
                throw new SyncException(event.qualifiedTable() + ": index template '" + text + "' would render a value with '"
                        + c + "', which Elasticsearch does not allow in index names: '" + sb + "'");
            }
            if (Character.isUpperCase(c)) {
                sb.setCharAt(i, Character.toLowerCase(c));
            }
        }
    }

    private IndexTemplate(String text, @Nullable String constant, Part[] parts, Set<String> columns, ZoneId zone) {
        this.text = text;
        this.constant = constant;
        this.parts = parts;
        this.columns = columns;
        this.zone = zone;
    }

    /**
     * Parses {@code text}.
     *
     * @param zone the zone epoch numbers and {@code $time} are rendered in
     * @throws IllegalArgumentException naming the problem: unbalanced braces, an unknown
     *     {@code $} name, an invalid date pattern, upper-case or characters Elasticsearch forbids
     */
    public static IndexTemplate parse(String text, ZoneId zone) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("index must not be empty");
        }
        List<Part> parts = new ArrayList<>();
        Set<String> columns = new LinkedHashSet<>();
        StringBuilder literal = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '}') {
                throw new IllegalArgumentException("index '" + text + "': '}' without '{' at position " + (i + 1));
            }
            if (c != '{') {
                if (INVALID.indexOf(c) >= 0 || Character.isUpperCase(c)) {
                    throw new IllegalArgumentException("index '" + text + "': Elasticsearch index names must be lower case"
                            + " without spaces or any of \"*\\<|,>/?#: (found '" + c + "')");
                }
                literal.append(c);
                i++;
                continue;
            }
            int end = text.indexOf('}', i);
            if (end < 0) {
                throw new IllegalArgumentException("index '" + text + "': '{' at position " + (i + 1) + " is not closed");
            }
            String inner = text.substring(i + 1, end);
            if (inner.indexOf('{') >= 0) {
                throw new IllegalArgumentException("index '" + text + "': nested '{' at position " + (i + 1));
            }
            int colon = inner.indexOf(':');
            String name = (colon < 0 ? inner : inner.substring(0, colon)).trim();
            String pattern = colon < 0 ? null : inner.substring(colon + 1);
            if (name.isEmpty()) {
                throw new IllegalArgumentException("index '" + text + "': empty placeholder at position " + (i + 1));
            }
            DateTimeFormatter format = null;
            if (pattern != null) {
                try {
                    format = DateTimeFormatter.ofPattern(pattern, Locale.ROOT);
                    format.format(LocalDateTime.of(2024, 1, 2, 3, 4, 5));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("index '" + text + "': invalid date pattern '" + pattern
                            + "' (a DateTimeFormatter pattern without zone fields): " + e.getMessage(), e);
                }
            }
            if (literal.length() > 0) {
                parts.add(new Text(literal.toString()));
                literal.setLength(0);
            }
            if (name.startsWith("$")) {
                if (name.equals("$time")) {
                    if (format == null) {
                        throw new IllegalArgumentException("index '" + text + "': {$time} needs a date pattern, e.g. {$time:yyyy.MM}");
                    }
                } else if (!name.equals("$database") && !name.equals("$table")) {
                    throw new IllegalArgumentException("index '" + text + "': unknown placeholder {" + name
                            + "}; known: {$database}, {$table}, {$time:pattern} or a column name");
                } else if (format != null) {
                    throw new IllegalArgumentException("index '" + text + "': {" + name + "} takes no pattern");
                }
                parts.add(new MetaPart(name, format));
            } else {
                parts.add(new ColumnPart(name, format, format != null && dateOnly(pattern)));
                columns.add(name);
            }
            i = end + 1;
        }
        if (parts.isEmpty()) {
            return new IndexTemplate(text, literal.toString(), new Part[0], Set.of(), zone);
        }
        if (literal.length() > 0) {
            parts.add(new Text(literal.toString()));
        }
        return new IndexTemplate(text, null, parts.toArray(new Part[0]), Set.copyOf(columns), zone);
    }

    /**
     * The index for {@code row} of {@code event}.
     *
     * @throws SyncException naming the table when a column is null or not a date, or the rendered
     *     name is not a valid index name
     */
    public String render(Map<String, Object> row, ChangeEvent event) {
        if (constant != null) {
            return constant;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (Part p : parts) {
            p.render(sb, row, event, this);
        }
        return sb.toString();
    }

    /**
     * Whether the template reads the binlog event time ({@code {$time:...}}): such an index is
     * where the row's change landed, not where the row lives, so only inserts can use it.
     */
    public boolean usesEventTime() {
        for (Part p : parts) {
            if (p instanceof MetaPart && ((MetaPart) p).name.equals("$time")) {
                return true;
            }
        }
        return false;
    }

    public boolean isStatic() {
        return constant != null;
    }

    /** The columns the template reads. */
    public Set<String> columns() {
        return columns;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
