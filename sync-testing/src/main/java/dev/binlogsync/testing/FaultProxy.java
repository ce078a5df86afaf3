package dev.binlogsync.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;

/**
 * A loopback HTTP/1.1 proxy in front of one upstream node, for tests, that injects the network
 * faults after which a request may still be applied: it can hold a request past the client's
 * socket timeout and forward it late, answer 502/504 while still forwarding the request, reset the
 * client's connection after taking the request and forward it anyway, and stall reads.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.start(es.httpHost().getHostName(), es.httpHost().getPort())) {
 *     proxy.inject(FaultProxy.Fault.holdThenForward(Duration.ofSeconds(3), false), 1);
 *     ... // point a client at proxy.url()
 *     proxy.awaitLateForwards(Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p><b>Modes.</b> Pass-through unless a fault was {@linkplain #inject injected}: the next
 * {@code times} requests whose method is {@code POST} (the writes: {@code _bulk}) get the fault,
 * then the proxy passes through again. {@code GET}, {@code HEAD}, {@code PUT} and {@code DELETE}
 * always pass. A faulted connection is closed after its request; the upstream request a fault
 * forwards late goes over a connection of its own, and its response is discarded (or, for
 * {@link Fault#holdThenForward} with {@code answerLate}, written to the client if it still listens).
 *
 * <p><b>Limits.</b> Binds 127.0.0.1 only, on an ephemeral port. At most {@value #MAX_CONNECTIONS}
 * client connections at once (more are closed at once); every thread is a named daemon; a fault's
 * delay is its only wait, and {@link #close()} interrupts it. Messages are read by
 * {@code Content-Length} or chunked encoding; no {@code Expect: 100-continue}, no upgrades.
 *
 * <p><b>Threading.</b> Thread-safe: {@link #inject} and the counters may be used from any thread
 * while requests flow.
 */
public final class FaultProxy implements AutoCloseable {
    /** Most client connections served at once. */
    public static final int MAX_CONNECTIONS = 32;
    private static final int MAX_HEAD = 64 * 1024;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /**
     * What a fault does to the client's connection and when the request reaches the node; also the
     * key of {@link #injected(Kind)}. Every kind forwards the request exactly once (unless the
     * proxy closes or the node is gone first), so each one is a case where a request the client
     * saw fail may still be applied.
     */
    public enum Kind {
        /** Takes the whole request, waits, then forwards it; the client sees silence (its socket timeout). */
        HOLD_THEN_FORWARD,
        /** Answers an error status (502, 503 or 504) at once and forwards the request after a delay. */
        ERROR_WHILE_FORWARDING,
        /** Takes the whole request, resets the client connection (TCP RST), forwards the request after a delay. */
        RESET_AFTER_SEND,
        /** Does not read from the client for a while, then reads what arrived and forwards it. */
        STALL_READS
    }

    /**
     * One fault: an immutable value, safe to share between threads and to {@linkplain #inject
     * inject} again. Build it with the factories, which also check the kind's own values (such as
     * the status of {@link #errorWhileForwarding}); the canonical constructor checks only that
     * {@code kind} and {@code delay} are not null ({@link NullPointerException}) and that
     * {@code delay} is not negative ({@link IllegalArgumentException}).
     *
     * @param kind what it does
     * @param delay how long the request is held (or reads stall) before it is forwarded
     * @param status the error status for {@link Kind#ERROR_WHILE_FORWARDING}, otherwise 0
     * @param answerLate for {@link Kind#HOLD_THEN_FORWARD} and {@link Kind#STALL_READS}: write the
     *     node's response to the client if it is still connected (otherwise the response is dropped)
     */
    public record Fault(Kind kind, Duration delay, int status, boolean answerLate) {
        public Fault {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(delay, "delay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must be >= 0: " + delay);
            }
        }

        /** Holds the request for {@code delay}, then forwards it; the response is dropped or answered late. */
        public static Fault holdThenForward(Duration delay, boolean answerLate) {
            return new Fault(Kind.HOLD_THEN_FORWARD, delay, 0, answerLate);
        }

