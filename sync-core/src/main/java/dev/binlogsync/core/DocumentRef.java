package dev.binlogsync.core;

import java.util.Objects;
import javax.annotation.Nullable;

/**
 * Where one document lives: its index, id and custom routing.
 *
 * @param index the index (or alias), never empty
 * @param id the document id, never empty
 * @param routing the custom routing value, or null for the default
 */
public record DocumentRef(String index, String id, @Nullable String routing) {

    public DocumentRef {
        Objects.requireNonNull(index, "index");
        Objects.requireNonNull(id, "id");
        if (index.isEmpty()) {
            throw new IllegalArgumentException("index must not be empty");
        }
        if (id.isEmpty()) {
            throw new IllegalArgumentException("id must not be empty");
        }
    }

    /** The document {@code action} writes. */
    public static DocumentRef of(DocumentAction action) {
        return new DocumentRef(action.index(), action.id(), action.routing());
    }

    /** {@code index/id}, for messages. */
    public String describe() {
        return index + "/" + id;
    }
}
