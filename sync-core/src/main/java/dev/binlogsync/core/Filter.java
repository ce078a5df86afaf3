package dev.binlogsync.core;

import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a row belongs in the index. A lambda will do:
 *
 * <pre>{@code
 * Filter paid = (row, event) -> "PAID".equals(row.get("status"));
 * Filter f = paid.and(SqlFilter.parse("type IN (1,2)"));
 * }</pre>
 *
 * <p>For updates the rules evaluate the filter on both the new row and the old row (the new row
 * overlaid with the previous values of the changed columns), so a row that stops matching has its
 * document deleted and one that starts matching is written in full.
 *
 * <p>Implementations must be side-effect free and thread-safe; they are called on the pipeline
 * thread. An exception thrown here fails the event like a decode failure.
 */
@FunctionalInterface
public interface Filter {

    /** A filter that accepts every row. */
    Filter ALL = (row, event) -> true;

    /**
     * Whether {@code row} belongs.
     *
     * @param row the row image under test: column name to value
     * @param event the change the row comes from (table, operation, ...) for context
     */
    boolean matches(Map<String, Object> row, ChangeEvent event);

    /** Both this and {@code other}; {@code other} is not evaluated when this fails. */
    default Filter and(Filter other) {
        Objects.requireNonNull(other, "other");
        return (row, event) -> matches(row, event) && other.matches(row, event);
    }

    /** Either this or {@code other}; {@code other} is not evaluated when this matches. */
    default Filter or(Filter other) {
        Objects.requireNonNull(other, "other");
        return (row, event) -> matches(row, event) || other.matches(row, event);
    }

    /** The opposite of this filter. */
    default Filter negate() {
        return (row, event) -> !matches(row, event);
    }

    /** The opposite of {@code filter}. */
    static Filter not(Filter filter) {
        Objects.requireNonNull(filter, "filter");
        return filter.negate();
    }
}
