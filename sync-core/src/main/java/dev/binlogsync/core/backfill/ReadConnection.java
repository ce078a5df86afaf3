package dev.binlogsync.core.backfill;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import javax.annotation.Nullable;
import javax.sql.DataSource;

/**
 * The one JDBC connection a table's run reads through: taken from the {@link DataSource} at the
 * first statement, in autocommit with {@code READ COMMITTED} (each statement its own transaction, as
 * when every statement had a connection of its own), and kept for the table's chunk reads and
 * re-selects instead of one connection per statement (a data source without a pool opens a network
 * connection for each; a pool resets each one it takes back). {@link #close()} gives it back with the
 * autocommit and isolation it came with.
 *
 * <p>A statement that fails with an {@link SQLException} discards the connection (closed, quietly):
 * the next statement opens a new one. A statement that fails on a connection kept from an earlier
 * statement because the connection is gone (SQLState class {@code 08}, or a
 * {@link SQLNonTransientConnectionException}, {@link SQLTransientConnectionException} or
 * {@link SQLRecoverableException}: the server or a proxy closed an idle connection) runs once more on
 * a new connection; the statements given are reads, so running one again changes nothing.
 *
 * <p>Not thread-safe: the run's thread only.
 */
final class ReadConnection implements AutoCloseable {

    /** Work on the connection; it may run twice (see the class comment), so it must start afresh each time. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    @Nullable private Connection held;
    private boolean autoCommitBefore;
    private int isolationBefore;

    ReadConnection(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Runs {@code work} on the held connection (opened first when there is none).
     *
     * @throws SQLException what the work or the opening threw; the connection is then given back
     *     (restored, as by {@link #close()}) or, when it is gone, discarded
     */
    <T> T use(Work<T> work) throws SQLException {
        boolean kept = held != null;
        try {
            return work.run(connection());
        } catch (SQLException e) {
            release(e);
            if (!kept || !lost(e)) {
                throw e;
            }
        }
        try {
            return work.run(connection());
        } catch (SQLException e) {
            release(e);
            throw e;
        }
    }

    /**
     * After a failed statement: a connection that is gone is discarded; any other (a deadlock, a
     * lock wait timeout, a bad value) goes back restored, so a pool's next borrower does not get
     * this one's autocommit and isolation.
     */
    private void release(SQLException e) {
        if (lost(e)) {
            discard();
        } else {
            close();
        }
    }

    /** Whether the connection is gone (not the statement's fault): then a kept connection is replaced once. */
    static boolean lost(SQLException e) {
        String state = e.getSQLState();
        return e instanceof SQLNonTransientConnectionException || e instanceof SQLTransientConnectionException
                || e instanceof SQLRecoverableException || (state != null && state.startsWith("08"));
    }

    private Connection connection() throws SQLException {
        if (held != null) {
            return held;
        }
        Connection c = dataSource.getConnection();
        try {
            autoCommitBefore = c.getAutoCommit();
            isolationBefore = c.getTransactionIsolation();
            c.setAutoCommit(true);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
        held = c;
        return c;
    }

    /** Closes the connection without restoring it: after a failure its state is unknown. */
    private void discard() {
        Connection c = held;
        held = null;
        if (c != null) {
            closeQuietly(c);
        }
    }

    /** Gives the connection back with the autocommit and isolation it came with. Idempotent. */
    @Override
    public void close() {
        Connection c = held;
        held = null;
        if (c == null) {
            return;
        }
        try {
            if (!c.isClosed()) {
                c.setTransactionIsolation(isolationBefore);
                c.setAutoCommit(autoCommitBefore);
            }
        } catch (SQLException | RuntimeException e) {
            // closed below either way; a pool validates what it gets back
        } finally {
            closeQuietly(c);
        }
    }

    /** Whether a connection is held now (for tests). */
    boolean isOpen() {
        return held != null;
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException ignored) {
            // nothing more to do with it
        }
    }
}
