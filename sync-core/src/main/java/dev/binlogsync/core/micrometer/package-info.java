/**
 * Micrometer binding of a {@link dev.binlogsync.core.SyncPipeline}'s metrics:
 * {@code new SyncPipelineMeterBinder(pipeline).bindTo(registry)}.
 *
 * <p>Micrometer ({@code io.micrometer:micrometer-core}) is an optional dependency of
 * {@code sync-core}: add it to your application to use this package; nothing else in sync-core
 * needs it.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core.micrometer;

import dev.binlogsync.core.NonNullByDefault;
