/**
 * Implementation of the pipeline: the bulk buffer with its lanes and coalescing, the per-partition
 * offset tracker and the engine loop. Not public API: types here may change in any release.
 * Everything here is confined to the pipeline thread unless a type says otherwise.
 */
@NonNullByDefault
package dev.binlogsync.core.internal;

import dev.binlogsync.core.NonNullByDefault;
