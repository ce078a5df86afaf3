#!/usr/bin/env bash
# Runs BackfillBenchmark (sync-benchmarks test sources): a real MariaDB and an Elasticsearch node in a
# process of its own; per round the Backfill and a plain keyset + _bulk loader load the same table into
# fresh indices (alternating which goes first), then the two indices are compared.
# Usage: sync-benchmarks/run-backfill-bench.sh [rows=500000] [rounds=3] [warmRows=50000] [warmRounds=1]
#        [servers=processes|in-process] [serverHeap=2g] [verify=sample|full] [sample=5000] [chunk=1000]
#        [backfillChunk=<rows>] [plainOverlap=false|true] [store=elasticsearch|memory] [plainOp=index|create]
#        [dataSource=pool|unpooled]
# JVM options via JAVA_OPTS (default -Xmx2g).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -o -pl sync-benchmarks -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
exec java ${JAVA_OPTS:--Xmx2g} -cp "sync-benchmarks/target/test-classes:sync-benchmarks/target/classes:$(cat sync-benchmarks/target/cp.txt)" \
  dev.binlogsync.benchmarks.BackfillBenchmark "$@"
