/**
 * JMH benchmarks and CPU-time harnesses of binlog-sync's hot paths; their results and commands are
 * in BENCHMARKS.md. Not a library: nothing here is API.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}); a JMH state
 * field is set by its {@code @Setup} method before any benchmark method runs.
 */
@NonNullByDefault
package dev.binlogsync.benchmarks;

import dev.binlogsync.core.NonNullByDefault;
