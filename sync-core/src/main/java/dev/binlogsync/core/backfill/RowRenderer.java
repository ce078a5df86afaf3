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
        ChangeEvent event = new ChangeEvent(database, table, Operation.INSERT, row, Map.of(), key, 0L,
                new SourcePosition("backfill:" + name, chunk), RowImage.FULL);
        List<DocumentAction> out = new ArrayList<>(1);
        try {
            rules.apply(event, a -> {
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
                    case DELETE:
                        break;
                    default:
                        throw new BackfillException("backfill of " + UntrustedText.shown(name, 512) + ": the rules made an "
                                + a.type() + " of " + UntrustedText.shown(a.describe(), 256)
                                + "; backfill writes whole documents only");
                }
            });
        } catch (BackfillException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackfillException("backfill of " + UntrustedText.shown(name, 512) + ": the rules failed on the row"
                    + " with key " + UntrustedText.shown(String.valueOf(keyValues), 256) + ": " + Secrets.describe(e), e);
        }
        return out;
    }
}
