/**
 * Implementation of configuration loading and rendering. Not public API.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core.config.internal;

import dev.binlogsync.core.NonNullByDefault;
