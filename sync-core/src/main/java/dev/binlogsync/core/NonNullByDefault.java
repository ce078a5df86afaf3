package dev.binlogsync.core;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import javax.annotation.Nonnull;
import javax.annotation.meta.TypeQualifierDefault;

/**
 * The null policy of a package: its parameters, method return values and fields are non-null
 * unless annotated {@link javax.annotation.Nullable}. Every package of binlog-sync carries it in
 * its {@code package-info.java}; it may be applied to a single type as well.
 *
 * <p>A jsr305 type-qualifier default ({@link Nonnull} for
 * {@link ElementType#PARAMETER parameters}, {@link ElementType#METHOD return values} and
 * {@link ElementType#FIELD fields}), so tools that read jsr305 (IntelliJ IDEA, SpotBugs, Kotlin,
 * Checker Framework, NullAway) see what javadoc promises. Unlike
 * {@link javax.annotation.ParametersAreNonnullByDefault}, which covers parameters only, it covers
 * return values and fields too. Local variables are not covered. A record component is covered
 * through its field, accessor and constructor parameter; a component that may be null is
 * annotated {@code @Nullable}.
 *
 * <p>It is a declaration-time contract for tools and readers, not a runtime check: public entry
 * points still reject null with {@link NullPointerException} ({@code Objects.requireNonNull}).
 */
@Documented
@Nonnull
@TypeQualifierDefault({ElementType.PARAMETER, ElementType.METHOD, ElementType.FIELD})
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.PACKAGE, ElementType.TYPE})
public @interface NonNullByDefault {
}
