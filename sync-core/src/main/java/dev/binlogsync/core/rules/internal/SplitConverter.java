package dev.binlogsync.core.rules.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/** See {@link dev.binlogsync.core.rules.Converters#split}. Immutable. */
public final class SplitConverter implements RenderableConverter {
    private final String separator;

    public SplitConverter(String separator) {
        Objects.requireNonNull(separator, "separator");
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("separator must not be empty");
        }
        this.separator = separator;
    }

    @Override
    @Nullable
    public Object convert(@Nullable Object value) {
        if (value == null || value instanceof List) {
            return value;
        }
        String s = value.toString();
        List<String> out = new ArrayList<>();
        int from = 0;
        while (true) {
            int at = s.indexOf(separator, from);
            String part = (at < 0 ? s.substring(from) : s.substring(from, at)).trim();
            if (!part.isEmpty()) {
                out.add(part);
            }
            if (at < 0) {
                return out;
            }
            from = at + separator.length();
        }
    }

    @Override
    public Map<String, Object> toConfig() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "split");
        m.put("separator", separator);
        return m;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SplitConverter && ((SplitConverter) o).separator.equals(separator);
    }

    @Override
    public int hashCode() {
        return separator.hashCode();
    }

    @Override
    public String toString() {
        return "split(" + separator + ")";
    }
}
