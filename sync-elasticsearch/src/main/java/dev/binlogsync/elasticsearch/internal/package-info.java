/**
 * Internals of {@code sync-elasticsearch}: NDJSON encoding, streaming response parsing, item
 * classification, server detection, TLS. Not a public API; may change in any release.
 */
@NonNullByDefault
package dev.binlogsync.elasticsearch.internal;

import dev.binlogsync.core.NonNullByDefault;
