/**
 * Implementation of the SQL-like filter: lexer, recursive-descent parser and evaluator nodes. Not
 * public API; may change without notice.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core.filter.internal;

import dev.binlogsync.core.NonNullByDefault;
