package dev.binlogsync.service;

import dev.binlogsync.core.Secrets;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar sync-service.jar --config /etc/binlog-sync/service.json}: starts a
 * {@link BinlogSyncService} with its HTTP endpoints, alerts and heartbeats
 * ({@link StandardEndpoints}) and stops it gracefully on SIGTERM or SIGINT. To run the same service
 * in-process: {@code new BinlogSyncService(source, System.getenv(), PipelineFactory.standard(),
 * StandardEndpoints::start)}.
 *
 * <p>Shutdown: the first signal closes the service (every pipeline drains and commits) and the
 * process exits 0; if that takes longer than {@code service.shutdownTimeout}, or a second signal
 * arrives meanwhile, the process halts with status 1 (bound passed) or 2 (second signal) after a
 * log line naming the pipelines that had not stopped; what they had not committed is read again at
 * the next start. Exit status 64 is a usage error, 78 an invalid first configuration.
 */
public final class ServiceMain {
    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

    static final String USAGE = String.join("\n",
            "usage: java -jar sync-service.jar (--config FILE | --config-env VARIABLE | --config-url URL) [options]",
            "",
            "  --config FILE            a .json or .toml configuration file, re-read when it changes",
            "  --config-env VARIABLE    an environment variable holding the JSON configuration (read once)",
            "  --config-url URL         an http(s) URL of a configuration center, polled; HTTP Basic credentials",
            "                           from BINLOG_SYNC_CONFIG_USER and BINLOG_SYNC_CONFIG_PASSWORD (or in the URL,",
            "                           visible to other users in the process list), or --config-url-token-env",
            "  --config-url-token-env VARIABLE",
            "                           an environment variable holding a bearer token for --config-url",
            "  --config-url-timeout DURATION",
            "                           how long one whole request to the URL may take, body included (default 10s)",
            "  --help                   this text",
            "",
            "The configuration: a 'service' section and a 'pipelines' section (docs/service.md).",
            "");

    /** Exit status of a usage error. */
    static final int EX_USAGE = 64;
    /** Exit status of an invalid first configuration. */
    static final int EX_CONFIG = 78;

    private ServiceMain() {
    }

