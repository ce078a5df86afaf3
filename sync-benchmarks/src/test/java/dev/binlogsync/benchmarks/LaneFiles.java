package dev.binlogsync.benchmarks;

import dev.binlogsync.core.ActionType;
import dev.binlogsync.core.DocumentAction;
import dev.binlogsync.elasticsearch.internal.BulkBodyEncoder;
import dev.binlogsync.elasticsearch.internal.ByteBuf;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * Actions pre-encoded as {@code _bulk} bodies for the end-to-end benchmark's replays, split by
 * document id into lanes (so one id's changes stay in one lane, in the order added, as the
 * pipeline keeps them), each lane in a temporary file of its own (each body an {@code int} length,
 * then the body). Written once while the topic is pre-loaded, read back by each load, so a large N
 * holds none of it on the heap; a load reads the next body from the file (the page cache, in
 * practice) before each request.
 *
 * <p>Not thread-safe: {@link #add} and {@link #finish} on one thread; {@link #open} after
 * {@link #finish}, each {@link Bodies} on one thread. {@link #close} deletes the files.
 */
final class LaneFiles implements AutoCloseable {
    private final String index;
    private final int batch;
    private final List<Path> files = new ArrayList<>();
    private final List<DataOutputStream> outs = new ArrayList<>();
    private final List<List<DocumentAction>> pending = new ArrayList<>();
    private final BulkBodyEncoder encoder = new BulkBodyEncoder();
    private final Map<ActionType, Integer> counts = new EnumMap<>(ActionType.class);
    private int actions;

    private LaneFiles(String index, int batch) {
        this.index = index;
        this.batch = batch;
    }

    /** Files for {@code lanes} lanes of bodies of {@code batch} actions into {@code index}. */
    static LaneFiles create(String index, int lanes, int batch) throws IOException {
        LaneFiles f = new LaneFiles(index, batch);
        try {
            for (int i = 0; i < lanes; i++) {
                Path file = Files.createTempFile("e2e-" + index + "-lane" + i + "-", ".bulk");
                f.files.add(file);
                f.outs.add(new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)));
                f.pending.add(new ArrayList<>(batch));
            }
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
        return f;
    }

    /** {@code actions} as one {@code _bulk} body. */
    static byte[] body(BulkBodyEncoder encoder, List<DocumentAction> actions) {
        ByteBuf buf = new ByteBuf(256 * 1024);
        encoder.encode(actions, buf);
        return Arrays.copyOf(buf.array(), buf.size());
    }

    /** The index every body writes into. */
    String index() {
        return index;
    }

    /** Adds the next action (into this index, whatever index it names) to its id's lane. */
    void add(DocumentAction a) {
        int lane = Math.floorMod(a.id().hashCode(), files.size());
        List<DocumentAction> p = pending.get(lane);
        p.add(new DocumentAction(index, a.id(), a.routing(), a.type(), a.document(), a.version(), a.versionType()));
        actions++;
        counts.merge(a.type(), 1, Integer::sum);
        if (p.size() >= batch) {
            write(lane);
        }
    }

    private void write(int lane) {
        List<DocumentAction> p = pending.get(lane);
        if (p.isEmpty()) {
            return;
        }
        byte[] body = body(encoder, p);
        try {
            outs.get(lane).writeInt(body.length);
            outs.get(lane).write(body);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + files.get(lane), e);
        }
        p.clear();
    }

    /** Writes the last, partial bodies and closes the files for writing. */
    void finish() throws IOException {
        for (int i = 0; i < files.size(); i++) {
            write(i);
            outs.get(i).close();
        }
        outs.clear();
    }

    /** The actions added. */
    int actions() {
        return actions;
    }

    /** The actions added of {@code type}. */
    int count(ActionType type) {
        return counts.getOrDefault(type, 0);
    }

    /** Each lane's bodies, read from its file from the start; the caller closes them. */
    List<Bodies> open() throws IOException {
        List<Bodies> lanes = new ArrayList<>();
        try {
            for (Path file : files) {
                lanes.add(new Bodies(file));
            }
        } catch (IOException | RuntimeException e) {
            for (Bodies b : lanes) {
                b.close();
            }
            throw e;
        }
        return lanes;
    }

    /** The lane files, deleted by {@link #close}. */
    List<Path> files() {
        return List.copyOf(files);
    }

    @Override
    public void close() throws IOException {
        for (DataOutputStream out : outs) {
            out.close();
        }
        for (Path file : files) {
            Files.deleteIfExists(file);
        }
    }

    /**
     * The bodies of one lane file, one at a time; {@link UncheckedIOException} when the file
     * cannot be read.
     */
    static final class Bodies implements Iterator<byte[]>, AutoCloseable {
        private static final int UNREAD = -2;
        private static final int END = -1;
        private final DataInputStream in;
        private final Path file;
        private int nextLength = UNREAD;

        Bodies(Path file) throws IOException {
            this.file = file;
            this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 20));
        }

        @Override
        public boolean hasNext() {
            if (nextLength == UNREAD) {
                try {
                    nextLength = in.readInt();
                } catch (EOFException e) {
                    nextLength = END;
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }
            return nextLength != END;
        }

        @Override
        public byte[] next() {
            if (!hasNext()) {
                throw new NoSuchElementException(file.toString());
            }
            byte[] body = new byte[nextLength];
            try {
                in.readFully(body);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            nextLength = UNREAD;
            return body;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
