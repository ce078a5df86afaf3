package dev.binlogsync.core.config;

import dev.binlogsync.core.rules.FieldConverter;
import java.math.BigDecimal;

/** A converter class named in test configurations: a decimal amount to integer cents. */
public final class CentsConverter implements FieldConverter {
    @Override
    public Object convert(Object value) {
        return value == null ? null : new BigDecimal(value.toString()).movePointRight(2).longValueExact();
    }
}
