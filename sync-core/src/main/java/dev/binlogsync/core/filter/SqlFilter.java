package dev.binlogsync.core.filter;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Filter;
import dev.binlogsync.core.filter.internal.Expr;
import dev.binlogsync.core.filter.internal.Parser;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * A {@link Filter} written as a SQL WHERE condition, parsed once into an evaluator tree:
 *
 * <pre>{@code
 * Filter f = SqlFilter.parse("type IN (1,2) AND status <> 'deleted'");
 * Filter g = SqlFilter.parse("SELECT * FROM orders WHERE amount BETWEEN 10 AND 100.5");
 * Filter h = f.and((row, event) -> !event.table().endsWith("_tmp")); // combine with code
 * }</pre>
 *
 * <p><b>Language.</b> Comparisons {@code = != <> < <= > >=}; {@code [NOT] IN (v, ...)} with
 * literal values; {@code [NOT] BETWEEN a AND b}; {@code [NOT] LIKE 'pattern' [ESCAPE 'c']}
 * ({@code %} any run, {@code _} one character, {@code \} escapes by default); {@code IS [NOT] NULL};
 * {@code AND}, {@code OR}, {@code NOT} (that precedence, left to right) and parentheses; numbers
 * ({@code 12}, {@code -3.5}, {@code 1e3}), strings ({@code 'it''s'} or {@code "..."}, with
 * {@code \'} and {@code \\}), {@code TRUE}/{@code FALSE} (1 and 0, as in MySQL), {@code NULL};
 * column names, back-quoted ({@code `order`}) when they are keywords or contain other characters.
 * A bare column is true when it is non-zero. Keywords are case-insensitive; column names are
 * matched exactly against the row's keys. The form {@code SELECT * FROM t [WHERE cond]} is also
 * accepted; the table name is informational only (the rule decides which tables a filter sees),
 * see {@link #fromTable()}.
 *
 * <p><b>Semantics (as MySQL).</b> When either side of a comparison is a number (or a boolean), both
 * compare as numbers: a string side converts as MySQL converts it, by its longest numeric prefix
 * ({@code '12abc'} is 12, {@code 'abc'} is 0), exactly (no floating-point rounding). Canal's
 * all-string rows therefore compare with numeric literals as the typed MySQL columns would. Two
 * strings compare by UTF-16 code unit, case-sensitively (MySQL's default {@code _ci} collations
 * would ignore case: write {@code IN ('a','A')} where it matters). NULL, including a column missing
 * from the row, makes comparisons UNKNOWN; SQL's three-valued logic applies ({@code NOT UNKNOWN} is
 * UNKNOWN, {@code FALSE AND UNKNOWN} is FALSE), and a row matches only when the whole condition is
 * TRUE: {@code status <> 'deleted'} does not match a row whose status is NULL.
 *
 * <p><b>Failure.</b> {@link #parse} throws {@link FilterSyntaxException} naming the position and
 * what was expected; evaluation never throws. Nesting is limited to 200 levels.
 *
 * <p>Immutable and thread-safe; evaluating allocates nothing for the common comparisons.
 */
public final class SqlFilter implements Filter {
    private final String expression;
    private final Expr root;
    private final Set<String> columns;
    @Nullable private final String fromTable;

    private SqlFilter(String expression, Parser.Result result) {
        this.expression = expression;
        this.root = result.root;
        this.columns = result.columns;
        this.fromTable = result.fromTable;
    }

    /**
     * Parses {@code expression}.
     *
     * @throws FilterSyntaxException if it is not a valid condition
     */
    public static SqlFilter parse(String expression) {
        Objects.requireNonNull(expression, "expression");
        return new SqlFilter(expression, Parser.parse(expression));
    }

    @Override
    public boolean matches(Map<String, Object> row, ChangeEvent event) {
        return root.eval(row) == Expr.TRUE;
    }

    /** Whether {@code row} matches; the same as {@link #matches} without an event. */
    public boolean matches(Map<String, Object> row) {
        return root.eval(row) == Expr.TRUE;
    }

    /**
     * The SQL three-valued result for {@code row}: {@code TRUE}, {@code FALSE}, or null for
     * UNKNOWN.
     */
    @Nullable
    public Boolean evaluate(Map<String, Object> row) {
        int v = root.eval(row);
        return v == Expr.UNKNOWN ? null : v == Expr.TRUE;
    }

    /** The expression as given to {@link #parse}. */
    public String expression() {
        return expression;
    }

    /** The column names the expression reads. */
    public Set<String> columns() {
        return columns;
    }

    /** The table named in a {@code SELECT * FROM table WHERE ...} form, if that form was used. */
    public Optional<String> fromTable() {
        return Optional.ofNullable(fromTable);
    }

    /** Equal when the expression texts are equal. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SqlFilter && ((SqlFilter) o).expression.equals(expression);
    }

    @Override
    public int hashCode() {
        return expression.hashCode();
    }

    @Override
    public String toString() {
        return "SqlFilter[" + expression + "]";
    }
}
