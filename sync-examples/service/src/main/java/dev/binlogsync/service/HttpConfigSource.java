package dev.binlogsync.service;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.annotation.Nullable;

/**
 * A configuration center: a JSON document fetched from an {@code http} or {@code https} URL at
 * every poll. The request carries {@code If-None-Match} with the last {@code ETag}; a
 * {@code 304 Not Modified}, or a {@code 200} whose body equals the last one, is no change.
 * Credentials come from the URL's user info (percent-decoded, sent as HTTP Basic), a user and
 * password given apart ({@link #withBasicAuth}), or a bearer token; none of them, nor
 * the query string (which may hold a token), ever appears in {@link #describe()} or an error.
 * An answer other than 200 or 304, a body above {@link #MAX_BODY_BYTES}, a request not complete
 * within the timeout (connect, headers and body together; the request is then cancelled) or a
 * refused connection is an {@link IOException}:
 * the service keeps the running configuration and asks again at the next poll.
 *
 * <p>Uses the JDK's {@link HttpClient} (TLS with the JVM's trust store). Redirects are not followed
 * (they would carry the credentials elsewhere): a 3xx is an {@link IOException} naming the status.
 * The URL's path and query are sent exactly as given. Not thread-safe (the service polls from one
 * thread).
 */
public final class HttpConfigSource implements ConfigSource {
    /** The largest configuration document accepted: 16 MiB. */
    public static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private final int maxBodyBytes;
    private final URI uri;
    private final URI requestUri;
    private final Duration timeout;
    @Nullable private final String authorization;
    private final HttpClient client;
    @Nullable private String etag;
    @Nullable private byte[] lastHash;

    /**
     * A source polling {@code uri}.
     *
     * @param timeout how long one request may take, from connecting to the last byte of the answer
     * @param bearerToken sent as {@code Authorization: Bearer ...}, or null
     * @throws IllegalArgumentException if the scheme is not http or https, the URL has no host, the
     *     timeout is not positive, or both user info and a bearer token are given
     */
    public HttpConfigSource(URI uri, Duration timeout, @Nullable String bearerToken) {
        this(uri, timeout, bearerToken, null, null, MAX_BODY_BYTES);
    }

    /**
     * A source polling {@code uri} with HTTP Basic credentials given apart from the URL (from the
     * environment: a URL on the command line is visible to every user of the machine).
     *
     * @throws IllegalArgumentException as {@link #HttpConfigSource(URI, Duration, String)}, or if the
     *     URL also holds user info, or the user is blank
     */
    public static HttpConfigSource withBasicAuth(URI uri, Duration timeout, String user, String password) {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (user.isBlank()) {
            throw new IllegalArgumentException("the configuration center's user must not be blank");
        }
        return new HttpConfigSource(uri, timeout, null, user, password, MAX_BODY_BYTES);
    }

    /** As {@link #HttpConfigSource(URI, Duration, String)}, with another body cap (tests). */
    HttpConfigSource(URI uri, Duration timeout, @Nullable String bearerToken, int maxBodyBytes) {
        this(uri, timeout, bearerToken, null, null, maxBodyBytes);
    }

