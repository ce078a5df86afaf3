/**
 * Test fixtures for code built on binlog-sync, in the main jar like kafka-clients'
 * {@code MockConsumer}: an in-memory {@link dev.binlogsync.core.Source}
 * ({@link dev.binlogsync.core.testing.InMemorySource}), a recording, scriptable
 * {@link dev.binlogsync.core.BulkSink} ({@link dev.binlogsync.core.testing.RecordingBulkSink}), a
 * recording {@link dev.binlogsync.core.DeadLetterSink}, a manual clock, event factories and
 * {@link dev.binlogsync.core.testing.Await}, which waits for a state with a deadline. They
 * are fakes with real behaviour, not mocks; each is thread-safe as its Javadoc says.
 */
@NonNullByDefault
package dev.binlogsync.core.testing;

import dev.binlogsync.core.NonNullByDefault;
