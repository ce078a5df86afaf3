package dev.binlogsync.examples.testbed;

/**
 * The message format {@link BinlogCanalRelay} writes to Kafka, as the real tool would with the
 * settings named here.
 *
 * <ul>
 *   <li>{@link #CANAL_FLAT}: Canal flat messages (the default): a null key, one message per rows
 *       event and partition, the partition chosen by Canal's {@code canal.mq.partitionHash} on the
 *       primary key.</li>
 *   <li>{@link #DEBEZIUM_JSON} and {@link #DEBEZIUM_JSON_WITH_SCHEMAS}: the Debezium MySQL
 *       connector through Kafka Connect's {@code JsonConverter} with {@code schemas.enable=false} or
 *       {@code true}: one record per row keyed by the primary key, a delete followed by a
 *       tombstone, an update that changes the primary key written as a delete (with its
 *       tombstone) of the old key and a create of the new one. See {@link DebeziumFormat} for the
 *       column types and the {@code decimal.handling.mode} of each.</li>
 *   <li>{@link #MAXWELL}: Maxwell's JSON with {@code output_binlog_position=true}: one record per
 *       row keyed {@code {"database":..,"table":..,"pk.<col>":..}}, written when the transaction
 *       commits (Maxwell buffers a transaction to put its {@code xid} on every row).</li>
 * </ul>
 * Debezium and Maxwell records go to the partition Kafka's default partitioner picks for their
 * key (murmur2 of the key bytes), so all changes of one primary key share a partition; DDL is not
 * written (Debezium writes it to a separate schema-change topic, Maxwell only with
 * {@code output_ddl}).
 */
public enum RelayFormat {
    /** Canal flat messages ({@code canal.mq.flatMessage=true}). */
    CANAL_FLAT,
    /** Debezium MySQL, JSON converter with {@code schemas.enable=false}, {@code decimal.handling.mode=string}. */
    DEBEZIUM_JSON,
    /** Debezium MySQL, JSON converter with {@code schemas.enable=true}, {@code decimal.handling.mode=precise}. */
    DEBEZIUM_JSON_WITH_SCHEMAS,
    /** Maxwell's JSON. */
    MAXWELL
}
