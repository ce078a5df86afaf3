package dev.binlogsync.kafka.decode;

/**
 * How {@link CanalFlatMessageDecoder} and {@link DebeziumDecoder} (with schemas) render
 * {@code datetime} and {@code timestamp} column values (Canal sends them as
 * {@code "2024-03-01 12:30:45.123"}, in the MySQL session / Canal server time zone; the Debezium
 * decoder renders its numbers and instants to the same text). {@code date} values are always
 * {@code yyyy-MM-dd} and {@code time} values {@code [-]HH:mm:ss[.f]} (as Canal sends them). Zero
 * dates ({@code 0000-00-00 ...}, or a zero month or day) always become {@code null}.
 */
public enum DateTimeStyle {
    /** Exactly as Canal sent it: {@code 2024-03-01 12:30:45.123}. */
    RAW,
    /**
     * ISO-8601 local date-time without a zone: {@code 2024-03-01T12:30:45.123}. The default:
     * lossless, cheap, and accepted by Elasticsearch's default date format (which reads it as UTC).
     */
    ISO_LOCAL,
    /** ISO-8601 with the configured zone's offset: {@code 2024-03-01T12:30:45.123+08:00}. */
    ISO_OFFSET,
    /** The instant in UTC, the value read in the configured zone: {@code 2024-03-01T04:30:45.123Z}. */
    ISO_UTC
}
