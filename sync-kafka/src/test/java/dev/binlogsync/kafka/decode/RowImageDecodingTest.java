package dev.binlogsync.kafka.decode;

import static dev.binlogsync.kafka.decode.Resources.bytes;
import static dev.binlogsync.kafka.decode.Resources.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.RowImage;
import dev.binlogsync.core.SourcePosition;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What each decoder says of a row's completeness ({@link ChangeEvent#rowImage()}): full by default
 * (the server logs {@code binlog_row_image=FULL}), partial where the message shows missing columns,
 * unknown when the decoder is told the server logs another image.
 */
class RowImageDecodingTest {
    static final SourcePosition POS = new SourcePosition("t-0", 3);

    /** A Canal UPDATE of two rows; the second lacks {@code note}, as a NOBLOB image leaves out an unchanged TEXT. */
    static final String CANAL_NOBLOB = "{\"data\":[{\"id\":\"1\",\"status\":\"paid\",\"note\":\"long text\"},"
            + "{\"id\":\"2\",\"status\":\"paid\"}],\"database\":\"shop\",\"es\":1709296270000,\"id\":9,\"isDdl\":false,"
            + "\"mysqlType\":{\"id\":\"int(11)\",\"status\":\"varchar(16)\",\"note\":\"text\"},"
            + "\"old\":[{\"status\":\"new\"},{\"status\":\"new\"}],\"pkNames\":[\"id\"],\"sql\":\"\","
            + "\"sqlType\":{\"id\":4,\"status\":12,\"note\":2005},\"table\":\"orders\",\"ts\":1709296270001,"
            + "\"type\":\"UPDATE\"}";

    private static List<RowImage> images(List<ChangeEvent> events) {
        return events.stream().map(ChangeEvent::rowImage).toList();
    }

    @Test
    void canalRowsAreFullWhenTheServerIsSaidToLogFullImagesUnlessARowHasFewerColumnsThanItsMessageLists() {
        CanalFlatMessageDecoder full = CanalFlatMessageDecoder.builder().fullRowImage(true).build();
        assertEquals(List.of(RowImage.FULL, RowImage.PARTIAL), images(full.decode(null, utf8(CANAL_NOBLOB), POS)));
        assertEquals(List.of(RowImage.FULL, RowImage.FULL),
                images(full.decode(null, bytes("canal/update-two-rows.json"), POS)));
        assertEquals(List.of(RowImage.FULL), images(full.decode(null, bytes("canal/delete.json"), POS)));
    }

    @Test
    void canalRowsAreUnknownByDefaultBecauseAMessageCannotShowMissingColumnsAndPartialStaysPartial() {
        // what Canal sends for an UPDATE on a NOBLOB or MINIMAL server: the row and mysqlType both
        // lack the unlogged column, so nothing in the message shows it is missing
        String minimal = "{\"data\":[{\"id\":\"1\",\"status\":\"paid\"}],\"database\":\"shop\",\"es\":1,\"id\":9,"
                + "\"isDdl\":false,\"mysqlType\":{\"id\":\"int(11)\",\"status\":\"varchar(16)\"},\"old\":[{\"status\":\"new\"}],"
                + "\"pkNames\":[\"id\"],\"sql\":\"\",\"table\":\"orders\",\"ts\":2,\"type\":\"UPDATE\"}";
        assertEquals(List.of(RowImage.UNKNOWN), images(CanalFlatMessageDecoder.create().decode(null, utf8(minimal), POS)));
        CanalFlatMessageDecoder notFull = CanalFlatMessageDecoder.builder().fullRowImage(false).build();
        assertEquals(List.of(RowImage.UNKNOWN, RowImage.PARTIAL), images(notFull.decode(null, utf8(CANAL_NOBLOB), POS)));
        assertEquals(List.of(RowImage.UNKNOWN, RowImage.PARTIAL),
                images(CanalFlatMessageDecoder.create().decode(null, utf8(CANAL_NOBLOB), POS)));
    }

    @Test
    void debeziumRowsAreFullUnlessTheServerIsNotSaidToLogFullImages() {
        byte[] insert = bytes("debezium/insert-schemaless.json");
        assertEquals(List.of(RowImage.FULL), images(DebeziumDecoder.create().decode(utf8("{\"id\":1001}"), insert, POS)));
        assertEquals(List.of(RowImage.UNKNOWN), images(DebeziumDecoder.builder().fullRowImage(false).build()
                .decode(utf8("{\"id\":1001}"), insert, POS)));
    }

    @Test
    void maxwellRowsAreFullOnlyWhenTheServerIsSaidToLogFullImages() {
        byte[] update = bytes("maxwell/update.json");
        assertEquals(List.of(RowImage.UNKNOWN), images(MaxwellDecoder.create().decode(null, update, POS)));
        assertEquals(List.of(RowImage.FULL),
                images(MaxwellDecoder.builder().fullRowImage(true).build().decode(null, update, POS)));
    }
}
