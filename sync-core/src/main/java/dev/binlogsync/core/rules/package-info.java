/**
 * Declarative rules mapping row changes to document actions: {@link dev.binlogsync.core.rules.Rules}
 * and {@link dev.binlogsync.core.rules.TableRule}, with field converters and customizers.
 *
 * <p>Null policy: parameters and return values are non-null unless annotated
 * {@link javax.annotation.Nullable}.
 */
@ParametersAreNonnullByDefault
package dev.binlogsync.core.rules;

import javax.annotation.ParametersAreNonnullByDefault;
