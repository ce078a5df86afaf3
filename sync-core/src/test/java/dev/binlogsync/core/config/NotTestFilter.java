package dev.binlogsync.core.config;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Filter;
import java.util.Map;

/** A filter class named in test configurations: drops rows whose {@code env} is {@code test}. */
public final class NotTestFilter implements Filter {
    @Override
    public boolean matches(Map<String, Object> row, ChangeEvent event) {
        return !"test".equals(row.get("env"));
    }
}
