/**
 * Internals of {@code sync-elasticsearch}: NDJSON encoding, streaming response parsing, item
 * classification, server detection, TLS. Not a public API; may change in any release.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.elasticsearch.internal;

import javax.annotation.ParametersAreNonnullByDefault;
