package dev.binlogsync.core.filter.internal;

import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * A node of the evaluator tree, built once by {@link Parser}. {@link #eval} returns SQL's
 * three-valued result: {@link #TRUE}, {@link #FALSE} or {@link #UNKNOWN} (a comparison with NULL).
 * Immutable and thread-safe; evaluation allocates nothing on the common paths.
 */
public abstract class Expr {
    public static final int FALSE = 0;
    public static final int TRUE = 1;
    public static final int UNKNOWN = 2;

    Expr() {
    }

    /** Evaluates against {@code row}; a missing column is NULL. */
    public abstract int eval(Map<String, Object> row);

    static int not(int v) {
        return v == UNKNOWN ? UNKNOWN : (v == TRUE ? FALSE : TRUE);
    }

    static int of(boolean b) {
        return b ? TRUE : FALSE;
    }

    // ------------------------------------------------------------------ logic

    static final class And extends Expr {
        private final Expr[] parts;

        And(Expr[] parts) {
            this.parts = parts;
        }

        @Override
        public int eval(Map<String, Object> row) {
            int result = TRUE;
            for (Expr part : parts) {
                int v = part.eval(row);
                if (v == FALSE) {
                    return FALSE;
                }
                if (v == UNKNOWN) {
                    result = UNKNOWN;
                }
            }
            return result;
        }
    }

    static final class Or extends Expr {
        private final Expr[] parts;

        Or(Expr[] parts) {
            this.parts = parts;
        }

        @Override
        public int eval(Map<String, Object> row) {
            int result = FALSE;
            for (Expr part : parts) {
                int v = part.eval(row);
                if (v == TRUE) {
                    return TRUE;
                }
                if (v == UNKNOWN) {
                    result = UNKNOWN;
                }
            }
            return result;
        }
    }

    static final class Not extends Expr {
        private final Expr inner;

        Not(Expr inner) {
            this.inner = inner;
        }

        @Override
        public int eval(Map<String, Object> row) {
            return not(inner.eval(row));
        }
    }

    /** A bare value in boolean context ({@code WHERE active}, {@code WHERE 1}): true when non-zero. */
    static final class Truth extends Expr {
        private final Operand operand;

        Truth(Operand operand) {
            this.operand = operand;
        }

        @Override
        public int eval(Map<String, Object> row) {
            Object v = operand.value(row);
            return v == null ? UNKNOWN : of(Values.isTrue(v));
        }
    }

    // ------------------------------------------------------------- predicates

    static final int EQ = 0;
    static final int NE = 1;
    static final int LT = 2;
    static final int LE = 3;
    static final int GT = 4;
    static final int GE = 5;

    static boolean test(int op, int c) {
        switch (op) {
            case EQ: return c == 0;
            case NE: return c != 0;
            case LT: return c < 0;
            case LE: return c <= 0;
            case GT: return c > 0;
            default: return c >= 0;
        }
    }

    /** The operator with its operands swapped: {@code 1 < x} is {@code x > 1}. */
    static int flip(int op) {
        switch (op) {
            case LT: return GT;
            case LE: return GE;
            case GT: return LT;
            case GE: return LE;
            default: return op;
        }
    }

    /** {@code column op literal}, the common case, with the literal's forms precomputed. */
    static final class CompareLiteral extends Expr {
        private final String column;
        private final int op;
        private final Literal literal;

        CompareLiteral(String column, int op, Literal literal) {
            this.column = column;
            this.op = op;
            this.literal = literal;
        }

        @Override
        public int eval(Map<String, Object> row) {
            Object v = row.get(column);
            if (v == null || literal.isNull()) {
                return UNKNOWN;
            }
            if ((op == EQ || op == NE) && v instanceof String && literal.isString()) {
                return of(v.equals(literal.string()) == (op == EQ));
            }
            return of(test(op, Values.compareToLiteral(v, literal)));
        }
    }

    /** Any other comparison: column with column, literal with literal. */
    static final class Compare extends Expr {
        private final Operand left;
        private final int op;
        private final Operand right;

        Compare(Operand left, int op, Operand right) {
            this.left = left;
            this.op = op;
            this.right = right;
        }

        @Override
        public int eval(Map<String, Object> row) {
            Object a = left.value(row);
            Object b = right.value(row);
            if (a == null || b == null) {
                return UNKNOWN;
            }
            return of(test(op, Values.compare(a, b)));
        }
    }

    /** {@code x [NOT] IN (literals)}. */
    static final class In extends Expr {
        private final Operand operand;
        private final Literal[] items;
        private final boolean negated;
        private final boolean hasNull;
        /** All non-null items as exact longs, or null when some item is not one. */
        @Nullable private final long[] longs;
        /** All non-null items as strings, or null when some item is not a string. */
        @Nullable private final Set<String> strings;

        In(Operand operand, Literal[] items, boolean negated) {
            this.operand = operand;
            this.negated = negated;
            boolean nulls = false;
            int nonNull = 0;
            for (Literal l : items) {
                if (l.isNull()) {
                    nulls = true;
                } else {
                    nonNull++;
                }
            }
            this.hasNull = nulls;
            Literal[] kept = new Literal[nonNull];
            int i = 0;
            boolean allLong = true;
            boolean allString = true;
            for (Literal l : items) {
                if (!l.isNull()) {
                    kept[i++] = l;
                    allLong &= !l.isString() && l.isExactLong();
                    allString &= l.isString();
                }
            }
            this.items = kept;
            if (allLong && nonNull > 0) {
                longs = new long[nonNull];
                for (int k = 0; k < nonNull; k++) {
                    longs[k] = kept[k].longValue();
                }
            } else {
                longs = null;
            }
            if (allString && nonNull > 0) {
                strings = new HashSet<>();
                for (Literal l : kept) {
                    strings.add(l.string());
                }
            } else {
                strings = null;
            }
        }

        @Override
        public int eval(Map<String, Object> row) {
            Object v = operand.value(row);
            if (v == null) {
                return UNKNOWN;
            }
            int r = contains(v) ? TRUE : (hasNull ? UNKNOWN : FALSE);
            return negated ? not(r) : r;
        }

        private boolean contains(Object v) {
            if (longs != null) {
                long x = Values.NOT_FAST;
                if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                    x = ((Number) v).longValue();
                } else if (v instanceof String) {
                    x = Values.fastParseLong((String) v);
                }
                if (x != Values.NOT_FAST) {
                    for (long l : longs) {
                        if (l == x) {
                            return true;
                        }
                    }
                    return false;
                }
            }
            if (strings != null && v instanceof String) {
                return strings.contains(v);
            }
            for (Literal l : items) {
                if (Values.compareToLiteral(v, l) == 0) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code x [NOT] BETWEEN lo AND hi}, which is {@code x >= lo AND x <= hi}. */
    static final class Between extends Expr {
        private final Operand operand;
        private final Operand low;
        private final Operand high;
        private final boolean negated;

        Between(Operand operand, Operand low, Operand high, boolean negated) {
            this.operand = operand;
            this.low = low;
            this.high = high;
            this.negated = negated;
        }

        @Override
        public int eval(Map<String, Object> row) {
            Object v = operand.value(row);
            Object lo = low.value(row);
            Object hi = high.value(row);
            int a = v == null || lo == null ? UNKNOWN : of(cmp(v, low, lo) >= 0);
            int b = v == null || hi == null ? UNKNOWN : of(cmp(v, high, hi) <= 0);
            int r = a == FALSE || b == FALSE ? FALSE : (a == UNKNOWN || b == UNKNOWN ? UNKNOWN : TRUE);
            return negated ? not(r) : r;
        }

        private static int cmp(Object v, Operand bound, Object boundValue) {
            return bound instanceof Literal ? Values.compareToLiteral(v, (Literal) bound) : Values.compare(v, boundValue);
        }
    }

    /** {@code x [NOT] LIKE 'pattern'}. */
    static final class Like extends Expr {
        private final Operand operand;
        private final LikePattern pattern;
        private final boolean negated;

        Like(Operand operand, LikePattern pattern, boolean negated) {
            this.operand = operand;
            this.pattern = pattern;
            this.negated = negated;
        }

        @Override
        public int eval(Map<String, Object> row) {
            Object v = operand.value(row);
            if (v == null) {
                return UNKNOWN;
            }
            return of(pattern.matches(Values.asString(v)) != negated);
        }
    }

    /** {@code x IS [NOT] NULL}; never UNKNOWN. */
    static final class IsNull extends Expr {
        private final Operand operand;
        private final boolean negated;

        IsNull(Operand operand, boolean negated) {
            this.operand = operand;
            this.negated = negated;
        }

        @Override
        public int eval(Map<String, Object> row) {
            return of((operand.value(row) == null) != negated);
        }
    }

    /** A constant result: {@code SELECT * FROM t} without WHERE. */
    static final class Const extends Expr {
        private final int value;

        Const(int value) {
            this.value = value;
        }

        @Override
        public int eval(Map<String, Object> row) {
            return value;
        }
    }
}
