package dev.binlogsync.elasticsearch;

import dev.binlogsync.testing.EmbeddedElasticsearch;
import dev.binlogsync.testing.EmbeddedMariaDb;
import java.io.IOException;
import java.sql.SQLException;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.mariadb.jdbc.MariaDbDataSource;

/**
 * The real servers of the backfill tests, per test class: a MariaDB of its own, the shared
 * in-process Elasticsearch, a started {@link ElasticsearchSink} on it, a low-level client for the
 * tests' own reads, and a data source for the backfill.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BackfillTestServers {
    EmbeddedMariaDb db;
    RestClient client;
    ElasticsearchSink sink;
    MariaDbDataSource dataSource;

    @BeforeAll
    void startServers() throws SQLException {
        db = EmbeddedMariaDb.start();
        String url = EmbeddedElasticsearch.shared().httpUrl();
        client = RestClient.builder(org.apache.http.HttpHost.create(url)).build();
        sink = ElasticsearchSink.builder().hosts(url).build();
        sink.start();
        dataSource = new MariaDbDataSource(db.jdbcUrl() + "?user=" + db.user());
    }

    @AfterAll
    void stopServers() throws IOException {
        sink.close();
        client.close();
        db.close();
    }
}
