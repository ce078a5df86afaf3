package dev.binlogsync.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Splits a CPU profile of the pipeline thread by component: reads async-profiler's collapsed
 * stacks (one line per stack, frames separated by {@code ;}, then a space and the sample count;
 * the first frame is the thread when the profile was taken with {@code threads}) and charges each
 * sample of the threads whose name contains the given text to the component of its deepest frame
 * that belongs to one. Used by {@code sync-benchmarks/profile-end-to-end.sh}.
 *
 * <p>Run: {@code java ... ProfileSummary <collapsed file> [thread name part, default e2e-pipeline-main]}
 */
public final class ProfileSummary {

    /** Frame prefixes and their component, most specific first: the deepest frame that matches wins. */
    private static final String[][] COMPONENTS = {
            {"dev/binlogsync/kafka/decode/", "decoding (Canal JSON to rows)"},
            {"dev/binlogsync/kafka/internal/", "decoding (Canal JSON to rows)"},
            {"org/apache/kafka/", "Kafka consumer (fetch, parse, copy)"},
            {"dev/binlogsync/core/rules/", "rules and filters"},
            {"dev/binlogsync/core/filter/", "rules and filters"},
            {"dev/binlogsync/core/internal/BulkBuffer", "bulk buffer (coalescing, lanes)"},
            {"dev/binlogsync/core/internal/BufferedAction", "bulk buffer (coalescing, lanes)"},
            {"dev/binlogsync/core/internal/DocumentMerge", "bulk buffer (coalescing, lanes)"},
            {"dev/binlogsync/core/internal/DocumentSize", "bulk buffer (coalescing, lanes)"},
            {"dev/binlogsync/elasticsearch/internal/BulkBodyEncoder", "NDJSON encoding"},
            {"dev/binlogsync/elasticsearch/internal/ByteBuf", "NDJSON encoding"},
            {"dev/binlogsync/elasticsearch/internal/BulkResponseParser", "bulk response parsing"},
            {"com/fasterxml/jackson/", "bulk response parsing"},
            {"org/elasticsearch/client/", "HTTP client (request set-up)"},
            {"org/apache/http/", "HTTP client (request set-up)"},
            {"dev/binlogsync/", "engine, source and sink bookkeeping"},
    };

    private ProfileSummary() {
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        String thread = args.length > 1 ? args[1] : "e2e-pipeline-main";
        Map<String, Long> byComponent = new LinkedHashMap<>();
        for (String[] c : COMPONENTS) {
            byComponent.putIfAbsent(c[1], 0L);
        }
        byComponent.put("other (JVM, libraries outside these)", 0L);
        long total = 0;
        long pageFaults = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                int space = line.lastIndexOf(' ');
                if (space < 0) {
                    continue;
                }
                String[] frames = line.substring(0, space).split(";");
                if (!frames[0].contains(thread)) {
                    continue;
                }
                long samples = Long.parseLong(line.substring(space + 1).trim());
                total += samples;
                String component = "other (JVM, libraries outside these)";
                search:
                for (int i = frames.length - 1; i > 0; i--) {
                    for (String[] c : COMPONENTS) {
                        if (frames[i].startsWith(c[0])) {
                            component = c[1];
                            break search;
                        }
                    }
                }
                byComponent.merge(component, samples, Long::sum);
                for (String f : frames) {
                    if (f.startsWith("exc_page_fault") || f.startsWith("asm_exc_page_fault")) {
                        pageFaults += samples;
                        break;
                    }
                }
            }
        }
        if (total == 0) {
            throw new IllegalStateException("no samples of a thread named like '" + thread + "' in " + file);
        }
        System.out.printf(Locale.ROOT, "%,d samples of threads named like '%s'%n", total, thread);
        for (Map.Entry<String, Long> e : byComponent.entrySet()) {
            System.out.printf(Locale.ROOT, "PROFILE %5.1f%%  %s%n", 100.0 * e.getValue() / total, e.getKey());
        }
        System.out.printf(Locale.ROOT, "PROFILE of all samples, %.1f%% were in the kernel's page-fault handler "
                + "(first touch of newly allocated heap memory), counted in the components above%n",
                100.0 * pageFaults / total);
    }
}
