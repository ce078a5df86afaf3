package dev.binlogsync.elasticsearch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** The differences between the documents a test expects (from MySQL, by its own SQL) and those indexed, by id. */
final class IndexDifferences {
    private IndexDifferences() {
    }

    /**
     * One line per id whose document differs or is missing, then one per indexed id not expected,
     * which {@code whyNotExpected} explains (for instance "in no shard"); empty when they are equal.
     */
    static List<String> of(Map<String, Map<String, String>> expected, Map<String, Map<String, String>> actual,
            String whyNotExpected) {
        List<String> differences = new ArrayList<>();
        for (String id : new TreeSet<>(expected.keySet())) {
            if (!expected.get(id).equals(actual.get(id))) {
                differences.add(id + ": expected " + expected.get(id) + ", indexed " + actual.get(id));
            }
        }
        for (String id : actual.keySet()) {
            if (!expected.containsKey(id)) {
                differences.add(id + ": indexed " + actual.get(id) + ", " + whyNotExpected);
            }
        }
        return differences;
    }
}
