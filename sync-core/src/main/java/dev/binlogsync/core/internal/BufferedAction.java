package dev.binlogsync.core.internal;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.SourcePosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/**
 * One action in the bulk buffer, possibly coalesced from several, with every source record it
 * covers. The document is copied only when a merge needs to modify it. Pipeline thread only.
 */
final class BufferedAction {
    final PartitionTracker tracker;
    private DocumentAction action;
    /** The merged document when {@link #owned}; then {@link #action} is rebuilt by {@link #action()}. */
    @Nullable private Map<String, Object> doc;
    private boolean owned;
    private PendingRecord firstRef;
    @Nullable private ArrayList<PendingRecord> moreRefs;
    /**
     * The estimated size of the action as it stands (the merged document's, kept exact by every
     * merge and replacement; never the sum of the merged changes). Long: a size, never wrapping.
     */
    long bytes;
    /** How many times this action was sent again after a retryable failure. */
    int retries;

    BufferedAction(DocumentAction action, PendingRecord ref, long bytes) {
        this.tracker = ref.tracker;
        this.action = action;
        this.doc = action.document();
        this.firstRef = ref;
        this.bytes = bytes;
    }

    /** The action to send (rebuilt after merges). */
    public DocumentAction action() {
        if (owned) {
            action = new DocumentAction(action.index(), action.id(), action.routing(), action.type(), doc,
                    action.version(), action.versionType());
            owned = false;
        }
        return action;
    }

    ActionType type() {
        return action.type();
    }

    String index() {
        return action.index();
    }

    String id() {
        return action.id();
    }

    @Nullable
    Long version() {
        return action.version();
    }

    @Nullable
    String routing() {
        return action.routing();
    }

    /** Replaces the action (a later INDEX or DELETE supersedes). */
    void replace(DocumentAction later) {
        action = later;
        doc = later.document();
        owned = false;
        bytes = DocumentSize.estimateBytes(later.index(), later.id(), later.routing(), later.document());
    }

    /**
     * Merges an upsert's or update's fields into this INDEX, UPSERT or UPDATE, keeping this action's
     * type: objects replaced whole ({@link DocumentMerge#merge}) or merged at every depth
     * ({@link DocumentMerge#deepMerge}), as the sink writes them.
     */
    void mergeFields(Map<String, Object> fields, boolean replaceObjects) {
        ownDoc();
        bytes += replaceObjects ? DocumentMerge.merge(doc, fields) : DocumentMerge.deepMerge(doc, fields);
    }

    /** Turns a DELETE into INDEX of {@code fields}: delete then upsert leaves exactly the upsert's fields. */
    void deleteThenUpsert(DocumentAction upsert) {
        action = new DocumentAction(action.index(), action.id(), action.routing(), ActionType.INDEX,
                upsert.document(), null, null);
        doc = upsert.document();
        owned = false;
        bytes = DocumentSize.estimateBytes(action.index(), action.id(), action.routing(), doc);
    }

    private void ownDoc() {
        if (!owned) {
            // the rule set's map may be immutable or shared: copy once, then merge in place
            doc = new HashMap<>(doc);
            owned = true;
        }
    }

    /** Map of the merged document (for size estimates). */
    @Nullable
    Map<String, Object> document() {
        return doc;
    }

    void addRef(PendingRecord ref) {
        if (moreRefs == null) {
            moreRefs = new ArrayList<>(4);
        }
        moreRefs.add(ref);
    }

    /** Releases every record reference: the action is done. */
    public void release() {
        firstRef.tracker.release(firstRef);
        if (moreRefs != null) {
            for (int i = 0; i < moreRefs.size(); i++) {
                PendingRecord r = moreRefs.get(i);
                r.tracker.release(r);
            }
        }
    }

    /** The records this action covers, oldest first. */
    List<PendingRecord> refs() {
        if (moreRefs == null) {
            return List.of(firstRef);
        }
        List<PendingRecord> all = new ArrayList<>(moreRefs.size() + 1);
        all.add(firstRef);
        all.addAll(moreRefs);
        return all;
    }

    /** The binlog event time of the oldest record this action covers, epoch ms; 0 when unknown. */
    long eventTimeMillis() {
        return firstRef.eventTimeMillis;
    }

    /** The oldest position this action covers. */
    SourcePosition firstPosition() {
        return firstRef.position;
    }

    /** The document this action writes (a new value each call: for bookkeeping off the hot path). */
    DocumentKey key() {
        return new DocumentKey(action.index(), action.id());
    }

    /** {@code index/id}, for messages. */
    String describe() {
        return action.index() + "/" + action.id();
    }

    @Override
    public String toString() {
        return action.type() + " " + describe() + " @" + firstRef.position;
    }
}