        /**
         * Answers {@code status} (502, 503 or 504) at once, forwards the request after {@code forwardDelay}.
         *
         * @throws IllegalArgumentException if {@code status} is another value
         */
        public static Fault errorWhileForwarding(int status, Duration forwardDelay) {
            if (status < 502 || status > 504) {
                throw new IllegalArgumentException("status must be 502, 503 or 504: " + status);
            }
            return new Fault(Kind.ERROR_WHILE_FORWARDING, forwardDelay, status, false);
        }

        /** Resets the client connection once the request is read, forwards it after {@code forwardDelay}. */
        public static Fault resetAfterSend(Duration forwardDelay) {
            return new Fault(Kind.RESET_AFTER_SEND, forwardDelay, 0, false);
        }

        /** Reads nothing from the client for {@code stall}, then reads the request and forwards it. */
        public static Fault stallReads(Duration stall, boolean answerLate) {
            return new Fault(Kind.STALL_READS, stall, 0, answerLate);
        }
    }

    private final String upstreamHost;
    private final int upstreamPort;
    private final ServerSocket server;
    private final ThreadPoolExecutor workers;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Object faultLock = new Object();
    @Nullable private Fault fault;
    private int faultsLeft;
    private final Map<Kind, AtomicInteger> injected = new EnumMap<>(Kind.class);
    private final AtomicInteger lateForwardsPending = new AtomicInteger();
    private final AtomicInteger lateForwardsDone = new AtomicInteger();
    private final AtomicInteger passed = new AtomicInteger();
    private volatile boolean closed;

    private FaultProxy(String upstreamHost, int upstreamPort) throws IOException {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        for (Kind k : Kind.values()) {
            injected.put(k, new AtomicInteger());
        }
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        int id = INSTANCES.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 10, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "fault-proxy-" + id + "-conn-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::accept, "fault-proxy-" + id + "-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Starts a proxy on 127.0.0.1 (ephemeral port) in front of {@code upstreamHost:upstreamPort}.
     *
     * @throws IOException if it cannot bind
     */
    public static FaultProxy start(String upstreamHost, int upstreamPort) throws IOException {
        Objects.requireNonNull(upstreamHost, "upstreamHost");
        FaultProxy proxy = new FaultProxy(upstreamHost, upstreamPort);
        proxy.acceptor.start();
        return proxy;
    }

    /** The bound port. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * Applies {@code fault} to the next {@code times} POST requests (replacing a fault still
     * pending), then passes through again.
     *
     * @throws IllegalArgumentException if {@code times < 1}
     */
    public void inject(Fault fault, int times) {
        Objects.requireNonNull(fault, "fault");
        if (times < 1) {
            throw new IllegalArgumentException("times must be >= 1: " + times);
        }
        synchronized (faultLock) {
            this.fault = fault;
            this.faultsLeft = times;
        }
    }

    /** Drops a pending fault: everything passes through. */
    public void passThrough() {
        synchronized (faultLock) {
            fault = null;
            faultsLeft = 0;
        }
    }

    /** Whether an injected fault still waits for its requests. */
    public boolean faultPending() {
        synchronized (faultLock) {
            return faultsLeft > 0;
        }
    }

    /** How many requests got a fault of this kind so far. */
    public int injected(Kind kind) {
        return injected.get(kind).get();
    }

    /** Requests passed through unchanged so far. */
    public int passed() {
        return passed.get();
    }

    /** Faulted requests already forwarded (and answered or failed upstream). */
    public int lateForwardsDone() {
        return lateForwardsDone.get();
    }

    /**
     * Waits until every faulted request was forwarded and its upstream response read (or its
     * forwarding failed), so that nothing the proxy holds can still reach the node.
     *
     * @return false if some were still pending after {@code timeout}
     */
    public boolean awaitLateForwards(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lateForwardsPending.get() > 0) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(10); // polling with a deadline
        }
        return true;
    }

    @Nullable
    private Fault takeFault(String method) {
        if (!"POST".equals(method)) {
            return null;
        }
        synchronized (faultLock) {
            if (faultsLeft <= 0 || fault == null) {
                return null;
            }
            Fault f = fault;
            if (--faultsLeft == 0) {
                fault = null;
            }
            // counted as pending before the request is even read, so awaitLateForwards cannot miss it
            lateForwardsPending.incrementAndGet();
            injected.get(f.kind()).incrementAndGet();
            return f;
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(client);
            try {
                workers.execute(() -> serve(client));
            } catch (RejectedExecutionException e) {
                closeQuietly(client); // bounded: over MAX_CONNECTIONS, the connection is refused
            }
        }
    }

    private void serve(Socket client) {
        Socket upstream = null;
        try {
            client.setTcpNoDelay(true);
            InputStream in = client.getInputStream();
            while (!closed) {
                ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
                String head = Message.readHead(in, buf);
                if (head == null) {
                    return; // the client closed the connection
                }
                String method = head.substring(0, Math.max(0, head.indexOf(' ')));
                Fault f = takeFault(method);
                if (f != null && f.kind() == Kind.STALL_READS) {
                    try {
                        sleep(f.delay()); // the body stays unread: in the socket buffers, or the client blocks writing
                    } catch (InterruptedException e) {
                        lateForwardsPending.decrementAndGet();
                        return;
                    }
                }
                Message request;
                try {
                    request = Message.readBody(in, buf, head, method, null);
                } catch (IOException e) {
                    if (f != null) {
                        lateForwardsPending.decrementAndGet(); // nothing complete to forward
                    }
                    throw e;
                }
                if (f != null) {
                    faulted(client, request, f);
                    return;
                }
                upstream = passThrough(client, upstream, request);
            }
        } catch (IOException e) {
            // the client or the node went away: end this connection
        } finally {
            closeQuietly(client);
            if (upstream != null) {
                closeQuietly(upstream);
            }
        }
    }

    /** Forwards one request on the connection's upstream connection and relays the response; returns that connection. */
    private Socket passThrough(Socket client, @Nullable Socket upstream, Message request) throws IOException {
        if (upstream == null || upstream.isClosed()) {
            upstream = connectUpstream();
        }
        upstream.getOutputStream().write(request.bytes());
        upstream.getOutputStream().flush();
        Message response = Message.read(upstream.getInputStream(), request.method());
        if (response == null) {
            throw new EOFException("the node closed the connection without a response");
        }
        client.getOutputStream().write(response.bytes());
        client.getOutputStream().flush();
        passed.incrementAndGet();
        return upstream;
    }

    private void faulted(Socket client, Message request, Fault f) {
        try {
            switch (f.kind()) {
                case HOLD_THEN_FORWARD:
                    sleep(f.delay());
                    forwardAndMaybeAnswer(client, request, f.answerLate());
                    break;
                case STALL_READS:
                    // the stall already happened before the body was read
                    forwardAndMaybeAnswer(client, request, f.answerLate());
                    break;
                case ERROR_WHILE_FORWARDING:
                    byte[] body = ("{\"error\":\"injected by FaultProxy\",\"status\":" + f.status() + "}")
                            .getBytes(StandardCharsets.UTF_8);
                    String head = "HTTP/1.1 " + f.status() + " " + (f.status() == 502 ? "Bad Gateway"
                            : f.status() == 503 ? "Service Unavailable" : "Gateway Timeout") + "\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + body.length
                            + "\r\nConnection: close\r\n\r\n";
                    OutputStream out = client.getOutputStream();
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    out.write(body);
                    out.flush();
                    closeQuietly(client);
                    sleep(f.delay());
                    forwardAndMaybeAnswer(null, request, false);
                    break;
                case RESET_AFTER_SEND:
                    client.setSoLinger(true, 0); // close() sends RST
                    closeQuietly(client);
                    sleep(f.delay());
                    forwardAndMaybeAnswer(null, request, false);
                    break;
                default:
                    throw new AssertionError(f.kind());
            }
        } catch (IOException | InterruptedException e) {
            // the node is gone or the proxy closes: nothing more to forward
        } finally {
            lateForwardsPending.decrementAndGet();
            lateForwardsDone.incrementAndGet();
        }
    }

    /** Sends {@code request} on a fresh upstream connection, reads the response, answers the client if given and still there. */
    private void forwardAndMaybeAnswer(@Nullable Socket client, Message request, boolean answer) throws IOException {
        if (closed) {
            return;
        }
        try (Socket upstream = connectUpstream()) {
            upstream.getOutputStream().write(request.bytes());
            upstream.getOutputStream().flush();
            Message response = Message.read(upstream.getInputStream(), request.method());
            if (answer && client != null && response != null) {
                try {
                    client.getOutputStream().write(response.bytes());
                    client.getOutputStream().flush();
                } catch (IOException e) {
                    // the client gave up long ago: the late answer is lost, as in the real fault
                }
            }
        } finally {
            if (client != null) {
                closeQuietly(client);
            }
        }
    }

    private Socket connectUpstream() throws IOException {
        Socket s = new Socket();
        open.add(s);
        s.connect(new InetSocketAddress(upstreamHost, upstreamPort), 10_000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(60_000); // bounded: a node that never answers ends the forwarding
        return s;
    }

    private static void sleep(Duration d) throws InterruptedException {
        if (!d.isZero()) {
            Thread.sleep(d.toMillis());
        }
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    /** Stops accepting, closes every connection and interrupts pending faults; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        workers.shutdownNow();
        try {
            acceptor.join(5_000);
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + url() + " -> " + upstreamHost + ":" + upstreamPort + "]";
    }

    /** One HTTP/1.1 message as raw bytes (head and body), with the request method when it is a request. */
    private record Message(String method, byte[] bytes) {

        /**
         * Reads one response to a {@code requestMethod} request: head and body.
         *
         * @return null on a clean end of stream before the first byte
         */
        @Nullable
        static Message read(InputStream in, String requestMethod) throws IOException {
            ByteArrayOutputStream buf = new ByteArrayOutputStream(1024);
            String head = readHead(in, buf);
            return head == null ? null : readBody(in, buf, head, requestMethod, requestMethod);
        }

        /**
         * Reads a message head up to the blank line into {@code buf}.
         *
         * @return the head as text, or null on a clean end of stream before the first byte
         */
        @Nullable
        static String readHead(InputStream in, ByteArrayOutputStream buf) throws IOException {
            int matched = 0;
            while (matched < 4) {
                int b = in.read();
                if (b < 0) {
                    if (buf.size() == 0) {
                        return null;
                    }
                    throw new EOFException("end of stream inside a message head");
                }
                buf.write(b);
                matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                        ? matched + 1 : (b == '\r' ? 1 : 0);
                if (buf.size() > MAX_HEAD) {
                    throw new IOException("message head over " + MAX_HEAD + " bytes");
                }
            }
            return buf.toString(StandardCharsets.ISO_8859_1);
        }

        /**
         * Reads the body that {@code head} announces (Content-Length or chunked; none for
         * responses to HEAD and for 1xx/204/304) into {@code buf}.
         *
         * @param answered the request method when {@code head} is a response's, null for a request
         */
        static Message readBody(InputStream in, ByteArrayOutputStream buf, String head, String method,
                @Nullable String answered) throws IOException {
            long length = 0;
            boolean chunked = false;
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                if (name.equals("content-length")) {
                    length = Long.parseLong(value);
                } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                    chunked = true;
                }
            }
            if (answered != null) {
                int status = Integer.parseInt(head.substring(0, head.indexOf("\r\n")).split(" ")[1]);
                if ("HEAD".equals(answered) || status / 100 == 1 || status == 204 || status == 304) {
                    return new Message(method, buf.toByteArray());
                }
            }
            if (chunked) {
                copyChunked(in, buf);
            } else {
                copy(in, buf, length);
            }
            return new Message(method, buf.toByteArray());
        }

        private static void copy(InputStream in, ByteArrayOutputStream out, long n) throws IOException {
            byte[] b = new byte[8192];
            while (n > 0) {
                int r = in.read(b, 0, (int) Math.min(b.length, n));
                if (r < 0) {
                    throw new EOFException("end of stream inside a message body");
                }
                out.write(b, 0, r);
                n -= r;
            }
        }

        private static String line(InputStream in, ByteArrayOutputStream out) throws IOException {
            StringBuilder sb = new StringBuilder();
            int prev = -1;
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("end of stream inside a chunk header");
                }
                out.write(b);
                if (prev == '\r' && b == '\n') {
                    return sb.substring(0, sb.length() - 1);
                }
                sb.append((char) b);
                prev = b;
            }
        }

        private static void copyChunked(InputStream in, ByteArrayOutputStream out) throws IOException {
            while (true) {
                String size = line(in, out);
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    // trailers up to the blank line
                    while (!line(in, out).isEmpty()) {
                        // skip
                    }
                    return;
                }
                copy(in, out, n + 2); // the data and its CRLF
            }
        }
    }
}
