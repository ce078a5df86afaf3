package dev.binlogsync.core.backfill;

import dev.binlogsync.core.DocumentReader;
import dev.binlogsync.core.DocumentRef;
import dev.binlogsync.core.StoredDocument;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * What the backfill's unit tests share: the table {@code shop.t} keyed by a {@code bigint id}
 * ({@link FakeSchemaDataSource} for its schema), its one rule, answers to the backfill's key-paged
 * reads, and document readers over a {@link RecordingBulkSink}.
 */
final class BackfillFixture {

    private BackfillFixture() {
    }

    /** One rule: every row of {@code shop.t} to index {@code t}, its id the document id. */
    static Rules tableT() {
        return Rules.builder().rule(TableRule.builder().database("shop").table("t").index("t").build()).build();
    }

    /** A data source for a table whose primary key is {@code id bigint(20)}; add further columns with {@code column}. */
    static FakeSchemaDataSource keyedById() {
        return new FakeSchemaDataSource("id").column("id", "bigint", "bigint(20)");
    }

    /** {@link #idsUpTo(int, LongFunction, Consumer)} with the rows {@code {id}} and nothing heard of re-selects. */
    static BiFunction<String, List<Object>, List<Object[]>> idsUpTo(int rows) {
        return idsUpTo(rows, id -> new Object[] {id}, keys -> { });
    }

    /** {@link #idsUpTo(int, LongFunction, Consumer)} with nothing heard of re-selects. */
    static BiFunction<String, List<Object>, List<Object[]>> idsUpTo(int rows, LongFunction<Object[]> values) {
        return idsUpTo(rows, values, keys -> { });
    }

    /**
     * Answers, for {@link FakeSchemaDataSource#answerWithParameters}, a table of ids {@code 1..rows}
     * as the backfill's queries ask: a chunk read ({@code LIMIT ?}) the rows after its key
     * parameter (from the first without one) up to its limit, a re-select ({@code IN}) the rows of
     * its keys; each row {@code values(id)} followed by the key, as the backfill selects it.
     *
     * @param onReselect hears each re-select's keys before it is answered
     */
    static BiFunction<String, List<Object>, List<Object[]>> idsUpTo(int rows, LongFunction<Object[]> values,
            Consumer<List<Object>> onReselect) {
        return (sql, params) -> {
            List<Object[]> out = new ArrayList<>();
            if (sql.contains("LIMIT ?")) {
                long after = sql.contains(" > ") ? ((Number) params.get(0)).longValue() : 0;
                int limit = ((Number) params.get(params.size() - 1)).intValue();
                for (long id = after + 1; id <= rows && out.size() < limit; id++) {
                    out.add(withKey(values.apply(id), id));
                }
            } else if (sql.contains(" IN (")) {
                onReselect.accept(params);
                for (Object key : params) {
                    long id = ((Number) key).longValue();
                    out.add(withKey(values.apply(id), id));
                }
            }
            return out;
        };
    }

    private static Object[] withKey(Object[] values, long id) {
        Object[] row = java.util.Arrays.copyOf(values, values.length + 1);
        row[values.length] = id;
        return row;
    }

    /**
     * Answers, for {@link FakeSchemaDataSource#answer}, a table read in one chunk: its first chunk
     * read sees {@code atSelect}, every re-select ({@code IN}) {@code atReselect}, a later chunk read
     * nothing (rows as the backfill selects them, the key last).
     */
    static java.util.function.Function<String, List<Object[]>> oneChunk(List<Object[]> atSelect,
            List<Object[]> atReselect) {
        return sql -> sql.contains(" IN (") ? atReselect
                : sql.contains("LIMIT ?") && !sql.contains(" > ") ? atSelect : List.of();
    }

    /** A reader that finds no document. */
    static DocumentReader noDocuments() {
        return refs -> {
            List<StoredDocument> out = new ArrayList<>();
            for (DocumentRef r : refs) {
                out.add(StoredDocument.missing(r));
            }
            return CompletableFuture.completedFuture(out);
        };
    }

    /** A reader of {@code es}: a document is there, with its sequence number, once {@code es} gave it one. */
    static DocumentReader documentsOf(RecordingBulkSink es) {
        return refs -> {
            List<StoredDocument> out = new ArrayList<>();
            for (DocumentRef r : refs) {
                Long seqNo = es.seqNo(r.index(), r.id());
                out.add(seqNo == null ? StoredDocument.missing(r)
                        : new StoredDocument(r, true, seqNo, 1, "{}", r.routing(), 1));
            }
            return CompletableFuture.completedFuture(out);
        };
    }

    /** As {@link #documentsOf}, and a document {@code es} deleted is missing. */
    static DocumentReader liveDocumentsOf(RecordingBulkSink es) {
        return refs -> {
            List<StoredDocument> out = new ArrayList<>();
            for (DocumentRef r : refs) {
                Long seqNo = es.seqNo(r.index(), r.id());
                out.add(seqNo == null || es.document(r.index(), r.id()) == null ? StoredDocument.missing(r)
                        : new StoredDocument(r, true, seqNo, 1, "{}", r.routing(), 1));
            }
            return CompletableFuture.completedFuture(out);
        };
    }
}
