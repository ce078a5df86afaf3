package dev.binlogsync.core;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.annotation.Nullable;

/**
 * Text that came from outside the application's own configuration and code (row values, table
 * and column names, DDL statements, a server's error body) made fit for a log line or an
 * exception message: cut to a length, control characters escaped, and SQL that may carry
 * credentials reduced to its first keywords. Every log line and exception message of the library
 * that quotes such text goes through here; a {@link Source}, {@link BulkSink} or decoder written
 * by an application can use it the same way.
 *
 * <ul>
 *   <li><b>Cap.</b> At most {@code maxChars} characters of the text are kept (default
 *       {@value #DEFAULT_MAX_CHARS}); a cut text ends with {@code ...[N more chars]}, so a reader
 *       knows it was cut and by how much. A surrogate pair is never split.</li>
 *   <li><b>Escape.</b> {@code \n}, {@code \r} and {@code \t} become {@code \\n}, {@code \\r},
 *       {@code \\t}; every other C0 control, DEL, C1 control (U+0080..U+009F, NEL included), the
 *       line and paragraph separators U+2028 / U+2029, the bidirectional overrides and isolates
 *       (U+202A..U+202E, U+2066..U+2069) and an unpaired surrogate become {@code \\uXXXX}. The
 *       result holds no character that starts a new log line or reorders what is shown, so text
 *       cannot forge a log entry. A backslash is kept as it is (escaping is not reversible).</li>
 *   <li><b>Credentials in SQL.</b> {@link #sql(String)} shows a statement that may carry a password
 *       or a password hash only as its first keywords (see {@link #mayCarryCredentials(String)}).</li>
 * </ul>
 *
 * <p>Stateless and thread-safe; null is shown as {@code null}.
 */
public final class UntrustedText {

    /** The default number of characters kept: {@value}. */
    public static final int DEFAULT_MAX_CHARS = 512;

    /**
     * Words whose presence anywhere in a statement (case-insensitive) makes {@link #sql(String)}
     * redact it: {@code IDENTIFIED} ({@code CREATE USER}, {@code ALTER USER}, {@code GRANT ...
     * IDENTIFIED BY / WITH ... AS 'hash' / VIA ... USING}), {@code PASSWORD} ({@code SET PASSWORD},
     * {@code PASSWORD('...')}, {@code MASTER_PASSWORD=}, {@code SOURCE_PASSWORD=},
     * {@code OPTIONS (PASSWORD ...)}), {@code AUTHENTICATION} ({@code authentication_string}).
     */
    private static final String[] CREDENTIAL_WORDS = {"identified", "password", "authentication"};
    /** Statements of the user and grant family, redacted whatever else they say. */
    private static final String[][] CREDENTIAL_STATEMENTS = {
        {"create", "user"}, {"alter", "user"}, {"grant"}, {"set", "password"}, {"change", "master"},
        {"change", "replication"}, {"create", "server"}, {"alter", "server"}, {"start", "slave"},
        {"start", "replica"}, {"create", "role"}, {"rename", "user"},
    };

    private UntrustedText() {
    }

    /** {@code text} capped at {@link #DEFAULT_MAX_CHARS} characters and escaped. */
    public static String shown(@Nullable CharSequence text) {
        return shown(text, DEFAULT_MAX_CHARS);
    }

