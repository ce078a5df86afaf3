package dev.binlogsync.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.NonNullByDefault;
import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.elasticsearch.ElasticsearchSink;
import dev.binlogsync.kafka.KafkaSource;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import dev.binlogsync.testing.TestServers;
import org.junit.jupiter.api.Test;

/**
 * Every package of the library's modules (core, Kafka, Elasticsearch, testing, examples) declares the null
 * policy {@link NonNullByDefault} in its {@code package-info.java}, so a new package cannot miss it.
 */
class NullPolicyTest {

    @Test
    void everyPackageOfEveryModuleDeclaresNonNullByDefault() throws IOException, URISyntaxException {
        List<String> without = new ArrayList<>();
        for (Class<?> anchor : List.of(SyncPipeline.class, KafkaSource.class, ElasticsearchSink.class, TestServers.class, Demo.class)) {
            Set<String> packages = packagesBeside(anchor);
            assertTrue(packages.contains(anchor.getPackageName()), anchor + ": " + packages);
            for (String p : packages) {
                if (!p.startsWith("dev.binlogsync")) {
                    continue; // sync-testing's org.elasticsearch.node helper lives in the server's package
                }
                try {
                    if (!Class.forName(p + ".package-info").isAnnotationPresent(NonNullByDefault.class)) {
                        without.add(p);
                    }
                } catch (ClassNotFoundException e) {
                    without.add(p + " (no package-info.java)");
                }
            }
        }
        assertEquals(List.of(), without, "packages without @NonNullByDefault");
    }

    /** The packages holding classes in the directory or jar {@code anchor} was loaded from. */
    private static Set<String> packagesBeside(Class<?> anchor) throws IOException, URISyntaxException {
        Path location = Path.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
        if (Files.isDirectory(location)) {
            return packagesUnder(location);
        }
        try (FileSystem jar = FileSystems.newFileSystem(location)) {
            return packagesUnder(jar.getPath("/"));
        }
    }

    private static Set<String> packagesUnder(Path root) throws IOException {
        Set<String> packages = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(f -> f.toString().endsWith(".class") && !f.toString().contains("META-INF"))
                    .forEach(f -> packages.add(root.relativize(f.getParent()).toString()
                            .replace(root.getFileSystem().getSeparator(), ".")));
        }
        return packages;
    }
}
