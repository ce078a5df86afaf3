package dev.binlogsync.core.backfill;

import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * A data source for one table with a single-column primary key: it answers the backfill's schema
 * questions (the table exists, its primary key, {@code information_schema.COLUMNS}) and records
 * every other query, answering it with the rows {@link #answer} gives for its SQL (none by
 * default). Not thread-safe.
 */
final class FakeSchemaDataSource {

    /** {name, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE} */
    private final List<String[]> columns = new ArrayList<>();
    private final String primaryKey;
    /** The queries other than the schema's, in order. */
    final List<String> queries = Collections.synchronizedList(new ArrayList<>());

    /** The rows answering a query other than the schema's, by its SQL; each row's values by position. */
    Function<String, List<Object[]>> answer = sql -> List.of();

    /** A failure to throw instead of answering a query other than the schema's, by its SQL; null to answer. */
    Function<String, java.sql.SQLException> failure = sql -> null;

    /** Connections opened, and closed. */
    final java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
    /** The isolation level each connection had when it was closed (each starts at REPEATABLE READ, a pool's usual default). */
    final List<Integer> isolationAtClose = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Per query in {@link #queries}: the number (from 1) of the connection it ran on. */
    final List<Integer> queryConnections = Collections.synchronizedList(new ArrayList<>());
    /** Per executed query (a failing one is not): the rows the caller took from its result ({@code next()} true). */
    final List<Integer> rowsTaken = Collections.synchronizedList(new ArrayList<>());
    /** Per executed query (as {@link #rowsTaken}): its parameters as set. */
    final List<List<Object>> parametersOf = Collections.synchronizedList(new ArrayList<>());

    /** When set, answers instead of {@link #answer}, by the SQL and the parameters set, in order. */
    @javax.annotation.Nullable
    java.util.function.BiFunction<String, List<Object>, List<Object[]>> answerWithParameters;

    /**
     * The connections' current database ({@code getCatalog()}, as MariaDB's driver gives the database
     * of the JDBC URL); null for none (a URL naming no database), the default.
     */
    @javax.annotation.Nullable
    String catalog;

    FakeSchemaDataSource(String primaryKey) {
        this.primaryKey = primaryKey;
    }

    FakeSchemaDataSource column(String name, String dataType, String columnType) {
        columns.add(new String[] {name, dataType, columnType, name.equals(primaryKey) ? "NO" : "YES"});
        return this;
    }

    DataSource dataSource() {
        return proxy(DataSource.class, (p, m, a) -> {
            if (m.getName().equals("getConnection")) {
                return connection(opened.incrementAndGet());
            }
            throw new UnsupportedOperationException(m.getName());
        });
    }

    private Connection connection(int number) {
        boolean[] isClosed = {false};
        int[] isolation = {Connection.TRANSACTION_REPEATABLE_READ};
        return proxy(Connection.class, (p, m, a) -> {
            switch (m.getName()) {
                case "getAutoCommit":
                    return true;
                case "getTransactionIsolation":
                    return isolation[0];
                case "isClosed":
                    return isClosed[0];
                case "setAutoCommit":
                    return null;
                case "setTransactionIsolation":
                    isolation[0] = (Integer) a[0];
                    return null;
                case "close":
                    if (!isClosed[0]) {
                        isClosed[0] = true;
                        closed.incrementAndGet();
                        isolationAtClose.add(isolation[0]);
                    }
                    return null;
                case "getMetaData":
                    return metaData();
                case "getCatalog":
                    return catalog;
                case "getSchema":
                    return null;
                case "prepareStatement":
                    if (isClosed[0]) {
                        throw new java.sql.SQLException("connection closed", "08003");
                    }
                    return statement((String) a[0], number);
                default:
                    throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    private DatabaseMetaData metaData() {
        return proxy(DatabaseMetaData.class, (p, m, a) -> {
            switch (m.getName()) {
                case "getTables":
                    return rows(List.of("TABLE_NAME"), List.<Object[]>of(new Object[] {a[2]}));
                case "getPrimaryKeys":
                    return rows(List.of("KEY_SEQ", "COLUMN_NAME"), List.<Object[]>of(new Object[] {1, primaryKey}));
                default:
                    throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    private PreparedStatement statement(String sql, int connection) {
        boolean schema = sql.contains("information_schema.COLUMNS");
        if (!schema) {
            queries.add(sql);
            queryConnections.add(connection);
        }
        List<Object> parameters = new ArrayList<>();
        return proxy(PreparedStatement.class, (p, m, a) -> {
            switch (m.getName()) {
                case "executeQuery":
                    if (schema) {
                        List<Object[]> out = new ArrayList<>();
                        for (String[] c : columns) {
                            out.add(new Object[] {c[0], c[1], c[3], c[2]});
                        }
                        return rows(List.of("COLUMN_NAME", "DATA_TYPE", "IS_NULLABLE", "COLUMN_TYPE"), out);
                    }
                    java.sql.SQLException failed = failure.apply(sql);
                    if (failed != null) {
                        throw failed;
                    }
                    int[] taken = {0};
                    int at = rowsTaken.size();
                    rowsTaken.add(0);
                    parametersOf.add(Collections.unmodifiableList(new ArrayList<>(parameters)));
                    List<Object[]> answered = answerWithParameters != null ? answerWithParameters.apply(sql, parameters)
                            : answer.apply(sql);
                    return rows(List.of(), answered, () -> rowsTaken.set(at, ++taken[0]));
                case "close":
                    return null;
                default:
                    if (m.getName().startsWith("set")) {
                        if (a != null && a.length == 2 && a[0] instanceof Integer) {
                            int i = (Integer) a[0];
                            while (parameters.size() < i) {
                                parameters.add(null);
                            }
                            parameters.set(i - 1, a[1]);
                        }
                        return null;
                    }
                    throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    private static ResultSet rows(List<String> labels, List<Object[]> rows) {
        return rows(labels, rows, () -> { });
    }

    private static ResultSet rows(List<String> labels, List<Object[]> rows, Runnable onRow) {
        int[] at = {-1};
        return proxy(ResultSet.class, (p, m, a) -> {
            switch (m.getName()) {
                case "next":
                    if (++at[0] < rows.size()) {
                        onRow.run();
                        return true;
                    }
                    return false;
                case "close":
                    return null;
                case "getString":
                case "getInt":
                case "getObject": {
                    int i = a[0] instanceof Integer ? (Integer) a[0] - 1 : labels.indexOf(a[0]);
                    return rows.get(at[0])[i];
                }
                default:
                    throw new UnsupportedOperationException(m.getName());
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.lang.reflect.InvocationHandler h) {
        return (T) Proxy.newProxyInstance(FakeSchemaDataSource.class.getClassLoader(), new Class<?>[] {type}, h);
    }
}
