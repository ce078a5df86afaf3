/**
 * Implementation details of sync-kafka; not an API, may change in any release.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.kafka.internal;

import dev.binlogsync.core.NonNullByDefault;
