package dev.binlogsync.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.PartitionListener;
import dev.binlogsync.core.SourcePosition;
import dev.binlogsync.core.SourceRecord;
import dev.binlogsync.core.SyncException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemorySourceTest {
    private final List<String> calls = new ArrayList<>();
    private final InMemorySource source = new InMemorySource(true, 2);

    private final PartitionListener listener = new PartitionListener() {
        @Override
        public void onAssigned(Collection<String> partitions) {
            calls.add("assigned " + partitions);
        }

        @Override
        public void onRevoked(Collection<String> partitions) {
            // still owned here: a commit works
            source.commit(Map.of("p", new SourcePosition("p", 0)));
            calls.add("revoked " + partitions);
        }

        @Override
        public void onLost(Collection<String> partitions) {
            calls.add("lost " + partitions);
        }
    };

    private List<Long> offsets(List<SourceRecord> records) {
        List<Long> out = new ArrayList<>();
        records.forEach(r -> out.add(r.position().offset()));
        return out;
    }

    @Test
    void deliversInOrderAtMostMaxPollRecordsAndPositionsTheEvents() throws Exception {
        source.open(listener);
        source.append("p", Events.insert("db", "t", Map.of("id", 1)));
        source.append("p", Events.insert("db", "t", Map.of("id", 2)));
        source.append("p", Events.insert("db", "t", Map.of("id", 3)));
        List<SourceRecord> first = source.poll(Duration.ofMillis(10));
        assertEquals(List.of(0L, 1L), offsets(first));
        assertEquals(new SourcePosition("p", 1), first.get(1).events().get(0).position());
        assertEquals(List.of(2L), offsets(source.poll(Duration.ofMillis(10))));
        assertEquals(List.of("assigned [p]"), calls);
    }

    @Test
    void pausedSourceReturnsNothingButIsStillPolled() throws Exception {
        source.open(listener);
        source.append("p", Events.insert("db", "t", Map.of("id", 1)));
        source.pause();
        assertTrue(source.poll(Duration.ofMillis(5)).isEmpty());
        assertTrue(source.isPaused());
        source.resume();
        assertEquals(1, source.poll(Duration.ofMillis(5)).size());
        assertEquals(1, source.pauseCount());
    }

    @Test
    void revokeCallsBackWhileOwnedAndReassignmentReadsAfterTheCommit() throws Exception {
        source.open(listener);
        for (int i = 0; i < 3; i++) {
            source.append("p", Events.insert("db", "t", Map.of("id", i)));
        }
        source.poll(Duration.ofMillis(5));
        source.revoke("p");
        source.poll(Duration.ofMillis(5));
        assertEquals(List.of("assigned [p]", "revoked [p]"), calls);
        assertThrows(SyncException.class, () -> source.commit(Map.of("p", new SourcePosition("p", 1))));
        source.assign("p");
        assertEquals(List.of(1L, 2L), offsets(source.poll(Duration.ofMillis(5))));
    }

    @Test
    void lostPartitionsAreGoneBeforeTheCallback() throws Exception {
        source.open(listener);
        source.append("p", Events.insert("db", "t", Map.of("id", 1)));
        source.poll(Duration.ofMillis(5));
        source.lose("p");
        source.poll(Duration.ofMillis(5));
        assertEquals(List.of("assigned [p]", "lost [p]"), calls);
        assertTrue(source.assignment().isEmpty());
    }

    @Test
    void wakeupEndsABlockedPoll() throws Exception {
        source.open(listener);
        Thread waker = new Thread(() -> {
            try {
                source.awaitPolls(0, Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            source.wakeup();
        });
        waker.start();
        // returns long before the 60 s timeout because of the wakeup
        assertTrue(source.poll(Duration.ofSeconds(60)).isEmpty());
        waker.join();
    }

    @Test
    void commitsAreRecordedAndMayBeScriptedToFail() throws Exception {
        source.open(listener);
        source.append("p", Events.insert("db", "t", Map.of("id", 1)));
        source.poll(Duration.ofMillis(5));
        source.failNextCommit(new SyncException("boom"));
        assertThrows(SyncException.class, () -> source.commit(Map.of("p", new SourcePosition("p", 0))));
        source.commit(Map.of("p", new SourcePosition("p", 0)));
        assertEquals(List.of(Map.of("p", new SourcePosition("p", 0))), source.commits());
        assertTrue(source.awaitCommitted("p", 0, Duration.ofMillis(1)));
    }
}
