package dev.binlogsync.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.internal.DocumentSize;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link RowMap} must behave as a {@code LinkedHashMap} in every observable way: it is checked against one. */
class RowMapTest {

    @Test
    void randomOperationsBehaveAsOnALinkedHashMap() {
        randomOperations(KEYS, 300, 60);
    }

    /** Rows of 24 keys and more look keys up through a hash index that puts extend and removals drop. */
    @Test
    void randomOperationsOnWideRowsBehaveAsOnALinkedHashMap() {
        String[] wide = new String[90];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = "column_" + i;
        }
        wide[7] = "Aa"; // "Aa" and "BB" share a hash code
        wide[8] = "BB";
        randomOperations(wide, 40, 600);
    }

    private static void randomOperations(String[] keys, int rounds, int ops) {
        Random random = new Random(2026_11_26);
        int widest = 0;
        for (int round = 0; round < rounds; round++) {
            RowMap row = new RowMap(random.nextInt(4));
            Map<String, Object> oracle = new LinkedHashMap<>();
            for (int op = 0; op < ops; op++) {
                // keys equal by content but not always the same instance: lookups must not rely on identity
                String key = random.nextBoolean() ? keys[random.nextInt(keys.length)] : new String(keys[random.nextInt(keys.length)]);
                Object value = random.nextInt(5) == 0 ? null : random.nextInt(100);
                String what = "round " + round + " op " + op;
                switch (random.nextInt(8)) {
                    case 0, 1, 2 -> assertEquals(oracle.put(key, value), row.put(key, value), what);
                    case 3 -> assertEquals(oracle.remove(key), row.remove(key), what);
                    case 4 -> {
                        assertEquals(oracle.get(key), row.get(key), what);
                        assertEquals(oracle.containsKey(key), row.containsKey(key), what);
                        assertEquals(oracle.getOrDefault(key, "d"), row.getOrDefault(key, "d"), what);
                        assertEquals(oracle.containsValue(value), row.containsValue(value), what);
                    }
                    case 5 -> { // remove through the iterator, set through an entry
                        Iterator<Map.Entry<String, Object>> o = oracle.entrySet().iterator();
                        Iterator<Map.Entry<String, Object>> r = row.entrySet().iterator();
                        while (o.hasNext()) {
                            assertTrue(r.hasNext(), what);
                            Map.Entry<String, Object> oe = o.next();
                            Map.Entry<String, Object> re = r.next();
                            assertEquals(oe, re, what);
                            assertEquals(oe.hashCode(), re.hashCode(), what);
                            if (oe.getKey().equals(key)) {
                                o.remove();
                                r.remove();
                            } else if (oe.getValue() == null) {
                                assertEquals(oe.setValue(op), re.setValue(op), what);
                            }
                        }
                        assertFalse(r.hasNext(), what);
                    }
                    case 6 -> {
                        if (random.nextInt(10 * Math.max(1, ops / 60)) == 0) {
                            oracle.clear();
                            row.clear();
                        }
                    }
                    default -> {
                        List<String> order = new ArrayList<>();
                        row.forEach((k, v) -> order.add(k + "=" + v));
                        List<String> expected = new ArrayList<>();
                        oracle.forEach((k, v) -> expected.add(k + "=" + v));
                        assertEquals(expected, order, what);
                    }
                }
                assertEquals(oracle.size(), row.size(), what);
                assertEquals(oracle.isEmpty(), row.isEmpty(), what);
                assertEquals(new ArrayList<>(oracle.keySet()), new ArrayList<>(row.keySet()), what);
                assertEquals(new ArrayList<>(oracle.values()), new ArrayList<>(row.values()), what);
                assertEquals(oracle, row, what);
                assertEquals(row, oracle, what);
                assertEquals(oracle.hashCode(), row.hashCode(), what);
                assertEquals(oracle.toString(), row.toString(), what);
                assertEquals(DocumentSize.estimateFields(oracle), DocumentSize.estimateFields(row), what); // its by-index path
                for (int i = 0; i < row.size(); i++) {
                    assertEquals(new ArrayList<>(oracle.keySet()).get(i), row.keyAt(i), what);
                    assertEquals(new ArrayList<>(oracle.values()).get(i), row.valueAt(i), what);
                }
                widest = Math.max(widest, row.size());
            }
        }
        if (keys.length > RowMap.INDEXED_FROM) {
            assertTrue(widest >= RowMap.INDEXED_FROM + 20, "the rows grew wide enough to be indexed: " + widest);
        }
    }

    private static final String[] KEYS = {"id", "type", "status", "amount", "a", "b", "c", "created_at", "", "中文"};

    @Test
    void wrapTakesTheArraysAndKeepsTheirOrder() {
        RowMap row = RowMap.wrap(new String[] {"b", "a", "c", null}, new Object[] {1, null, "x", null}, 3);
        assertEquals(List.of("b", "a", "c"), new ArrayList<>(row.keySet()));
        assertEquals(3, row.size());
        assertTrue(row.containsKey("a"));
        assertEquals(null, row.get("a"));
        assertFalse(row.containsKey("d"));
        row.put("d", 4); // grows past the wrapped arrays
        row.put("e", 5);
        assertEquals("{b=1, a=null, c=x, d=4, e=5}", row.toString());
        assertThrows(IllegalArgumentException.class, () -> RowMap.wrap(new String[1], new Object[1], 2));
    }

    @Test
    void misuseFailsLikeAJavaUtilMap() {
        RowMap row = new RowMap(2);
        row.put("a", 1);
        assertThrows(NullPointerException.class, () -> row.put(null, 1));
        assertEquals(null, row.get(null));
        assertEquals(null, row.get(42));
        assertThrows(IndexOutOfBoundsException.class, () -> row.keyAt(1));
        Iterator<Map.Entry<String, Object>> it = row.entrySet().iterator();
        assertThrows(IllegalStateException.class, it::remove);
        it.next();
        row.put("b", 2);
        assertThrows(ConcurrentModificationException.class, it::next);
        assertThrows(ConcurrentModificationException.class, () -> row.forEach((k, v) -> row.put(k + "x", v)));
    }
}
