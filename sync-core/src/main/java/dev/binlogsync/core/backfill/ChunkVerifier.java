package dev.binlogsync.core.backfill;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.VersionType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a chunk's verification decides (the argument is in {@code docs/backfill.md}): of the
 * documents the chunk may have written, read with their {@code _seq_no} and {@code _primary_term}
 * <em>before</em> the chunk's rows are selected again, each one found that no current row of the
 * chunk produces, at that (index, id, routing), is removed by a delete conditional on what was read.
 * The routing compared is the one the found document was written with
 * ({@link StoredDocument#storedRouting()}), not the one it was looked up with.
 * A row that is gone, that the filter now leaves out, or whose index or routing moved produces no
 * document there. Stateless.
 */
final class ChunkVerifier {

    private ChunkVerifier() {
    }

    /** The distinct documents of a pending chunk, in order: every (index, id, routing) its creates wrote. */
    static List<DocumentRef> refs(List<Checkpoint.Pending> pending) {
        Set<DocumentRef> out = new LinkedHashSet<>();
        for (Checkpoint.Pending p : pending) {
            out.add(p.ref());
        }
        return new ArrayList<>(out);
    }

    /**
     * The pre-check's outcome: the pending documents that still need the read, re-select and
     * conditional delete, i.e. those whose (index, id, routing) is not in {@code producedNow}, where
     * the chunk's rows, selected (whole, through the chunk's values) after every create was
     * acknowledged and rendered through the rules, put their documents. A document a current row
     * produces at exactly its place is the right copy or will be overwritten by the stream (the
     * argument is in {@code docs/backfill.md}).
     */
    static List<Checkpoint.Pending> unproduced(List<Checkpoint.Pending> pending, Collection<DocumentRef> producedNow) {
        Set<DocumentRef> live = producedNow instanceof Set ? (Set<DocumentRef>) producedNow : new LinkedHashSet<>(producedNow);
        List<Checkpoint.Pending> out = new ArrayList<>();
        for (Checkpoint.Pending p : pending) {
            if (!live.contains(p.ref())) {
                out.add(p);
            }
        }
        return out;
    }

    /** The distinct row keys of a pending chunk, in order: the rows to select again. */
    static List<List<Object>> keys(List<Checkpoint.Pending> pending) {
        Set<List<Object>> out = new LinkedHashSet<>();
        for (Checkpoint.Pending p : pending) {
            out.add(p.key());
        }
        return new ArrayList<>(out);
    }

    /**
     * {@code stored} (read at {@code refs}, index for index) without the documents that pending
     * entries of the rows {@code unjudged} (keys normalised by {@link KeySql#normal}) wrote: rows that
     * exist but that the rules refuse now, whose documents the verification leaves alone.
     */
    static List<StoredDocument> without(List<StoredDocument> stored, List<DocumentRef> refs,
            List<Checkpoint.Pending> pending, Set<List<String>> unjudged) {
        if (unjudged.isEmpty()) {
            return stored;
        }
        Set<DocumentRef> skip = new HashSet<>();
        for (Checkpoint.Pending p : pending) {
            if (unjudged.contains(KeySql.normal(p.key()))) {
                skip.add(p.ref());
            }
        }
        List<StoredDocument> out = new ArrayList<>(stored.size());
        for (int i = 0; i < stored.size(); i++) {
            if (!skip.contains(refs.get(i))) {
                out.add(stored.get(i));
            }
        }
        return out;
    }

    /**
     * The conditional deletes of the copies nothing produces any more.
     *
     * @param stored the chunk's documents as read before the rows were selected again
     * @param produced where the chunk's current rows, selected again and rendered through the rules,
     *     put their documents
     * @return one delete with {@code if_seq_no}/{@code if_primary_term} of the read per document
     *     found whose place (with its stored routing) is not in {@code produced}, in {@code stored}'s
     *     order
     */
    static List<DocumentAction> staleCopies(List<StoredDocument> stored, Collection<DocumentRef> produced) {
        return staleCopies(stored, produced, false);
    }

    /**
     * As {@link #staleCopies(List, Collection)}; when {@code versioned} (the table's rules write
     * external versions), each delete carries the version read, as {@code external_gte}, instead of
     * {@code if_seq_no}: a newer stream write makes it stale, and the tombstone it leaves has the
     * copy's version, which the stream's next write of the row exceeds (an {@code if_seq_no} delete
     * would leave an internal version that can reject it).
     */
    static List<DocumentAction> staleCopies(List<StoredDocument> stored, Collection<DocumentRef> produced,
            boolean versioned) {
        Set<DocumentRef> live = produced instanceof Set ? (Set<DocumentRef>) produced : new LinkedHashSet<>(produced);
        List<DocumentAction> deletes = new ArrayList<>();
        for (StoredDocument d : stored) {
            // by the routing the document was written with: a read at one routing finds a document
            // of the same id written with another one that lands in the same shard (in an index of
            // one shard, any other), such as the stream's copy of a row whose routing moved
            if (d.found() && !live.contains(d.storedRef())) {
                DocumentRef r = d.storedRef();
                deletes.add(versioned
                        ? new DocumentAction(r.index(), r.id(), r.routing(), ActionType.DELETE, null, d.version(),
                                VersionType.EXTERNAL_GTE)
                        : new DocumentAction(r.index(), r.id(), r.routing(), ActionType.DELETE, null, null, null,
                                d.seqNo(), d.primaryTerm()));
            }
        }
        return deletes;
    }
}
