package dev.binlogsync.core.internal;

import java.time.Duration;
import java.util.Objects;

/** The argument checks sync-core's builders share, so each setting fails the same way. */
public final class Arguments {

    private Arguments() {
    }

    /**
     * {@code d}, if positive.
     *
     * @throws NullPointerException naming {@code name} if {@code d} is null
     * @throws IllegalArgumentException "{@code name} must be > 0: d" if it is zero or negative
     */
    public static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0: " + d);
        }
        return d;
    }

    /**
     * {@code s}, if it has a non-whitespace character.
     *
     * @throws NullPointerException naming {@code name} if {@code s} is null
     * @throws IllegalArgumentException "{@code name} must not be blank: 's'" otherwise
     */
    public static String nonBlank(String s, String name) {
        Objects.requireNonNull(s, name);
        if (s.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank: '" + s + "'");
        }
        return s;
    }
}
