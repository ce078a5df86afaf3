package dev.binlogsync.elasticsearch.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.ItemResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ItemClassifierTest {

    private static final DocumentAction UPSERT = DocumentAction.upsert("i", "1", Map.of("attrs", Map.of("a", 1)));

    @Test
    void aClusterRefusingInlineScriptsIsAPermanentFailureSayingWhatToAllow() {
        for (String reason : new String[] {
                "failed to execute script (caused by illegal_argument_exception: cannot execute [inline] scripts)",
                "failed to execute script (caused by illegal_argument_exception: cannot execute scripts using [update] context)",
                "failed to execute script (caused by illegal_argument_exception: script_lang not supported [painless])"}) {
            ItemResult r = ItemClassifier.classify(UPSERT, 400, "illegal_argument_exception", reason);
            assertEquals(new ItemResult(ItemResult.Outcome.PERMANENT, 400, "illegal_argument_exception",
                    "the cluster does not run inline painless scripts in the update context, which the sink uses for a"
                            + " partial write (upsert or merge) whose document has an object field (so a key the new object"
                            + " lacks does not stay); allow them (the lang-painless module installed, script.allowed_types"
                            + " including inline and script.allowed_contexts including update, where either is set): "
                            + reason), r);
        }
    }

    @Test
    void anotherArgumentErrorKeepsTheServersReasonAsItIs() {
        ItemResult r = ItemClassifier.classify(UPSERT, 400, "mapper_parsing_exception", "failed to parse field [a]");
        assertEquals(new ItemResult(ItemResult.Outcome.PERMANENT, 400, "mapper_parsing_exception", "failed to parse field [a]"), r);
    }
}
