/**
 * Implementation of the rules: table matching, index templates, compiled rules, converters. Not
 * public API; may change without notice.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core.rules.internal;

import dev.binlogsync.core.NonNullByDefault;
