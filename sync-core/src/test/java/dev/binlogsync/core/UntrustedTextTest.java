package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class UntrustedTextTest {

    @Test
    void controlCharactersLineSeparatorsAndBidiOverridesAreEscaped() {
        String forged = "a\nINFO fake entry\r\tb\u0000c\u001bd\u007fe\u0085f\u2028g\u2029h\u202ei\u2066j\ud800k";
        String shown = UntrustedText.shown(forged);
        assertEquals("a\\nINFO fake entry\\r\\tb\\u0000c\\u001bd\\u007fe\\u0085f\\u2028g\\u2029h\\u202ei\\u2066j\\ud800k", shown);
        assertTrue(shown.chars().allMatch(c -> c >= 0x20 && c < 0x7f), shown);
    }

    @Test
    void plainTextAndPairedSurrogatesStayAsTheyAre() {
        assertEquals("emoji \ud83d\ude00 and 中文", UntrustedText.shown("emoji \ud83d\ude00 and 中文"));
        assertEquals("null", UntrustedText.shown((String) null));
    }

    @Test
    void longTextIsCutWithAMarkerOfHowMuchWasCut() {
        String shown = UntrustedText.shown("x".repeat(10_000), 100);
        assertEquals("x".repeat(100) + "...[9900 more chars]", shown);
        assertEquals(UntrustedText.DEFAULT_MAX_CHARS + "...[1 more chars]".length(), UntrustedText.shown("y".repeat(513)).length());
        assertEquals("ab...[2 more chars]", UntrustedText.shown("ab\ud83d\ude00", 3), "a surrogate pair is not split");
    }

    @Test
    void bytesAreDecodedOnlyAsFarAsTheCap() {
        byte[] big = ("\n" + "z".repeat(1_000_000)).getBytes(StandardCharsets.UTF_8);
        assertEquals("\\n" + "z".repeat(9) + "...[999991 more bytes]", UntrustedText.shown(big, 10));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "CREATE USER 'bob'@'%' IDENTIFIED BY 'hunter2'",
        "create user bob@localhost identified with mysql_native_password as '*HASHHASH'",
        "ALTER USER 'bob'@'%' IDENTIFIED BY 'hunter2'",
        "SET PASSWORD FOR 'bob'@'%' = PASSWORD('hunter2')",
        "SET PASSWORD='hunter2'",
        "GRANT ALL ON *.* TO 'bob'@'%' IDENTIFIED BY 'hunter2'",
        "/* comment */ CREATE USER bob IDENTIFIED VIA ed25519 USING 'hunter2'",
        "CHANGE MASTER TO MASTER_USER='r', MASTER_PASSWORD='hunter2'",
        "CREATE SERVER s FOREIGN DATA WRAPPER mysql OPTIONS (USER 'r', PASSWORD 'hunter2')",
        "/*!80000 ALTER USER bob IDENTIFIED BY 'hunter2' */",
        "INSERT INTO mysql.user (authentication_string) VALUES ('hunter2')",
    })
    void statementsThatMayCarryCredentialsAreShownOnlyAsTheirFirstKeywords(String sql) {
        assertTrue(UntrustedText.mayCarryCredentials(sql), sql);
        String shown = UntrustedText.sql(sql);
        assertFalse(shown.contains("hunter2") || shown.contains("HASH"), shown);
        assertTrue(shown.contains("[redacted: " + sql.length() + " chars, may carry credentials]"), shown);
    }

    @Test
    void theFirstKeywordsOfARedactedStatementAreKept() {
        assertEquals("CREATE USER ... [redacted: 45 chars, may carry credentials]",
                UntrustedText.sql("CREATE USER 'bob'@'%' IDENTIFIED BY 'hunter2'"));
        assertEquals("SET PASSWORD ... [redacted: 22 chars, may carry credentials]", UntrustedText.sql("SET PASSWORD='hunter2'"));
    }

    @Test
    void otherStatementsAreCappedAndEscapedOnly() {
        assertFalse(UntrustedText.mayCarryCredentials("ALTER TABLE orders ADD COLUMN note varchar(20)"));
        assertEquals("ALTER TABLE orders\\nADD x int", UntrustedText.sql("ALTER TABLE orders\nADD x int"));
    }
}
