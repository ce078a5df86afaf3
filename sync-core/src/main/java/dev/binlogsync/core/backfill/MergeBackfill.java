package dev.binlogsync.core.backfill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.ItemResult;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.UntrustedText;
import dev.binlogsync.core.rules.MergeDelete;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backfill of merge rules ({@link TableRule.Builder#mergeInto}): the fields a child row merges
 * into its parent's document, written only where the stream has not written them since the
 * document was created. The argument is in {@code docs/backfill.md} ("Merge rules"); in short, per
 * round for a chunk's rows:
 *
 * <ol>
 *   <li>read the parent documents (real-time, with {@code _seq_no} and {@code _source});</li>
 *   <li><em>then</em> select the child rows again by key with the verification's locking read and
 *       render their merge updates through the rules;</li>
 *   <li>for each update whose parent document was found in (1) without the rule's field
 *       ({@code nestUnder}) in its {@code _source}, send it conditional on the {@code _seq_no} and
 *       {@code _primary_term} read: it applies only if nothing wrote the document since (1). A parent
 *       not found gets nothing (the stream's merge never creates one either); a field present (a
 *       value or the null of a clear) is the stream's, and stays;</li>
 *   <li>an update that conflicts (a write came since (1)), and a row whose current parent was not
 *       read in (1) (the row moved since the chunk's {@code SELECT}), go through another round.</li>
 * </ol>
 *
 * <p>A value written is never stale: every change the select in (2) does not see is applied by the
 * stream after (2), so after (1), and would have changed the document's {@code _seq_no} before the
 * conditional update, or comes after it. Needs no verification afterwards and no pending chunk: a
 * crash or a late write (a request in doubt landing later) leaves only conditional updates that are
 * as right when they land as when they were sent. Stateless; any thread.
 */
final class MergeBackfill {
    private static final Logger LOG = LoggerFactory.getLogger(MergeBackfill.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private MergeBackfill() {
    }

    /** One child row: its key (as the driver gives it) and its values (through the backfill's values). */
    record Row(List<Object> key, Map<String, Object> values) {
    }

    /** The chunk's rows selected again by key, with the verification's locking read. */
    interface CurrentRows {
        List<Row> select(List<List<Object>> keys);
    }

    /** The merge updates the rules make of a row ({@link RowRenderer#merges}). */
    interface Renderer {
        List<DocumentAction> merges(Row row);
    }

    /** Real-time reads, index for index ({@code DocumentReader}, retried). */
    interface Reader {
        List<StoredDocument> read(List<DocumentRef> refs);
    }

    /** Writes until every item is done (the backfill's {@code execute}). */
    interface Writer {
        List<ItemResult> write(List<DocumentAction> actions);
    }

    /** What a chunk's merges came to: fields written, and updates that found the stream's field or no parent. */
    record Outcome(long written, long kept) {
    }

    /**
     * Writes the merged fields of a chunk's rows (see the class comment).
     *
     * @param table the table, as shown in messages
     * @param chunk the chunk's rows as its {@code SELECT} read them: where to read parents first
     * @param maxRounds the most rounds (conflicts and moved rows go through another one)
     * @throws BackfillException when rows still conflict after {@code maxRounds} rounds, or a read
     *     answers the wrong number of documents
     */
    static Outcome load(String table, List<Row> chunk, CurrentRows rows, Renderer renderer, Reader reader,
            Writer writer, int maxRounds) {
        // per row key (normalised): the parent documents to read before its row is selected again
        Map<List<String>, List<Object>> keys = new LinkedHashMap<>();
        Map<List<String>, Set<DocumentRef>> toRead = new LinkedHashMap<>();
        for (Row row : chunk) {
            List<DocumentAction> updates = renderer.merges(row);
            if (!updates.isEmpty()) {
                List<String> k = KeySql.normal(row.key());
                keys.put(k, row.key());
                for (DocumentAction a : updates) {
                    toRead.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(DocumentRef.of(a));
                }
            }
        }
        long written = 0;
        long kept = 0;
        for (int round = 0; !toRead.isEmpty(); round++) {
            if (round >= maxRounds) {
                throw new BackfillException("backfill of " + table + ": the merged fields of " + toRead.size()
                        + " rows still conflict with the stream's writes after " + maxRounds + " rounds, e.g. "
                        + UntrustedText.shown(toRead.values().iterator().next().iterator().next().describe(), 256));
            }
            // (1) the parents, before the rows
            List<DocumentRef> refs = new ArrayList<>(new LinkedHashSet<>(flatten(toRead.values())));
            List<StoredDocument> read = reader.read(refs);
            if (read.size() != refs.size()) {
                throw new BackfillException("backfill of " + table + ": the document reader answered " + read.size()
                        + " documents for " + refs.size());
            }
            Map<DocumentRef, StoredDocument> parents = new HashMap<>();
            for (int i = 0; i < refs.size(); i++) {
                parents.put(refs.get(i), read.get(i));
            }
            // (2) then the rows, by key, with the locking read
            List<List<Object>> select = new ArrayList<>();
            for (List<String> k : toRead.keySet()) {
                select.add(keys.get(k));
            }
            Map<List<String>, Set<DocumentRef>> next = new LinkedHashMap<>();
            List<DocumentAction> updates = new ArrayList<>();
            List<List<String>> updateKeys = new ArrayList<>();
            for (Row row : rows.select(select)) {
                List<String> k = KeySql.normal(row.key());
                List<DocumentAction> merges;
                try {
                    merges = renderer.merges(row);
                } catch (BackfillException e) {
                    // the stream fails on the same change by its own outcome; the field is left as it is
                    LOG.warn("{}: the rules refuse the current row; its merged fields are left as they are: {}",
                            table, e.getMessage());
                    continue;
                }
                for (DocumentAction a : merges) {
                    DocumentRef ref = DocumentRef.of(a);
                    StoredDocument parent = parents.get(ref);
                    if (parent == null) {
                        // the row moved to another parent since its parents were read: read it first
                        next.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(ref);
                    } else if (!parent.found() || hasAny(parent, a.document().keySet(), table)) {
                        kept++;
                    } else {
                        // (3) only while nothing wrote the parent since (1)
                        updates.add(new DocumentAction(a.index(), a.id(), a.routing(), a.type(), a.document(), null,
                                null, parent.seqNo(), parent.primaryTerm()));
                        updateKeys.add(k);
                    }
                }
            }
            if (!updates.isEmpty()) {
                List<ItemResult> results = writer.write(updates);
                for (int i = 0; i < results.size(); i++) {
                    ItemResult r = results.get(i);
                    if (r.outcome() == ItemResult.Outcome.CONFLICT) {
                        // (4) a write came since (1): judged again from a new read
                        next.computeIfAbsent(updateKeys.get(i), x -> new LinkedHashSet<>())
                                .add(DocumentRef.of(updates.get(i)));
                    } else if (r.outcome() == ItemResult.Outcome.SUCCESS) {
                        written++;
                    } else {
                        kept++;
                    }
                }
            }
            toRead = next;
        }
        return new Outcome(written, kept);
    }

    private static List<DocumentRef> flatten(java.util.Collection<Set<DocumentRef>> sets) {
        List<DocumentRef> out = new ArrayList<>();
        for (Set<DocumentRef> s : sets) {
            out.addAll(s);
        }
        return out;
    }

    /** Whether the found document's {@code _source} has any of {@code fields} at its top level (null counts). */
    private static boolean hasAny(StoredDocument d, Set<String> fields, String table) {
        JsonNode source;
        try {
            source = JSON.readTree(d.source());
        } catch (IOException e) {
            throw new BackfillException("backfill of " + table + ": the _source of " + d.ref().describe()
                    + " is not JSON: " + e.getMessage(), e);
        }
        for (String f : fields) {
            if (source.has(f)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why a merge rule cannot be backfilled, or null when it can: it must nest its fields under one
     * field ({@code nestUnder}: top-level fields cannot be told from the parent's), clear them on a
     * delete ({@link MergeDelete#CLEAR}: with {@code IGNORE} the stream keeps a deleted row's fields, a
     * history the backfill cannot know), its rows must come from one table (exact names, or patterns
     * its index separates), and no other merge rule may write the same field into an index that can
     * coincide. Its foreign key must be the table's key (checked with the key).
     */
    @javax.annotation.Nullable
    static String refusal(Rules rules, int position) {
        TableRule r = rules.rules().get(position);
        if (r.nestUnder() == null) {
            return "merges its fields at the top level of the parent's document (no nestUnder); backfill serves"
                    + " merge rules with nestUnder, whose field it can tell from the parent's own";
        }
        if (r.mergeDelete() != MergeDelete.CLEAR) {
            return "keeps its fields when its row goes away (onMergedRowDelete " + r.mergeDelete() + "); backfill"
                    + " serves merge rules that clear them (MergeDelete.CLEAR), whose field follows the current row";
        }
        if (!rules.separatesTables(position)) {
            // several tables' rows of one key would write the field in turn, and the locking
            // re-select reads only the table being loaded
            return "names its database or table by a pattern that its index does not separate ({$database} /"
                    + " {$table}): rows of several tables would write one parent's field '" + r.nestUnder() + "' in"
                    + " turn; backfill needs one writer per merged field";
        }
        List<TableRule> all = rules.rules();
        for (int i = 0; i < all.size(); i++) {
            TableRule o = all.get(i);
            if (i != position && o.isMerge() && r.nestUnder().equals(o.nestUnder()) && rules.indicesMayCoincide(i, position)) {
                return "writes field '" + r.nestUnder() + "' that rule '" + o + "' merges into the same index too;"
                        + " backfill needs one writer per merged field";
            }
        }
        return null;
    }

    /**
     * The tables in the order to load them: each table whose merge rules write into an index that a
     * listed table's own rule writes (its parent) after that table, so a parent's documents exist
     * before its children's fields are written (a merge never creates a document).
     *
     * @param explicit whether the caller gave the order: it is then kept, and refused when a child
     *     comes before its parent
     * @throws IllegalStateException for an explicit order with a child before its parent, a child
     *     whose parent's table is not among the tables, or parents and children in a cycle
     */
    static List<String[]> ordered(Rules rules, List<String[]> tables, boolean explicit) {
        int n = tables.size();
        List<Set<Integer>> parents = new ArrayList<>();
        List<TableRule> all = rules.rules();
        for (int c = 0; c < n; c++) {
            Set<Integer> ps = new LinkedHashSet<>();
            for (int m = 0; m < all.size(); m++) {
                if (!all.get(m).isMerge() || !all.get(m).matches(tables.get(c)[0], tables.get(c)[1])) {
                    continue;
                }
                for (int p = 0; p < n; p++) {
                    if (p == c) {
                        continue;
                    }
                    for (int o = 0; o < all.size(); o++) {
                        if (!all.get(o).isMerge() && all.get(o).matches(tables.get(p)[0], tables.get(p)[1])
                                && rules.indicesMayCoincide(m, o)) {
                            if (explicit && p > c) {
                                throw new IllegalStateException("table " + name(tables.get(c)) + " merges into index '"
                                        + all.get(m).index() + "', which table " + name(tables.get(p)) + " writes: name "
                                        + name(tables.get(p)) + " before " + name(tables.get(c)) + " (a merge never"
                                        + " creates its parent's document, so parents are loaded first)");
                            }
                            ps.add(p);
                        }
                    }
                }
            }
            parents.add(ps);
        }
        if (explicit) {
            requireParentsBefore(rules, tables);
            return tables;
        }
        List<String[]> out = new ArrayList<>(n);
        boolean[] done = new boolean[n];
        while (out.size() < n) {
            boolean progress = false;
            for (int c = 0; c < n; c++) {
                if (!done[c] && allDone(parents.get(c), done)) {
                    done[c] = true;
                    out.add(tables.get(c));
                    progress = true;
                    break;
                }
            }
            if (!progress) {
                throw new IllegalStateException("the tables' merge rules merge into each other's indices in a cycle;"
                        + " name the tables to load with table(database, table)");
            }
        }
        requireParentsBefore(rules, out);
        return out;
    }

    /**
     * Refuses a table with a merge rule unless, for each rule of another table that writes its own
     * documents into an index the merge may write into (a parent), a table that rule names is
     * loaded before it. A child loaded alone would find no document of a parent loaded later, and
     * would be recorded as done: the parent's documents would stay without the field until the
     * child row changes. A parent table already finished is skipped by its checkpoint, so naming it
     * costs nothing.
     */
    private static void requireParentsBefore(Rules rules, List<String[]> tables) {
        List<TableRule> all = rules.rules();
        for (int c = 0; c < tables.size(); c++) {
            String[] child = tables.get(c);
            for (int m = 0; m < all.size(); m++) {
                if (!all.get(m).isMerge() || !all.get(m).matches(child[0], child[1])) {
                    continue;
                }
                for (int o = 0; o < all.size(); o++) {
                    TableRule parent = all.get(o);
                    if (parent.isMerge() || parent.matches(child[0], child[1]) || !rules.indicesMayCoincide(m, o)) {
                        continue;
                    }
                    boolean loadedBefore = false;
                    for (int p = 0; p < c && !loadedBefore; p++) {
                        loadedBefore = parent.matches(tables.get(p)[0], tables.get(p)[1]);
                    }
                    if (!loadedBefore) {
                        throw new IllegalStateException("table " + name(child) + " merges into index '"
                                + all.get(m).index() + "', which rule '" + parent + "' writes, but no table of that"
                                + " rule (" + parent.database() + "." + parent.table() + ") is loaded before it: name it"
                                + " before " + name(child) + " (a merge never creates its parent's document, so the"
                                + " parent's rows are loaded first; a parent table already finished is skipped)");
                    }
                }
            }
        }
    }

    private static boolean allDone(Set<Integer> parents, boolean[] done) {
        for (int p : parents) {
            if (!done[p]) {
                return false;
            }
        }
        return true;
    }

    private static String name(String[] table) {
        return table[0] + "." + table[1];
    }
}
