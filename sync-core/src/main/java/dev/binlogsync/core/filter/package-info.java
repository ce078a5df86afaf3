/**
 * SQL-like row filters: {@link dev.binlogsync.core.filter.SqlFilter} parses a WHERE expression once
 * into an evaluator tree that implements {@link dev.binlogsync.core.Filter}.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core.filter;

import dev.binlogsync.core.NonNullByDefault;
