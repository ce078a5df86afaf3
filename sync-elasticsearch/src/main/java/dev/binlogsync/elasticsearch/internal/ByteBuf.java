package dev.binlogsync.elasticsearch.internal;

import java.io.OutputStream;
import java.util.Arrays;

/**
 * A growable byte array that exposes its backing array, so an encoded request body can be handed to
 * the HTTP client without the copy {@link java.io.ByteArrayOutputStream#toByteArray()} makes. Reused
 * across requests through {@link BufferPool}. Not thread-safe.
 */
public final class ByteBuf extends OutputStream {
    private byte[] bytes;
    private int size;

    /** @param initialCapacity bytes to allocate up front, {@code > 0} */
    public ByteBuf(int initialCapacity) {
        if (initialCapacity <= 0) {
            throw new IllegalArgumentException("initialCapacity must be > 0: " + initialCapacity);
        }
        bytes = new byte[initialCapacity];
    }

    @Override
    public void write(int b) {
        ensureCapacity(size + 1);
        bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) {
        ensureCapacity(size + len);
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** Appends one byte. */
    public void append(byte b) {
        ensureCapacity(size + 1);
        bytes[size++] = b;
    }

    /** Appends all of {@code b}. */
    public void append(byte[] b) {
        write(b, 0, b.length);
    }

    /**
     * Makes room for at least {@code n} more bytes and returns the index in {@link #array()} where
     * they go; the caller stores bytes there and then calls {@link #advance(int)}. Only valid until
     * the next call that may grow the buffer.
     */
    public int reserve(int n) {
        ensureCapacity(size + n);
        return size;
    }

    /** Counts {@code n} bytes stored after {@link #reserve(int)} as written; {@code n} at most what was reserved. */
    public void advance(int n) {
        if (n < 0 || size + n > bytes.length) {
            throw new IndexOutOfBoundsException("advance " + n + " at " + size + " of " + bytes.length);
        }
        size += n;
    }

    private void ensureCapacity(int needed) {
        if (needed > bytes.length) {
            if (needed < 0) {
                throw new OutOfMemoryError("request body larger than 2 GiB");
            }
            bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length << 1));
        }
    }

    /** The backing array; valid bytes are {@code [0, size())}. Changes when the buffer grows. */
    public byte[] array() {
        return bytes;
    }

    /** Number of bytes written since the last {@link #reset()}. */
    public int size() {
        return size;
    }

    /** Forgets the content, keeps the capacity. */
    public void reset() {
        size = 0;
    }

    /** Allocated bytes. */
    public int capacity() {
        return bytes.length;
    }
}
