package dev.binlogsync.examples.testbed;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.XidEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import dev.binlogsync.testing.BinlogPosition;
import dev.binlogsync.testing.EmbeddedMariaDb;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.IOException;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.Nullable;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams MySQL/MariaDB binlog row events and writes them as Canal flat messages
 * ({@code canal.mq.flatMessage=true}), exactly as a Canal server with
 * {@code canal.mq.partitionHash} set to the tables' primary keys would: every value a string (or
 * null), {@code mysqlType} from the table definition, {@code sqlType} as Canal derives it,
 * {@code pkNames}, {@code old} with the changed columns' previous values for updates, one message per
 * rows event carrying all its rows, {@code es} from the binlog event time, a null key, and the
 * partition chosen by hashing the primary key. When the rows of one statement hash to different
 * partitions, the message is split per partition, as Canal does. DDL statements become
 * {@code isDdl: true} messages on partition 0.
 *
 * <p>With {@link Builder#format} it writes, instead, Debezium's JSON (with or without schemas) or
 * Maxwell's, one keyed record per row, partitioned by the key's hash (see {@link RelayFormat},
 * {@link DebeziumFormat}, {@link MaxwellFormat}).
 *
 * <pre>{@code
 * try (BinlogCanalRelay relay = BinlogCanalRelay.builder()
 *         .mariaDb(db)
 *         .sink(KafkaCanalMessageSink.create(bootstrap, "shop-binlog"))
 *         .positionStore(BinlogPositionStore.file(Path.of("relay.pos")))
 *         .build()
 *         .start()) {
 *     ...
 *     relay.awaitShipped(db.currentBinlogPosition(), Duration.ofSeconds(30));
 * }
 * }</pre>
 *
 * <p><b>Delivery.</b> At least once: a checkpoint thread periodically flushes the sink and only then
 * saves the position of the last complete transaction; a restarted relay resumes from the saved
 * position, so messages after it may be sent twice, never lost. Without a saved position it starts
 * at the oldest binlog the server has.
 *
 * <p><b>Threads.</b> One binlog reader thread and one checkpoint thread, both daemons named
 * {@code binlog-canal-relay*}. A failure (an unreadable event, a sink that cannot store) stops the
 * relay and is kept in {@link #failure()}; {@link #awaitShipped} then throws. Public methods are
 * thread-safe.
 */
public final class BinlogCanalRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BinlogCanalRelay.class);
    /** Debezium's {@code topic.prefix}, the first part of its schema names. */
    static final String DEBEZIUM_SERVER_NAME = "dbserver1";
    private static final Set<String> SYSTEM_DATABASES = Set.of("mysql", "information_schema", "performance_schema", "sys");
    private static final Pattern DDL = Pattern.compile(
            "^\\s*(create|alter|drop|truncate|rename)\\s+(?:(?:temporary|or\\s+replace|online|ignore)\\s+)*(table|index|unique\\s+index|database|schema|view)?\\s*"
                    + "(?:if\\s+(?:not\\s+)?exists\\s+)?(?:`?([\\w$]+)`?\\.)?`?([\\w$]+)`?",
            Pattern.CASE_INSENSITIVE);

    private final Builder config;
    private final CanalMessageSink sink;
    private final BinaryLogClient client;
    private final ScheduledExecutorService checkpointer;
    private final Map<Long, TableInfo> tablesById = new HashMap<>();
    private final Map<String, TableInfo> schemaCache = new HashMap<>();
    private final AtomicLong messageIds = new AtomicLong();
    private final AtomicLong rows = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Object shippedMonitor = new Object();
    private final Object checkpointLock = new Object();
    private final int partitions;
    private final RelayFormat format;
    /** Maxwell rows of the open transaction: Maxwell writes them at its commit, with its XID. */
    private final List<MaxwellFormat.Row> maxwellPending = new ArrayList<>();
    /** The partition of each pending Maxwell row chosen by {@link Builder#partitionBy}, else null. */
    private final List<Integer> maxwellPartitions = new ArrayList<>();
    private final Map<String, String> partitionColumns;
    @Nullable private Connection schemaConnection;
    private String currentFile = "";
    @Nullable private String currentGtid;
    private boolean inTransaction;
    @Nullable private volatile BinlogPosition committed;
    @Nullable private volatile BinlogPosition shipped;
    private volatile boolean started;
    private volatile boolean closed;

    private BinlogCanalRelay(Builder config) {
        this.config = config;
        this.sink = config.sink;
        this.partitions = sink.partitionCount();
        this.format = config.format;
        this.partitionColumns = Map.copyOf(config.partitionColumns);
        if (partitions < 1) {
            throw new IllegalStateException("sink.partitionCount() must be >= 1: " + partitions);
        }
        this.client = new BinaryLogClient(config.host, config.port, config.user, config.password);
        client.setServerId(config.replicaServerId);
        client.setKeepAlive(false);
        client.setConnectTimeout(config.connectTimeout.toMillis());
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setCompatibilityMode(
                EventDeserializer.CompatibilityMode.DATE_AND_TIME_AS_LONG_MICRO,
                EventDeserializer.CompatibilityMode.INVALID_DATE_AND_TIME_AS_MIN_VALUE,
                EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY);
        client.setEventDeserializer(deserializer);
        client.setThreadFactory(r -> {
            Thread t = new Thread(r, "binlog-canal-relay");
            t.setDaemon(true);
            return t;
        });
        client.registerEventListener(this::onEvent);
        client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
            @Override
            public void onEventDeserializationFailure(BinaryLogClient c, Exception e) {
                fail(new IllegalStateException("cannot read binlog event at " + currentFile + ": " + e.getMessage(), e));
            }

            @Override
            public void onCommunicationFailure(BinaryLogClient c, Exception e) {
                if (!closed) {
                    fail(new IllegalStateException("binlog connection failed: " + e.getMessage(), e));
                }
            }
        });
        this.checkpointer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "binlog-canal-relay-checkpoint");
            t.setDaemon(true);
            return t;
        });
    }

    /** A builder; {@link Builder#sink} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Connects and starts streaming from the saved position (or the oldest binlog).
     *
     * @return this
     * @throws IllegalStateException if the server cannot be reached or the relay was started before
     */
    public BinlogCanalRelay start() {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        Optional<BinlogPosition> from = config.positionStore.load();
        if (from.isPresent()) {
            client.setBinlogFilename(from.get().file());
            client.setBinlogPosition(from.get().position());
            currentFile = from.get().file();
            committed = from.get();
            shipped = from.get();
        } else {
            client.setBinlogFilename(""); // the oldest binlog the server has
            client.setBinlogPosition(4);
        }
        try {
            client.connect(config.connectTimeout.toMillis());
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException("cannot connect to the binlog of " + config.host + ":" + config.port + ": " + e.getMessage(), e);
        }
        long interval = config.checkpointInterval.toMillis();
        checkpointer.scheduleWithFixedDelay(this::checkpointQuietly, interval, interval, TimeUnit.MILLISECONDS);
        LOG.info("binlog relay streaming from {} into {} partition(s)", from.map(Object::toString).orElse("the oldest binlog"), partitions);
        return this;
    }

    /** The position up to which every message is stored in the sink (and saved), or empty. */
    public Optional<BinlogPosition> shippedPosition() {
        return Optional.ofNullable(shipped);
    }

    /** How many rows the relay has turned into messages so far. */
    public long rowsRelayed() {
        return rows.get();
    }

    /** How many messages the relay has sent so far (a statement split over partitions counts once per part). */
    public long messagesSent() {
        return messages.get();
    }

    /** Why the relay stopped, if it failed. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Waits until everything before {@code target} (e.g. {@link EmbeddedMariaDb#currentBinlogPosition()})
     * is stored in the sink.
     *
     * @throws TimeoutException if that does not happen within {@code timeout}
     * @throws IllegalStateException if the relay failed; the cause is the failure
     */
    public void awaitShipped(BinlogPosition target, Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(target, "target");
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (shippedMonitor) {
            while (true) {
                Throwable failed = failure.get();
                if (failed != null) {
                    throw new IllegalStateException("relay failed: " + failed.getMessage(), failed);
                }
                BinlogPosition s = shipped;
                if (s != null && s.compareTo(target) >= 0) {
                    return;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("relay shipped up to " + s + ", not yet " + target + " (read up to " + committed + ")");
                }
                shippedMonitor.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /**
     * Stops streaming, flushes the sink, saves the position, and closes the sink. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            client.disconnect();
        } catch (IOException e) {
            LOG.warn("binlog disconnect failed: {}", e.getMessage());
        }
        checkpointer.shutdown();
        try {
            checkpointer.awaitTermination(30, TimeUnit.SECONDS);
            if (failure.get() == null) {
                checkpoint();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("final checkpoint failed: {}", e.getMessage());
        }
        sink.close();
        synchronized (this) {
            closeSchemaConnection();
        }
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void checkpoint() throws InterruptedException {
        synchronized (checkpointLock) {
            if (failure.get() != null) {
                return;
            }
            // read before flushing: every message of transactions up to p was handed to the sink first
            BinlogPosition p = committed;
            sink.flush();
            if (p != null && !p.equals(shipped)) {
                config.positionStore.save(p);
                synchronized (shippedMonitor) {
                    shipped = p;
                    shippedMonitor.notifyAll();
                }
            }
        }
    }

    private void fail(Throwable t) {
        if (failure.compareAndSet(null, t)) {
            LOG.error("binlog relay stopped: {}", t.getMessage(), t);
            synchronized (shippedMonitor) {
                shippedMonitor.notifyAll();
            }
            Thread stopper = new Thread(() -> {
                try {
                    client.disconnect();
                } catch (IOException ignored) {
                    // already failing
                }
            }, "binlog-canal-relay-stop");
            stopper.setDaemon(true);
            stopper.start();
        }
    }

    // ---- the binlog thread ----

    private synchronized void onEvent(Event event) {
        if (failure.get() != null) {
            return;
        }
        try {
            handle(event);
        } catch (RuntimeException e) {
            fail(new IllegalStateException("cannot relay binlog event at " + currentFile + ":"
                    + ((EventHeaderV4) event.getHeader()).getPosition() + ": " + e.getMessage(), e));
        }
    }

    private void handle(Event event) {
        EventHeaderV4 header = event.getHeader();
        EventData data = event.getData();
        long next = header.getNextPosition();
        if (data instanceof RotateEventData) {
            RotateEventData rotate = (RotateEventData) data;
            currentFile = rotate.getBinlogFilename();
            if (!inTransaction) {
                committed = new BinlogPosition(currentFile, Math.max(4, rotate.getBinlogPosition()));
            }
            return;
        }
        if (data instanceof MariadbGtidEventData) {
            MariadbGtidEventData gtid = (MariadbGtidEventData) data;
            currentGtid = gtid.getDomainId() + "-" + header.getServerId() + "-" + gtid.getSequence();
            inTransaction = true;
            return;
        }
        if (data instanceof TableMapEventData) {
            onTableMap((TableMapEventData) data);
            return;
        }
        if (data instanceof WriteRowsEventData) {
            WriteRowsEventData w = (WriteRowsEventData) data;
            onRows(w.getTableId(), "INSERT", header, w.getIncludedColumns(), w.getRows(), null);
            return;
        }
        if (data instanceof UpdateRowsEventData) {
            UpdateRowsEventData u = (UpdateRowsEventData) data;
            List<Serializable[]> before = new ArrayList<>(u.getRows().size());
            List<Serializable[]> after = new ArrayList<>(u.getRows().size());
            for (Map.Entry<Serializable[], Serializable[]> e : u.getRows()) {
                before.add(e.getKey());
                after.add(e.getValue());
            }
            onRows(u.getTableId(), "UPDATE", header, u.getIncludedColumns(), after, before);
            return;
        }
        if (data instanceof DeleteRowsEventData) {
            DeleteRowsEventData d = (DeleteRowsEventData) data;
            onRows(d.getTableId(), "DELETE", header, d.getIncludedColumns(), d.getRows(), null);
            return;
        }
        if (data instanceof XidEventData) {
            flushMaxwell(((XidEventData) data).getXid());
            endTransaction(next);
            return;
        }
        if (data instanceof QueryEventData) {
            QueryEventData q = (QueryEventData) data;
            String sql = q.getSql().trim();
            if (sql.equalsIgnoreCase("BEGIN")) {
                inTransaction = true;
                return;
            }
            if (sql.equalsIgnoreCase("COMMIT") || sql.equalsIgnoreCase("ROLLBACK")) {
                // rows in the binlog before a ROLLBACK were written to a non-transactional table: they stay
                flushMaxwell(null);
                endTransaction(next);
                return;
            }
            flushMaxwell(null);
            // Debezium writes DDL to its schema-change topic, Maxwell only with output_ddl: neither to this topic
            onDdl(q, header.getTimestamp(), format == RelayFormat.CANAL_FLAT);
            endTransaction(next);
            return;
        }
        if (!inTransaction && next > 0 && !currentFile.isEmpty()) {
            // events between transactions (format description, binlog checkpoint, GTID list)
            committed = new BinlogPosition(currentFile, next);
        }
    }

    private void endTransaction(long next) {
        inTransaction = false;
        currentGtid = null;
        if (next > 0) {
            committed = new BinlogPosition(currentFile, next);
        }
    }

    private void onTableMap(TableMapEventData map) {
        String database = map.getDatabase();
        if (!included(database)) {
            tablesById.put(map.getTableId(), TableInfo.EXCLUDED);
            return;
        }
        TableInfo known = tablesById.get(map.getTableId());
        List<String> binlogNames = null;
        List<String> pkNames = null;
        TableMapEventMetadata meta = map.getEventMetadata();
        if (meta != null && meta.getColumnNames() != null && !meta.getColumnNames().isEmpty()) {
            binlogNames = meta.getColumnNames();
            if (meta.getSimplePrimaryKeys() != null) {
                pkNames = new ArrayList<>();
                for (Integer index : meta.getSimplePrimaryKeys()) {
                    pkNames.add(binlogNames.get(index));
                }
            }
        }
        if (known != null && known != TableInfo.EXCLUDED && known.database.equals(database)
                && known.table.equals(map.getTable()) && (binlogNames == null || known.columnNames().equals(binlogNames))) {
            return;
        }
        tablesById.put(map.getTableId(), describe(database, map.getTable(), binlogNames, pkNames));
    }

    private boolean included(String database) {
        return config.databases.isEmpty() ? !SYSTEM_DATABASES.contains(database.toLowerCase(Locale.ROOT))
                : config.databases.contains(database);
    }

    private TableInfo describe(String database, String table, @Nullable List<String> binlogNames, @Nullable List<String> pkNames) {
        String key = database + "." + table;
        TableInfo cached = schemaCache.get(key);
        if (cached == null || (binlogNames != null && !cached.columnNames().equals(binlogNames))) {
            cached = querySchema(database, table);
            schemaCache.put(key, cached);
        }
        if (binlogNames == null || cached.columnNames().equals(binlogNames)) {
            return pkNames == null ? cached : cached.withPrimaryKeys(pkNames);
        }
        // the table changed since these events were written: trust the binlog's names, the schema's types
        List<CanalFormat.Column> columns = new ArrayList<>(binlogNames.size());
        for (String name : binlogNames) {
            CanalFormat.Column c = cached.column(name);
            columns.add(c != null ? c : CanalFormat.Column.of(name, "varchar(255)", "utf8mb4"));
        }
        return new TableInfo(database, table, columns, pkNames != null ? pkNames : cached.pkNames, cached.nullable);
    }

    private TableInfo querySchema(String database, String table) {
        String sql = "SELECT COLUMN_NAME, COLUMN_TYPE, CHARACTER_SET_NAME, COLUMN_KEY, IS_NULLABLE FROM information_schema.COLUMNS"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";
        for (int attempt = 0; ; attempt++) {
            try {
                if (schemaConnection == null || !schemaConnection.isValid(2)) {
                    closeSchemaConnection();
                    schemaConnection = DriverManager.getConnection(
                            "jdbc:mariadb://" + config.host + ":" + config.port + "/", config.user, config.password);
                }
                try (PreparedStatement ps = schemaConnection.prepareStatement(sql)) {
                    ps.setString(1, database);
                    ps.setString(2, table);
                    List<CanalFormat.Column> columns = new ArrayList<>();
                    List<String> pks = new ArrayList<>();
                    Set<String> nullable = new java.util.HashSet<>();
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            columns.add(CanalFormat.Column.of(rs.getString(1), rs.getString(2), rs.getString(3)));
                            if ("PRI".equals(rs.getString(4))) {
                                pks.add(rs.getString(1));
                            }
                            if ("YES".equals(rs.getString(5))) {
                                nullable.add(rs.getString(1));
                            }
                        }
                    }
                    return new TableInfo(database, table, columns, pks, nullable);
                }
            } catch (SQLException e) {
                closeSchemaConnection();
                if (attempt >= 2) {
                    throw new IllegalStateException("cannot read the columns of " + database + "." + table + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private void closeSchemaConnection() {
        if (schemaConnection != null) {
            try {
                schemaConnection.close();
            } catch (SQLException ignored) {
                // a broken connection is replaced
            }
            schemaConnection = null;
        }
    }

    private void onRows(long tableId, String type, EventHeaderV4 header, BitSet included, List<Serializable[]> images,
            @Nullable List<Serializable[]> before) {
        TableInfo table = tablesById.get(tableId);
        if (table == null) {
            throw new IllegalStateException("rows event for unknown table id " + tableId);
        }
        if (table == TableInfo.EXCLUDED) {
            return;
        }
        if (format != RelayFormat.CANAL_FLAT) {
            onKeyedRows(table, type, header, included, images, before);
            return;
        }
        long eventTime = header.getTimestamp();
        long id = messageIds.incrementAndGet();
        long ts = System.currentTimeMillis();
        Map<Integer, Group> groups = new LinkedHashMap<>();
        int[] sqlType = new int[1];
        for (int r = 0; r < images.size(); r++) {
            Map<String, String> row = new LinkedHashMap<>();
            Map<String, Integer> rowTypes = new LinkedHashMap<>();
            Serializable[] image = images.get(r);
            int v = 0;
            for (int c = 0; c < table.columns.size(); c++) {
                if (!included.get(c)) {
                    continue;
                }
                CanalFormat.Column column = table.columns.get(c);
                row.put(column.name(), CanalFormat.format(image[v++], column, sqlType));
                rowTypes.put(column.name(), sqlType[0]);
            }
            Map<String, String> old = null;
            if (before != null) {
                old = new LinkedHashMap<>();
                Serializable[] previous = before.get(r);
                int[] ignored = new int[1];
                int pv = 0;
                for (int c = 0; c < table.columns.size(); c++) {
                    if (!included.get(c)) {
                        continue;
                    }
                    CanalFormat.Column column = table.columns.get(c);
                    String was = CanalFormat.format(previous[pv++], column, ignored);
                    String now = row.get(column.name());
                    if (!Objects.equals(was, now)) {
                        old.put(column.name(), was);
                    }
                }
            }
            int partition = CanalFormat.partition(table.database, table.table, table.pkNames, row, partitions);
            Group group = groups.computeIfAbsent(partition, p -> new Group(before != null));
            group.rows.add(row);
            if (old != null) {
                group.old.add(old);
            }
            group.sqlType.putAll(rowTypes);
        }
        for (Map.Entry<Integer, Group> e : groups.entrySet()) {
            Group g = e.getValue();
            byte[] message = CanalFormat.rowsMessage(id, table.database, table.table, table.pkNames, type, eventTime, ts,
                    currentGtid, g.sqlType, table.mysqlTypes, g.rows, g.old);
            sink.send(e.getKey(), message);
            messages.incrementAndGet();
        }
        rows.addAndGet(images.size());
    }

    /** Debezium or Maxwell: one keyed record per row, in the partition of the key's hash. */
    private void onKeyedRows(TableInfo table, String type, EventHeaderV4 header, BitSet included, List<Serializable[]> images,
            @Nullable List<Serializable[]> before) {
        if (table.pkNames.isEmpty()) {
            throw new IllegalStateException(table.database + "." + table.table + " has no primary key: " + format
                    + " records are keyed by it");
        }
        List<CanalFormat.Column> columns = new ArrayList<>(table.columns.size());
        for (int c = 0; c < table.columns.size(); c++) {
            if (included.get(c)) {
                columns.add(table.columns.get(c));
            }
        }
        String partitionColumn = partitionColumns.get(table.database + "." + table.table);
        int partitionIndex = -1;
        for (int c = 0; partitionColumn != null && c < columns.size(); c++) {
            if (columns.get(c).name().equals(partitionColumn)) {
                partitionIndex = c;
            }
        }
        if (format == RelayFormat.MAXWELL) {
            String position = currentFile + ":" + header.getPosition();
            for (int r = 0; r < images.size(); r++) {
                maxwellPartitions.add(partitionIndex < 0 ? null : valuePartition(images.get(r)[partitionIndex]));
                maxwellPending.add(new MaxwellFormat.Row(table.database, table.table, type.toLowerCase(Locale.ROOT),
                        header.getTimestamp() / 1000L, position, columns, table.pkNames, images.get(r),
                        before == null ? null : before.get(r)));
            }
            rows.addAndGet(images.size());
            return;
        }
        boolean schemas = format == RelayFormat.DEBEZIUM_JSON_WITH_SCHEMAS;
        DebeziumFormat.DecimalMode decimals = schemas ? DebeziumFormat.DecimalMode.PRECISE : DebeziumFormat.DecimalMode.STRING;
        DebeziumFormat.Table shape = new DebeziumFormat.Table(DEBEZIUM_SERVER_NAME, table.database, table.table, columns,
                table.pkNames, table.nullable);
        for (int r = 0; r < images.size(); r++) {
            DebeziumFormat.Source source = new DebeziumFormat.Source(header.getServerId(), currentFile, header.getPosition(), r,
                    header.getTimestamp(), currentGtid);
            long now = System.currentTimeMillis();
            Serializable[] image = images.get(r);
            Integer partition = partitionIndex < 0 ? null : valuePartition(image[partitionIndex]);
            switch (type) {
                case "INSERT":
                    sendKeyed(partition, DebeziumFormat.key(shape, image, schemas),
                            DebeziumFormat.value(shape, "c", null, image, source, now, schemas, decimals));
                    break;
                case "UPDATE": {
                    Serializable[] previous = before.get(r);
                    if (DebeziumFormat.keyChanged(shape, previous, image)) {
                        // Debezium writes a key change as a delete (and tombstone) of the old key and a create of the new
                        byte[] oldKey = DebeziumFormat.key(shape, previous, schemas);
                        Integer oldPartition = partitionIndex < 0 ? null : valuePartition(previous[partitionIndex]);
                        sendKeyed(oldPartition, oldKey, DebeziumFormat.value(shape, "d", previous, null, source, now, schemas, decimals));
                        sendKeyed(oldPartition, oldKey, null);
                        sendKeyed(partition, DebeziumFormat.key(shape, image, schemas),
                                DebeziumFormat.value(shape, "c", null, image, source, now, schemas, decimals));
                    } else {
                        sendKeyed(partition, DebeziumFormat.key(shape, image, schemas),
                                DebeziumFormat.value(shape, "u", previous, image, source, now, schemas, decimals));
                    }
                    break;
                }
                default: {
                    byte[] key = DebeziumFormat.key(shape, image, schemas);
                    sendKeyed(partition, key, DebeziumFormat.value(shape, "d", image, null, source, now, schemas, decimals));
                    sendKeyed(partition, key, null); // the tombstone, for log compaction
                }
            }
        }
        rows.addAndGet(images.size());
    }

    /** Writes the buffered Maxwell rows of the transaction that ends now. */
    private void flushMaxwell(@Nullable Long xid) {
        for (int i = 0; i < maxwellPending.size(); i++) {
            MaxwellFormat.Row row = maxwellPending.get(i);
            sendKeyed(maxwellPartitions.get(i), MaxwellFormat.key(row), MaxwellFormat.message(row, xid, i, i == maxwellPending.size() - 1));
        }
        maxwellPending.clear();
        maxwellPartitions.clear();
    }

    /** The partition of a {@link Builder#partitionBy} column's value: murmur2 of its text. */
    private int valuePartition(@Nullable Serializable value) {
        byte[] text = String.valueOf(value).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(text)) % partitions;
    }

    private void sendKeyed(@Nullable Integer chosen, byte[] key, @Nullable byte[] value) {
        // without a partitionBy column, the partition Kafka's default partitioner gives a keyed record
        int partition = chosen != null ? chosen : Utils.toPositive(Utils.murmur2(key)) % partitions;
        sink.send(partition, key, value);
        messages.incrementAndGet();
    }

    private void onDdl(QueryEventData q, long eventTime, boolean send) {
        String sql = q.getSql();
        Matcher m = DDL.matcher(sql);
        String database = q.getDatabase() == null ? "" : q.getDatabase();
        String table = "";
        String type = "QUERY";
        if (m.find()) {
            String verb = m.group(1).toLowerCase(Locale.ROOT);
            String object = m.group(2) == null ? "" : m.group(2).toLowerCase(Locale.ROOT);
            if (m.group(3) != null) {
                database = m.group(3);
            }
            boolean isTable = object.isEmpty() || object.equals("table");
            if (isTable && m.group(4) != null) {
                table = m.group(4);
            }
            if (object.endsWith("index")) {
                type = verb.equals("create") ? "CINDEX" : verb.equals("drop") ? "DINDEX" : "QUERY";
            } else if (isTable) {
                switch (verb) {
                    case "create": type = "CREATE"; break;
                    case "alter": type = "ALTER"; break;
                    case "drop": type = "ERASE"; break;
                    case "truncate": type = "TRUNCATE"; break;
                    case "rename": type = "RENAME"; break;
                    default: type = "QUERY";
                }
            }
        }
        // any DDL may change a table's columns: forget what we know of that database
        String prefix = database + ".";
        schemaCache.keySet().removeIf(k -> k.startsWith(prefix));
        if (!send || database.isEmpty() || !included(database)) {
            return;
        }
        sink.send(0, CanalFormat.ddlMessage(messageIds.incrementAndGet(), database, table, type, eventTime,
                System.currentTimeMillis(), currentGtid, sql));
        messages.incrementAndGet();
    }

    private static final class Group {
        final List<Map<String, String>> rows = new ArrayList<>();
        @Nullable final List<Map<String, String>> old;
        final Map<String, Integer> sqlType = new LinkedHashMap<>();

        Group(boolean update) {
            this.old = update ? new ArrayList<>() : null;
        }
    }

    /** What the relay knows of one table. */
    private static final class TableInfo {
        static final TableInfo EXCLUDED = new TableInfo("", "", List.of(), List.of(), Set.of());

        final String database;
        final String table;
        final List<CanalFormat.Column> columns;
        final List<String> pkNames;
        final Map<String, String> mysqlTypes;
        final Set<String> nullable;

        TableInfo(String database, String table, List<CanalFormat.Column> columns, List<String> pkNames, Set<String> nullable) {
            this.database = database;
            this.table = table;
            this.columns = columns;
            this.pkNames = List.copyOf(pkNames);
            this.nullable = Set.copyOf(nullable);
            Map<String, String> types = new LinkedHashMap<>();
            for (CanalFormat.Column c : columns) {
                types.put(c.name(), c.mysqlType());
            }
            this.mysqlTypes = types;
        }

        List<String> columnNames() {
            List<String> names = new ArrayList<>(columns.size());
            for (CanalFormat.Column c : columns) {
                names.add(c.name());
            }
            return names;
        }

        @Nullable
        CanalFormat.Column column(String name) {
            for (CanalFormat.Column c : columns) {
                if (c.name().equals(name)) {
                    return c;
                }
            }
            return null;
        }

        TableInfo withPrimaryKeys(List<String> pks) {
            return pks.equals(pkNames) ? this : new TableInfo(database, table, columns, pks, nullable);
        }
    }

    /**
     * Configures a {@link BinlogCanalRelay}. Not thread-safe. Defaults: 127.0.0.1:3306, user root
     * with an empty password, replica server id 65535, all non-system databases, an in-memory
     * position store, a checkpoint every 200 ms, a 10 s connect timeout, Canal flat messages.
     */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 3306;
        private String user = "root";
        private String password = "";
        private long replicaServerId = 65535;
        @Nullable private CanalMessageSink sink;
        private BinlogPositionStore positionStore = BinlogPositionStore.inMemory();
        private Set<String> databases = Set.of();
        private Duration checkpointInterval = Duration.ofMillis(200);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private RelayFormat format = RelayFormat.CANAL_FLAT;
        private final Map<String, String> partitionColumns = new java.util.HashMap<>();

        private Builder() {
        }

        /**
         * Keyed formats only: the records of {@code database.table} go to the partition of
         * {@code column}'s value (murmur2 of its text, modulo the partition count) instead of the
         * key's, as Maxwell's {@code producer_partition_by=column} or Debezium's
         * {@code PartitionRouting} transform place them. Give a child table its parent's id column
         * and the parent its primary key so that both travel in one partition, in order.
         *
         * @throws IllegalArgumentException if the table is not {@code database.table} or the column is empty
         */
        public Builder partitionBy(String databaseTable, String column) {
            if (databaseTable.indexOf('.') <= 0 || databaseTable.endsWith(".")) {
                throw new IllegalArgumentException("table must be database.table: " + databaseTable);
            }
            if (column.isEmpty()) {
                throw new IllegalArgumentException("partition column of " + databaseTable + " must not be empty");
            }
            partitionColumns.put(databaseTable, column);
            return this;
        }

        /**
         * The message format; default {@link RelayFormat#CANAL_FLAT}. Any other format needs a sink
         * that stores keyed records ({@link KafkaCanalMessageSink} does) and tables with a primary key.
         */
        public Builder format(RelayFormat format) {
            this.format = Objects.requireNonNull(format, "format");
            return this;
        }

        /** Host, port, user and password of {@code db}. */
        public Builder mariaDb(EmbeddedMariaDb db) {
            Objects.requireNonNull(db, "db");
            return host(db.host()).port(db.port()).user(db.user()).password(db.password());
        }

        /** The server's host; default 127.0.0.1. */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /** The server's port; default 3306. */
        public Builder port(int port) {
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be in 1..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** The user; needs REPLICATION SLAVE, REPLICATION CLIENT and SELECT on information_schema. */
        public Builder user(String user) {
            this.user = Objects.requireNonNull(user, "user");
            return this;
        }

        /** The password; never printed. */
        public Builder password(String password) {
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** The server id this relay uses as a replica; unique among the server's replicas. Default 65535. */
        public Builder replicaServerId(long id) {
            if (id < 1 || id > 4294967295L) {
                throw new IllegalArgumentException("replicaServerId must be in 1..4294967295: " + id);
            }
            this.replicaServerId = id;
            return this;
        }

        /** Where messages go; required. The relay owns it from now on and closes it. */
        public Builder sink(CanalMessageSink sink) {
            this.sink = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Where the shipped position is kept; default in memory. */
        public Builder positionStore(BinlogPositionStore store) {
            this.positionStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Relay only these databases; default (empty) all except mysql, sys and the schemas. */
        public Builder databases(Set<String> databases) {
            Objects.requireNonNull(databases, "databases");
            this.databases = Set.copyOf(databases);
            return this;
        }

        /** How often the sink is flushed and the position saved; default 200 ms, must be > 0. */
        public Builder checkpointInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("checkpointInterval must be > 0: " + interval);
            }
            this.checkpointInterval = interval;
            return this;
        }

        /** How long to wait for the binlog connection; default 10 s, must be > 0. */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("connectTimeout must be > 0: " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * Builds the relay (not yet connected; call {@link BinlogCanalRelay#start()}).
         *
         * @throws IllegalStateException if no sink was given
         */
        public BinlogCanalRelay build() {
            if (sink == null) {
                throw new IllegalStateException("a sink is required");
            }
            if (format == RelayFormat.CANAL_FLAT && !partitionColumns.isEmpty()) {
                throw new IllegalStateException("partitionBy is for keyed formats; Canal flat messages are partitioned by primary key: "
                        + partitionColumns);
            }
            return new BinlogCanalRelay(this);
        }

        @Override
        public String toString() {
            return "BinlogCanalRelay.Builder{" + user + "@" + host + ":" + port + ", password=****, replicaServerId="
                    + replicaServerId + ", databases=" + databases + ", store=" + positionStore + ", format=" + format + "}";
        }
    }
}
