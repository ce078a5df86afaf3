/**
 * The Elasticsearch / OpenSearch side of binlog-sync: {@link dev.binlogsync.elasticsearch.ElasticsearchSink},
 * a {@link dev.binlogsync.core.BulkSink} on the low-level REST client.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.elasticsearch;

import javax.annotation.ParametersAreNonnullByDefault;
