/**
 * Backfill: loads the rows a table already holds into the index, in primary-key chunks, through the
 * same rules as the stream, while the stream runs; see {@link dev.binlogsync.core.backfill.Backfill}
 * and {@code docs/backfill.md} for the guarantee and its limits.
 */
@NonNullByDefault
package dev.binlogsync.core.backfill;

import dev.binlogsync.core.NonNullByDefault;
