#!/usr/bin/env bash
# Runs EndToEndBenchmark (sync-benchmarks test sources): in-process Kafka broker and Elasticsearch node,
# the pipeline drains N pre-loaded Canal messages, the raw-bulk ceiling, the replays of every change,
# latency at a steady rate.
# Usage: sync-benchmarks/run-end-to-end.sh [n=100000] [batch=1000] [flushMs=200] [inFlight=2] [rate=1000]
#        [rateSeconds=20] [rounds=5] [warm=<n>] [warmRounds=3] [replay=true|false] [bare=true|false] [writeMode=INDEX|UPSERT|default] [buffer=<maxBufferedActions>] [servers=in-process|processes] [serverHeap=2g] [floor=true|false] [consumer.<setting>=<value>] [sweep=true] [sweepRateSeconds=10] [svg=docs/bench/end-to-end-sweep.svg]
# Lanes sweep (backlog drains only, library defaults apart from the swept settings; see EndToEndBenchmark's javadoc):
#        sweep=lanes [sweepLanes=1,2,4,8] [sweepInFlight=1,2,4] [sweepBulk=500,1000,4000] [repetitions=3]
#        [setup=<servers>[-escpus<cpus>]] [svg=docs/bench/end-to-end-lanes-sweep-<setup>.svg] [combineWith=<other setup's csv>]
#   both setups back to back (a single node, then the node on CPU 1 and everything else on CPU 0; G1 named, since a
#   JVM that sees one CPU would pick the serial collector):
#   export JAVA_OPTS="-Xmx2g -XX:+UseG1GC"
#   sync-benchmarks/run-end-to-end.sh n=1000000 sweep=lanes servers=processes \
#     && taskset -c 0 sync-benchmarks/run-end-to-end.sh n=1000000 sweep=lanes servers=processes esCpus=1 \
#        combineWith=docs/bench/end-to-end-lanes-sweep-processes.csv
# JVM options via JAVA_OPTS (default -Xmx2g).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -o -pl sync-benchmarks -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
exec java ${JAVA_OPTS:--Xmx2g} -cp "sync-benchmarks/target/test-classes:sync-benchmarks/target/classes:$(cat sync-benchmarks/target/cp.txt)" \
  dev.binlogsync.benchmarks.EndToEndBenchmark "$@"
