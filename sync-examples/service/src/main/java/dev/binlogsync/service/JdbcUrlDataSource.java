package dev.binlogsync.service;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Logger;
import javax.annotation.Nullable;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that opens a new connection per {@link #getConnection()} through
 * {@link DriverManager} (the driver on the class path that accepts the URL; the service ships
 * MariaDB's, which takes {@code jdbc:mariadb://} URLs and speaks to MySQL too). No pool: the
 * backfill holds one connection per table's run. {@link #toString()} shows no credentials.
 * Thread-safe.
 */
final class JdbcUrlDataSource implements DataSource {
    private final String url;
    @Nullable private final String user;
    @Nullable private final String password;

    JdbcUrlDataSource(String url, @Nullable String user, @Nullable String password) {
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties p = new Properties();
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        return DriverManager.getConnection(url, p);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return DriverManager.getConnection(url, username, password);
    }

    @Override
    @Nullable
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // DriverManager logs nothing of ours
    }

    @Override
    public void setLoginTimeout(int seconds) {
        DriverManager.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return DriverManager.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging logger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "JdbcUrlDataSource[" + dev.binlogsync.core.Secrets.redact(url) + "]";
    }
}
