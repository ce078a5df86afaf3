package dev.binlogsync.elasticsearch.internal;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.UntrustedText;
import java.util.Set;
import javax.annotation.Nullable;

/**
 * Turns one bulk item's status and error into an {@link ItemResult}. Stateless, thread-safe.
 *
 * <ul>
 *   <li>2xx: success; 404 on a delete: success (the document is already gone); 404
 *       {@code document_missing_exception} on an {@link ActionType#UPDATE}:
 *       {@link ItemResult.Outcome#MISSING} (there is no document to update, and the update must not
 *       create one);
 *   <li>409 on a {@link ActionType#CREATE}: {@link ItemResult.Outcome#EXISTS} (the document exists
 *       and is left as it is); 409 on a conditional delete or update ({@code if_seq_no}):
 *       {@link ItemResult.Outcome#CONFLICT} (the document changed since it was read, or is gone);
 *   <li>409 on an externally versioned write: {@link ItemResult.Outcome#STALE} (the index holds a
 *       newer version; nothing to do); 409 without an external version (another writer changed the
 *       document meanwhile): retryable;
 *   <li>429, any 5xx, and the error types of an overloaded or recovering cluster
 *       ({@code es_rejected_execution_exception}, {@code unavailable_shards_exception},
 *       {@code cluster_block_exception}, {@code circuit_breaking_exception}, ...): retryable;
 *   <li>everything else (400 mapping or argument errors, 404 {@code index_not_found_exception}
 *       with auto-create off, 403 on an index, ...): permanent, with the server's type and reason;
 *       a cluster refusing the inline script of a partial write with an object field
 *       ({@link BulkBodyEncoder#SET_FIELDS}) has {@link #SCRIPTS_NOT_ALLOWED} before its reason.
 * </ul>
 *
 * <p>A write block ({@code cluster_block_exception}, e.g. the flood-stage disk watermark or a
 * read-only index) is retryable on purpose: it is lifted by an operator, and skipping would lose data.
 */
public final class ItemClassifier {

    private static final Set<String> RETRYABLE_TYPES = Set.of(
            "es_rejected_execution_exception",
            "rejected_execution_exception", // OpenSearch
            "unavailable_shards_exception",
            "cluster_block_exception",
            "circuit_breaking_exception",
            "no_shard_available_action_exception",
            "node_not_connected_exception",
            "node_closed_exception",
            "primary_missing_action_exception",
            "illegal_index_shard_state_exception",
            "shard_not_in_primary_mode_exception",
            "process_cluster_event_timeout_exception",
            "connect_transport_exception",
            "receive_timeout_transport_exception");

    private ItemClassifier() {
    }

    /** Whether a server error type says the cluster is overloaded or recovering (trying again may help). */
    public static boolean retryableType(String errorType) {
        return RETRYABLE_TYPES.contains(errorType);
    }

    /** Most characters of a server's error type kept in an {@link ItemResult}. */
    static final int MAX_TYPE_CHARS = 128;
    /** Most characters of a server's error reason (with its causes) kept in an {@link ItemResult}. */
    static final int MAX_REASON_CHARS = 1024;

    /**
     * @param action the action the item answers
     * @param status the item's HTTP status
     * @param errorType the item's {@code error.type}, or null; kept escaped and capped at
     *     {@value #MAX_TYPE_CHARS} characters ({@link UntrustedText})
     * @param reason the item's error reason (with its cause), or null; it may quote row values, and is
     *     kept escaped and capped at {@value #MAX_REASON_CHARS} characters
     */
    public static ItemResult classify(DocumentAction action, int status, @Nullable String errorType, @Nullable String reason) {
        // the type is matched as the server sent it; what is kept is escaped and capped
        String type = errorType == null ? null : UntrustedText.shown(errorType, MAX_TYPE_CHARS);
        String why = reason == null ? null : UntrustedText.shown(reason, MAX_REASON_CHARS);
        if (status >= 200 && status < 300) {
            return ItemResult.success(status);
        }
        if (status == 404 && action.type() == ActionType.DELETE) {
            return ItemResult.success(404);
        }
        if (status == 404 && action.type() == ActionType.UPDATE && "document_missing_exception".equals(errorType)) {
            return ItemResult.missing(why);
        }
        if (status == 409) {
            if (action.type() == ActionType.CREATE) {
                return ItemResult.exists(why);
            }
            if (action.ifSeqNo() != null) {
                return ItemResult.conflict(why);
            }
            if (action.version() != null) {
                return new ItemResult(ItemResult.Outcome.STALE, 409,
                        type != null ? type : "version_conflict_engine_exception", why);
            }
            return ItemResult.retryable(status, type, why);
        }
        if (status == 429 || status >= 500 || (errorType != null && RETRYABLE_TYPES.contains(errorType))) {
            return ItemResult.retryable(status, type, why);
        }
        if (reason != null && (action.type() == ActionType.UPSERT || action.type() == ActionType.UPDATE)
                && (reason.contains("cannot execute [inline] scripts")
                        || reason.contains("cannot execute scripts using [update] context")
                        || reason.contains("script_lang not supported [painless]"))) {
            why = SCRIPTS_NOT_ALLOWED + why;
        }
        return ItemResult.permanent(status, type, why);
    }

    /**
     * Put before the server's reason when it refuses the inline script of a partial write whose
     * document has an object field ({@link BulkBodyEncoder#SET_FIELDS}).
     */
    public static final String SCRIPTS_NOT_ALLOWED = "the cluster does not run inline painless scripts in the"
            + " update context, which the sink uses for a partial write (upsert or merge) whose document has an"
            + " object field (so a key the new object lacks does not stay); allow them (the lang-painless module"
            + " installed, script.allowed_types including inline and script.allowed_contexts including update,"
            + " where either is set): ";
}
