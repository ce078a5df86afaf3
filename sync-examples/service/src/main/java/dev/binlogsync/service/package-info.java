/**
 * The ready-to-run service: several pipelines from one configuration (a file, an environment
 * variable or a configuration center polled over HTTP), replaced one by one on a changed
 * configuration, with HTTP endpoints for health, Prometheus metrics and a JSON status, and alerts.
 *
 * <p>The running pipelines are seen through {@link dev.binlogsync.service.PipelineRegistry}; the
 * HTTP endpoints and the alerts follow its start and stop events.
 */
@NonNullByDefault
package dev.binlogsync.service;

import dev.binlogsync.core.NonNullByDefault;
