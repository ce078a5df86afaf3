package dev.binlogsync.kafka.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.binlogsync.core.config.ConfigSection;
import dev.binlogsync.kafka.decode.CanalFlatMessageDecoder;
import dev.binlogsync.kafka.decode.DateTimeStyle;
import dev.binlogsync.kafka.decode.DebeziumDecoder;
import dev.binlogsync.kafka.decode.MaxwellDecoder;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The backfill values a file's Kafka source gives: its decoder's, with the decoder's options from the file. */
class KafkaSourceBackfillValuesTest {

    private static String valuesOf(Map<String, Object> source) {
        return String.valueOf(new KafkaSourceProvider().backfillValues(new ConfigSection("source", source, Map.of())));
    }

    @Test
    void aSourceGivesTheBackfillValuesOfItsFormatsDecoderWithTheFilesOptions() {
        ZoneId shanghai = ZoneId.of("Asia/Shanghai");
        assertEquals(CanalFlatMessageDecoder.create().backfillValues().toString(), valuesOf(Map.of("format", "canal")));
        assertEquals(CanalFlatMessageDecoder.builder().tinyint1AsBoolean(true).dateTimeStyle(DateTimeStyle.ISO_UTC)
                        .zone(shanghai).build().backfillValues().toString(),
                valuesOf(Map.of("canal", Map.of("tinyint1AsBoolean", true, "dateTimeStyle", "iso_utc",
                        "zone", "Asia/Shanghai", "fullRowImage", true))));
        assertEquals(DebeziumDecoder.builder().dateTimeStyle(DateTimeStyle.RAW).build().backfillValues().toString(),
                valuesOf(Map.of("format", "debezium", "debezium", Map.of("dateTimeStyle", "raw"))));
        assertEquals(MaxwellDecoder.create().backfillValues().toString(), valuesOf(Map.of("format", "maxwell")));
    }
}
