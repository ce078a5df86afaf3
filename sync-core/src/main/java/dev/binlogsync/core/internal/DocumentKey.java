package dev.binlogsync.core.internal;

/**
 * The identity of one Elasticsearch document for the pipeline's bookkeeping of documents (fences,
 * retries): index and id, whatever the routing. Elasticsearch keeps an id unique per shard only, and
 * routing picks the shard by a hash of its value into the index's shards, which the pipeline does
 * not know: two actions with the same index and id but different routing address the same document
 * when their routing values hash to the same shard (always in a one-shard index), as the delete under
 * the old routing and the write under the new one of a row whose routing value changed. So they are
 * kept in their order as one document's actions: a fence or a retry of one holds back the other.
 * {@link #describe()} is for messages.
 */
record DocumentKey(String index, String id) {

    /** {@code index/id}, for messages. */
    String describe() {
        return index + "/" + id;
    }
}
