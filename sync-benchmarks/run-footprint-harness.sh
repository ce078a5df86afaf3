#!/usr/bin/env bash
# Runs BufferFootprintHarness (sync-benchmarks test sources): the heap a buffered action really
# holds against what maxBufferedBytes counts for it. No servers.
# Usage: sync-benchmarks/run-footprint-harness.sh [n=150000]   (JVM options via JAVA_OPTS, default -Xmx2g)
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -ntp -q -pl sync-benchmarks -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
exec java ${JAVA_OPTS:--Xmx2g} -cp "sync-benchmarks/target/test-classes:sync-benchmarks/target/classes:$(cat sync-benchmarks/target/cp.txt)" \
  dev.binlogsync.core.internal.BufferFootprintHarness "$@"
