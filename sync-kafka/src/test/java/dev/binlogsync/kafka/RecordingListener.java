package dev.binlogsync.kafka;

import dev.binlogsync.core.PartitionListener;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/** A partition listener that records the callbacks, in order, as "assigned:[..]" / "revoked:[..]" / "lost:[..]". */
final class RecordingListener implements PartitionListener {
    final List<String> calls = new ArrayList<>();
    private final Consumer<Collection<String>> onRevoked;

    RecordingListener() {
        this(p -> { });
    }

    RecordingListener(Consumer<Collection<String>> onRevoked) {
        this.onRevoked = onRevoked;
    }

    @Override
    public void onAssigned(Collection<String> partitions) {
        calls.add("assigned:" + sorted(partitions));
    }

    @Override
    public void onRevoked(Collection<String> partitions) {
        calls.add("revoked:" + sorted(partitions));
        onRevoked.accept(partitions);
    }

    @Override
    public void onLost(Collection<String> partitions) {
        calls.add("lost:" + sorted(partitions));
    }

    private static List<String> sorted(Collection<String> c) {
        List<String> l = new ArrayList<>(c);
        l.sort(null);
        return l;
    }
}
