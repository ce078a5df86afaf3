package dev.binlogsync.elasticsearch.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small pool of {@link ByteBuf}s for request bodies: one buffer per request in flight, returned
 * once the response arrived, so steady-state encoding allocates no body arrays. Thread-safe.
 *
 * <p>Keeps at most {@code maxPooled} buffers, and none larger than {@code maxRetainedBytes} (one
 * huge bulk must not pin its memory forever).
 */
public final class BufferPool {
    private final ConcurrentLinkedQueue<ByteBuf> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pooled = new AtomicInteger();
    private final int maxPooled;
    private final int initialCapacity;
    private final int maxRetainedBytes;

    public BufferPool(int maxPooled, int initialCapacity, int maxRetainedBytes) {
        this.maxPooled = maxPooled;
        this.initialCapacity = initialCapacity;
        this.maxRetainedBytes = maxRetainedBytes;
    }

    /** A reset buffer, pooled or new. */
    public ByteBuf acquire() {
        ByteBuf buf = free.poll();
        if (buf == null) {
            return new ByteBuf(initialCapacity);
        }
        pooled.decrementAndGet();
        buf.reset();
        return buf;
    }

    /** Returns {@code buf}; the caller must no longer touch it nor its array. */
    public void release(ByteBuf buf) {
        if (buf.capacity() > maxRetainedBytes) {
            return;
        }
        if (pooled.incrementAndGet() <= maxPooled) {
            free.offer(buf);
        } else {
            pooled.decrementAndGet();
        }
    }
}
