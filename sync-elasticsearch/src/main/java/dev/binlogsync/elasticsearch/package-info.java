/**
 * The Elasticsearch / OpenSearch side of binlog-sync: {@link dev.binlogsync.elasticsearch.ElasticsearchSink},
 * a {@link dev.binlogsync.core.BulkSink} on the low-level REST client.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.elasticsearch;

import dev.binlogsync.core.NonNullByDefault;
