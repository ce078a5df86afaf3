package com.acme.sync;

import dev.binlogsync.core.rules.FieldConverter;
import java.math.BigDecimal;

/** The converter class docs/configuration.md names: a decimal amount to integer cents. */
public final class Cents implements FieldConverter {
    @Override
    public Object convert(Object value) {
        return value == null ? null : new BigDecimal(value.toString()).movePointRight(2).longValueExact();
    }
}
