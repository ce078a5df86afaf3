package dev.binlogsync.core.filter.internal;

import java.math.BigDecimal;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * A constant in a filter expression, with its comparison forms computed once at parse time: a
 * string literal also knows the number MySQL would read from it, a numeric one whether it is an
 * exact {@code long}. Immutable.
 */
public final class Literal extends Operand {
    @Nullable private final Object value;
    @Nullable private final String string;
    @Nullable private final BigDecimal decimal;
    private final boolean exactLong;
    private final long longValue;
    private final String text;

    private Literal(@Nullable Object value, @Nullable String string, @Nullable BigDecimal decimal, String text) {
        this.value = value;
        this.string = string;
        this.decimal = decimal;
        this.text = text;
        boolean exact = false;
        long lv = 0;
        if (decimal != null) {
            try {
                lv = decimal.longValueExact();
                exact = true;
            } catch (ArithmeticException notAnExactLong) {
                exact = false;
            }
        }
        this.exactLong = exact;
        this.longValue = lv;
    }

    /** The SQL NULL literal. */
    static Literal nullLiteral() {
        return new Literal(null, null, null, "NULL");
    }

    /** A string literal. */
    static Literal ofString(String s) {
        return new Literal(s, s, Values.stringToNumber(s), "'" + s.replace("'", "''") + "'");
    }

    /** A number literal. */
    static Literal ofNumber(BigDecimal d, String text) {
        return new Literal(d, null, d, text);
    }

    /** TRUE or FALSE, which are 1 and 0 in MySQL. */
    static Literal ofBoolean(boolean b) {
        return new Literal(b, null, b ? BigDecimal.ONE : BigDecimal.ZERO, b ? "TRUE" : "FALSE");
    }

    @Override
    @Nullable
    Object value(Map<String, Object> row) {
        return value;
    }

    boolean isNull() {
        return value == null;
    }

    boolean isString() {
        return string != null;
    }

    /** The string value; only for {@link #isString()}. */
    String string() {
        return string;
    }

    /** The numeric value (a string's MySQL number); only when not {@link #isNull()}. */
    BigDecimal decimal() {
        return decimal;
    }

    boolean isExactLong() {
        return exactLong;
    }

    long longValue() {
        return longValue;
    }

    @Override
    public String toString() {
        return text;
    }
}
