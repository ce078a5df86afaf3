/**
 * SQL-like row filters: {@link dev.binlogsync.core.filter.SqlFilter} parses a WHERE expression once
 * into an evaluator tree that implements {@link dev.binlogsync.core.Filter}.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.core.filter;

import javax.annotation.ParametersAreNonnullByDefault;
