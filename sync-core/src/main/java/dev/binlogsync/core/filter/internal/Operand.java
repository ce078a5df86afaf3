package dev.binlogsync.core.filter.internal;

import java.util.Map;
import javax.annotation.Nullable;

/** A value in a filter expression: a column of the row or a literal. Immutable. */
public abstract class Operand {
    Operand() {
    }

    /** The value for {@code row}; null is SQL NULL (a missing column is NULL too). */
    @Nullable
    abstract Object value(Map<String, Object> row);

    /** A column reference. */
    static final class Column extends Operand {
        final String name;

        Column(String name) {
            this.name = name;
        }

        @Override
        @Nullable
        Object value(Map<String, Object> row) {
            return row.get(name);
        }

        @Override
        public String toString() {
            return "`" + name.replace("`", "``") + "`";
        }
    }
}
