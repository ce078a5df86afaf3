/** Compatibility tests of the Elasticsearch sink against Elasticsearch 7. */
@NonNullByDefault
package dev.binlogsync.elasticsearch.compat;

import dev.binlogsync.core.NonNullByDefault;
