package dev.binlogsync.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.binlogsync.core.backfill.ShadowWriteSink;
import dev.binlogsync.core.rules.Rules;
import dev.binlogsync.core.rules.TableRule;
import dev.binlogsync.core.testing.RecordingBulkSink;
import java.io.IOException;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.mariadb.jdbc.MariaDbDataSource;

class ResyncBuilderTest {
    private final RestClient client = RestClient.builder(HttpHost.create("http://127.0.0.1:9")).build();
    private final ElasticsearchSink sink = ElasticsearchSink.builder().hosts("http://127.0.0.1:9").build();
    private final ShadowWriteSink shadow = ShadowWriteSink.wrap(new RecordingBulkSink());
    private final Rules rules = Rules.builder()
            .rule(TableRule.builder().database("shop").table("items").index("items").build()).build();

    @AfterEach
    void close() throws IOException {
        sink.close();
        client.close();
    }

    private Resync.Builder complete() {
        return Resync.builder().client(client).alias("items").newIndex("items-v2").rules(rules)
                .dataSource(new MariaDbDataSource()).sink(sink).shadowSinks(shadow);
    }

    @Test
    void buildsACompleteConfiguration() {
        complete().build();
    }

    @Test
    void buildRejectsAMissingDataSource() {
        Resync.Builder b = Resync.builder().client(client).alias("items").newIndex("items-v2").rules(rules).sink(sink)
                .shadowSinks(shadow);
        assertThrows(IllegalStateException.class, b::build);
    }

    @Test
    void buildRejectsNoShadowSink() {
        Resync.Builder b = Resync.builder().client(client).alias("items").newIndex("items-v2").rules(rules)
                .dataSource(new MariaDbDataSource()).sink(sink);
        IllegalStateException e = assertThrows(IllegalStateException.class, b::build);
        assertTrue(e.getMessage().contains("ShadowWriteSink"), e.getMessage());
    }

    @Test
    void buildRejectsAnAliasNoRuleWritesTo() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> complete().alias("orders").build());
        assertTrue(e.getMessage().contains("orders"), e.getMessage());
    }

    @Test
    void buildRejectsANewIndexEqualToTheAlias() {
        assertThrows(IllegalStateException.class, () -> complete().newIndex("items").build());
    }

    @Test
    void aliasRejectsAnInvalidIndexName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resync.builder().alias("Items"));
        assertTrue(e.getMessage().contains("Items"), e.getMessage());
    }

    @Test
    void newIndexBodyRejectsTextThatIsNotAJsonObject() {
        assertThrows(IllegalArgumentException.class, () -> Resync.builder().newIndexBody("{\"mappings\":"));
        assertThrows(IllegalArgumentException.class, () -> Resync.builder().newIndexBody("[]"));
    }

    @Test
    void sinkRejectsThePipelinesShadowWriteSink() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resync.builder().sink(shadow));
        assertTrue(e.getMessage().contains("ShadowWriteSink"), e.getMessage());
    }

    @Test
    void sinkRejectsASinkThatCannotRead() {
        assertThrows(IllegalArgumentException.class, () -> Resync.builder().sink(new RecordingBulkSink()));
    }
}
