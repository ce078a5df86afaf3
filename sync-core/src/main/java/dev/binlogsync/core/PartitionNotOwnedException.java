package dev.binlogsync.core;

import javax.annotation.Nullable;

/**
 * {@link Source#commit} did not commit because the partitions are no longer this member's (a
 * rebalance gave them to another member, or the member lost its group generation). Nothing is
 * lost: the new owner reads the uncommitted records again. The pipeline logs it and carries on;
 * the source tells it which partitions went through {@link PartitionListener#onRevoked} or
 * {@link PartitionListener#onLost}.
 */
public class PartitionNotOwnedException extends SyncException {
    private static final long serialVersionUID = 1L;

    /** @param message which partitions were not committed and why */
    public PartitionNotOwnedException(String message) {
        super(message);
    }

    /**
     * @param message which partitions were not committed and why
     * @param cause the underlying failure, or null
     */
    public PartitionNotOwnedException(String message, @Nullable Throwable cause) {
        super(message, cause);
    }
}
