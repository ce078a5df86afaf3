/**
 * Implementation of the rules: table matching, index templates, compiled rules, converters. Not
 * public API; may change without notice.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.core.rules.internal;

import javax.annotation.ParametersAreNonnullByDefault;
