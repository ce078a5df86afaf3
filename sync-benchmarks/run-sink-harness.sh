#!/usr/bin/env bash
# Runs SinkThroughputHarness (sync-benchmarks test sources) against an in-process Elasticsearch node.
# Usage: sync-benchmarks/run-sink-harness.sh [docs=200000] [batch=1000] [inFlight=2] [rounds=4]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -pl sync-benchmarks -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
exec java -cp "sync-benchmarks/target/test-classes:sync-benchmarks/target/classes:$(cat sync-benchmarks/target/cp.txt)" \
  dev.binlogsync.benchmarks.SinkThroughputHarness "$@"
