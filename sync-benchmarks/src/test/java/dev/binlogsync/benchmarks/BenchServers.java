package dev.binlogsync.benchmarks;

import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedKafka;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.http.HttpHost;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.elasticsearch.client.RestClient;

/**
 * The Kafka broker and the Elasticsearch node of the end-to-end benchmark: either inside the
 * benchmark's JVM (the default: {@code servers=in-process}), or each in a JVM of its own
 * ({@code servers=processes}), so the pipeline's JVM holds only the pipeline, as in a
 * deployment: its JIT profiles, caches and GC are not shared with the node's. CPU of a server in
 * its own process is read from the operating system (all its threads, its GC and JIT included).
 */
abstract class BenchServers implements AutoCloseable {

    abstract String bootstrapServers();

    abstract void createTopic(String name, int partitions);

    abstract String httpUrl();

    abstract RestClient newClient();

    /** CPU time (ns) of the Elasticsearch node's process so far; 0 when it runs in this JVM. */
    abstract long elasticsearchProcessCpu();

    /** CPU time (ns) of the Kafka broker's process so far; 0 when it runs in this JVM. */
    abstract long kafkaProcessCpu();

    /** Whether the servers run in processes of their own. */
    abstract boolean external();

    @Override
    public abstract void close() throws Exception;

    /**
     * @param esCpus with {@code processes}: the CPUs the node's process is pinned to (Linux
     *     {@code taskset -c} syntax, e.g. {@code "1"}), or null for no pinning
     */
    static BenchServers start(String mode, String childHeap, @Nullable String esCpus) throws Exception {
        if (esCpus != null && !mode.equals("processes")) {
            throw new IllegalArgumentException("esCpus needs servers=processes");
        }
        switch (mode) {
            case "in-process":
                return new InProcess();
            case "processes":
                return new Processes(childHeap, esCpus);
            default:
                throw new IllegalArgumentException("servers must be in-process or processes: " + mode);
        }
    }

    /** Both servers in this JVM. */
    static final class InProcess extends BenchServers {
        private final EmbeddedKafka kafka = EmbeddedKafka.builder().start();
        private final EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("e2e-bench").build().start();

        @Override
        String bootstrapServers() {
            return kafka.bootstrapServers();
        }

        @Override
        void createTopic(String name, int partitions) {
            kafka.createTopic(name, partitions);
        }

        @Override
        String httpUrl() {
            return es.httpUrl();
        }

        @Override
        RestClient newClient() {
            return es.newClient();
        }

        @Override
        long elasticsearchProcessCpu() {
            return 0;
        }

        @Override
        long kafkaProcessCpu() {
            return 0;
        }

        @Override
        boolean external() {
            return false;
        }

        @Override
        public void close() throws Exception {
            try (kafka; es) {
                // both closed
            }
        }
    }

    /** Each server in a child JVM running {@link #main}, on this JVM's class path. */
    static final class Processes extends BenchServers {
        private final Process kafkaProcess;
        private final Process esProcess;
        private final String bootstrap;
        private final String url;

        Processes(String heap, @Nullable String esCpus) throws Exception {
            List<Process> started = new ArrayList<>();
            try {
                kafkaProcess = child("kafka", heap, null, started);
                esProcess = child("elasticsearch", heap, esCpus, started);
                bootstrap = ready(kafkaProcess);
                url = ready(esProcess);
            } catch (Exception | Error e) {
                started.forEach(Process::destroyForcibly);
                throw e;
            }
        }

        static Process child(String what, String heap, @Nullable String cpus, List<Process> started)
                throws IOException {
            Path log = Files.createTempFile("bench-" + what + "-", ".log");
            List<String> cmd = new ArrayList<>();
            if (cpus != null) {
                // taskset execs the JVM: the child keeps the pid this process measures
                cmd.addAll(List.of("taskset", "-c", cpus));
            }
            cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), BenchServers.class.getName(), what));
            Process p = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
            started.add(p);
            System.out.println("started " + what + " in process " + p.pid() + (cpus == null ? "" : " on CPUs " + cpus)
                    + " (log " + log + ")");
            return p;
        }

        /** The address the child prints once its server is up. */
        static String ready(Process p) throws IOException {
            BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("READY ")) {
                    return line.substring(6).trim();
                }
            }
            throw new IllegalStateException("server process " + p.pid() + " ended before it was ready");
        }

        @Override
        String bootstrapServers() {
            return bootstrap;
        }

        @Override
        void createTopic(String name, int partitions) {
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            try (Admin admin = Admin.create(props)) {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("cannot create topic " + name, e);
            }
        }

        @Override
        String httpUrl() {
            return url;
        }

        @Override
        RestClient newClient() {
            return RestClient.builder(HttpHost.create(url)).build();
        }

        @Override
        long elasticsearchProcessCpu() {
            return cpu(esProcess);
        }

        @Override
        long kafkaProcessCpu() {
            return cpu(kafkaProcess);
        }

        private static long cpu(Process p) {
            return p.info().totalCpuDuration().map(Duration::toNanos).orElseThrow(
                    () -> new IllegalStateException("no CPU time for process " + p.pid()));
        }

        @Override
        boolean external() {
            return true;
        }

        @Override
        public void close() throws Exception {
            for (Process p : new Process[] {esProcess, kafkaProcess}) {
                try (OutputStream stdin = p.getOutputStream()) {
                    stdin.flush(); // closing stdin tells the child to stop
                } catch (IOException ignored) {
                    // already gone
                }
            }
            for (Process p : new Process[] {esProcess, kafkaProcess}) {
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /**
     * Child process: starts {@code kafka} or {@code elasticsearch}, prints {@code READY <address>},
     * runs until its standard input is closed.
     */
    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        AutoCloseable server;
        String address;
        if (args[0].equals("kafka")) {
            EmbeddedKafka kafka = EmbeddedKafka.builder().start();
            server = kafka;
            address = kafka.bootstrapServers();
        } else {
            EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("e2e-bench").build().start();
            server = es;
            address = es.httpUrl();
        }
        System.out.println("READY " + address);
        System.out.flush();
        while (System.in.read() >= 0) {
            // until the parent closes our stdin (or dies)
        }
        server.close();
        System.exit(0);
    }
}
