package dev.binlogsync.core.filter.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import javax.annotation.Nullable;

/**
 * MySQL-like value semantics for the filter: when either side is a number (or a boolean, which is
 * MySQL's {@code tinyint(1)}), both sides compare as numbers, a string converting the way MySQL
 * converts it (its longest numeric prefix, {@code 0} when there is none); otherwise both compare as
 * strings, by UTF-16 code units (case-sensitive, unlike MySQL's default {@code _ci} collations).
 * Static helpers; thread-safe.
 */
public final class Values {
    /** Returned by {@link #fastParseLong} when the string is not a plain, short integer. */
    static final long NOT_FAST = Long.MIN_VALUE;
    /** Exponents beyond this are clamped while converting strings; such values are far outside any literal. */
    static final int MAX_EXPONENT = 1000;

    private Values() {
    }

    /** Whether {@code v} takes part in comparisons as a number. */
    static boolean isNumeric(Object v) {
        return v instanceof Number || v instanceof Boolean;
    }

    /**
     * Parses an optionally signed decimal integer of at most 18 digits without allocating, or
     * returns {@link #NOT_FAST} (callers then take the slow, exact path).
     */
    static long fastParseLong(String s) {
        int n = s.length();
        if (n == 0 || n > 18) {
            return NOT_FAST;
        }
        int i = 0;
        boolean negative = false;
        char c = s.charAt(0);
        if (c == '-') {
            negative = true;
            i = 1;
        } else if (c == '+') {
            i = 1;
        }
        if (i == n) {
            return NOT_FAST;
        }
        long r = 0;
        for (; i < n; i++) {
            c = s.charAt(i);
            if (c < '0' || c > '9') {
                return NOT_FAST;
            }
            r = r * 10 + (c - '0');
        }
        return negative ? -r : r;
    }

    /**
     * The number MySQL sees in a string used as a number: leading white space skipped, then the
     * longest prefix of the form {@code [+-]digits[.digits][e[+-]digits]}; {@code 0} when there is
     * none ({@code 'abc' = 0} is true in MySQL).
     */
    static BigDecimal stringToNumber(String s) {
        int n = s.length();
        int i = 0;
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        int start = i;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digitsStart = i;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
        }
        int intDigits = i - digitsStart;
        int fracDigits = 0;
        if (i < n && s.charAt(i) == '.') {
            int j = i + 1;
            while (j < n && isDigit(s.charAt(j))) {
                j++;
            }
            fracDigits = j - i - 1;
            if (intDigits > 0 || fracDigits > 0) {
                i = j;
            }
        }
        if (intDigits == 0 && fracDigits == 0) {
            return BigDecimal.ZERO;
        }
        String mantissa = s.substring(start, i);
        if (mantissa.endsWith(".")) {
            mantissa = mantissa.substring(0, mantissa.length() - 1);
        } else if (mantissa.startsWith(".") || mantissa.startsWith("-.") || mantissa.startsWith("+.")) {
            mantissa = mantissa.replace(".", "0.");
        }
        BigDecimal value = new BigDecimal(mantissa);
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            int j = i + 1;
            boolean negExp = false;
            if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-')) {
                negExp = s.charAt(j) == '-';
                j++;
            }
            int expStart = j;
            long exp = 0;
            while (j < n && isDigit(s.charAt(j))) {
                exp = Math.min(exp * 10 + (s.charAt(j) - '0'), MAX_EXPONENT);
                j++;
            }
            if (j > expStart && exp != 0) {
                value = value.scaleByPowerOfTen((int) (negExp ? -exp : exp));
            }
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** {@code v} as an exact decimal, or null when it is a non-finite floating-point value. */
    @Nullable
    static BigDecimal toDecimal(Object v) {
        if (v instanceof BigDecimal) {
            return (BigDecimal) v;
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            return Double.isFinite(d) ? new BigDecimal(d) : null;
        }
        if (v instanceof BigInteger) {
            return new BigDecimal((BigInteger) v);
        }
        if (v instanceof Boolean) {
            return ((Boolean) v) ? BigDecimal.ONE : BigDecimal.ZERO;
        }
        return stringToNumber(v instanceof String ? (String) v : String.valueOf(v));
    }

    /** Compares two non-null values, numerically when either is numeric, else as strings. */
    static int compare(Object a, Object b) {
        if (isNumeric(a) || isNumeric(b)) {
            BigDecimal x = toDecimal(a);
            BigDecimal y = toDecimal(b);
            if (x == null || y == null) {
                return Double.compare(toDouble(a), toDouble(b));
            }
            return x.compareTo(y);
        }
        return asString(a).compareTo(asString(b));
    }

    private static double toDouble(Object v) {
        if (v instanceof Number) {
            return ((Number) v).doubleValue();
        }
        BigDecimal d = toDecimal(v);
        return d == null ? 0d : d.doubleValue();
    }

    /** Compares a non-null row value with a non-null literal, using the literal's precomputed forms. */
    static int compareToLiteral(Object v, Literal lit) {
        if (lit.isString() && !isNumeric(v)) {
            return asString(v).compareTo(lit.string());
        }
        return compareNumeric(v, lit);
    }

    /** Compares {@code v} as a number with the numeric value of {@code lit}. */
    static int compareNumeric(Object v, Literal lit) {
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long x = ((Number) v).longValue();
            return lit.isExactLong() ? Long.compare(x, lit.longValue()) : BigDecimal.valueOf(x).compareTo(lit.decimal());
        }
        if (v instanceof String) {
            String s = (String) v;
            long x = fastParseLong(s);
            if (x != NOT_FAST && lit.isExactLong()) {
                return Long.compare(x, lit.longValue());
            }
            return stringToNumber(s).compareTo(lit.decimal());
        }
        if (v instanceof Boolean) {
            long x = ((Boolean) v) ? 1 : 0;
            return lit.isExactLong() ? Long.compare(x, lit.longValue()) : BigDecimal.valueOf(x).compareTo(lit.decimal());
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (!Double.isFinite(d)) {
                return Double.compare(d, lit.decimal().doubleValue());
            }
        }
        BigDecimal x = toDecimal(v);
        return x == null ? 0 : x.compareTo(lit.decimal());
    }

    /** The string form of a value for string comparison and LIKE: booleans as {@code 1}/{@code 0}. */
    static String asString(Object v) {
        if (v instanceof String) {
            return (String) v;
        }
        if (v instanceof Boolean) {
            return ((Boolean) v) ? "1" : "0";
        }
        if (v instanceof BigDecimal) {
            return ((BigDecimal) v).toPlainString();
        }
        return String.valueOf(v);
    }

    /** SQL truthiness of a non-null value: a non-zero number. */
    static boolean isTrue(Object v) {
        if (v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue() != 0;
        }
        if (v instanceof Double || v instanceof Float) {
            return ((Number) v).doubleValue() != 0d;
        }
        BigDecimal d = toDecimal(v);
        return d != null && d.signum() != 0;
    }
}
