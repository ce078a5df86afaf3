package dev.binlogsync.core.config;

import dev.binlogsync.core.backfill.BackfillValues;
import javax.annotation.Nullable;

/**
 * Creates a source, sink or dead-letter sink from its configuration section, found through
 * {@link java.util.ServiceLoader}: list the implementation in
 * {@code META-INF/services/dev.binlogsync.core.config.ComponentProvider}. The section's
 * {@code type} selects the provider whose {@link #type()} and {@link #componentType()} fit:
 *
 * <pre>{@code
 * public final class KafkaSourceProvider implements ComponentProvider<Source> {
 *     public String type() { return "kafka"; }
 *     public Class<Source> componentType() { return Source.class; }
 *     public Source create(ConfigSection c) {
 *         return KafkaSource.builder()
 *             .bootstrapServers(c.string("bootstrapServers"))
 *             .topics(c.stringList("topics"))
 *             .build();
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #create} reads what it needs through the section's typed accessors; afterwards the
 * loader rejects any key it did not ask for, so providers get unknown-key checking for free.
 * Builder exceptions ({@link IllegalArgumentException}, {@link IllegalStateException}) are reported
 * as {@link ConfigException}s at the section's path. Implementations need a public no-argument
 * constructor and must be thread-safe.
 *
 * @param <T> {@link dev.binlogsync.core.Source}, {@link dev.binlogsync.core.BulkSink} or
 *     {@link dev.binlogsync.core.DeadLetterSink}
 */
public interface ComponentProvider<T> {

    /** The {@code type} value this provider answers to, e.g. {@code kafka}. */
    String type();

    /** What it creates: {@code Source.class}, {@code BulkSink.class} or {@code DeadLetterSink.class}. */
    Class<T> componentType();

    /**
     * Creates the component.
     *
     * @param config the section without its {@code type} key
     * @throws ConfigException (or an {@link IllegalArgumentException}) for invalid settings
     */
    T create(ConfigSection config);

    /**
     * For a source provider: the {@link BackfillValues} that make a backfill's documents equal the
     * documents of the source this section describes (its decoder's, with the section's options),
     * or null (the default) when the provider cannot tell. Used by
     * {@link PipelineDefinition#toBackfillBuilder}; must not create the component or open a
     * connection, and need not check keys it does not read.
     *
     * @param config the source section without its {@code type} key
     * @throws ConfigException for invalid settings it reads
     */
    @Nullable
    default BackfillValues backfillValues(ConfigSection config) {
        return null;
    }
}
