package dev.binlogsync.kafka.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/** Shared, thread-safe Jackson instances of the decoders. */
public final class Json {
    /**
     * Reads JSON into plain {@code Map}/{@code List}/scalars; numbers with a fraction become exact
     * {@code BigDecimal}s (scale kept: {@code 12.50} stays {@code 12.50}), integers {@code Integer}/{@code Long}/{@code BigInteger} by size.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .build();

    public static final JsonFactory FACTORY = MAPPER.getFactory();

    private Json() {
    }
}
