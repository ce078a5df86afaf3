/**
 * Implementation of configuration loading and rendering. Not public API.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.core.config.internal;

import javax.annotation.ParametersAreNonnullByDefault;
