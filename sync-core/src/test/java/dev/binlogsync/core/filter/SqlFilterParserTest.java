package dev.binlogsync.core.filter;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SqlFilterParserTest {

    @ParameterizedTest(name = "[{0}] fails at {1} expecting {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "type IN (1,2             | 13 | ',' or ')' in the IN list",
        "type IN ()               | 10 | a value in the IN list",
        "type =                   | 7  | a column name or a value",
        "a = 1 AND                | 10 | a column name or a value",
        "a = 1 b = 2              | 7  | AND, OR or end of input",
        "(a = 1                   | 7  | ')' or AND / OR",
        "a = 'x                   | 7  | closing quote (') for the one at position 5",
        "a LIKE b                 | 8  | a string pattern after LIKE",
        "a NOT = 1                | 7  | IN, BETWEEN or LIKE after NOT",
        "a IS 1                   | 6  | NULL",
        "a BETWEEN 1 OR 2         | 13 | AND",
        "a = 1e                   | 7  | digits of the exponent",
        "a # 1                    | 3  | a name, value, operator or parenthesis",
        "SELECT a FROM t          | 8  | '*'",
        "SELECT * FROM t type = 1 | 17 | WHERE",
        "SELECT * FROM WHERE a=1  | 15 | a table name",
        "a = 1e5000               | 5  | a number within 1e-1000 .. 1e1000",
        "and = 1                  | 1  | a column name or a value",
        "a LIKE 'x' ESCAPE 'ab'   | 19 | a one-character string after ESCAPE",
        "a = -b                   | 6  | a number after '-'",
        "a = 12abc                | 7  | an operator or end of the number",
    })
    void namesPositionAndExpectation(String expression, int position, String expected) {
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> SqlFilter.parse(expression));
        assertEquals(position, e.position(), e.getMessage());
        assertEquals(expected, e.expected(), e.getMessage());
        assertTrue(e.getMessage().contains("position " + position), e.getMessage());
    }

    @Test
    void emptyExpressionIsASyntaxError() {
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> SqlFilter.parse("   "));
        assertEquals("a condition", e.expected());
        assertEquals("end of input", e.found());
    }

    @Test
    void messageShowsACaretUnderTheProblem() {
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> SqlFilter.parse("type IN (1,2"));
        assertEquals("expected ',' or ')' in the IN list at position 13 but found end of input\n"
                + "  type IN (1,2\n"
                + "              ^", e.getMessage());
    }

    @Test
    void deepNestingIsRejectedNotAStackOverflow() {
        String deep = "(".repeat(100_000) + "a = 1" + ")".repeat(100_000);
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> SqlFilter.parse(deep));
        assertTrue(e.expected().startsWith("at most"), e.getMessage());
        assertThrows(FilterSyntaxException.class, () -> SqlFilter.parse("NOT ".repeat(100_000) + "a"));
        assertDoesNotThrow(() -> SqlFilter.parse("(".repeat(150) + "a = 1" + ")".repeat(150)));
    }

    @Test
    void keywordsAreCaseInsensitiveAndBackQuotedKeywordsAreNames() {
        SqlFilter f = SqlFilter.parse("`select` In (1) aNd `from` iS nOt NuLl");
        assertEquals(Boolean.TRUE, f.evaluate(Map.of("select", 1, "from", "x")));
    }

    /**
     * Seeded fuzzer: mutations of valid expressions and random token soup. Parsing may only ever
     * succeed or throw {@link FilterSyntaxException}; whatever parses evaluates without throwing.
     */
    @Test
    void fuzzedInputOnlyEverFailsWithFilterSyntaxException() {
        String[] seeds = {
            "type IN (1,2) AND status <> 'deleted'",
            "SELECT * FROM t WHERE (a = 1 OR b LIKE 'x\\%_%') AND NOT c BETWEEN -1.5e3 AND 2",
            "`col` IS NOT NULL OR d NOT IN ('a''b', NULL, TRUE) AND e >= \"s\"",
            "x NOT LIKE '%a%' ESCAPE '!' OR y != 0.5 OR z <= .5",
        };
        String[] tokens = {"(", ")", ",", "'", "\"", "`", "=", "!=", "<>", "<", "<=", ">", ">=", "!", "-", "+",
            ".", "*", "1", "1.5", "1e9", "1e", "e", "AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "ESCAPE",
            "IS", "NULL", "TRUE", "FALSE", "SELECT", "FROM", "WHERE", "a", "b", "'s'", "'%'", "\\", " ",
            "#", "\u00e9", "\uD83D\uDE00", "\0", "99999999999999999999999", "1e-99999", "''''", "``"};
        Random random = new Random(20261125L);
        Map<String, Object> row = new HashMap<>();
        row.put("a", "1");
        row.put("b", null);
        row.put("type", 2);
        int parsed = 0;
        for (int i = 0; i < 60_000; i++) {
            String input;
            if (i % 2 == 0) {
                StringBuilder sb = new StringBuilder(seeds[random.nextInt(seeds.length)]);
                int edits = 1 + random.nextInt(4);
                for (int k = 0; k < edits && sb.length() > 0; k++) {
                    int at = random.nextInt(sb.length());
                    switch (random.nextInt(4)) {
                        case 0: sb.deleteCharAt(at); break;
                        case 1: sb.insert(at, tokens[random.nextInt(tokens.length)]); break;
                        case 2: sb.setCharAt(at, (char) random.nextInt(128)); break;
                        default: sb.setLength(at); break;
                    }
                }
                input = sb.toString();
            } else {
                StringBuilder sb = new StringBuilder();
                int n = random.nextInt(12);
                for (int k = 0; k < n; k++) {
                    sb.append(tokens[random.nextInt(tokens.length)]);
                    if (random.nextBoolean()) {
                        sb.append(' ');
                    }
                }
                input = sb.toString();
            }
            try {
                SqlFilter f = SqlFilter.parse(input);
                f.evaluate(row);
                parsed++;
            } catch (FilterSyntaxException expected) {
                assertTrue(expected.position() >= 1 && expected.position() <= input.length() + 1,
                        "position in range for: " + input);
            } catch (RuntimeException | StackOverflowError e) {
                fail("input [" + input + "] threw " + e, e);
            }
        }
        assertTrue(parsed > 1000, "the fuzzer also produced valid expressions: " + parsed);
    }
}
