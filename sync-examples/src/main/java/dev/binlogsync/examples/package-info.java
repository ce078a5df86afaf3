/**
 * The binlog-sync demo: MariaDB, Kafka and Elasticsearch started in-process, a shop workload, and
 * the pipeline keeping an Elasticsearch index in sync with it.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.examples;

import dev.binlogsync.core.NonNullByDefault;
