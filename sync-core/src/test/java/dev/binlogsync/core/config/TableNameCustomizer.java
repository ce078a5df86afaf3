package dev.binlogsync.core.config;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.rules.DocumentCustomizer;
import java.util.Map;

/** A customizer class named in test configurations: records the source table. */
public final class TableNameCustomizer implements DocumentCustomizer {
    @Override
    public void customize(Map<String, Object> document, ChangeEvent event) {
        document.put("_table", event.table());
    }
}
