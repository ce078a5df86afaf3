package dev.binlogsync.elasticsearch.internal;

import dev.binlogsync.core.Secrets;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.apache.http.conn.ConnectTimeoutException;
import org.elasticsearch.client.RestClient;

/**
 * The sink's hosts, one {@link RestClient} with a single node each, so that no client ever re-sends
 * a request to another node by itself (a multi-node {@code RestClient} retries every I/O failure and
 * every 502/503/504 on the next node, which can apply a bulk twice, the second time after a newer
 * write). The sink picks the host per request: round robin over the hosts not avoided; a host that
 * failed is avoided for 1 s, doubling with each further failure up to 60 s, and forgiven on its next
 * success; when every host is avoided, the one free soonest is used. Thread-safe.
 */
public final class HostPool implements AutoCloseable {
    private static final long MIN_AVOID_NANOS = 1_000_000_000L;
    private static final long MAX_AVOID_NANOS = 60_000_000_000L;

    private final List<RestClient> clients;
    private final int[] failures;
    private final long[] avoidUntil;
    private int next;

    /** @param clients one per host, each with exactly one node; not empty */
    public HostPool(List<RestClient> clients) {
        if (clients.isEmpty()) {
            throw new IllegalArgumentException("no hosts");
        }
        this.clients = List.copyOf(clients);
        this.failures = new int[clients.size()];
        this.avoidUntil = new long[clients.size()];
    }

    public int size() {
        return clients.size();
    }

    public RestClient client(int host) {
        return clients.get(host);
    }

    /** The clients in configuration order. */
    public List<RestClient> clients() {
        return clients;
    }

    /**
     * The host for the next attempt of a request that already tried {@code tried}.
     *
     * @return a host index, or -1 if every host was tried
     */
    public synchronized int pick(BitSet tried) {
        long now = System.nanoTime();
        int n = clients.size();
        int start = next;
        next = (next + 1) % n;
        int soonest = -1;
        for (int k = 0; k < n; k++) {
            int i = (start + k) % n;
            if (tried.get(i)) {
                continue;
            }
            if (failures[i] == 0 || now - avoidUntil[i] >= 0) {
                return i;
            }
            if (soonest < 0 || avoidUntil[i] - avoidUntil[soonest] < 0) {
                soonest = i;
            }
        }
        return soonest;
    }

    /** A request to {@code host} failed: avoid it for a while. */
    public synchronized void failed(int host) {
        int f = Math.min(++failures[host], 30);
        long avoid = MIN_AVOID_NANOS << Math.min(f - 1, 6);
        avoidUntil[host] = System.nanoTime() + Math.min(avoid, MAX_AVOID_NANOS);
    }

    /** A request to {@code host} got an answer. */
    public synchronized void succeeded(int host) {
        failures[host] = 0;
    }

    /**
     * Whether {@code failure} proves the request never left this client: the connection could not
     * be made (refused, connect timeout, unknown host, no route, TLS handshake refused, a certificate
     * not naming the host: checked before the request is written), so no byte
     * of the request reached the server. Anything else (a socket timeout, a reset or closed
     * connection, an error status, a failure not known here) may come after the server got it.
     */
    public static boolean provesNotSent(Throwable failure) {
        Objects.requireNonNull(failure, "failure");
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof ConnectTimeoutException
                    || t instanceof UnknownHostException || t instanceof NoRouteToHostException
                    || t instanceof SSLHandshakeException || t instanceof SSLPeerUnverifiedException) {
                return true;
            }
        }
        return false;
    }

    /** Host URIs, for messages. */
    public List<String> describe() {
        List<String> hosts = new ArrayList<>();
        for (RestClient c : clients) {
            // a caller's client may have been built from a URL with user info: never shown
            c.getNodes().forEach(node -> hosts.add(Secrets.maskUserInfo(node.getHost().toURI())));
        }
        return hosts;
    }

    /** Closes every client. */
    @Override
    public void close() throws IOException {
        IOException first = null;
        for (RestClient c : clients) {
            try {
                c.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
