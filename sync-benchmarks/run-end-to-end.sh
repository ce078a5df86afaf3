#!/usr/bin/env bash
# Runs EndToEndBenchmark (sync-benchmarks test sources): in-process Kafka broker and Elasticsearch node,
# the pipeline drains N pre-loaded Canal messages, the raw-bulk ceiling, the replays of every change,
# latency at a steady rate.
# Usage: sync-benchmarks/run-end-to-end.sh [n=100000] [batch=1000] [flushMs=200] [inFlight=2] [rate=1000]
#        [rateSeconds=20] [rounds=5] [warm=<n>] [warmRounds=3] [replay=true|false] [bare=true|false] [writeMode=INDEX|UPSERT|default] [buffer=<maxBufferedActions>] [servers=in-process|processes] [serverHeap=2g] [floor=true|false] [consumer.<setting>=<value>] [sweep=true] [sweepRateSeconds=10] [svg=docs/bench/end-to-end-sweep.svg]
# JVM options via JAVA_OPTS (default -Xmx2g).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -o -pl sync-benchmarks -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
exec java ${JAVA_OPTS:--Xmx2g} -cp "sync-benchmarks/target/test-classes:sync-benchmarks/target/classes:$(cat sync-benchmarks/target/cp.txt)" \
  dev.binlogsync.benchmarks.EndToEndBenchmark "$@"
