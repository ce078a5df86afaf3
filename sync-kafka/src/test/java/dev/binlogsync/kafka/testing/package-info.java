/**
 * Test fixtures of sync-kafka, shipped in its test-jar: {@link dev.binlogsync.kafka.testing.EmbeddedKafka},
 * a real KRaft broker in the test JVM.
 */
@NonNullByDefault
package dev.binlogsync.kafka.testing;

import dev.binlogsync.core.NonNullByDefault;