    /**
     * Starts the service. Blocks nothing: the pipelines run on their own threads and the JVM stays
     * up while they do (the shutdown handler ends it).
     */
    public static void main(String[] args) {
        boundHttpExchanges();
        Map<String, String> env = System.getenv();
        ConfigSource source;
        try {
            source = parseArguments(args, env, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(USAGE);
            System.exit(EX_USAGE);
            return;
        }
        if (source == null) {
            System.exit(0); // --help
            return;
        }

        BinlogSyncService service = new BinlogSyncService(source, env, PipelineFactory.standard(),
                StandardEndpoints::start);
        GracefulShutdown shutdown = new GracefulShutdown(service, code -> Runtime.getRuntime().halt(code), () -> System.exit(0));
        shutdown.install();
        try {
            service.start();
        } catch (dev.binlogsync.core.config.ConfigException e) {
            log.error("invalid configuration from {}: {}", source.describe(), e.getMessage());
            service.close();
            System.exit(EX_CONFIG);
        } catch (Exception e) {
            log.error("the service could not start", Secrets.loggable(e));
            service.close();
            System.exit(1);
        }
        // keep the JVM alive: pipeline threads are daemons
        shutdown.awaitExit();
    }

    /**
     * The source the arguments name, or null after printing the help.
     *
     * @throws IllegalArgumentException naming the problem
     */
    @Nullable
    static ConfigSource parseArguments(String[] args, Map<String, String> env, PrintStream out) {
        String file = null;
        String variable = null;
        String url = null;
        String tokenVariable = null;
        Duration timeout = Duration.ofSeconds(10);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    out.print(USAGE);
                    return null;
                }
                case "--config" -> file = value(args, ++i, a);
                case "--config-env" -> variable = value(args, ++i, a);
                case "--config-url" -> url = value(args, ++i, a);
                case "--config-url-token-env" -> tokenVariable = value(args, ++i, a);
                case "--config-url-timeout" -> timeout = duration(value(args, ++i, a), a);
                default -> throw new IllegalArgumentException("unknown argument: " + a);
            }
        }
        int given = (file != null ? 1 : 0) + (variable != null ? 1 : 0) + (url != null ? 1 : 0);
        if (given != 1) {
            throw new IllegalArgumentException(given == 0
                    ? "no configuration given: use --config, --config-env or --config-url"
                    : "give only one of --config, --config-env and --config-url");
        }
        if (tokenVariable != null && url == null) {
            throw new IllegalArgumentException("--config-url-token-env needs --config-url");
        }
        if (file != null) {
            return new FileConfigSource(Path.of(file));
        }
        if (variable != null) {
            return new EnvConfigSource(variable, env);
        }
        URI uri;
        try {
            uri = new URI(Objects.requireNonNull(url));
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("--config-url is not a valid URL"); // the URL may hold credentials
        }
        String token = null;
        if (tokenVariable != null) {
            token = env.get(tokenVariable);
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("environment variable " + tokenVariable + " (--config-url-token-env) is not set");
            }
        }
        String user = env.get(CONFIG_USER_VARIABLE);
        String password = env.get(CONFIG_PASSWORD_VARIABLE);
        if (user != null && !user.isEmpty()) {
            if (password == null) {
                throw new IllegalArgumentException(CONFIG_USER_VARIABLE + " is set but " + CONFIG_PASSWORD_VARIABLE + " is not");
            }
            return HttpConfigSource.withBasicAuth(uri, timeout, user, password);
        }
        return new HttpConfigSource(uri, timeout, token);
    }

    /** The environment variable holding the configuration center's HTTP Basic user. */
    static final String CONFIG_USER_VARIABLE = "BINLOG_SYNC_CONFIG_USER";
    /** The environment variable holding the configuration center's HTTP Basic password. */
    static final String CONFIG_PASSWORD_VARIABLE = "BINLOG_SYNC_CONFIG_PASSWORD";

    /** Seconds a client may take to send a request, or to read an answer, before its connection is closed. */
    static final String HTTP_EXCHANGE_SECONDS = "30";

    /**
     * Bounds how long one HTTP client may hold an endpoint thread (a connection that sends half a
     * request and stalls would otherwise hold it forever): sets {@code sun.net.httpserver.maxReqTime}
     * and {@code maxRspTime} unless the user set them. The JDK reads them once, when its server
     * classes load, so this runs before anything starts a server.
     */
    static void boundHttpExchanges() {
        for (String key : new String[] {"sun.net.httpserver.maxReqTime", "sun.net.httpserver.maxRspTime"}) {
            if (System.getProperty(key) == null) {
                System.setProperty(key, HTTP_EXCHANGE_SECONDS);
            }
        }
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    private static Duration duration(String text, String flag) {
        try {
            Duration d = new dev.binlogsync.core.config.ConfigSection("", Map.of("d", text), Map.of()).duration("d", null);
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(flag + " must be > 0: " + text);
            }
            return d;
        } catch (dev.binlogsync.core.config.ConfigException e) {
            throw new IllegalArgumentException(flag + ": not a duration (200ms, 10s, PT10S): " + text);
        }
    }

    /** Halts the JVM; a seam for tests. */
    @FunctionalInterface
    interface Halt {
        void halt(int status);
    }

    /**
     * The shutdown path: on the first signal closes the service within
     * {@code service.shutdownTimeout} and lets the JVM exit 0, halting with a non-zero status when
     * the bound passes or a second signal arrives.
     */
    static final class GracefulShutdown {
        private final BinlogSyncService service;
        private final Halt halt;
        private final Runnable exit;
        private final AtomicInteger signals = new AtomicInteger();
        private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);

        /**
         * @param halt halts the JVM at once ({@link Runtime#halt})
         * @param exit starts the JVM's orderly exit with status 0 ({@link System#exit}), which runs
         *     the shutdown hook
         */
        GracefulShutdown(BinlogSyncService service, Halt halt, Runnable exit) {
            this.service = service;
            this.halt = halt;
            this.exit = exit;
        }

        /**
         * Handles SIGTERM and SIGINT: the first starts {@link System#exit(int) System.exit(0)},
         * whose shutdown hook runs {@link #closeWithinBound()}; the second halts.
         */
        void install() {
            Runtime.getRuntime().addShutdownHook(new Thread(this::closeWithinBound, "binlog-sync-shutdown"));
            for (String name : new String[] {"TERM", "INT"}) {
                try {
                    sun.misc.Signal.handle(new sun.misc.Signal(name), s -> signal("SIG" + name));
                } catch (IllegalArgumentException | UnsupportedOperationException unavailable) {
                    // the JVM's own handler stays: the shutdown hook still drains
                    log.warn("cannot handle SIG{} ({}); a second signal will not halt", name, unavailable.getMessage());
                }
            }
        }

        /** A signal arrived. */
        void signal(String name) {
            if (signals.incrementAndGet() == 1) {
                log.info("{} received: draining the pipelines (bound {})", name, shutdownTimeout());
                // not on the signal thread: System.exit blocks until the shutdown hook is done
                Thread exiter = new Thread(exit, "binlog-sync-exit");
                exiter.setDaemon(false);
                exiter.start();
            } else {
                log.error("{} received again: halting now; pipelines not stopped: {}", name, service.supervisor().notStopped());
                halt.halt(2);
            }
        }

        private Duration shutdownTimeout() {
            ServiceConfig c = service.currentConfig();
            return c != null ? c.shutdownTimeout() : ServiceConfig.DEFAULT_SHUTDOWN_TIMEOUT;
        }

        /**
         * Closes the service, waiting at most {@code service.shutdownTimeout}; past it, logs what did
         * not finish and halts with status 1.
         */
        void closeWithinBound() {
            Duration bound = shutdownTimeout();
            Thread closer = new Thread(service::close, "binlog-sync-close");
            closer.setDaemon(true);
            closer.start();
            try {
                closer.join(Math.max(1, bound.toMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closer.isAlive()) {
                log.error("shutdown did not finish within {}: halting; pipelines not stopped (their uncommitted records"
                        + " are read again at the next start): {}", bound, service.supervisor().notStopped());
                halt.halt(1);
                return;
            }
            java.util.Set<String> notDrained = service.supervisor().notDrained();
            if (!notDrained.isEmpty()) {
                log.error("shutdown finished but pipelines {} were not drained (their uncommitted records are read again"
                        + " at the next start): exiting with status 1", notDrained);
                halt.halt(1);
                return;
            }
            closed.countDown();
        }

        /** Blocks the main thread until the service has been closed. */
        void awaitExit() {
            try {
                closed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
