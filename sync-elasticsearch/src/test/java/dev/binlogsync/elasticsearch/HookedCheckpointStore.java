package dev.binlogsync.elasticsearch;

import dev.binlogsync.core.backfill.Checkpoint;
import dev.binlogsync.core.backfill.CheckpointStore;
import dev.binlogsync.core.testing.ForwardingCheckpointStore;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A CheckpointStore that runs a hook when the {@code at}-th chunk's pending documents are saved
 * (after the chunk's SELECT, before its creates). The hook gets that chunk's own pending documents:
 * a pending save also holds the chunk before while that one is not verified yet (its creates may be
 * in flight), which the hook must not race with.
 */
final class HookedCheckpointStore extends ForwardingCheckpointStore {
    private final int at;
    private final Consumer<Checkpoint> onPending;
    private int pendingSaves;
    private List<Checkpoint.Pending> lastPending = List.of();

    HookedCheckpointStore(CheckpointStore inner, int at, Consumer<Checkpoint> onPending) {
        super(inner);
        this.at = at;
        this.onPending = onPending;
    }

    @Override
    public void save(String table, Checkpoint checkpoint) {
        super.save(table, checkpoint);
        List<Checkpoint.Pending> fresh = new ArrayList<>(checkpoint.pending());
        fresh.removeAll(lastPending);
        lastPending = checkpoint.pending();
        if (!fresh.isEmpty() && ++pendingSaves == at) {
            onPending.accept(new Checkpoint(checkpoint.lastKey(), fresh, false));
        }
    }
}
