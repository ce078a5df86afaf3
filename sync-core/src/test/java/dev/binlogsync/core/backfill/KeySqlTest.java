package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeySqlTest {

    @Test
    void theFirstChunkReadsFromTheStartInKeyOrderWithALimitAndNoOffset() {
        assertEquals("SELECT * FROM `shop`.`orders` ORDER BY `id` LIMIT ?",
                KeySql.chunk("shop", "orders", List.of(), List.of("id"), false));
    }

    @Test
    void laterChunksReadAfterTheLastKeyAsARowComparisonForCompositeKeys() {
        assertEquals("SELECT * FROM `shop`.`orders` WHERE `id` > ? ORDER BY `id` LIMIT ?",
                KeySql.chunk("shop", "orders", List.of(), List.of("id"), true));
        assertEquals("SELECT * FROM `shop`.`items` WHERE (`order_id`,`line`) > (?,?) ORDER BY `order_id`,`line` LIMIT ?",
                KeySql.chunk("shop", "items", List.of(), List.of("order_id", "line"), true));
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
    void theVerificationReselectsTheChunksExpressionsByOneTuplePerKey() {
        assertEquals("SELECT CAST(`c` AS CHAR),`a`,`b` FROM `d`.`t` WHERE (`a`,`b`) IN ((?,?),(?,?)) LOCK IN SHARE MODE",
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
