package dev.binlogsync.core.filter.internal;

/**
 * A compiled SQL LIKE pattern: {@code %} matches any run of characters, {@code _} exactly one,
 * the escape character (default {@code \}) makes the next character literal; a trailing escape
 * character is itself literal (as in MySQL). Matching is case-sensitive, by UTF-16 code unit.
 * Immutable and thread-safe.
 */
final class LikePattern {
    private static final int ANY = -1;
    private static final int ONE = -2;

    private static final int EXACT = 0;
    private static final int PREFIX = 1;
    private static final int SUFFIX = 2;
    private static final int CONTAINS = 3;
    private static final int GENERAL = 4;

    private final int[] codes;
    private final int kind;
    private final String literal;

    LikePattern(String pattern, char escape) {
        int[] buf = new int[pattern.length()];
        int n = 0;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == escape && i + 1 < pattern.length()) {
                buf[n++] = pattern.charAt(++i);
            } else if (c == '%') {
                if (n == 0 || buf[n - 1] != ANY) { // "%%" is "%"
                    buf[n++] = ANY;
                }
            } else if (c == '_') {
                buf[n++] = ONE;
            } else {
                buf[n++] = c;
            }
        }
        codes = java.util.Arrays.copyOf(buf, n);
        int wild = 0;
        boolean one = false;
        for (int c : codes) {
            if (c == ANY) {
                wild++;
            } else if (c == ONE) {
                one = true;
            }
        }
        boolean leading = n > 0 && codes[0] == ANY;
        boolean trailing = n > 0 && codes[n - 1] == ANY;
        if (one) {
            kind = GENERAL;
        } else if (wild == 0) {
            kind = EXACT;
        } else if (wild == 1 && trailing && !leading) {
            kind = PREFIX;
        } else if (wild == 1 && leading && !trailing) {
            kind = SUFFIX;
        } else if (wild == 2 && leading && trailing && n > 1) {
            kind = CONTAINS;
        } else {
            kind = GENERAL;
        }
        StringBuilder sb = new StringBuilder();
        for (int c : codes) {
            if (c >= 0) {
                sb.append((char) c);
            }
        }
        literal = sb.toString();
    }

    boolean matches(String s) {
        switch (kind) {
            case EXACT: return s.equals(literal);
            case PREFIX: return s.startsWith(literal);
            case SUFFIX: return s.endsWith(literal);
            case CONTAINS: return s.contains(literal);
            default: return general(s);
        }
    }

    private boolean general(String s) {
        int n = codes.length;
        int si = 0;
        int pi = 0;
        int starP = -1;
        int starS = 0;
        while (si < s.length()) {
            if (pi < n && (codes[pi] == ONE || codes[pi] == s.charAt(si))) {
                si++;
                pi++;
            } else if (pi < n && codes[pi] == ANY) {
                starP = pi++;
                starS = si;
            } else if (starP >= 0) {
                pi = starP + 1;
                si = ++starS;
            } else {
                return false;
            }
        }
        while (pi < n && codes[pi] == ANY) {
            pi++;
        }
        return pi == n;
    }
}
