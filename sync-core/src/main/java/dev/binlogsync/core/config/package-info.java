/**
 * Loading a whole pipeline definition from JSON or TOML, with {@code ${ENV}} interpolation,
 * path-aware validation and a {@link java.util.ServiceLoader} SPI for sources and sinks.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.core.config;

import javax.annotation.ParametersAreNonnullByDefault;
