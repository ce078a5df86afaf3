package dev.binlogsync.core.rules.internal;

import dev.binlogsync.core.rules.FieldConverter;
import java.util.Map;

/** A built-in converter that can render its configuration-file form. */
public interface RenderableConverter extends FieldConverter {
    /** The file form, e.g. {@code {"type": "split", "separator": ","}}; insertion-ordered. */
    Map<String, Object> toConfig();
}
