/**
 * An example Spring Boot application that embeds a binlog-sync pipeline: the pipeline is a bean
 * built from a binlog-sync configuration file ({@link dev.binlogsync.examples.spring.PipelineConfiguration}),
 * started and drained with the application context ({@link dev.binlogsync.examples.spring.PipelineLifecycle}),
 * reported on {@code /actuator/health} ({@link dev.binlogsync.examples.spring.PipelineHealthIndicator})
 * and on {@code /actuator/metrics} and {@code /actuator/prometheus} (the library's
 * {@link dev.binlogsync.core.micrometer.SyncPipelineMeterBinder} as a bean). The library knows
 * nothing of Spring: everything Spring-specific is in this package. See {@code docs/spring-boot.md}.
 */
@NonNullByDefault
package dev.binlogsync.examples.spring;

import dev.binlogsync.core.NonNullByDefault;
