package dev.binlogsync.elasticsearch;

import java.util.Objects;

/**
 * What {@link ElasticsearchSink#start()} found at the other end: distribution and version.
 *
 * <p>Supported: Elasticsearch 7.x, 8.x, 9.x and OpenSearch 2.x ({@link #isSupported()}). Elasticsearch
 * 6 and older are refused (they need {@code _type}); other versions are used with a warning.
 * Immutable.
 *
 * @param distribution Elasticsearch, OpenSearch, or unknown when the server did not say
 * @param version the version string as reported (e.g. {@code 8.19.21}), or {@code "unknown"}
 * @param major the major version, or 0 when unknown
 * @param minor the minor version, or 0 when unknown
 */
public record ServerInfo(Distribution distribution, String version, int major, int minor) {

    /** Which server family. */
    public enum Distribution {
        /**
         * Elasticsearch: a root answer with a version number whose {@code version.distribution} is
         * not {@code opensearch}, or a response marked {@code X-elastic-product: Elasticsearch}.
         */
        ELASTICSEARCH,
        /** OpenSearch: the root answer's {@code version.distribution} is {@code opensearch}. */
        OPENSEARCH,
        /** The server could not be identified (root and node info not readable). */
        UNKNOWN
    }

    /** Nothing known: detection was not possible (for example, no privilege to read node info). */
    public static final ServerInfo UNKNOWN = new ServerInfo(Distribution.UNKNOWN, "unknown", 0, 0);

    public ServerInfo {
        Objects.requireNonNull(distribution, "distribution");
        Objects.requireNonNull(version, "version");
    }

    /**
     * Parses {@code major.minor[.patch][-qualifier]}.
     *
     * @throws IllegalArgumentException if {@code version} does not start with {@code major.minor}
     */
    public static ServerInfo of(Distribution distribution, String version) {
        Objects.requireNonNull(version, "version");
        String[] parts = version.split("[.-]");
        try {
            return new ServerInfo(distribution, version, Integer.parseInt(parts[0]),
                    parts.length > 1 ? Integer.parseInt(parts[1]) : 0);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a version: " + version, e);
        }
    }

    /** Whether this server is in the tested range: Elasticsearch 7 to 9, OpenSearch 2. */
    public boolean isSupported() {
        switch (distribution) {
            case ELASTICSEARCH:
                return major >= 7 && major <= 9;
            case OPENSEARCH:
                return major == 2;
            default:
                return false;
        }
    }

    @Override
    public String toString() {
        return (distribution == Distribution.OPENSEARCH ? "OpenSearch " : distribution == Distribution.ELASTICSEARCH
                ? "Elasticsearch " : "unknown server ") + version;
    }
}
