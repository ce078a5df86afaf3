#!/usr/bin/env bash
# Builds the shaded JMH jar and runs the whole JMH suite (or the benchmarks matching the given regexps),
# writing the results as JSON.
# Usage: sync-benchmarks/run-jmh.sh [results.json] [JMH options and benchmark regexps...]
# Default output: sync-benchmarks/target/jmh-results.json. Example, a quick pass of the whole suite:
#   sync-benchmarks/run-jmh.sh /tmp/jmh.json -wi 1 -i 2 -f 1
set -euo pipefail
cd "$(dirname "$0")/.."
out="sync-benchmarks/target/jmh-results.json"
if [[ $# -gt 0 && "$1" == *.json ]]; then
  out="$1"
  shift
fi
./mvnw -B -ntp -q -pl sync-benchmarks -am package -DskipTests
mkdir -p "$(dirname "$out")"
java -jar sync-benchmarks/target/benchmarks.jar -rf json -rff "$out" "$@"
echo "JMH results: $out"
