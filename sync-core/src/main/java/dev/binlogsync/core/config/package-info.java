/**
 * Loading a whole pipeline definition from JSON or TOML, with {@code ${ENV}} interpolation,
 * path-aware validation and a {@link java.util.ServiceLoader} SPI for sources and sinks.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core.config;

import dev.binlogsync.core.NonNullByDefault;
