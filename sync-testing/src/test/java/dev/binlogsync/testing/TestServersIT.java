package dev.binlogsync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Await;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TestServers}' in-process handles reach real servers: each is started through its handle
 * and answers one real call made only with what the handle offers.
 */
@Timeout(180)
class TestServersIT {

    @Test
    void inProcessKafkaHandleReachesABrokerThatCreatesTopicsAndDeliversRecords() throws Exception {
        try (TestServers.Kafka kafka = TestServers.kafka(ServerSource.IN_PROCESS)) {
            assertEquals(ServerSource.IN_PROCESS, kafka.source());
            String topic = "handle-" + UUID.randomUUID();
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
                // the broker learns of the topic from the controller's metadata after createTopics returns
                Await.until(Duration.ofSeconds(60), "the broker to describe " + topic, () -> {
                    try {
                        return admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions().size() == 2;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                            return false;
                        }
                        throw e;
                    }
                });
            }
            RecordMetadata sent;
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
                sent = producer.send(new ProducerRecord<>(topic, 1, "k", "through the handle")).get();
            }
            assertEquals(1, sent.partition());
            List<String> read = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "handle-test",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
                consumer.subscribe(List.of(topic));
                Await.until(Duration.ofSeconds(60), "the record in " + topic, () -> {
                    consumer.poll(Duration.ofMillis(200)).forEach(r -> read.add(r.key() + "=" + r.value()));
                    return !read.isEmpty();
                });
            }
            assertEquals(List.of("k=through the handle"), read);
        }
    }

    @Test
    void inProcessElasticsearchHandleReachesANodeThatStoresAndReturnsADocument() throws IOException {
        try (TestServers.Elasticsearch es = TestServers.elasticsearch(ServerSource.IN_PROCESS)) {
            assertEquals(ServerSource.IN_PROCESS, es.source());
            assertEquals(es.httpHost().toURI(), es.httpUrl());
            try (RestClient client = RestClient.builder(es.httpHost()).build()) {
                Request put = new Request("PUT", "/handle/_doc/1");
                put.addParameter("refresh", "true");
                put.setJsonEntity("{\"via\":\"the handle\"}");
                assertEquals(201, client.performRequest(put).getStatusLine().getStatusCode());

                Response get = client.performRequest(new Request("GET", "/handle/_doc/1"));
                assertEquals(200, get.getStatusLine().getStatusCode());
                String body = EntityUtils.toString(get.getEntity(), StandardCharsets.UTF_8);
                assertTrue(body.contains("\"found\":true"), body);
                assertTrue(body.contains("\"_source\":{\"via\":\"the handle\"}"), body);
            }
        }
    }

    @Test
    void inProcessMariaDbHandleReachesAServerWithItsBinlogOn() throws SQLException {
        try (TestServers.MariaDb db = TestServers.mariaDb(ServerSource.IN_PROCESS)) {
            assertEquals(ServerSource.IN_PROCESS, db.source());
            assertEquals("127.0.0.1", db.host());
            try (Connection c = DriverManager.getConnection(db.jdbcUrl(""), db.user(), db.password());
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT @@log_bin, @@binlog_format")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertEquals("ROW", rs.getString(2));
            }
        }
    }
}
