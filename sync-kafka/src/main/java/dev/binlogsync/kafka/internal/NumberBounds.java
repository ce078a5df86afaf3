package dev.binlogsync.kafka.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import javax.annotation.Nullable;

/**
 * The numbers a MySQL column can hold, checked at decode so that a hostile or corrupt message
 * cannot make a later {@code toPlainString()} allocate gigabytes ({@code 1E+999999999} is twelve
 * characters) or a parse take seconds (a 100,000-digit integer). Each check returns a description
 * of what is wrong, or null when the value is within bounds; the decoders turn it into a
 * {@code DecodeException} naming the column.
 */
public final class NumberBounds {

    /** MySQL's {@code DECIMAL(M, D)}: M at most 65 digits, D at most 30. */
    public static final int DECIMAL_PRECISION = 65;
    public static final int DECIMAL_SCALE = 30;
    /**
     * The longest text of a {@code DECIMAL} value worth parsing: a sign, 65 digits, a point and an
     * exponent such as {@code E+30}; anything longer is rejected before it is parsed.
     */
    public static final int DECIMAL_TEXT = 80;
    /** The longest text of an integer column value worth parsing: a sign and 20 digits (BIGINT UNSIGNED). */
    public static final int INTEGER_TEXT = 21;
    /**
     * For a JSON number that is not a {@code DECIMAL} column (a {@code double}, a number inside a
     * JSON column): the decimal exponent stays within what a {@code double} can hold (about
     * ±308, down to 4.9E-324), with room to spare.
     */
    private static final int JSON_EXPONENT = 400;

    private NumberBounds() {
    }

    /** What is wrong with a {@code DECIMAL} column's value, or null when it fits DECIMAL(65, 30). */
    @Nullable
    public static String decimal(BigDecimal d) {
        int scale = d.scale();
        if (scale > DECIMAL_SCALE || scale < -DECIMAL_PRECISION) {
            return "scale " + scale + " is outside a MySQL DECIMAL's (at most " + DECIMAL_SCALE + " digits after the point)";
        }
        int precision = d.precision();
        if (precision > DECIMAL_PRECISION || precision - scale > DECIMAL_PRECISION) {
            return "more than " + DECIMAL_PRECISION + " digits, beyond a MySQL DECIMAL";
        }
        return null;
    }

    /** What is wrong with an integer column's value, or null when it fits BIGINT (UNSIGNED). */
    @Nullable
    public static String integer(BigInteger i) {
        if (i.signum() < 0 ? i.bitLength() > 63 : i.bitLength() > 64) {
            return "beyond the range of a MySQL BIGINT (UNSIGNED)";
        }
        return null;
    }

    /**
     * What is wrong with a number read from JSON (a Debezium or Maxwell value, a number inside a
     * JSON column), or null: integers within BIGINT (UNSIGNED), other numbers with at most 65
     * significant digits and a decimal exponent within ±400.
     */
    @Nullable
    public static String jsonNumber(Number n) {
        if (n instanceof BigInteger i) {
            return integer(i);
        }
        if (n instanceof BigDecimal d) {
            int precision = d.precision();
            if (precision > DECIMAL_PRECISION) {
                return "more than " + DECIMAL_PRECISION + " significant digits";
            }
            long exponent = (long) precision - d.scale() - 1;
            if (exponent > JSON_EXPONENT || exponent < -JSON_EXPONENT) {
                return "exponent " + exponent + " is beyond what a MySQL column can hold";
            }
        }
        return null;
    }

    /**
     * What is wrong with the first out-of-bounds number in a tree of plain Java values (maps,
     * lists, scalars, as Jackson reads a JSON column), or null.
     */
    @Nullable
    public static String jsonTree(@Nullable Object value) {
        if (value instanceof Number n) {
            String problem = jsonNumber(n);
            return problem == null ? null : "number " + shown(n.toString()) + ": " + problem;
        }
        if (value instanceof java.util.Map<?, ?> m) {
            for (Object v : m.values()) {
                String problem = jsonTree(v);
                if (problem != null) {
                    return problem;
                }
            }
        } else if (value instanceof java.util.List<?> l) {
            for (Object v : l) {
                String problem = jsonTree(v);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    /** {@code s} cut to 64 characters and escaped for an error message. */
    public static String shown(String s) {
        return dev.binlogsync.core.UntrustedText.shown(s, 64);
    }
}
