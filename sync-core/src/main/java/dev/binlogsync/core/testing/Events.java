package dev.binlogsync.core.testing;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Operation;
import dev.binlogsync.core.SourcePosition;
import java.util.List;
import java.util.Map;

/**
 * Factories for {@link ChangeEvent}s in tests. The events carry a placeholder position
 * ({@link #UNPOSITIONED}); {@link InMemorySource#append} gives them their real one. The primary key
 * is the column {@code id}. Their row image is {@link dev.binlogsync.core.RowImage#UNKNOWN}, as from a
 * decoder that cannot tell; {@link #full} marks an event's row as the whole row, as the built-in
 * decoders do for a {@code binlog_row_image=FULL} stream.
 *
 * <p>Stateless and thread-safe: every call returns a new event. Arguments must not be null
 * ({@link NullPointerException} from {@link ChangeEvent}'s checks). The maps passed in are not
 * copied, like {@link ChangeEvent}'s: do not change them afterwards.
 */
public final class Events {

    /** The placeholder position of events not yet appended to a source. */
    public static final SourcePosition UNPOSITIONED = new SourcePosition("unpositioned", 0);

    private Events() {
    }

    /** An insert of {@code row} into {@code database.table}. */
    public static ChangeEvent insert(String database, String table, Map<String, Object> row) {
        return new ChangeEvent(database, table, Operation.INSERT, row, Map.of(), List.of("id"), 0L, UNPOSITIONED);
    }

    /** An update to {@code row}, whose changed columns had {@code oldValues}. */
    public static ChangeEvent update(String database, String table, Map<String, Object> row,
            Map<String, Object> oldValues) {
        return new ChangeEvent(database, table, Operation.UPDATE, row, oldValues, List.of("id"), 0L, UNPOSITIONED);
    }

    /** A delete of {@code row} (the before image). */
    public static ChangeEvent delete(String database, String table, Map<String, Object> row) {
        return new ChangeEvent(database, table, Operation.DELETE, row, Map.of(), List.of("id"), 0L, UNPOSITIONED);
    }

    /** {@code event} with its row marked as the whole row ({@link dev.binlogsync.core.RowImage#FULL}). */
    public static ChangeEvent full(ChangeEvent event) {
        return event.withRowImage(dev.binlogsync.core.RowImage.FULL);
    }

    /** {@code event} at {@code position}, keeping its row image. */
    public static ChangeEvent at(ChangeEvent event, SourcePosition position) {
        return new ChangeEvent(event.database(), event.table(), event.operation(), event.row(), event.oldValues(),
                event.primaryKeys(), event.eventTimeMillis(), position, event.rowImage());
    }
}