    /**
     * {@code text} capped at {@code maxChars} characters and escaped.
     *
     * @throws IllegalArgumentException if {@code maxChars} is less than 1
     */
    public static String shown(@Nullable CharSequence text, int maxChars) {
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be >= 1: " + maxChars);
        }
        if (text == null) {
            return "null";
        }
        int length = text.length();
        int keep = Math.min(length, maxChars);
        if (keep < length && keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1))
                && Character.isLowSurrogate(text.charAt(keep))) {
            keep--; // never split a pair
        }
        StringBuilder sb = null;
        for (int i = 0; i < keep; i++) {
            char c = text.charAt(i);
            String escape = escape(text, i, keep, c);
            if (escape != null && sb == null) {
                sb = new StringBuilder(keep + 16).append(text, 0, i);
            }
            if (sb != null) {
                if (escape != null) {
                    sb.append(escape);
                } else {
                    sb.append(c);
                }
            }
        }
        String out = sb != null ? sb.toString() : text.subSequence(0, keep).toString();
        return keep < length ? out + "...[" + (length - keep) + " more chars]" : out;
    }

    /**
     * The UTF-8 {@code bytes} as text (malformed sequences replaced), capped at {@code maxChars}
     * characters and escaped; only the first {@code 4 * maxChars} bytes are decoded, and the marker
     * of a cut counts bytes ({@code ...[N more bytes]}).
     */
    public static String shown(@Nullable byte[] utf8, int maxChars) {
        if (utf8 == null) {
            return "null";
        }
        int decoded = (int) Math.min(utf8.length, 4L * maxChars);
        String head = new String(utf8, 0, decoded, StandardCharsets.UTF_8);
        String shown = shown(head.length() > maxChars ? head.substring(0, maxChars) : head, maxChars);
        int usedBytes = head.length() > maxChars
                ? head.substring(0, maxChars).getBytes(StandardCharsets.UTF_8).length : decoded;
        return usedBytes < utf8.length ? shown + "...[" + (utf8.length - usedBytes) + " more bytes]" : shown;
    }

    /** A SQL statement for a log line: {@link #sql(String, int)} with {@link #DEFAULT_MAX_CHARS}. */
    public static String sql(@Nullable String statement) {
        return sql(statement, DEFAULT_MAX_CHARS);
    }

    /**
     * A SQL statement for a log line or an error message: when it
     * {@link #mayCarryCredentials(String) may carry credentials}, only its first keywords and
     * {@code ... [redacted: N chars, may carry credentials]}; otherwise {@link #shown(CharSequence, int)}.
     */
    public static String sql(@Nullable String statement, int maxChars) {
        if (statement == null) {
            return "null";
        }
        if (!mayCarryCredentials(statement)) {
            return shown(statement, maxChars);
        }
        String keywords = String.join(" ", leadingKeywords(statement, 2));
        return (keywords.isEmpty() ? "" : keywords + " ") + "... [redacted: " + statement.length()
                + " chars, may carry credentials]";
    }

    /**
     * Whether a statement may carry a password or a password hash, and so must never be logged
     * whole: it contains {@code IDENTIFIED}, {@code PASSWORD} or {@code AUTHENTICATION} anywhere
     * (any case; these cannot be split by comments or spaces in MySQL, and executable comments
     * {@code /*!...*}{@code /} are searched too), or it starts (after spaces and comments) with
     * {@code CREATE USER}, {@code ALTER USER}, {@code RENAME USER}, {@code CREATE ROLE},
     * {@code GRANT}, {@code SET PASSWORD}, {@code CHANGE MASTER}, {@code CHANGE REPLICATION},
     * {@code CREATE SERVER}, {@code ALTER SERVER} or {@code START SLAVE} / {@code REPLICA}. A
     * statement that only names a column {@code password} is redacted too: being wrong that way
     * costs only detail in a log.
     */
    public static boolean mayCarryCredentials(String statement) {
        String lower = statement.toLowerCase(Locale.ROOT);
        for (String word : CREDENTIAL_WORDS) {
            if (lower.contains(word)) {
                return true;
            }
        }
        java.util.List<String> first = leadingKeywords(statement, 2);
        for (String[] family : CREDENTIAL_STATEMENTS) {
            if (first.size() >= family.length) {
                boolean match = true;
                for (int i = 0; i < family.length; i++) {
                    match &= first.get(i).equalsIgnoreCase(family[i]);
                }
                if (match) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Up to {@code max} leading words of ASCII letters, after spaces and comments; stops at anything else. */
    private static java.util.List<String> leadingKeywords(String s, int max) {
        java.util.List<String> out = new java.util.ArrayList<>(max);
        int i = 0;
        int n = s.length();
        while (out.size() < max && i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (s.startsWith("/*", i) && !s.startsWith("/*!", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (s.startsWith("--", i) || c == '#') {
                int end = s.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
                int start = i;
                while (i < n && ((s.charAt(i) >= 'A' && s.charAt(i) <= 'Z') || (s.charAt(i) >= 'a' && s.charAt(i) <= 'z'))) {
                    i++;
                }
                if (i < n && !Character.isWhitespace(s.charAt(i)) && s.charAt(i) != ';') {
                    // a word glued to something else (`PASSWORD=`, `user@host`): shown when it is the
                    // first, but nothing after it
                    out.add(s.substring(start, Math.min(i, start + 32)).toUpperCase(Locale.ROOT));
                    return out;
                }
                out.add(s.substring(start, Math.min(i, start + 32)).toUpperCase(Locale.ROOT));
            } else {
                return out;
            }
        }
        return out;
    }

    @Nullable
    private static String escape(CharSequence text, int i, int end, char c) {
        switch (c) {
            case '\n': return "\\n";
            case '\r': return "\\r";
            case '\t': return "\\t";
            default: break;
        }
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069')) {
            return unicode(c);
        }
        if (Character.isHighSurrogate(c)) {
            return i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1)) ? null : unicode(c);
        }
        if (Character.isLowSurrogate(c)) {
            return i > 0 && Character.isHighSurrogate(text.charAt(i - 1)) ? null : unicode(c);
        }
        return null;
    }

    private static String unicode(char c) {
        return String.format(Locale.ROOT, "\\u%04x", (int) c);
    }
}
