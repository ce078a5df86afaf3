package com.acme.sync;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.rules.DocumentCustomizer;
import java.util.Map;

/** The customizer class docs/configuration.md names: marks paid orders. */
public final class OrderCustomizer implements DocumentCustomizer {
    @Override
    public void customize(Map<String, Object> document, ChangeEvent event) {
        document.put("is_paid", "paid".equals(document.get("status")));
    }
}