    private HttpConfigSource(URI uri, Duration timeout, @Nullable String bearerToken, @Nullable String user,
            @Nullable String password, int maxBodyBytes) {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be > 0: " + maxBodyBytes);
        }
        this.maxBodyBytes = maxBodyBytes;
        this.uri = Objects.requireNonNull(uri, "uri");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        String scheme = String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("the configuration URL must be http or https: " + redact(uri));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("the configuration URL has no host: " + redact(uri));
        }
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be > 0: " + timeout);
        }
        String userInfo = uri.getRawUserInfo();
        int given = (userInfo != null ? 1 : 0) + (bearerToken != null ? 1 : 0) + (user != null ? 1 : 0);
        if (given > 1) {
            throw new IllegalArgumentException("give one kind of credentials (in the URL, a user and password, or a"
                    + " bearer token), not several: " + redact(uri));
        }
        if (userInfo != null) {
            // split the raw form: an encoded ':' belongs to the user or the password; '+' is a plus
            int colon = userInfo.indexOf(':');
            String u = percentDecode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            String pw = colon < 0 ? "" : percentDecode(userInfo.substring(colon + 1));
            authorization = basic(u, pw);
        } else if (user != null) {
            authorization = basic(user, Objects.requireNonNull(password, "password"));
        } else if (bearerToken != null) {
            authorization = "Bearer " + bearerToken;
        } else {
            authorization = null;
        }
        // the raw path and query, as given: decoding and re-encoding would change %2B, %26, ...
        StringBuilder request = new StringBuilder(uri.getScheme()).append("://").append(uri.getHost());
        if (uri.getPort() >= 0) {
            request.append(':').append(uri.getPort());
        }
        request.append(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            request.append('?').append(uri.getRawQuery());
        }
        try {
            requestUri = new URI(request.toString());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("invalid configuration URL: " + redact(uri));
        }
        client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                // a redirect would carry the Authorization header to another place: an error instead
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Percent-decoding only ({@link URLDecoder} alone would also turn '+' into a space). */
    private static String percentDecode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the configuration URL's user info is not validly percent-encoded");
        }
    }

    @Override
    @Nullable
    public Document read() throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(requestUri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (etag != null && lastHash != null) {
            request.header("If-None-Match", etag);
        }
        HttpResponse<byte[]> response;
        // HttpRequest.timeout stops counting once the headers arrived: bound the whole exchange here
        CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(request.build(), info -> new CappedBody(maxBodyBytes));
        try {
            response = future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new IOException("cannot fetch the configuration from " + describe() + ": no complete answer within " + timeout);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof BodyTooLarge) {
                throw new IOException("the configuration center's answer at " + describe() + " exceeds " + maxBodyBytes + " bytes");
            }
            // the JDK's messages may quote the URL; say only what failed
            throw new IOException("cannot fetch the configuration from " + describe() + ": " + cause.getClass().getSimpleName());
        }
        int status = response.statusCode();
        if (status == 304 && lastHash != null) {
            return null;
        }
        if (status >= 300 && status < 400 && status != 304) {
            throw new IOException("the configuration center answered HTTP " + status + " (a redirect, not followed:"
                    + " configure the final URL) at " + describe());
        }
        if (status != 200) {
            throw new IOException("the configuration center answered HTTP " + status + " at " + describe());
        }
        byte[] body = response.body();
        byte[] hash = FileConfigSource.sha256(body);
        etag = response.headers().firstValue("ETag").orElse(null);
        if (lastHash != null && Arrays.equals(lastHash, hash)) {
            return null;
        }
        lastHash = hash;
        return new Document(new String(body, StandardCharsets.UTF_8), ServiceConfig.Format.JSON);
    }

    /** Signals an answer longer than the cap; never carries the URL. */
    private static final class BodyTooLarge extends IOException {
        private static final long serialVersionUID = 1L;

        BodyTooLarge() {
            super("the answer is too large");
        }
    }

    /** Collects the body, failing as soon as it exceeds {@code max} bytes. */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        @Nullable private Flow.Subscription subscription;

        CappedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> item) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer buffer : item) {
                if (bytes.size() + (long) buffer.remaining() > max) {
                    result.completeExceptionally(new BodyTooLarge());
                    Objects.requireNonNull(subscription).cancel();
                    return;
                }
                byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    @Override
    public void forget() {
        lastHash = null;
        etag = null;
    }

    @Override
    public boolean isWatched() {
        return true;
    }

    /** {@code scheme://host:port/path}, without user info or query. */
    @Override
    public String describe() {
        return "configuration center " + redact(uri);
    }

    static String redact(URI uri) {
        StringBuilder b = new StringBuilder();
        b.append(uri.getScheme()).append("://");
        if (uri.getRawUserInfo() != null) {
            b.append("****@");
        }
        b.append(uri.getHost());
        if (uri.getPort() >= 0) {
            b.append(':').append(uri.getPort());
        }
        if (uri.getRawPath() != null) {
            b.append(uri.getRawPath());
        }
        if (uri.getRawQuery() != null) {
            b.append("?****");
        }
        return b.toString();
    }

    @Override
    public void close() {
        // HttpClient has no close before Java 21; its threads are daemons and end with it
    }

    @Override
    public String toString() {
        return "HttpConfigSource[" + redact(uri) + "]";
    }
}
