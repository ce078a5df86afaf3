package dev.binlogsync.core.backfill;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.Secrets;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.rules.Rules;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns a row read from a table into the documents the rules make of it, as the stream would write
 * an {@code INSERT} of the full row: the creates of a chunk, and (the same rendering of the rows
 * selected again) the documents a chunk's current rows produce in its verification. A row the
 * rules' filter leaves out produces nothing. Stateless; any thread.
 */
final class RowRenderer {

    private RowRenderer() {
    }

    /**
     * The creates the rules make of {@code row} (for a versioned rule, indexes with the row's external
     * version); a delete the rules make (a filter that leaves the
     * row out) is dropped: the stream's copy, if any, decides, never the snapshot.
     *
     * @param key the table's key columns (the event's primary keys)
     * @param keyValues the row's key values, for messages
     * @param chunk the chunk's number, for the event's position
     * @throws BackfillException when the rules fail on the row or make anything but whole documents
     */
    static List<DocumentAction> creates(Rules rules, String database, String table, List<String> key,
            Map<String, Object> row, List<Object> keyValues, long chunk) {
        String name = database + "." + table;
        List<DocumentAction> out = new ArrayList<>(1);
        apply(rules, database, table, key, row, keyValues, chunk, a -> {
            switch (a.type()) {
                case INDEX:
                case CREATE:
                    // a versioned rule's index keeps its external version: Elasticsearch then
                    // refuses it (409, stale) when the stream's copy is at least as new; an
                    // unversioned one becomes a create, refused when any copy exists
                    out.add(a.version() != null && a.type() == ActionType.INDEX
                            ? new DocumentAction(a.index(), a.id(), a.routing(), ActionType.INDEX, a.document(),
                                    a.version(), a.versionType())
                            : new DocumentAction(a.index(), a.id(), a.routing(), ActionType.CREATE, a.document(),
                                    null, null));
                    break;
                case UPSERT:
                    // a rule that upserts only because merge rules share its index (the backfill
                    // refuses the others): its first stream write creates the document of its
                    // fields, as this create does; merged fields come from the merge rules
                    out.add(new DocumentAction(a.index(), a.id(), a.routing(), ActionType.CREATE, a.document(),
                            null, null));
                    break;
                case DELETE:
                case UPDATE:
                    // a merge rule's fields: written by MergeBackfill, not as documents of this table
                    break;
                default:
                    throw new BackfillException("backfill of " + UntrustedText.shown(name, 512) + ": the rules made an "
                            + a.type() + " of " + UntrustedText.shown(a.describe(), 256)
                            + "; backfill writes whole documents only");
            }
        });
        return out;
    }

    /**
     * The merge updates the rules make of {@code row} (the {@link ActionType#UPDATE}s of its merge
     * rules: the fields each writes into its parent's document), as the stream would write an
     * {@code INSERT} of the full row; a row a merge rule's filter leaves out makes none for it.
     *
     * @throws BackfillException when the rules fail on the row
     */
    static List<DocumentAction> merges(Rules rules, String database, String table, List<String> key,
            Map<String, Object> row, List<Object> keyValues, long chunk) {
        List<DocumentAction> out = new ArrayList<>(1);
        apply(rules, database, table, key, row, keyValues, chunk, a -> {
            if (a.type() == ActionType.UPDATE) {
                out.add(a);
            }
        });
        return out;
    }

    /**
     * Applies the rules to {@code row} as the stream applies an {@code INSERT} of the full row.
     *
     * @throws BackfillException when the rules (or {@code out}) fail on the row
     */
    private static void apply(Rules rules, String database, String table, List<String> key, Map<String, Object> row,
            List<Object> keyValues, long chunk, java.util.function.Consumer<DocumentAction> out) {
        String name = database + "." + table;
        ChangeEvent event = new ChangeEvent(database, table, Operation.INSERT, row, Map.of(), key, 0L,
                new SourcePosition("backfill:" + name, chunk), RowImage.FULL);
        try {
            rules.apply(event, out::accept);
        } catch (BackfillException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackfillException("backfill of " + UntrustedText.shown(name, 512) + ": the rules failed on the row"
                    + " with key " + UntrustedText.shown(String.valueOf(keyValues), 256) + ": " + Secrets.describe(e), e);
        }
    }
}
