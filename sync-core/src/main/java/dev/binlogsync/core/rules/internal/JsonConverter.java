package dev.binlogsync.core.rules.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;

/** See {@link dev.binlogsync.core.rules.Converters#json}. Stateless singleton. */
public final class JsonConverter implements RenderableConverter {
    public static final JsonConverter INSTANCE = new JsonConverter();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonConverter() {
    }

    @Override
    @Nullable
    public Object convert(@Nullable Object value) {
        if (value == null || value instanceof Map || value instanceof List) {
            return value;
        }
        try {
            return MAPPER.readValue(value.toString(), Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public Map<String, Object> toConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "json");
        return m;
    }

    @Override
    public String toString() {
        return "json";
    }
}
