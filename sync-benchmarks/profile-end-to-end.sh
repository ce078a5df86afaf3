#!/usr/bin/env bash
# Runs the end-to-end benchmark (servers in processes of their own, so this JVM holds only the
# pipeline) under async-profiler (from Maven Central: tools.profiler:async-profiler, Linux x64), then
# splits the measured rounds' pipeline-thread CPU by component (ProfileSummary).
# Usage: sync-benchmarks/profile-end-to-end.sh [any run-end-to-end.sh argument, e.g. n=100000 rounds=3]
# Writes sync-benchmarks/target/profile/cpu.collapsed (collapsed stacks per thread: feed it to a
# flame-graph tool for the details).
set -euo pipefail
cd "$(dirname "$0")/.."
AP_VERSION=4.0
dir=sync-benchmarks/target/profile
mkdir -p "$dir"
if [ ! -f "$dir/libasyncProfiler.so" ]; then
  ./mvnw -B -ntp -q dependency:copy -Dartifact=tools.profiler:async-profiler:$AP_VERSION -DoutputDirectory="$dir"
  unzip -o -q -j "$dir/async-profiler-$AP_VERSION.jar" linux-x64/libasyncProfiler.so -d "$dir"
fi
out="$(pwd)/$dir/cpu.collapsed"
JAVA_OPTS="${JAVA_OPTS:--Xmx2g} -agentpath:$(pwd)/$dir/libasyncProfiler.so=start,event=cpu,interval=1ms,threads,collapsed,file=$out" \
  sync-benchmarks/run-end-to-end.sh servers=processes rateSeconds=5 "$@"
java -cp "sync-benchmarks/target/test-classes" dev.binlogsync.benchmarks.ProfileSummary "$out" e2e-pipeline-main
