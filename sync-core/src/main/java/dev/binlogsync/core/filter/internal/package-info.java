/**
 * Implementation of the SQL-like filter: lexer, recursive-descent parser and evaluator nodes. Not
 * public API; may change without notice.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.core.filter.internal;

import javax.annotation.ParametersAreNonnullByDefault;
