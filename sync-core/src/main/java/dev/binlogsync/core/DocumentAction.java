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
 * @param type index, upsert, update or delete
 * @param document the fields: the whole document for {@link ActionType#INDEX}, the fields to merge
 *     for {@link ActionType#UPSERT} and {@link ActionType#UPDATE}; null for {@link ActionType#DELETE}
 * @param version the external version, or null for none; only {@link ActionType#INDEX} and
 *     {@link ActionType#DELETE} carry one (Elasticsearch's update API takes no external version)
 * @param versionType how {@code version} is compared; null exactly when {@code version} is null
 */
public record DocumentAction(
        String index,
        String id,
        @Nullable String routing,
        ActionType type,
        @Nullable Map<String, Object> document,
        @Nullable Long version,
        @Nullable VersionType versionType) {

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

    /** This action with the given routing. */
    public DocumentAction withRouting(@Nullable String routing) {
        return new DocumentAction(index, id, routing, type, document, version, versionType);
    }

    /** This action with an external version. */
    public DocumentAction withVersion(long version, VersionType versionType) {
        return new DocumentAction(index, id, routing, type, document, version, versionType);
    }

    /** {@code index/id}, for messages. */
    public String describe() {
        return index + "/" + id;
    }
}
