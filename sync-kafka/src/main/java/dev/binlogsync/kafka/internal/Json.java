package dev.binlogsync.kafka.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** Shared, thread-safe Jackson instances of the decoders. */
public final class Json {
    /**
     * Reads JSON into plain {@code Map}/{@code List}/scalars; numbers with a fraction become exact
     * {@code BigDecimal}s, integers {@code Integer}/{@code Long}/{@code BigInteger} by size.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    public static final JsonFactory FACTORY = MAPPER.getFactory();

    private Json() {
    }
}
