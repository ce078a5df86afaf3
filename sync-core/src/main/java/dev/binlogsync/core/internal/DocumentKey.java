package dev.binlogsync.core.internal;

import javax.annotation.Nullable;

/**
 * The identity of one Elasticsearch document: index, id and routing. Two actions with the same
 * index and id but different routing address different documents (Elasticsearch keeps an id
 * unique per shard, and routing picks the shard), so the pipeline's bookkeeping of documents
 * (fences, retries) keys them by this value; {@link #describe()} is for messages only.
 *
 * @param routing null when the action carries no routing
 */
record DocumentKey(String index, String id, @Nullable String routing) {

    /** {@code index/id}, for messages (not an identity: routing is left out). */
    String describe() {
        return index + "/" + id;
    }
}
