/** Compatibility tests of the Elasticsearch sink against OpenSearch. */
@NonNullByDefault
package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.core.NonNullByDefault;
