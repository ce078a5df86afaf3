package dev.binlogsync.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The selection between containers and in-process servers, with the Docker probe faked (this
 * machine has no Docker engine, so the container path itself is not started here).
 */
class TestServersTest {

    private static final BooleanSupplier DOCKER = () -> true;
    private static final BooleanSupplier NO_DOCKER = () -> false;
    private static final BooleanSupplier MUST_NOT_PROBE = () -> {
        throw new AssertionError("Docker was probed");
    };

    @Test
    void unsetPropertyTakesContainersWhenDockerIsReachable() {
        assertEquals(ServerSource.CONTAINERS, TestServers.select(null, DOCKER));
    }

    @Test
    void unsetPropertyTakesInProcessServersWhenDockerIsNotReachable() {
        assertEquals(ServerSource.IN_PROCESS, TestServers.select(null, NO_DOCKER));
    }

    @Test
    void autoFollowsDockerReachability() {
        assertEquals(ServerSource.CONTAINERS, TestServers.select("auto", DOCKER));
        assertEquals(ServerSource.IN_PROCESS, TestServers.select("auto", NO_DOCKER));
    }

    @Test
    void inProcessNeverAsksDocker() {
        assertEquals(ServerSource.IN_PROCESS, TestServers.select("in-process", MUST_NOT_PROBE));
    }

    @Test
    void containersAreTakenWhenAskedForAndDockerIsReachable() {
        assertEquals(ServerSource.CONTAINERS, TestServers.select("containers", DOCKER));
    }

    @Test
    void containersAskedForWithoutDockerFailNamingTheProperty() {
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> TestServers.select("containers", NO_DOCKER));
        assertTrue(e.getMessage().contains(TestServers.PROPERTY + "=containers"), e.getMessage());
    }

    @Test
    void valuesMatchIgnoringCaseAndBlanks() {
        assertEquals(ServerSource.IN_PROCESS, TestServers.select(" In-Process ", MUST_NOT_PROBE));
        assertEquals(ServerSource.CONTAINERS, TestServers.select("CONTAINERS", DOCKER));
        assertEquals(ServerSource.IN_PROCESS, TestServers.select("Auto", NO_DOCKER));
    }

    @Test
    void unknownValueIsRejectedNamingIt() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TestServers.select("docker", MUST_NOT_PROBE));
        assertTrue(e.getMessage().contains("'docker'"), e.getMessage());
        assertTrue(e.getMessage().contains(TestServers.PROPERTY), e.getMessage());
    }

    @Test
    void eachSelectionAsksDockerAtMostOnce() {
        AtomicInteger probes = new AtomicInteger();
        TestServers.select("containers", () -> probes.incrementAndGet() > 0);
        TestServers.select(null, () -> probes.incrementAndGet() > 0);
        assertEquals(2, probes.get());
    }

    @Test
    void containerMariaDbListensBeyondLoopbackWithTheSameBinlogOptions() {
        assertFalse(Containers.containerOptions().stream().anyMatch(o -> o.startsWith("--bind-address")));
        assertTrue(Containers.containerOptions().containsAll(
                EmbeddedMariaDb.BINLOG_OPTIONS.stream().filter(o -> !o.startsWith("--bind-address")).toList()));
        assertTrue(Containers.containerOptions().contains("--binlog-format=ROW"));
    }
}
