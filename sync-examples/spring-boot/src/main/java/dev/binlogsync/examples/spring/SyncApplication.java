package dev.binlogsync.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;

/**
 * The example application: Spring Boot's web server and Actuator, plus one binlog-sync pipeline
 * ({@link PipelineConfiguration}). Start it with {@code binlog-sync.config-file} pointing at a
 * pipeline configuration (default {@code classpath:binlog-sync.json}, whose addresses come from the
 * environment: {@code KAFKA_BOOTSTRAP_SERVERS}, {@code ES_URL}, ...).
 *
 * <p>Spring Boot's own Elasticsearch client is switched off: the pipeline's sink has its own
 * (configured in the pipeline's file), and Boot's, seeing the REST client on the class path, would
 * connect to {@code localhost:9200} and add an {@code elasticsearch} health component for a node
 * the application does not use.
 */
@SpringBootApplication(exclude = ElasticsearchRestClientAutoConfiguration.class)
public class SyncApplication {

    /** Starts the application; the arguments are Spring Boot's ({@code --binlog-sync.config-file=...}). */
    public static void main(String[] args) {
        SpringApplication.run(SyncApplication.class, args);
    }
}
