package dev.binlogsync.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventsTest {

    @Test
    void eventsHaveAnUnknownRowImageUntilMarkedFullAndKeepItWhenPositioned() {
        ChangeEvent plain = Events.insert("shop", "orders", Map.of("id", 1));
        assertEquals(RowImage.UNKNOWN, plain.rowImage());
        ChangeEvent full = Events.full(plain);
        assertEquals(RowImage.FULL, full.rowImage());
        assertEquals(plain.row(), full.row());
        SourcePosition at = new SourcePosition("p", 7);
        assertEquals(RowImage.FULL, Events.at(full, at).rowImage());
        assertEquals(at, Events.at(full, at).position());
        assertEquals(RowImage.PARTIAL, Events.at(plain.withRowImage(RowImage.PARTIAL), at).rowImage());
    }
}
