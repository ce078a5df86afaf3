package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.filter.SqlFilter;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeySqlTest {

    @Test
    void theFirstChunkReadsFromTheStartInKeyOrderWithALimitAndNoOffset() {
        assertEquals("SELECT * FROM `shop`.`orders` ORDER BY `id` LIMIT ?",
                KeySql.chunk("shop", "orders", List.of(), List.of("id"), false));
    }

    @Test
    void laterChunksReadAfterTheLastKey() {
        assertEquals("SELECT * FROM `shop`.`orders` WHERE `id` > ? ORDER BY `id` LIMIT ?",
                KeySql.chunk("shop", "orders", List.of(), List.of("id"), true));
    }

    @Test
    void compositeKeysCompareColumnByColumnNotAsARowSoTheIndexServesARange() {
        assertEquals("SELECT * FROM `shop`.`items` WHERE ((`order_id` > ?) OR (`order_id` = ? AND `line` > ?))"
                        + " ORDER BY `order_id`,`line` LIMIT ?",
                KeySql.chunk("shop", "items", List.of(), List.of("order_id", "line"), true));
        assertEquals("((`a` > ?) OR (`a` = ? AND `b` > ?) OR (`a` = ? AND `b` = ? AND `c` > ?))",
                KeySql.after(List.of("a", "b", "c")));
    }

    @Test
    void theExpandedComparisonRepeatsTheLeadingKeyValuesInItsParameterOrder() {
        assertEquals(List.of(7L), KeySql.afterValues(List.of(7L)));
        assertEquals(List.of(7L, 7L, "x"), KeySql.afterValues(List.of(7L, "x")));
        assertEquals(List.of(1, 1, 2, 1, 2, 3), KeySql.afterValues(List.of(1, 2, 3)));
    }

    /**
     * The expanded condition, its parameters put in (as the driver binds them, in order), selects
     * exactly the keys after the last one in key order: evaluated by the SQL filter's evaluator
     * (MySQL's semantics) for every pair of three-column keys over a small domain, against a
     * column-by-column comparison in the test.
     */
    @Test
    void theExpandedConditionSelectsExactlyTheKeysAfterTheLastOne() {
        int[] domain = {0, 1, 2};
        List<String> key = List.of("a", "b", "c");
        for (int x : domain) {
            for (int y : domain) {
                for (int z : domain) {
                    String sql = KeySql.after(key);
                    for (Object v : KeySql.afterValues(List.of(x, y, z))) {
                        sql = sql.replaceFirst("\\?", v.toString());
                    }
                    SqlFilter condition = SqlFilter.parse(sql);
                    for (int a : domain) {
                        for (int b : domain) {
                            for (int c : domain) {
                                int order = a != x ? Integer.compare(a, x) : b != y ? Integer.compare(b, y)
                                        : Integer.compare(c, z);
                                assertEquals(order > 0, condition.matches(Map.of("a", a, "b", b, "c", c)),
                                        List.of(a, b, c) + " after " + List.of(x, y, z) + ": " + sql);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void aChunkNamesTheTableColumnsSoInvisibleColumnsAreRead() {
        assertEquals("SELECT `id`,`hidden` FROM `shop`.`orders` ORDER BY `id` LIMIT ?",
                KeySql.chunk("shop", "orders", List.of("id", "hidden"), List.of("id"), false));
    }

    @Test
    void aChunkSelectsTheExpressionsItIsGivenThenOrdersAndPagesByTheKey() {
        assertEquals("SELECT CAST(`d` AS CHAR),`id` FROM `shop`.`orders` WHERE `id` > ? ORDER BY `id` LIMIT ?",
                KeySql.chunk("shop", "orders", "CAST(`d` AS CHAR),`id`", List.of("id"), true));
    }

    @Test
    void theDefaultValuesSelectEachColumnAsItIsQuoted() {
        assertEquals("`a``b`", BackfillValues.jdbc().select(new BackfillColumn("d", "t", "a`b", "DATETIME", "DATETIME(3)", true)));
        assertEquals("datetime(3)", new BackfillColumn("d", "t", "c", "DATETIME", "DATETIME(3)", true).columnType());
    }

    @Test
    void identifiersWithBackticksAreQuotedByDoublingThem() {
        assertEquals("SELECT * FROM `a``b`.`t` ORDER BY `k``` LIMIT ?", KeySql.chunk("a`b", "t", List.of(), List.of("k`"), false));
    }

    @Test
    void theVerificationReselectsTheChunksExpressionsByOneEqualityPerKeyColumnSoTheIndexServesIt() {
        assertEquals("SELECT CAST(`c` AS CHAR),`a`,`b` FROM `d`.`t` WHERE (`a` = ? AND `b` = ?) OR (`a` = ? AND `b` = ?)"
                        + " LOCK IN SHARE MODE",
                KeySql.rows("d", "t", "CAST(`c` AS CHAR),`a`,`b`", List.of("a", "b"), 2));
        assertEquals("SELECT `x`,`id` FROM `d`.`t` WHERE `id` IN (?,?,?) LOCK IN SHARE MODE", KeySql.rows("d", "t", "`x`,`id`", List.of("id"), 3));
    }

    @Test
    void keysCompareByNumericValueWhateverTheirJavaType() {
        assertEquals(KeySql.normal(List.of(7, "x")), KeySql.normal(List.of(7L, "x")));
        assertEquals(KeySql.normal(List.of(new BigDecimal("1.50"))), KeySql.normal(List.of(new BigDecimal("1.5"))));
        assertEquals(List.of("10"), KeySql.normal(List.of(new BigDecimal("1E+1"))));
    }
}
