package dev.binlogsync.core.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.filter.FilterSyntaxException;
import org.junit.jupiter.api.Test;

class TableRuleBuilderTest {

    @Test
    void rejectsAnInvalidTableRegexAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableRule.builder().table("order_[0-9"));
        assertTrue(e.getMessage().contains("order_[0-9"), e.getMessage());
    }

    @Test
    void rejectsUpperCaseIndexNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableRule.builder().index("Orders"));
        assertTrue(e.getMessage().contains("lower case"), e.getMessage());
    }

    @Test
    void rejectsUnclosedTemplatePlaceholder() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableRule.builder().index("o-{created_at"));
        assertTrue(e.getMessage().contains("not closed"), e.getMessage());
    }

    @Test
    void rejectsInvalidDatePatternInTemplate() {
        assertThrows(IllegalArgumentException.class, () -> TableRule.builder().index("o-{created_at:yyyy-qqqqqq}"));
        assertThrows(IllegalArgumentException.class, () -> TableRule.builder().index("o-{$time}"));
        assertThrows(IllegalArgumentException.class, () -> TableRule.builder().index("o-{$nope}"));
    }

    @Test
    void rejectsAnInvalidWhereWithItsPosition() {
        FilterSyntaxException e = assertThrows(FilterSyntaxException.class, () -> TableRule.builder().where("a = "));
        assertEquals(5, e.position());
    }

    @Test
    void rejectsEmptyIdDelimiter() {
        assertThrows(IllegalArgumentException.class, () -> TableRule.builder().idDelimiter(""));
    }

    @Test
    void requiresTableAndIndex() {
        assertThrows(IllegalStateException.class, () -> TableRule.builder().index("i").build());
        assertThrows(IllegalStateException.class, () -> TableRule.builder().table("t").build());
    }

    @Test
    void rejectsIncludeTogetherWithExclude() {
        assertThrows(IllegalStateException.class,
                () -> TableRule.builder().table("t").index("i").include("a").exclude("b").build());
    }

    @Test
    void rejectsExternalVersionInUpsertMode() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TableRule.builder().table("t").index("i").versionFromBinlogTime().build());
        assertTrue(e.getMessage().contains("writeMode INDEX"), e.getMessage());
    }

    @Test
    void rejectsMergeRuleInIndexMode() {
        assertThrows(IllegalStateException.class,
                () -> TableRule.builder().table("t").index("i").mergeInto("fk").writeMode(WriteMode.INDEX).build());
    }

    @Test
    void rejectsNestUnderWithoutMerge() {
        assertThrows(IllegalStateException.class, () -> TableRule.builder().table("t").index("i").nestUnder("x").build());
    }

    @Test
    void rejectsMergeIntoAnIndexWhereAnotherRuleReplacesDocuments() {
        TableRule parent = TableRule.builder().table("orders").index("orders").writeMode(WriteMode.INDEX).build();
        TableRule child = TableRule.builder().table("items").index("orders").mergeInto("order_id").build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Rules.builder().rule(parent).rule(child).build());
        assertTrue(e.getMessage().contains("use UPSERT"), e.getMessage());
    }

    @Test
    void rejectsMergeIntoAnIndexThatAnIndexRulesTemplateCanRender() {
        TableRule parent = TableRule.builder().table("orders").index("orders-{created_at:yyyy}")
                .writeMode(WriteMode.INDEX).build();
        TableRule child = TableRule.builder().table("items").index("orders-2024").mergeInto("order_id").build();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Rules.builder().rule(parent).rule(child).build());
        assertTrue(e.getMessage().contains("use UPSERT"), e.getMessage());
        TableRule elsewhere = TableRule.builder().table("items").index("items-2024").mergeInto("order_id").build();
        Rules.builder().rule(TableRule.builder().table("orders").index("orders-{created_at:yyyy}")
                .writeMode(WriteMode.INDEX).build()).rule(elsewhere).build();
    }

    @Test
    void rejectsEmptyRules() {
        assertThrows(IllegalStateException.class, () -> Rules.builder().build());
    }

    @Test
    void rejectsBinlogTimeVersionComparedStrictlyBecauseSameSecondUpdatesWouldBeDropped() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TableRule.builder().table("t").index("i").writeMode(WriteMode.INDEX).versionFromBinlogTime()
                        .versionType(dev.binlogsync.core.VersionType.EXTERNAL).build());
        assertTrue(e.getMessage().contains("t -> i") && e.getMessage().contains("EXTERNAL_GTE")
                && e.getMessage().contains("second"), e.getMessage());
    }

    @Test
    void rejectsBinlogTimeIndexTemplateUnlessTheRuleIsAppendOnly() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TableRule.builder().table("logs").index("logs-{$time:yyyy.MM}").build());
        assertTrue(e.getMessage().contains("logs -> logs-{$time:yyyy.MM}") && e.getMessage().contains("appendOnly"),
                e.getMessage());
        TableRule ok = TableRule.builder().table("logs").index("logs-{$time:yyyy.MM}").appendOnly().build();
        assertTrue(ok.appendOnly());
    }
}
