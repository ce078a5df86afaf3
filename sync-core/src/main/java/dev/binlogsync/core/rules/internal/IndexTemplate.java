package dev.binlogsync.core.rules.internal;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.SyncException;
import dev.binlogsync.core.UntrustedText;
import java.nio.charset.StandardCharsets;
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
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.annotation.Nullable;

/**
 * An index name, static or a template parsed once: literal text with placeholders
 * {@code {column}}, {@code {column:pattern}} (a date column formatted with a
 * {@link DateTimeFormatter} pattern), {@code {$database}}, {@code {$table}} and
 * {@code {$time:pattern}} (the binlog event time). Rendered values are lower-cased, as
 * Elasticsearch requires.
 *
 * <p>Placeholder values come from rows, and so from whoever can write a row: every rendered name is
 * checked against Elasticsearch's rules for index names (not empty, not {@code .} or {@code ..},
 * no leading {@code -}, {@code _} or {@code +}, no leading {@code .} unless the template's own
 * text starts with it, none of {@code \ / * ? " < > | , # :}, no space, whitespace, control or
 * format character, lower case, at most 255 bytes in UTF-8), and a placeholder may be restricted
 * to an allow-list or a pattern ({@link #withAllowed}). A violation is a
 * {@link SyncException} naming the table, the rule, the placeholder, the value (capped and escaped
 * with {@link UntrustedText}) and the source position, for the pipeline's decode-failure policy.
 * Immutable and thread-safe.
 */
public final class IndexTemplate {
    private static final String INVALID = " \"*\\<|,>/?#:";
    /** Elasticsearch's limit on an index name, in UTF-8 bytes. */
    static final int MAX_NAME_BYTES = 255;
    private static final int SHOWN_CHARS = 128;

    private final String text;
    @Nullable private final String constant;
    private final Part[] parts;
    private final Set<String> columns;
    private final ZoneId zone;
    /** Per part, the allow-list or pattern of its placeholder, or null. */
    private final Check[] checks;

    private abstract static class Part {
        abstract void render(StringBuilder sb, Map<String, Object> row, ChangeEvent event, IndexTemplate t);

        /** The placeholder as written ({@code region}, {@code $table}), or null for literal text. */
        @Nullable
        String placeholder() {
            return null;
        }
    }

    /** What one placeholder may render. */
    private static final class Check {
        @Nullable final Set<String> values;
        @Nullable final Pattern pattern;

