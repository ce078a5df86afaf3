/**
 * The end-to-end test bed: a real MariaDB with its binlog on (sync-testing's {@link
 * dev.binlogsync.testing.EmbeddedMariaDb}), a binlog-to-Kafka relay that writes Canal flat
 * messages exactly as Canal does ({@link dev.binlogsync.examples.testbed.BinlogCanalRelay}), and the
 * heartbeat writer and check ({@link dev.binlogsync.examples.testbed.HeartbeatWriter}, {@link
 * dev.binlogsync.elasticsearch.HeartbeatCheck}). Used by the demo and the reliability suite.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.examples.testbed;

import dev.binlogsync.core.NonNullByDefault;
