package dev.binlogsync.examples.testbed;

import dev.binlogsync.testing.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a heartbeat row into MySQL every few seconds: {@code (source, beat_ms)} in a table it
 * creates when missing, one row per source, updated in place. The row travels the binlog, Kafka and
 * the pipeline like any other change; {@link dev.binlogsync.elasticsearch.HeartbeatCheck} reads it back from Elasticsearch, and
 * its age is how far behind the whole chain is (the signal operators of the system this library grew
 * from alerted on).
 *
 * <p>Table: {@code CREATE TABLE <table> (source VARCHAR(64) PRIMARY KEY, beat_ms BIGINT NOT NULL,
 * beat_at DATETIME(3) NOT NULL)}. One daemon thread named {@code heartbeat-writer}; a failed write
 * is logged and retried at the next beat (counted in {@link #failures()}). Thread-safe.
 */
public final class HeartbeatWriter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatWriter.class);
    private static final Pattern QUALIFIED = Pattern.compile("[A-Za-z0-9_$]+\\.[A-Za-z0-9_$]+");

    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final String table;
    private final String source;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private final AtomicLong beats = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<Connection> connection = new AtomicReference<>();

    private HeartbeatWriter(String jdbcUrl, String user, String password, String table, String source, Clock clock) {
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.table = table;
        this.source = source;
        this.clock = clock;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Creates the table when missing, writes a first beat at once, and then one every {@code interval}.
     *
     * @param db the server
     * @param table {@code database.table}; the database must exist
     * @param source who beats (a row per source), e.g. {@code relay-1}
     * @param interval time between beats, {@code > 0}
     * @throws IllegalStateException if the table cannot be created or the first beat fails
     */
    public static HeartbeatWriter start(EmbeddedMariaDb db, String table, String source, Duration interval) {
        Objects.requireNonNull(db, "db");
        return start(db.jdbcUrl(), db.user(), db.password(), table, source, interval, Clock.systemUTC());
    }

    /** As {@link #start(EmbeddedMariaDb, String, String, Duration)} for any JDBC URL, with a clock. */
    public static HeartbeatWriter start(String jdbcUrl, String user, String password, String table, String source,
            Duration interval, Clock clock) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(table, "table");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(clock, "clock");
        if (!QUALIFIED.matcher(table).matches()) {
            throw new IllegalArgumentException("table must be database.table: " + table);
        }
        if (source.isEmpty() || source.length() > 64) {
            throw new IllegalArgumentException("source must be 1..64 characters: " + source);
        }
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be > 0: " + interval);
        }
        HeartbeatWriter writer = new HeartbeatWriter(jdbcUrl, user, password, table, source, clock);
        try (Statement s = writer.connection().createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + table
                    + " (source VARCHAR(64) NOT NULL PRIMARY KEY, beat_ms BIGINT NOT NULL, beat_at DATETIME(3) NOT NULL)");
        } catch (SQLException e) {
            writer.close();
            throw new IllegalStateException("cannot create heartbeat table " + table + ": " + e.getMessage(), e);
        }
        try {
            writer.beat();
        } catch (SQLException e) {
            writer.close();
            throw new IllegalStateException("first heartbeat into " + table + " failed: " + e.getMessage(), e);
        }
        long ms = interval.toMillis();
        writer.timer.scheduleWithFixedDelay(writer::beatQuietly, ms, ms, TimeUnit.MILLISECONDS);
        return writer;
    }

    /** Writes one beat now, on the calling thread. */
    public synchronized void beat() throws SQLException {
        long now = clock.millis();
        try (PreparedStatement ps = connection().prepareStatement("INSERT INTO " + table
                + " (source, beat_ms, beat_at) VALUES (?, ?, FROM_UNIXTIME(? / 1000))"
                + " ON DUPLICATE KEY UPDATE beat_ms = VALUES(beat_ms), beat_at = VALUES(beat_at)")) {
            ps.setString(1, source);
            ps.setLong(2, now);
            ps.setLong(3, now);
            ps.executeUpdate();
            beats.incrementAndGet();
        } catch (SQLException e) {
            dropConnection();
            throw e;
        }
    }

    /** How many beats were written. */
    public long beats() {
        return beats.get();
    }

    /** How many scheduled beats failed. */
    public long failures() {
        return failures.get();
    }

    private void beatQuietly() {
        try {
            beat();
        } catch (SQLException | RuntimeException e) {
            failures.incrementAndGet();
            LOG.warn("heartbeat into {} failed (retried at the next beat): {}", table, e.getMessage());
        }
    }

    private Connection connection() throws SQLException {
        Connection c = connection.get();
        if (c == null) {
            c = DriverManager.getConnection(jdbcUrl, user, password);
            connection.set(c);
        }
        return c;
    }

    private void dropConnection() {
        Connection c = connection.getAndSet(null);
        closeQuietly(c);
    }

    private static void closeQuietly(@Nullable Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // closing a broken connection
            }
        }
    }

    /** Stops beating and closes the connection. Idempotent. */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            dropConnection();
        }
    }

    @Override
    public String toString() {
        return "HeartbeatWriter{" + table + ", source=" + source + ", beats=" + beats + "}";
    }
}
