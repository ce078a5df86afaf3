/** Compatibility tests of the Elasticsearch sink against Elasticsearch 7. */
@ParametersAreNonnullByDefault
package dev.binlogsync.elasticsearch.compat;

import javax.annotation.ParametersAreNonnullByDefault;
