package dev.binlogsync.examples.testbed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.testing.Await;
import dev.binlogsync.elasticsearch.HeartbeatCheck;
import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.Test;

class HeartbeatIT {

    @Test
    void writerUpsertsOneRowPerSourceWithTheClockTime() throws Exception {
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
            db.execute("CREATE DATABASE ops");
            MutableClock clock = new MutableClock(t0);
            try (HeartbeatWriter writer = HeartbeatWriter.start(db.jdbcUrl(), db.user(), db.password(),
                    "ops.heartbeat", "relay-1", Duration.ofHours(1), clock)) {
                clock.now = t0.plusSeconds(5);
                writer.beat();
                assertEquals(2, writer.beats());
            }
            try (Connection c = db.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT source, beat_ms FROM ops.heartbeat")) {
                assertTrue(rs.next());
                assertEquals("relay-1", rs.getString(1));
                assertEquals(t0.plusSeconds(5).toEpochMilli(), rs.getLong(2));
                assertTrue(!rs.next(), "one row per source");
            }
        }
    }

    @Test
    void writerBeatsOnItsOwnEveryInterval() throws Exception {
        try (EmbeddedMariaDb db = EmbeddedMariaDb.start()) {
            db.execute("CREATE DATABASE ops");
            try (HeartbeatWriter writer = HeartbeatWriter.start(db, "ops.heartbeat", "relay-1", Duration.ofMillis(20))) {
                Await.value(Duration.ofSeconds(20), "four beats", writer::beats, beats -> beats >= 4);
                assertTrue(writer.beats() >= 4, "beats: " + writer.beats());
            }
        }
    }

    @Test
    void checkReportsTheNewestBeatAndItsAge() throws Exception {
        Instant now = Instant.parse("2026-01-01T00:01:00Z");
        try (EmbeddedElasticsearch es = EmbeddedElasticsearch.builder().nodeName("heartbeat").build().start();
                RestClient client = es.newClient()) {
            HeartbeatCheck check = HeartbeatCheck.of(client, "heartbeat", "beat_ms", Clock.fixed(now, ZoneOffset.UTC));
            assertEquals(Optional.empty(), check.newest(), "no index yet");
            index(client, "relay-1", now.minusSeconds(30).toEpochMilli());
            index(client, "relay-2", now.minusSeconds(3).toEpochMilli());
            index(client, "relay-3", now.minusSeconds(300).toEpochMilli());
            HeartbeatCheck.Heartbeat beat = check.newest().orElseThrow();
            assertEquals("relay-2", beat.id());
            assertEquals(now.minusSeconds(3), beat.beat());
            assertEquals(Duration.ofSeconds(3), beat.age());
        }
    }

    @Test
    void checkRejectsNamesThatAreNotPlain() {
        assertThrows(IllegalArgumentException.class,
                () -> HeartbeatCheck.of(RestClient.builder(new org.apache.http.HttpHost("127.0.0.1", 9)).build(), "a/b"));
    }

    private static void index(RestClient client, String id, long beatMs) throws Exception {
        Request put = new Request("PUT", "/heartbeat/_doc/" + id);
        put.addParameter("refresh", "true");
        put.setJsonEntity("{\"source\":\"" + id + "\",\"beat_ms\":" + beatMs + "}");
        client.performRequest(put);
    }

    private static final class MutableClock extends Clock {
        volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