        Check(@Nullable Set<String> values, @Nullable Pattern pattern) {
            this.values = values;
            this.pattern = pattern;
        }
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
        String placeholder() {
            return column;
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
        String placeholder() {
            return name;
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

    /** Lower-cases what a placeholder appended; {@link #render} checks the whole name afterwards. */
    void lowerCase(StringBuilder sb, int from, ChangeEvent event) {
        for (int i = from; i < sb.length(); i++) {
            char c = sb.charAt(i);
            if (c >= 128) {
                // as Elasticsearch checks it: String.toLowerCase(Locale.ROOT), code points and all
                String tail = sb.substring(from);
                sb.setLength(from);
                sb.append(tail.toLowerCase(Locale.ROOT));
                return;
            }
            if (c >= 'A' && c <= 'Z') {
                sb.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
    }

    private IndexTemplate(String text, @Nullable String constant, Part[] parts, Set<String> columns, ZoneId zone,
            Check[] checks) {
        this.text = text;
        this.constant = constant;
        this.parts = parts;
        this.columns = columns;
        this.zone = zone;
        this.checks = checks;
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
            String problem = problem(text, true);
            if (problem != null) {
                throw new IllegalArgumentException("index '" + text + "': " + problem);
            }
            return new IndexTemplate(text, literal.toString(), new Part[0], Set.of(), zone, new Check[0]);
        }
        if (literal.length() > 0) {
            parts.add(new Text(literal.toString()));
        }
        return new IndexTemplate(text, null, parts.toArray(new Part[0]), Set.copyOf(columns), zone,
                new Check[parts.size()]);
    }

    /** The placeholders as written ({@code region}, {@code $table}, {@code $time}), in order, each once. */
    public Set<String> placeholders() {
        Set<String> out = new LinkedHashSet<>();
        for (Part p : parts) {
            if (p.placeholder() != null) {
                out.add(p.placeholder());
            }
        }
        return out;
    }

    /**
     * This template with placeholders restricted: a rendered value of placeholder {@code p} must
     * be in {@code values.get(p)} (when present) and match {@code patterns.get(p)} whole (when
     * present).
     *
     * @throws IllegalArgumentException naming a placeholder the template does not have, or a
     *     pattern that does not compile
     */
    public IndexTemplate withAllowed(Map<String, Set<String>> values, Map<String, String> patterns) {
        if (values.isEmpty() && patterns.isEmpty()) {
            return this;
        }
        Set<String> known = placeholders();
        Set<String> asked = new LinkedHashSet<>(values.keySet());
        asked.addAll(patterns.keySet());
        for (String p : asked) {
            if (!known.contains(p)) {
                throw new IllegalArgumentException("index '" + text + "' has no placeholder {" + p
                        + "} to restrict; its placeholders: " + known);
            }
        }
        Check[] c = new Check[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].placeholder();
            if (p != null && asked.contains(p)) {
                String regex = patterns.get(p);
                c[i] = new Check(values.containsKey(p) ? Set.copyOf(values.get(p)) : null,
                        regex == null ? null : Pattern.compile(regex));
            }
        }
        return new IndexTemplate(text, constant, parts, columns, zone, c);
    }

    /** The index for {@code row} of {@code event}: {@link #render(Map, ChangeEvent, String)} without a rule name. */
    public String render(Map<String, Object> row, ChangeEvent event) {
        return render(row, event, text);
    }

    /**
     * The index for {@code row} of {@code event}.
     *
     * @param rule the rule's name, for error messages
     * @throws SyncException naming the table, the rule, the placeholder and the source position when
     *     a column is null or not a date, a placeholder renders a value outside its allow-list, or
     *     the rendered name is not a valid index name (see the class comment)
     */
    public String render(Map<String, Object> row, ChangeEvent event, String rule) {
        if (constant != null) {
            return constant;
        }
        StringBuilder sb = new StringBuilder(text.length() + 16);
        int[] ends = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            int start = sb.length();
            parts[i].render(sb, row, event, this);
            ends[i] = sb.length();
            Check c = checks[i];
            if (c != null) {
                String v = sb.substring(start);
                if (c.values != null && !c.values.contains(v)) {
                    throw failure(event, rule, sb, "placeholder {" + parts[i].placeholder() + "} rendered '"
                            + UntrustedText.shown(v, SHOWN_CHARS) + "', which is not in the allowed values "
                            + new TreeSet<>(c.values));
                }
                if (c.pattern != null && !c.pattern.matcher(v).matches()) {
                    throw failure(event, rule, sb, "placeholder {" + parts[i].placeholder() + "} rendered '"
                            + UntrustedText.shown(v, SHOWN_CHARS) + "', which does not match the allowed pattern '"
                            + c.pattern.pattern() + "'");
                }
            }
        }
        String name = sb.toString();
        int[] at = new int[1];
        String problem = problem(name, parts[0] instanceof Text, at);
        if (problem == null) {
            return name;
        }
        int part = -1;
        for (int i = 0, start = 0; i < parts.length; start = ends[i], i++) {
            if (parts[i].placeholder() != null && (at[0] < ends[i] && at[0] >= start || part < 0 && name.isEmpty())) {
                part = i;
            }
        }
        if (part < 0) { // in literal text (only a length over the limit can be): name the last placeholder
            for (int i = 0; i < parts.length; i++) {
                part = parts[i].placeholder() != null ? i : part;
            }
        }
        int start = part == 0 ? 0 : ends[part - 1];
        throw failure(event, rule, sb, problem + " (placeholder {" + parts[part].placeholder() + "} rendered '"
                + UntrustedText.shown(name.substring(start, ends[part]), SHOWN_CHARS) + "')");
    }

    private SyncException failure(ChangeEvent event, String rule, CharSequence name, String problem) {
        return new SyncException(UntrustedText.shown(event.qualifiedTable(), SHOWN_CHARS) + ": rule '" + rule
                + "': index template '" + text + "' rendered '" + UntrustedText.shown(name, SHOWN_CHARS)
                + "', which is not an index name this rule may write: " + problem + " (at " + event.position() + ")");
    }

    @Nullable
    static String problem(String name, boolean literalStart) {
        return problem(name, literalStart, new int[1]);
    }

    /**
     * What makes {@code name} an invalid index name, or null; {@code at[0]} is set to the index of
     * the offending character.
     */
    @Nullable
    private static String problem(String name, boolean literalStart, int[] at) {
        at[0] = 0;
        if (name.isEmpty()) {
            return "the name is empty";
        }
        if (name.equals(".") || name.equals("..")) {
            return "the name must not be '.' or '..'";
        }
        char first = name.charAt(0);
        if (first == '-' || first == '_' || first == '+') {
            return "the name must not start with '" + first + "'";
        }
        if (first == '.' && !literalStart) {
            return "the name must not start with '.' (hidden and system indices) unless the template's text does";
        }
        int bytes = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            at[0] = i;
            boolean unpaired = Character.isHighSurrogate(c)
                    ? i + 1 >= name.length() || !Character.isLowSurrogate(name.charAt(i + 1))
                    : Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(name.charAt(i - 1)));
            if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT || c == '\u2028'
                    || c == '\u2029' || unpaired) {
                return "character " + (i + 1) + " is a control or format character ("
                        + String.format(Locale.ROOT, "\\u%04x", (int) c) + ")";
            }
            if (c < 128 ? FORBIDDEN[c] : Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "character " + (i + 1) + " is '" + c + "', which Elasticsearch does not allow in index names"
                        + " (none of \\ / * ? \" < > | , # : or whitespace)";
            }
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
            if (bytes > MAX_NAME_BYTES) {
                return "the name is " + name.getBytes(StandardCharsets.UTF_8).length + " bytes in UTF-8, more than"
                        + " Elasticsearch's " + MAX_NAME_BYTES + " bytes";
            }
        }
        if (!name.toLowerCase(Locale.ROOT).equals(name)) {
            at[0] = 0;
            return "the name is not lower case after lower-casing";
        }
        return null;
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

