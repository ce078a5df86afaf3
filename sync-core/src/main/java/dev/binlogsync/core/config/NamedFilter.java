package dev.binlogsync.core.config;

import dev.binlogsync.core.ChangeEvent;
import dev.binlogsync.core.Filter;
import dev.binlogsync.core.filter.SqlFilter;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;

/**
 * An entry of the {@code filters} section: a name and either a SQL condition
 * ({@code {"where": "..."}}) or a {@link Filter} class ({@code {"class": "com.acme.VipOnly"}}).
 * Rules refer to it by name ({@code "filter": "vip"}); a rule built in code uses it through
 * {@code TableRule.Builder.filter(NamedFilter.sql("vip", "..."))} and renders back to the same name.
 * Immutable; thread-safe when the wrapped filter is.
 */
public final class NamedFilter implements Filter {
    private final String name;
    private final Filter delegate;
    @Nullable private final String where;
    @Nullable private final String className;

    private NamedFilter(String name, Filter delegate, @Nullable String where, @Nullable String className) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("filter name must not be blank: '" + name + "'");
        }
        this.name = name;
        this.delegate = delegate;
        this.where = where;
        this.className = className;
    }

    /**
     * A named SQL filter.
     *
     * @throws dev.binlogsync.core.filter.FilterSyntaxException if {@code where} does not parse
     */
    public static NamedFilter sql(String name, String where) {
        return new NamedFilter(name, SqlFilter.parse(where), where, null);
    }

    /**
     * A named filter of a class with a public no-argument constructor.
     *
     * @throws IllegalArgumentException if the class cannot be instantiated
     */
    public static NamedFilter ofClass(String name, Class<? extends Filter> type) {
        Objects.requireNonNull(type, "type");
        return new NamedFilter(name, Instances.create(type.getName(), Filter.class, type.getClassLoader()), null,
                type.getName());
    }

    static NamedFilter ofClass(String name, String className, ClassLoader loader) {
        return new NamedFilter(name, Instances.create(className, Filter.class, loader), null, className);
    }

    @Override
    public boolean matches(Map<String, Object> row, ChangeEvent event) {
        return delegate.matches(row, event);
    }

    /** The name rules refer to it by; never blank. */
    public String name() {
        return name;
    }

    /** The SQL condition, or null for a class filter. */
    @Nullable
    public String where() {
        return where;
    }

    /** The filter class name, or null for a SQL filter. */
    @Nullable
    public String className() {
        return className;
    }

    @Override
    public String toString() {
        return "NamedFilter[" + name + ": " + (where != null ? where : className) + "]";
    }
}
