package dev.binlogsync.core.rules.internal;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A database or table name pattern, compiled once: an exact name when it has only name characters
 * ({@code [A-Za-z0-9_$]} and non-ASCII letters), a wildcard when it adds only {@code *} (any run)
 * and {@code ?} (one character), otherwise a regular expression that must match the whole name.
 * Immutable and thread-safe.
 */
public final class NamePattern {
    private final String text;
    private final String exact;
    private final Pattern regex;

    private NamePattern(String text, String exact, Pattern regex) {
        this.text = text;
        this.exact = exact;
        this.regex = regex;
    }

    /**
     * @param what for messages, e.g. {@code "table"}
     * @throws IllegalArgumentException if empty or an invalid regular expression
     */
    public static NamePattern of(String text, String what) {
        Objects.requireNonNull(text, what);
        if (text.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty");
        }
        boolean plain = true;
        boolean wildcard = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean nameChar = Character.isLetterOrDigit(c) || c == '_' || c == '$';
            if (!nameChar) {
                plain = false;
                if (c != '*' && c != '?') {
                    wildcard = false;
                }
            }
        }
        if (plain) {
            return new NamePattern(text, text, null);
        }
        String regex;
        if (wildcard) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '*') {
                    sb.append(".*");
                } else if (c == '?') {
                    sb.append('.');
                } else {
                    sb.append(Pattern.quote(String.valueOf(c)));
                }
            }
            regex = sb.toString();
        } else {
            regex = text;
        }
        try {
            return new NamePattern(text, null, Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(what + " is neither a name, a wildcard nor a valid regular expression: '"
                    + text + "': " + e.getDescription(), e);
        }
    }

    /** Whether this pattern names exactly one name (no wildcard, no regular expression). */
    public boolean isExact() {
        return exact != null;
    }

    public boolean matches(String name) {
        return exact != null ? exact.equals(name) : regex.matcher(name).matches();
    }

    /** The pattern as written. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
