package dev.binlogsync.core.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Filter;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Table-driven: each case is an expression, a row and what MySQL's WHERE would give (TRUE, FALSE,
 * or NULL for UNKNOWN). The expected values were worked out from MySQL 8 semantics.
 */
class SqlFilterSemanticsTest {

    static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    static final Boolean T = Boolean.TRUE;
    static final Boolean F = Boolean.FALSE;
    static final Boolean U = null;

    static Stream<Arguments> cases() {
        return Stream.of(
                // typed comparison: Canal strings against numbers compare numerically
                Arguments.of("type = 1", row("type", "1"), T),
                Arguments.of("type = 1", row("type", "01"), T),
                Arguments.of("type = 1", row("type", 1L), T),
                Arguments.of("type = '1'", row("type", 1), T),
                Arguments.of("type = '1.0'", row("type", 1), T),
                Arguments.of("type = '1.0'", row("type", "1"), F), // two strings compare as strings
                Arguments.of("amount > 9", row("amount", "10.5"), T), // numeric, not "10.5" < "9"
                Arguments.of("amount > '9'", row("amount", "10.5"), F), // string vs string: "10.5" < "9"
                Arguments.of("amount = 10.50", row("amount", new BigDecimal("10.5")), T),
                Arguments.of("amount < 10.5", row("amount", 10.25d), T),
                Arguments.of("id > 9223372036854775807", row("id", new BigInteger("18446744073709551615")), T),
                Arguments.of("id = 18446744073709551615", row("id", "18446744073709551615"), T),
                Arguments.of("code = 0", row("code", "abc"), T), // MySQL: 'abc' is 0 as a number
                Arguments.of("code = 12", row("code", "12abc"), T),
                Arguments.of("x = 1e3", row("x", "1000"), T),
                Arguments.of("x = -2.5", row("x", "-2.50"), T),
                Arguments.of("flag = TRUE", row("flag", true), T),
                Arguments.of("flag = TRUE", row("flag", "1"), T),
                Arguments.of("flag = FALSE", row("flag", 0), T),
                Arguments.of("flag", row("flag", "0"), F),
                Arguments.of("flag", row("flag", 2), T),
                Arguments.of("NOT flag", row("flag", null), U),
                Arguments.of("1 < x", row("x", 2), T),
                Arguments.of("10 >= x", row("x", "10"), T),
                Arguments.of("a = b", row("a", "5", "b", 5), T),
                Arguments.of("a < b", row("a", "abc", "b", "abd"), T),
                Arguments.of("a = b", row("a", null, "b", null), U),
                Arguments.of("status != 'deleted'", row("status", "new"), T),
                Arguments.of("status <> 'deleted'", row("status", "deleted"), F),
                Arguments.of("status = 'New'", row("status", "new"), F), // case-sensitive (documented)
                // NULL logic
                Arguments.of("status <> 'deleted'", row("status", null), U),
                Arguments.of("status <> 'deleted'", row(), U), // missing column is NULL
                Arguments.of("status = NULL", row("status", null), U),
                Arguments.of("status IS NULL", row("status", null), T),
                Arguments.of("status IS NULL", row(), T),
                Arguments.of("status IS NOT NULL", row("status", ""), T),
                Arguments.of("NOT (status = 'a')", row("status", null), U),
                Arguments.of("a = 1 AND b = 1", row("a", 1, "b", null), U),
                Arguments.of("a = 1 AND b = 1", row("a", 2, "b", null), F),
                Arguments.of("a = 1 OR b = 1", row("a", 1, "b", null), T),
                Arguments.of("a = 1 OR b = 1", row("a", 2, "b", null), U),
                Arguments.of("NOT (a = 1 OR b = 1)", row("a", 2, "b", null), U),
                Arguments.of("NOT (a = 1 AND b = 1)", row("a", 2, "b", null), T),
                // IN
                Arguments.of("type IN (1,2)", row("type", "2"), T),
                Arguments.of("type IN (1,2)", row("type", 3), F),
                Arguments.of("type IN (1,2)", row("type", null), U),
                Arguments.of("type IN (1,NULL)", row("type", 1), T),
                Arguments.of("type IN (1,NULL)", row("type", 3), U),
                Arguments.of("type NOT IN (1,2)", row("type", 3), T),
                Arguments.of("type NOT IN (1,NULL)", row("type", 3), U), // the classic NOT IN trap
                Arguments.of("type NOT IN (1,2)", row("type", null), U),
                Arguments.of("type IN (1.5, 2)", row("type", "1.50"), T),
                Arguments.of("type IN ('a','b')", row("type", "b"), T),
                Arguments.of("type IN ('1','2')", row("type", 2), T),
                Arguments.of("type IN (1, 'x')", row("type", "x"), T), // 'x' vs 'x' strings
                // BETWEEN
                Arguments.of("n BETWEEN 1 AND 10", row("n", "10"), T),
                Arguments.of("n BETWEEN 1 AND 10", row("n", 11), F),
                Arguments.of("n NOT BETWEEN 1 AND 10", row("n", 11), T),
                Arguments.of("n BETWEEN 1 AND NULL", row("n", 11), U), // n >= 1 TRUE AND n <= NULL UNKNOWN
                Arguments.of("n BETWEEN 1 AND NULL", row("n", 0), F),
                Arguments.of("n BETWEEN 'a' AND 'c'", row("n", "b"), T),
                Arguments.of("n BETWEEN lo AND hi", row("n", 5, "lo", "1", "hi", 9), T),
                // LIKE
                Arguments.of("name LIKE 'ab%'", row("name", "abc"), T),
                Arguments.of("name LIKE '%bc'", row("name", "abc"), T),
                Arguments.of("name LIKE '%b%'", row("name", "abc"), T),
                Arguments.of("name LIKE 'a_c'", row("name", "abc"), T),
                Arguments.of("name LIKE 'a_c'", row("name", "abbc"), F),
                Arguments.of("name LIKE 'a%c%e'", row("name", "abcxcde"), T),
                Arguments.of("name LIKE 'a%c%e'", row("name", "abcxcdf"), F),
                Arguments.of("name LIKE '100\\%'", row("name", "100%"), T),
                Arguments.of("name LIKE '100\\%'", row("name", "1000"), F),
                Arguments.of("name LIKE '100!%' ESCAPE '!'", row("name", "100%"), T),
                Arguments.of("name LIKE 'a\\_b'", row("name", "axb"), F),
                Arguments.of("name NOT LIKE 'a%'", row("name", "b"), T),
                Arguments.of("name LIKE 'a%'", row("name", null), U),
                Arguments.of("name NOT LIKE 'a%'", row("name", null), U),
                Arguments.of("n LIKE '1%'", row("n", 15), T),
                Arguments.of("name LIKE '%'", row("name", ""), T),
                Arguments.of("name LIKE ''", row("name", ""), T),
                // strings and names
                Arguments.of("name = 'it''s'", row("name", "it's"), T),
                Arguments.of("name = 'it\\'s'", row("name", "it's"), T),
                Arguments.of("name = \"q\"", row("name", "q"), T),
                Arguments.of("`order` = 1", row("order", 1), T),
                Arguments.of("`we``ird` = 1", row("we`ird", 1), T),
                // precedence: AND binds tighter than OR; NOT tighter than AND
                Arguments.of("a = 1 OR b = 1 AND c = 1", row("a", 1, "b", 0, "c", 0), T),
                Arguments.of("(a = 1 OR b = 1) AND c = 1", row("a", 1, "b", 0, "c", 0), F),
                Arguments.of("NOT a = 1 AND b = 1", row("a", 2, "b", 1), T),
                Arguments.of("select * from orders where type in (1,2) and status <> 'deleted'",
                        row("type", "1", "status", "paid"), T),
                Arguments.of("SELECT * FROM shop.orders", row(), T));
    }