    /**
     * Whether this template and {@code other} can render the same index name for some rows. Each
     * placeholder is taken to render any text (allow-lists, date patterns and the name rules are not
     * used to tell two names apart), so the answer errs towards true: false means the two can never
     * name the same index. Two names without placeholders coincide when they are equal.
     */
    public boolean mayCoincide(IndexTemplate other) {
        if (constant != null && other.constant != null) {
            return constant.equals(other.constant);
        }
        // each template as a pattern of literal characters and wildcards (one per placeholder); two
        // such patterns share a string when the walk below reaches both ends together
        int[] a = glob();
        int[] b = other.glob();
        boolean[][] seen = new boolean[a.length + 1][b.length + 1];
        return sharesAString(a, 0, b, 0, seen);
    }

    /** A wildcard in {@link #glob()}; every other element is a character. */
    private static final int ANY = -1;

    private int[] glob() {
        if (constant != null) {
            return constant.chars().toArray();
        }
        List<Integer> out = new ArrayList<>();
        for (Part p : parts) {
            if (p instanceof Text) {
                ((Text) p).text.chars().forEach(out::add);
            } else if (out.isEmpty() || out.get(out.size() - 1) != ANY) {
                out.add(ANY);
            }
        }
        int[] g = new int[out.size()];
        for (int i = 0; i < g.length; i++) {
            g[i] = out.get(i);
        }
        return g;
    }

    /** Whether {@code a[i..]} and {@code b[j..]} match a common string; {@code seen} marks pairs already ruled out. */
    private static boolean sharesAString(int[] a, int i, int[] b, int j, boolean[][] seen) {
        if (seen[i][j]) {
            return false;
        }
        seen[i][j] = true;
        if (i == a.length && j == b.length) {
            return true;
        }
        if (i < a.length && a[i] == ANY) {
            // the wildcard ends here, or takes b's next element (a character, or what b's wildcard takes)
            return sharesAString(a, i + 1, b, j, seen) || j < b.length && sharesAString(a, i, b, j + 1, seen);
        }
        if (j < b.length && b[j] == ANY) {
            return sharesAString(a, i, b, j + 1, seen) || i < a.length && sharesAString(a, i + 1, b, j, seen);
        }
        return i < a.length && j < b.length && a[i] == b[j] && sharesAString(a, i + 1, b, j + 1, seen);
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
