/**
 * Implementation details of sync-kafka; not an API, may change in any release.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.kafka.internal;

import javax.annotation.ParametersAreNonnullByDefault;
