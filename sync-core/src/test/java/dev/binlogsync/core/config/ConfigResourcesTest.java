package dev.binlogsync.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.SyncPipeline;
import dev.binlogsync.core.testing.InMemorySource;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** A configuration that fails to build releases what it made, and never runs code of a class of the wrong type. */
class ConfigResourcesTest {

    private static final String RULES = "\"rules\": [{\"table\": \"t\", \"index\": \"i\"}]";

    @Test
    void aSinkWhoseSectionHasAnUnknownKeyIsClosed() {
        PipelineDefinition config = ConfigLoader.create().fromJson("{" + RULES
                + ", \"sink\": {\"type\": \"counting\", \"name\": \"unknown-key\", \"colour\": \"red\"}}");
        ConfigException e = assertThrows(ConfigException.class, config::createSink);
        assertEquals("sink.colour", e.path());
        assertEquals(1, TestProviders.CLOSED.get("unknown-key").get(), "the sink made before the check is closed");
    }

    @Test
    void aSinkMadeBeforeTheDeadLetterSectionFailsIsClosedOnce() {
        PipelineDefinition config = ConfigLoader.create().fromJson("{" + RULES
                + ", \"sink\": {\"type\": \"counting\", \"name\": \"before-dead-letter\"}"
                + ", \"deadLetter\": {\"type\": \"test-dead-letter\"}}"); // its required topic is missing
        ConfigException e = assertThrows(ConfigException.class, config::toPipelineBuilder);
        assertEquals("deadLetter.topic", e.path());
        assertEquals(1, TestProviders.CLOSED.get("before-dead-letter").get());
    }

    @Test
    void aProviderThatFailsAfterBuildingLeavesNothingOpenBehindItsOwnBack() {
        PipelineDefinition ok = ConfigLoader.create().fromJson("{" + RULES
                + ", \"sink\": {\"type\": \"counting\", \"name\": \"engine-rejects\"}"
                + ", \"settings\": {\"lanes\": 1, \"maxInFlightRequests\": 1}}");
        ok.toPipelineBuilder();
        assertEquals(0, TestProviders.CLOSED.get("engine-rejects").get(), "a successful build closes nothing");
    }

    @Test
    void whenBuildRejectsTheSettingsTheComponentsTheDefinitionMadeAreClosed() {
        // DEAD_LETTER without a deadLetter section: the file is valid, build() refuses it
        PipelineDefinition config = ConfigLoader.create().fromJson("{" + RULES
                + ", \"source\": {\"type\": \"memory\", \"name\": \"source-build-fails\"}"
                + ", \"sink\": {\"type\": \"counting\", \"name\": \"sink-build-fails\"}"
                + ", \"settings\": {\"onRejected\": \"dead-letter\"}}");
        SyncPipeline.Builder builder = config.toPipelineBuilder();
        IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);
        assertTrue(e.getMessage().contains("deadLetterSink"), e.getMessage());
        assertEquals(1, TestProviders.CLOSED.get("sink-build-fails").get(), "the sink is closed once");
        assertTrue(((InMemorySource) TestProviders.CREATED.get("source-build-fails")).isClosed(), "the source is closed");
    }

    @Test
    void aMadeComponentTheCallerReplacesIsClosedByBuildAndTheOthersByThePipeline() {
        PipelineDefinition config = ConfigLoader.create().fromJson("{" + RULES
                + ", \"source\": {\"type\": \"memory\", \"name\": \"source-kept\"}"
                + ", \"sink\": {\"type\": \"counting\", \"name\": \"sink-replaced\"}}");
        RecordingBulkSink mine = new RecordingBulkSink();
        InMemorySource made = null;
        try (SyncPipeline pipeline = config.toPipelineBuilder().sink(mine).build()) {
            made = (InMemorySource) TestProviders.CREATED.get("source-kept");
            assertEquals(1, TestProviders.CLOSED.get("sink-replaced").get(), "the replaced sink is closed by build()");
            assertFalse(made.isClosed(), "the pipeline's source stays open until the pipeline closes");
            assertFalse(mine.isClosed());
            pipeline.start();
        }
        assertTrue(made.isClosed());
        assertTrue(mine.isClosed());
        assertEquals(1, TestProviders.CLOSED.get("sink-replaced").get(), "closed once");
    }

    @Test
    void discardingTheBuilderAfterASetterThrowsClosesTheComponentsTheDefinitionMade() {
        PipelineDefinition config = ConfigLoader.create().fromJson("{" + RULES
                + ", \"source\": {\"type\": \"memory\", \"name\": \"source-discarded\"}"
                + ", \"sink\": {\"type\": \"counting\", \"name\": \"sink-discarded\"}}");
        SyncPipeline.Builder builder = config.toPipelineBuilder();
        assertThrows(IllegalArgumentException.class, () -> builder.maxBulkActions(0));
        assertEquals(0, TestProviders.CLOSED.get("sink-discarded").get(), "a setter that throws closes nothing");

        builder.discard();

        assertEquals(1, TestProviders.CLOSED.get("sink-discarded").get(), "the sink is closed once");
        assertTrue(((InMemorySource) TestProviders.CREATED.get("source-discarded")).isClosed(), "the source is closed");
        IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);
        assertTrue(e.getMessage().contains("closed by discard()"), e.getMessage());
    }

    @Test
    void aBuildAfterAFailedBuildClosedTheComponentsIsRefused() {
        PipelineDefinition config = ConfigLoader.create().fromJson("{" + RULES
                + ", \"source\": {\"type\": \"memory\", \"name\": \"source-rebuilt\"}"
                + ", \"sink\": {\"type\": \"counting\", \"name\": \"sink-rebuilt\"}"
                + ", \"settings\": {\"onRejected\": \"dead-letter\"}}");
        SyncPipeline.Builder builder = config.toPipelineBuilder();
        assertThrows(IllegalStateException.class, builder::build);

        // the caller fixes the setting and builds again: the components are closed, so no pipeline
        builder.onRejected(dev.binlogsync.core.FailurePolicy.STOP);
        IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);

        assertTrue(e.getMessage().contains("closed by a failed build()"), e.getMessage());
        assertEquals(1, TestProviders.CLOSED.get("sink-rebuilt").get(), "the sink is closed once");
    }

    /** Set by {@link NotAFilter}'s static initializer. */
    static final AtomicBoolean INITIALISED = new AtomicBoolean();

    /** Not a Filter; its static initializer must never run when a configuration names it as one. */
    public static final class NotAFilter {
        static {
            INITIALISED.set(true);
        }

        public NotAFilter() {
        }
    }

    @Test
    void aConfiguredClassOfTheWrongTypeIsRejectedBeforeItsStaticInitializerRuns() {
        String json = "{\"filters\": {\"vip\": {\"class\": \"" + NotAFilter.class.getName() + "\"}},"
                + "\"rules\": [{\"table\": \"t\", \"index\": \"i\", \"filter\": \"vip\"}]}";
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.create().fromJson(json));
        assertTrue(e.getMessage().contains("does not implement dev.binlogsync.core.Filter"), e.getMessage());
        assertFalse(INITIALISED.get(), "the class was initialised before its type was checked");
    }
}
