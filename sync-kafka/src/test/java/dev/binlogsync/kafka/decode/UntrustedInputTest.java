package dev.binlogsync.kafka.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.binlogsync.core.DecodeException;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.kafka.internal.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Text typed by application users (row values, DDL statements, names) reaches log lines and
 * decode errors only capped, escaped, and with credentials redacted; absurd names are decode errors.
 */
class UntrustedInputTest {

    private static final SourcePosition POS = new SourcePosition("t-0", 7);
    private static final String FORGED = "x\n12:00:00.000 [main] INFO dev.binlogsync.Engine - forged entry";
    private static final String CREATE_USER = "CREATE USER 'bob'@'%' IDENTIFIED BY 'hunter2'";
    private static final String LONG_NAME = "n".repeat(65);

    private final CanalFlatMessageDecoder canal = CanalFlatMessageDecoder.create();
    private final DebeziumDecoder debezium = DebeziumDecoder.create();
    private final MaxwellDecoder maxwell = MaxwellDecoder.create();

    static byte[] json(Map<String, ?> m) {
        try {
            return Json.MAPPER.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static byte[] canalRow(String database, String table, Map<String, Object> row, Map<String, Object> types) {
        return json(map("database", database, "table", table, "type", "INSERT", "isDdl", false, "es", 1,
                "pkNames", List.of("id"), "mysqlType", types, "data", List.of(row)));
    }

    /** What the decoders log (slf4j-simple writes to System.err) while {@code action} runs. */
    static String logged(Executable action) throws Throwable {
        PrintStream original = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            action.execute();
        } finally {
            System.setErr(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    static void assertNoForgedLineAndNoPassword(String text) {
        assertFalse(text.contains("hunter2"), text);
        for (String line : text.split("\n")) {
            assertFalse(line.startsWith("12:00:00.000 [main] INFO"), "a forged log entry: " + text);
        }
    }

    // ------------------------------------------------------------------ logs

    @Test
    void canalDdlIsLoggedEscapedAndWithoutCredentials() throws Throwable {
        byte[] ddl = json(map("database", "s\n12:00:00.000 [main] INFO x", "table", "", "type", "QUERY", "isDdl", true,
                "sql", CREATE_USER + "\n" + FORGED, "es", 1));
        String log = logged(() -> assertEquals(List.of(), canal.decode(null, ddl, POS)));
        assertTrue(log.contains("Skipping DDL"), "the DDL is logged: " + log);
        assertTrue(log.contains("CREATE USER"), "its first keywords are kept: " + log);
        assertNoForgedLineAndNoPassword(log);
    }

    @Test
    void maxwellDdlIsLoggedEscapedAndWithoutCredentials() throws Throwable {
        byte[] ddl = json(map("type", "database-alter", "database", "shop", "sql", "ALTER USER bob IDENTIFIED BY 'hunter2';\n" + FORGED));
        String log = logged(() -> assertEquals(List.of(), maxwell.decode(null, ddl, POS)));
        assertTrue(log.contains("Skipping DDL"), "the DDL is logged: " + log);
        assertNoForgedLineAndNoPassword(log);
    }

    @Test
    void aLongDdlIsLoggedCapped() throws Throwable {
        byte[] ddl = json(map("database", "shop", "table", "t", "type", "ALTER", "isDdl", true,
                "sql", "ALTER TABLE t COMMENT '" + "c".repeat(100_000) + "'", "es", 1));
        String log = logged(() -> canal.decode(null, ddl, POS));
        assertTrue(log.length() < 4_000, "the statement is capped: " + log.length());
        assertTrue(log.contains("more chars]"), "the cut is marked: " + log.substring(0, Math.min(log.length(), 2000)));
    }

    // -------------------------------------------------------- decode errors

    @Test
    void decodeErrorsEscapeTheValueTheyQuote() {
        DecodeException canalValue = assertThrows(DecodeException.class, () -> canal.decode(null,
                canalRow("d", "t", map("id", "1", "n", FORGED), map("id", "int(11)", "n", "int(11)")), POS));
        DecodeException canalType = assertThrows(DecodeException.class, () -> canal.decode(null,
                json(map("database", "d", "table", "t", "type", FORGED, "data", List.of())), POS));
        DecodeException debeziumOp = assertThrows(DecodeException.class, () -> debezium.decode(null,
                json(map("op", FORGED, "source", map("db", "d", "table", "t"), "after", map("id", 1))), POS));
        DecodeException maxwellType = assertThrows(DecodeException.class, () -> maxwell.decode(null,
                json(map("type", FORGED, "database", "d", "table", "t", "data", map("id", 1))), POS));
        for (DecodeException e : List.of(canalValue, canalType, debeziumOp, maxwellType)) {
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
            assertTrue(e.getMessage().contains("\\n"), "escaped, not dropped: " + e.getMessage());
        }
    }

    @Test
    void decodeErrorsEscapeTheNamesTheyQuote() {
        String table = "t\n12:00:00.000 [main] INFO x";
        DecodeException noData = assertThrows(DecodeException.class, () -> canal.decode(null,
                json(map("database", "d", "table", table, "type", "INSERT", "isDdl", false)), POS));
        DecodeException badValue = assertThrows(DecodeException.class, () -> canal.decode(null,
                canalRow("d", table, map("id", "x"), map("id", "int(11)")), POS));
        DecodeException maxwellData = assertThrows(DecodeException.class, () -> maxwell.decode(null,
                json(map("type", "insert", "database", "d", "table", table)), POS));
        for (DecodeException e : List.of(noData, badValue, maxwellData)) {
            assertFalse(e.getMessage().contains("\n12:00"), e.getMessage());
            assertTrue(e.getMessage().contains("t\\n12:00"), "escaped, not dropped: " + e.getMessage());
        }
    }

    @Test
    void aStatementFormatChangeQuotesItsStatementWithoutCredentials() {
        byte[] query = json(map("database", "shop", "table", "users", "type", "QUERY", "isDdl", false,
                "sql", "GRANT ALL ON shop.* TO 'bob'@'%' IDENTIFIED BY 'hunter2'", "es", 1));
        DecodeException e = assertThrows(DecodeException.class, () -> canal.decode(null, query, POS));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("GRANT ALL"), e.getMessage());
        byte[] noRows = json(map("database", "shop", "table", "users", "type", "UPDATE", "isDdl", false,
                "sql", "UPDATE users SET password = 'hunter2' WHERE id = 1", "es", 1));
        DecodeException u = assertThrows(DecodeException.class, () -> canal.decode(null, noRows, POS));
        assertFalse(u.getMessage().contains("hunter2"), u.getMessage());
    }

    // ---------------------------------------------------------- identifiers

    @Test
    void canalRejectsNamesLongerThanMysqlAllows() {
        Map<String, Object> types = map("id", "int(11)");
        assertAbsurdName(() -> canal.decode(null, canalRow(LONG_NAME, "t", map("id", "1"), types), POS), "database");
        assertAbsurdName(() -> canal.decode(null, canalRow("d", LONG_NAME, map("id", "1"), types), POS), "table");
        assertAbsurdName(() -> canal.decode(null, canalRow("d", "t", map("id", "1", LONG_NAME, "2"), types), POS), "column");
        assertAbsurdName(() -> canal.decode(null, canalRow("d", "t", map("id", "1"), map("id", "int(11)", LONG_NAME, "int")), POS),
                "column");
        assertEquals(1, canal.decode(null, canalRow("n".repeat(64), "t".repeat(64), map("c".repeat(64), "1"), types), POS).size(),
                "64 characters are allowed");
    }

    @Test
    void debeziumAndMaxwellRejectNamesLongerThanMysqlAllows() {
        assertAbsurdName(() -> debezium.decode(null, json(map("op", "c", "source", map("db", "d", "table", LONG_NAME),
                "after", map("id", 1))), POS), "table");
        assertAbsurdName(() -> debezium.decode(null, json(map("op", "c", "source", map("db", "d", "table", "t"),
                "after", map("id", 1, LONG_NAME, 2))), POS), "column");
        assertAbsurdName(() -> maxwell.decode(null, json(map("type", "insert", "database", LONG_NAME, "table", "t",
                "data", map("id", 1))), POS), "database");
        assertAbsurdName(() -> maxwell.decode(null, json(map("type", "insert", "database", "d", "table", "t",
                "data", map("id", 1, LONG_NAME, 2))), POS), "column");
    }

    @Test
    void aRowWithMoreColumnsThanATableCanHaveIsRejected() {
        Map<String, Object> wide = new LinkedHashMap<>();
        for (int c = 0; c <= 4096; c++) {
            wide.put("c" + c, "1");
        }
        DecodeException canalError = assertThrows(DecodeException.class,
                () -> canal.decode(null, canalRow("d", "t", wide, map("c0", "int(11)")), POS));
        assertTrue(canalError.getMessage().contains("more than 4096 columns"), canalError.getMessage());
        DecodeException maxwellError = assertThrows(DecodeException.class, () -> maxwell.decode(null,
                json(map("type", "insert", "database", "d", "table", "t", "data", wide)), POS));
        assertTrue(maxwellError.getMessage().contains("more than 4096 columns"), maxwellError.getMessage());
        wide.remove("c4096");
        assertEquals(4096, canal.decode(null, canalRow("d", "t", wide, map("c0", "int(11)")), POS).get(0).row().size());
    }

    private static void assertAbsurdName(Executable decode, String what) {
        DecodeException e = assertThrows(DecodeException.class, decode, what);
        assertTrue(e.getMessage().contains(what) && e.getMessage().contains("64"), e.getMessage());
        assertTrue(e.getMessage().length() < 400, "the name is not echoed whole: " + e.getMessage());
    }
}
