package dev.binlogsync.core.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.binlogsync.core.DocumentRef;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointTest {

    @Test
    void survivesAJsonRoundTripWithItsPendingDocumentsAndRouting() {
        Checkpoint cp = new Checkpoint(List.of(41L, "b"), List.of(
                new Checkpoint.Pending(List.of(42L, "a"), new DocumentRef("orders", "42", "r")),
                new Checkpoint.Pending(List.of(43L, "a"), new DocumentRef("orders", "43", null))), false);
        assertEquals(cp, Checkpoint.fromJson(cp.toJson()));
    }

    @Test
    void pendingDocumentsAreWrittenCompactlyWithTheirIndexNamedOnceAndIdsEqualToTheirKeyLeftOut() {
        Checkpoint cp = new Checkpoint(List.of(4L), List.of(
                new Checkpoint.Pending(List.of(5L), new DocumentRef("orders-eu", "5", null)),
                new Checkpoint.Pending(List.of(6L), new DocumentRef("orders-eu", "order-6", null)),
                new Checkpoint.Pending(List.of(7L), new DocumentRef("orders-us", "7", "shop-1")),
                new Checkpoint.Pending(List.of("k"), new DocumentRef("orders-us", "k", null)),
                new Checkpoint.Pending(List.of(8L, "a"), new DocumentRef("orders-us", "8|a", "r"))), false);
        assertEquals("{\"lastKey\":[4],\"pending\":{\"indices\":[\"orders-eu\",\"orders-us\"],\"docs\":"
                + "[[[5],0],[[6],0,\"order-6\"],[[7],1,null,\"shop-1\"],[[\"k\"],1],[[8,\"a\"],1,\"8|a\",\"r\"]]},"
                + "\"finished\":false}", cp.toJson());
        assertEquals(cp, Checkpoint.fromJson(cp.toJson()));
    }

    @Test
    void aCheckpointWithPendingDocumentsAsObjectsStillLoads() {
        String json = "{\"lastKey\":[41,\"b\"],\"pending\":[{\"key\":[42,\"a\"],\"index\":\"orders\",\"id\":\"42\","
                + "\"routing\":\"r\"},{\"key\":[43,\"a\"],\"index\":\"orders\",\"id\":\"43\"}],\"finished\":false}";
        assertEquals(new Checkpoint(List.of(41L, "b"), List.of(
                new Checkpoint.Pending(List.of(42L, "a"), new DocumentRef("orders", "42", "r")),
                new Checkpoint.Pending(List.of(43L, "a"), new DocumentRef("orders", "43", null))), false),
                Checkpoint.fromJson(json));
    }

    @Test
    void aPendingDocumentNamingNoIndexIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.fromJson(
                "{\"lastKey\":null,\"pending\":{\"indices\":[\"orders\"],\"docs\":[[[1],3]]},\"finished\":false}"));
    }

    @Test
    void integerKeysComeBackAsLongAndDecimalsAsBigDecimal() {
        Checkpoint cp = Checkpoint.fromJson(new Checkpoint(List.of(7, new BigDecimal("12345678901234567890.125")),
                List.of(), false).toJson());
        assertEquals(7L, cp.lastKey().get(0));
        assertEquals(0, new BigDecimal("12345678901234567890.125").compareTo((BigDecimal) cp.lastKey().get(1)));
    }

    @Test
    void theStartHasNoKeyAndNothingPending() {
        Checkpoint cp = Checkpoint.fromJson(Checkpoint.start().toJson());
        assertNull(cp.lastKey());
        assertEquals(List.of(), cp.pending());
    }

    @Test
    void aKeyOfAnotherTypeIsRefusedNamingTheType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Checkpoint(List.of(LocalDate.of(2024, 1, 1)), List.of(), false).toJson());
        assertEquals(true, e.getMessage().contains("java.time.LocalDate"), e.getMessage());
    }

    @Test
    void aFinishedCheckpointCannotHavePendingDocuments() {
        assertThrows(IllegalArgumentException.class, () -> new Checkpoint(List.of(1L),
                List.of(new Checkpoint.Pending(List.of(1L), new DocumentRef("i", "1", null))), true));
    }

    @Test
    void theInMemoryStoreKeepsTheLastCheckpointPerTable() {
        InMemoryCheckpointStore store = new InMemoryCheckpointStore();
        assertNull(store.load("d.t"));
        store.save("d.t", new Checkpoint(List.of(1L), List.of(), false));
        store.save("d.t", new Checkpoint(List.of(2L), List.of(), false));
        assertEquals(List.of(2L), store.load("d.t").lastKey());
        assertNull(store.load("d.u"));
    }
}
