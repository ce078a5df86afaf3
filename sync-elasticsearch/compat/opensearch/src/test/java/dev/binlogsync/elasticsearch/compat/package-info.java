/** Compatibility tests of the Elasticsearch sink against OpenSearch. */
@ParametersAreNonnullByDefault
package dev.binlogsync.elasticsearch.compat;

import javax.annotation.ParametersAreNonnullByDefault;
