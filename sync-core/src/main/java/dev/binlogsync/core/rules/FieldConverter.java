package dev.binlogsync.core.rules;

import javax.annotation.Nullable;

/**
 * Converts one column value on its way into the document. Built-in ones come from
 * {@link Converters}; a custom one is a lambda or, to be named in a configuration file, a class
 * with a public no-argument constructor.
 *
 * <p>Called on the pipeline thread for every written row that has the column; must be thread-safe
 * and side-effect free. An exception fails the event with a {@link dev.binlogsync.core.SyncException}
 * naming the table and column, handled by the pipeline's failure policy.
 */
@FunctionalInterface
public interface FieldConverter {

    /**
     * @param value the column value (see {@link dev.binlogsync.core.ChangeEvent} for the types), or
     *     null
     * @return the value to put into the document, or null
     */
    @Nullable
    Object convert(@Nullable Object value);
}
