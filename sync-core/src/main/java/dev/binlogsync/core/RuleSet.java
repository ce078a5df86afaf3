package dev.binlogsync.core;

/**
 * Turns one change event into zero or more document actions: which index, which id, which fields.
 * {@code dev.binlogsync.core.rules.Rules} builds one from declarative rules; any lambda will do.
 *
 * <p>Called on the pipeline thread only. An exception thrown here is treated like a decode
 * failure of the record carrying the event: the failure policy (stop by default) decides.
 */
@FunctionalInterface
public interface RuleSet {

    /**
     * Emits the actions for {@code event} into {@code out}; emitting none ignores the event.
     *
     * @throws SyncException when the event cannot be mapped (for example a row with no primary key
     *     and no configured id); the message should name the table and the problem
     */
    void apply(ChangeEvent event, ActionCollector out);
}
