package com.acme.sync;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Filter;
import java.util.Map;

/** The filter class docs/configuration.md names; drops the {@code test} tenant. */
public final class NotTestTenant implements Filter {
    @Override
    public boolean matches(Map<String, Object> row, ChangeEvent event) {
        return !"test".equals(row.get("tenant_id"));
    }
}
