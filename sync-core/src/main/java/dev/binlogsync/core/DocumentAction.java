package dev.binlogsync.core;

import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * One write to the search index, produced by a {@link RuleSet} from a {@link ChangeEvent}.
 *
 * <p>The document map is not copied; the rule set hands over a map it no longer modifies.
 *
 * @param index the target index (or alias / data stream), never empty
 * @param id the document id, never empty
 * @param routing the custom routing value, or null for the default
 * @param type index, upsert, update, delete or create
 * @param document the fields: the whole document for {@link ActionType#INDEX} and {@link ActionType#CREATE}, the fields to set
 *     for {@link ActionType#UPSERT} and {@link ActionType#UPDATE} (each replaced whole; a
 *     {@link PartialObject} value merged key by key); null for {@link ActionType#DELETE}
 * @param version the external version, or null for none; only {@link ActionType#INDEX},
 *     {@link ActionType#CREATE} and {@link ActionType#DELETE} carry one (Elasticsearch's update API takes no external version)
 * @param versionType how {@code version} is compared; null exactly when {@code version} is null
 * @param ifSeqNo for a conditional {@link ActionType#DELETE} or {@link ActionType#UPDATE} only (the
 *     backfill's; the stream's rule sets make none): the document's {@code _seq_no} as it was read;
 *     the action applies only if the document still has it and {@code ifPrimaryTerm}
 *     (Elasticsearch's {@code if_seq_no} / {@code if_primary_term}), else the item is
 *     {@link ItemResult.Outcome#CONFLICT}; null for an unconditional action. Never with a version
 * @param ifPrimaryTerm the document's {@code _primary_term} as it was read; null exactly when
 *     {@code ifSeqNo} is null
 */
public record DocumentAction(
        String index,
        String id,
        @Nullable String routing,
        ActionType type,
        @Nullable Map<String, Object> document,
        @Nullable Long version,
        @Nullable VersionType versionType,
        @Nullable Long ifSeqNo,
        @Nullable Long ifPrimaryTerm) {

    public DocumentAction {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        if (index.isEmpty()) {
            throw new IllegalArgumentException("index must not be empty");
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id must not be empty");
        }
        if (type == ActionType.DELETE) {
            if (document != null) {
                throw new IllegalArgumentException("a delete carries no document: " + index + "/" + id);
            }
        } else if (document == null) {
            throw new IllegalArgumentException(type + " needs a document: " + index + "/" + id);
        }
        if ((version == null) != (versionType == null)) {
            throw new IllegalArgumentException("version and versionType go together: " + index + "/" + id);
        }
        if (version != null && (type == ActionType.UPSERT || type == ActionType.UPDATE)) {
            throw new IllegalArgumentException("an " + (type == ActionType.UPSERT ? "upsert" : "update")
                    + " cannot carry an external version: " + index + "/" + id);
        }
        if ((ifSeqNo == null) != (ifPrimaryTerm == null)) {
            throw new IllegalArgumentException("ifSeqNo and ifPrimaryTerm go together: " + index + "/" + id);
        }
        if (ifSeqNo != null) {
            if (type != ActionType.DELETE && type != ActionType.UPDATE) {
                throw new IllegalArgumentException("only a delete or an update can be conditional on ifSeqNo: "
                        + index + "/" + id);
            }
            if (version != null) {
                throw new IllegalArgumentException("a conditional action cannot carry an external version: "
                        + index + "/" + id);
            }
            if (ifSeqNo < 0 || ifPrimaryTerm < 1) {
                throw new IllegalArgumentException("ifSeqNo " + ifSeqNo + " / ifPrimaryTerm " + ifPrimaryTerm
                        + " out of range: " + index + "/" + id);
            }
        }
    }

    /** An unconditional action (no {@code ifSeqNo}): the form the rules produce. */
    public DocumentAction(String index, String id, @Nullable String routing, ActionType type,
            @Nullable Map<String, Object> document, @Nullable Long version, @Nullable VersionType versionType) {
        this(index, id, routing, type, document, version, versionType, null, null);
    }

    /** A full-document index action. */
    public static DocumentAction index(String index, String id, Map<String, Object> document) {
        return new DocumentAction(index, id, null, ActionType.INDEX, document, null, null);
    }

    /** A partial update with {@code doc_as_upsert}. */
    public static DocumentAction upsert(String index, String id, Map<String, Object> document) {
        return new DocumentAction(index, id, null, ActionType.UPSERT, document, null, null);
    }

    /** A partial update of an existing document only: never creates it ({@link ActionType#UPDATE}). */
    public static DocumentAction update(String index, String id, Map<String, Object> document) {
        return new DocumentAction(index, id, null, ActionType.UPDATE, document, null, null);
    }

    /** A delete. */
    public static DocumentAction delete(String index, String id) {
        return new DocumentAction(index, id, null, ActionType.DELETE, null, null, null);
    }

    /** A whole document written only if absent ({@link ActionType#CREATE}). */
    public static DocumentAction create(String index, String id, Map<String, Object> document) {
        return new DocumentAction(index, id, null, ActionType.CREATE, document, null, null);
    }

    /**
     * A delete that applies only while the document still has {@code seqNo} and {@code primaryTerm}
     * (as read with a {@link DocumentReader}); a conflict is {@link ItemResult.Outcome#CONFLICT}.
     */
    public static DocumentAction deleteIf(String index, String id, long seqNo, long primaryTerm) {
        return new DocumentAction(index, id, null, ActionType.DELETE, null, null, null, seqNo, primaryTerm);
    }

    /** This action with the given routing. */
    public DocumentAction withRouting(@Nullable String routing) {
        return new DocumentAction(index, id, routing, type, document, version, versionType, ifSeqNo, ifPrimaryTerm);
    }

    /** This action with an external version. */
    public DocumentAction withVersion(long version, VersionType versionType) {
        return new DocumentAction(index, id, routing, type, document, version, versionType, ifSeqNo, ifPrimaryTerm);
    }

    /** {@code index/id}, for messages. */
    public String describe() {
        return index + "/" + id;
    }
}
