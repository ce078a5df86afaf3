package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.RecordingBulkSink;
import java.sql.SQLException;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The backfill's JDBC connections: a table's chunk reads and re-selects share one connection, given
 * back when the table's run ends (also when it fails); a kept connection that is gone is replaced and
 * the read runs again once.
 */
class BackfillConnectionTest {
    private static final int ROWS = 7;

    private final RecordingBulkSink es = new RecordingBulkSink();
    private final FakeSchemaDataSource db = BackfillFixture.keyedById();

    private Backfill backfill() {
        db.answerWithParameters = BackfillFixture.idsUpTo(ROWS);
        return Backfill.builder().dataSource(db.dataSource()).rules(BackfillFixture.tableT()).sink(es).chunkSize(2)
                .reader(BackfillFixture.noDocuments()).build();
    }

    /** The connections the chunk reads and re-selects ran on. */
    private Set<Integer> chunkConnections() {
        Set<Integer> out = new LinkedHashSet<>();
        for (int i = 0; i < db.queries.size(); i++) {
            String sql = db.queries.get(i);
            if (sql.contains("LIMIT ?") || sql.contains(" IN (")) {
                out.add(db.queryConnections.get(i));
            }
        }
        return out;
    }

    private void assertAllRowsIndexed() {
        for (long id = 1; id <= ROWS; id++) {
            assertEquals(Map.of("id", id), es.document("t", Long.toString(id)), "document " + id);
        }
    }

    @Test
    void aTablesChunkReadsAndReselectsShareOneConnectionGivenBackAtTheEnd() {
        assertTrue(backfill().run());

        long reads = db.queries.stream().filter(q -> q.contains("LIMIT ?") || q.contains(" IN (")).count();
        assertEquals(9, reads, "5 chunk reads (4 chunks and the empty end), 4 re-selects");
        assertEquals(1, chunkConnections().size(), String.valueOf(db.queryConnections));
        assertEquals(db.opened.get(), db.closed.get(), "every connection given back");
        assertTrue(db.isolationAtClose.stream().allMatch(i -> i == java.sql.Connection.TRANSACTION_REPEATABLE_READ),
                "restored: " + db.isolationAtClose);
        assertAllRowsIndexed();
    }

    @Test
    void aFailedRunGivesItsConnectionBack() {
        db.failure = sql -> sql.contains(" IN (") ? new SQLException("syntax error", "42000") : null;
        assertThrows(BackfillException.class, () -> backfill().run());
        assertTrue(db.opened.get() > 0);
        assertEquals(db.opened.get(), db.closed.get(), "every connection given back");
        // a statement's failure is no lost connection: it goes back with the isolation it came with
        assertTrue(db.isolationAtClose.stream().allMatch(i -> i == java.sql.Connection.TRANSACTION_REPEATABLE_READ),
                "isolation at close: " + db.isolationAtClose);
    }

    @Test
    void aKeptConnectionThatIsGoneIsReplacedAndTheReadRunsAgain() {
        AtomicInteger failures = new AtomicInteger();
        db.failure = sql -> sql.contains(" > ") && failures.getAndIncrement() == 0
                ? new SQLException("connection closed by the server after its wait_timeout", "08S01") : null;

        assertTrue(backfill().run());

        assertEquals(1, failures.get() > 0 ? 1 : 0);
        assertEquals(2, chunkConnections().size(), "the second connection after the first was lost");
        assertEquals(db.opened.get(), db.closed.get(), "every connection given back, the lost one too");
        assertAllRowsIndexed();
    }

    @Test
    void aStatementFailingOnAFreshConnectionIsNotRunAgain() {
        AtomicInteger failures = new AtomicInteger();
        db.failure = sql -> sql.contains("LIMIT ?") && !sql.contains(" > ") && failures.getAndIncrement() == 0
                ? new SQLException("connection refused", "08001") : null;

        BackfillException e = assertThrows(BackfillException.class, () -> backfill().run());

        assertTrue(e.getMessage().contains("reading a chunk"), e.getMessage());
        assertEquals(1, failures.get(), "not run again: the connection was new");
    }
}
