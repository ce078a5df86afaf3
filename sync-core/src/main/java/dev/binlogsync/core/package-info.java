/**
 * The engine of binlog-sync: the change model, the SPIs ({@link dev.binlogsync.core.Source},
 * {@link dev.binlogsync.core.RuleSet}, {@link dev.binlogsync.core.Filter},
 * {@link dev.binlogsync.core.BulkSink}, {@link dev.binlogsync.core.DeadLetterSink}) and the
 * pipeline that connects them with the offset-after-flush guarantee.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core;