    @ParameterizedTest(name = "{0} on {1} is {2}")
    @MethodSource("cases")
    void evaluatesAsMySqlWould(String expression, Map<String, Object> row, Boolean expected) {
        SqlFilter f = SqlFilter.parse(expression);
        assertEquals(expected, f.evaluate(row));
        assertEquals(Boolean.TRUE.equals(expected), f.matches(row, event(row)), "matches only when TRUE");
    }

    @Test
    void nullRowValueNeverMatchesEvenUnderNot() {
        SqlFilter f = SqlFilter.parse("NOT (status = 'deleted')");
        assertFalse(f.matches(row("status", null), event(row())));
        assertTrue(f.matches(row("status", "x"), event(row())));
    }

    @Test
    void combinesWithCodeFilters() {
        Filter sql = SqlFilter.parse("type IN (1,2)");
        Filter onlyOrders = (r, e) -> e.table().equals("orders");
        Filter both = sql.and(onlyOrders);
        Map<String, Object> r = row("type", "1");
        assertTrue(both.matches(r, event(r)));
        assertFalse(sql.negate().or(Filter.not(onlyOrders)).matches(r, event(r)));
    }

    @Test
    void exposesColumnsAndFromTable() {
        SqlFilter f = SqlFilter.parse("SELECT * FROM `shop`.orders WHERE a = 1 AND (b IS NULL OR `c d` LIKE 'x%')");
        assertEquals(java.util.Set.of("a", "b", "c d"), f.columns());
        assertEquals("shop.orders", f.fromTable().orElseThrow());
        assertFalse(SqlFilter.parse("a = 1").fromTable().isPresent());
    }

    static ChangeEvent event(Map<String, Object> row) {
        return new ChangeEvent("shop", "orders", Operation.INSERT, row, Map.of(), List.of("id"), 0L,
                new SourcePosition("t-0", 0));
    }
}
