/**
 * Declarative rules mapping row changes to document actions: {@link dev.binlogsync.core.rules.Rules}
 * and {@link dev.binlogsync.core.rules.TableRule}, with field converters and customizers.
 *
 * <p>Null policy: parameters, return values and fields are non-null unless annotated
 * {@link javax.annotation.Nullable} ({@link dev.binlogsync.core.NonNullByDefault}).
 */
@NonNullByDefault
package dev.binlogsync.core.rules;

import dev.binlogsync.core.NonNullByDefault;
