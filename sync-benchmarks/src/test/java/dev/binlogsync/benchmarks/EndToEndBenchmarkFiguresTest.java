package dev.binlogsync.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.rules.WriteMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The end-to-end benchmark's memory figures, bare replay and options, without any server. */
class EndToEndBenchmarkFiguresTest {

    /** {@code writeMode=} takes a write mode's name, or {@code default} to leave the library's default. */
    @Test
    void theWriteModeOptionTakesAModeOrDefaultAndNamesABadValue() {
        assertNull(EndToEndBenchmark.writeMode("default"));
        assertEquals(WriteMode.UPSERT, EndToEndBenchmark.writeMode("UPSERT"));
        assertEquals(WriteMode.INDEX, EndToEndBenchmark.writeMode("INDEX"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EndToEndBenchmark.writeMode("replace"));
        assertTrue(e.getMessage().endsWith(": replace"), e.getMessage());
    }

    private static final String STATUS = "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 5123456 kB\n"
            + "VmSize:\t 5023456 kB\nVmHWM:\t  418304 kB\nVmRSS:\t  402112 kB\nThreads:\t61\n";

    @Test
    void readsThePeakResidentSetFromAProcStatusText() {
        assertEquals(418_304L * 1024, EndToEndBenchmark.statusBytes(STATUS, "VmHWM"));
        assertEquals(402_112L * 1024, EndToEndBenchmark.statusBytes(STATUS, "VmRSS"));
        assertEquals(-1, EndToEndBenchmark.statusBytes(STATUS, "VmSwap"));
        // a count, not a size
        assertEquals(-1, EndToEndBenchmark.statusBytes(STATUS, "Threads"));
    }

    /** On Linux the benchmark's own process reports a peak resident set, and the heap setting names the maximum. */
    @Test
    void readsThisProcesssPeakResidentSetAndHeapSetting() {
        assertTrue(EndToEndBenchmark.peakRss() > 1 << 20, "VmHWM of this JVM: " + EndToEndBenchmark.peakRss());
        String heap = EndToEndBenchmark.heapSetting();
        assertTrue(heap.startsWith("max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB ("), heap);
    }

    /** The bare replay writes each change as what it is: index an insert, update an update, delete a delete. */
    @Test
    void theBareReplayWritesAnInsertAsIndexAnUpdateAsUpdateAndADeleteAsDelete() {
        Map<String, Object> row = Map.of("id", 7L, "status", "PAID");
        DocumentAction ruled = DocumentAction.index("orders-bare", "7", row);
        DocumentAction insert = EndToEndBenchmark.bareAction(Operation.INSERT, ruled);
        DocumentAction update = EndToEndBenchmark.bareAction(Operation.UPDATE, ruled);
        DocumentAction delete = EndToEndBenchmark.bareAction(Operation.DELETE,
                DocumentAction.delete("orders-bare", "7"));
        assertEquals(ActionType.INDEX, insert.type());
        assertEquals(row, insert.document());
        assertEquals(ActionType.UPDATE, update.type());
        assertEquals(row, update.document(), "an update carries the full row");
        assertEquals(ActionType.DELETE, delete.type());
        assertNull(delete.document());
        assertEquals("7", delete.id());
    }

    /**
     * The lane files hold every action once, in bodies of at most the batch size, each id in one
     * lane in the order added, and are gone after close.
     */
    @Test
    void laneFilesKeepEachIdsChangesInOrderInOneLane() throws Exception {
        List<Path> files;
        try (LaneFiles lanes = LaneFiles.create("orders-test", 2, 2)) {
            for (int v = 0; v < 3; v++) {
                for (int id = 1; id <= 5; id++) {
                    lanes.add(DocumentAction.index("elsewhere", String.valueOf(id), Map.of("v", v)));
                }
            }
            lanes.add(DocumentAction.update("elsewhere", "3", Map.of("v", 3)));
            lanes.add(DocumentAction.delete("elsewhere", "3"));
            lanes.finish();
            assertEquals(17, lanes.actions());
            assertEquals(15, lanes.count(ActionType.INDEX));
            assertEquals(1, lanes.count(ActionType.UPDATE));
            assertEquals(1, lanes.count(ActionType.DELETE));
            files = lanes.files();
            List<String> texts = new ArrayList<>();
            int actions = 0;
            for (LaneFiles.Bodies bodies : lanes.open()) {
                try (bodies) {
                    StringBuilder text = new StringBuilder();
                    while (bodies.hasNext()) {
                        String body = new String(bodies.next(), StandardCharsets.UTF_8);
                        int inBody = body.split("\"_index\":\"orders-test\"", -1).length - 1;
                        assertTrue(inBody >= 1 && inBody <= 2, "1 to 2 actions into orders-test per body: " + body);
                        actions += inBody;
                        text.append(body);
                    }
                    texts.add(text.toString());
                }
            }
            assertEquals(17, actions);
            for (int id = 1; id <= 5; id++) {
                String key = "\"_id\":\"" + id + "\"";
                int lane = Math.floorMod(String.valueOf(id).hashCode(), 2);
                assertFalse(texts.get(1 - lane).contains(key), "id " + id + " in one lane only");
                List<String> docs = new ArrayList<>();
                String[] lines = texts.get(lane).split("\n");
                for (int i = 0; i < lines.length; i++) {
                    if (lines[i].startsWith("{\"index\":") && lines[i].contains(key)) {
                        docs.add(lines[i + 1]);
                    }
                }
                assertEquals(List.of("{\"v\":0}", "{\"v\":1}", "{\"v\":2}"), docs, "id " + id + " in order");
            }
            String three = texts.get(Math.floorMod("3".hashCode(), 2));
            assertTrue(three.indexOf("{\"update\":") < three.indexOf("{\"delete\":"), three);
        }
        for (Path f : files) {
            assertFalse(Files.exists(f), f + " deleted");
        }
    }
}
