package dev.binlogsync.core.backfill;

import dev.binlogsync.core.Secrets;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Several {@link BackfillListener}s as one: each hears every call in the order they were added,
 * and one that throws is logged without keeping the call from the others. Immutable.
 */
final class BackfillListeners implements BackfillListener {
    private static final Logger LOG = LoggerFactory.getLogger(Backfill.class);

    private final List<BackfillListener> listeners;

    private BackfillListeners(List<BackfillListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    static BackfillListener of(List<BackfillListener> listeners) {
        return listeners.size() == 1 ? listeners.get(0) : new BackfillListeners(listeners);
    }

    private void each(Consumer<BackfillListener> call) {
        for (BackfillListener l : listeners) {
            try {
                call.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("backfill listener {} failed: {}", l.getClass().getName(), Secrets.describe(e));
            }
        }
    }

    @Override
    public void tablesResolved(List<String> tables) {
        each(l -> l.tablesResolved(tables));
    }

    @Override
    public void tableStarted(String table, Checkpoint checkpoint) {
        each(l -> l.tableStarted(table, checkpoint));
    }

    @Override
    public void chunkDone(BackfillProgress progress) {
        each(l -> l.chunkDone(progress));
    }

    @Override
    public void tableFinished(BackfillProgress progress) {
        each(l -> l.tableFinished(progress));
    }
}
