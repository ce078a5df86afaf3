/**
 * The binlog-sync demo: MariaDB, Kafka and Elasticsearch started in-process, a shop workload, and
 * the pipeline keeping an Elasticsearch index in sync with it.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.examples;

import javax.annotation.ParametersAreNonnullByDefault;
