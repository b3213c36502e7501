#!/usr/bin/env bash
# Every benchmark docs/benchmarks/ reports, in one run of one build on one machine, one after another:
#
#   ./mvnw -q -B -pl toykv-bench,toykv-server -am package -DskipTests
#   scripts/bench-all.sh                  # the full run the docs quote (about half an hour on 2 cores)
#   SCALE=smoke scripts/bench-all.sh      # the same steps at a hundredth of the sizes (a check of the script)
#
# Steps (STEPS picks some, comma-separated; default all): machine, embedded (k8v256, 1 and 2 threads,
# REPEAT rotations of toykv, RocksDB and RocksDB with blob files), shapes (k16v1k and k16v4k), always
# (embedded SyncMode.ALWAYS against RocksDB sync=true, 1/4/16 writer threads), ycsb (A-F), gc (the
# garbage-collection benchmark), server (scripts/bench-server.sh, every row, against redis-server).
# Each step's output goes to OUT (default bench-results/all-<time>): the CSVs, a log per step, and
# tables.md with the Markdown tables of the embedded, shapes, always and YCSB steps. machine.txt names
# the commit, the JDK, the CPU, the kernel and the load average before and after each step: a step that
# ran beside other work says so there. Environment: SCALE (full or smoke), REPEAT (rotations, default 3),
# OUT, JAVA_HOME and TOYKV_JAVA_OPTS (as for the launchers), REDIS_PORT and TOYKV_PORT (bench-server.sh).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
SCALE="${SCALE:-full}"
REPEAT="${REPEAT:-3}"
ALL_STEPS="machine,embedded,shapes,always,ycsb,gc,server"
STEPS="${STEPS:-$ALL_STEPS}"
OUT="${OUT:-$root/bench-results/all-$(date +%Y%m%d-%H%M%S)}"

case "$SCALE" in
  full) num=1000000 ;;
  smoke) num=10000 ;;
  *)
    echo "bench-all: SCALE must be full or smoke, was '$SCALE'" >&2
    exit 2
    ;;
esac
if ! [[ "$REPEAT" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-all: REPEAT must be a positive whole number, was '$REPEAT'" >&2
  exit 2
fi
IFS=',' read -r -a steps <<<"$STEPS"
for step in "${steps[@]}"; do
  if [[ ",$ALL_STEPS," != *",$step,"* ]]; then
    echo "bench-all: unknown step '$step'; steps are $ALL_STEPS" >&2
    exit 2
  fi
done
for jar in toykv-bench/target/toykv-bench.jar toykv-server/target/toykv-server.jar; do
  if [[ ! -f "$root/$jar" ]]; then
    echo "bench-all: $jar is missing; build with: ./mvnw -q -B -pl toykv-bench,toykv-server -am package -DskipTests" >&2
    exit 2
  fi
done
java="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java="$JAVA_HOME/bin/java"
fi
mkdir -p "$OUT"
bench="$root/bin/toykv-bench"

load() {
  cut -d' ' -f1-3 /proc/loadavg
}

machine() {
  {
    echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with local changes)')"
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
    echo "memory: $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
    echo "kernel: $(uname -r)"
    echo "disk of $OUT: $(df -PT "$OUT" | awk 'NR == 2 { print $1, $2 }')"
    echo "java: $("$java" -version 2>&1 | head -1)"
    echo "redis-server: $(redis-server --version 2>/dev/null || echo missing)"
    echo "scale: $SCALE, repeat: $REPEAT"
  } >"$OUT/machine.txt"
}

# run STEP COMMAND...: runs one step with its output in OUT/STEP.log and the load around it in machine.txt.
run() {
  local step="$1"
  shift
  echo "bench-all: $step ($(date +%H:%M:%S), load $(load))" >&2
  echo "$step: load before $(load)" >>"$OUT/machine.txt"
  "$@" >"$OUT/$step.log" 2>&1
  echo "$step: load after $(load)" >>"$OUT/machine.txt"
}

# tables TITLE DIR: appends the Markdown tables of the CSVs a step wrote to tables.md.
tables() {
  local csvs=()
  mapfile -t csvs < <(find "$2" -name '*.csv' ! -name '*-summary.csv' | sort)
  {
    echo "## $1"
    echo
    "$bench" table --wide "${csvs[@]}"
    echo
  } >>"$OUT/tables.md"
}

for step in "${steps[@]}"; do
  case "$step" in
    machine) machine ;;
    embedded)
      run embedded "$bench" embedded --num "$num" --shapes k8v256 --threads 1,2 --repeat "$REPEAT" \
        --out "$OUT/embedded"
      tables "Embedded, k8v256, $num keys" "$OUT/embedded"
      ;;
    shapes)
      run shapes "$bench" embedded --num "$((num / 10))" --shapes k16v1k,k16v4k --threads 1 \
        --repeat "$REPEAT" --out "$OUT/shapes"
      tables "Embedded, larger values, $((num / 10)) keys" "$OUT/shapes"
      ;;
    always)
      run always "$bench" embedded --durability always --num "$((num / 100))" --shapes k8v256 \
        --threads 1,4,16 --workloads fillrandom --engines toykv,rocksdb --repeat "$REPEAT" --out "$OUT/always"
      tables "Embedded, SyncMode.ALWAYS against RocksDB sync=true, $((num / 100)) puts" "$OUT/always"
      ;;
    ycsb)
      run ycsb "$bench" ycsb --records "$((num / 10))" --operations "$((num / 10))" --threads 1 \
        --repeat "$REPEAT" --out "$OUT/ycsb"
      tables "YCSB A-F, $((num / 10)) records and operations" "$OUT/ycsb"
      ;;
    gc)
      rm -rf "$OUT/gc-data"
      run gc "$java" -Xms4g -Xmx4g -XX:+AlwaysPreTouch -cp "$root/toykv-bench/target/toykv-bench.jar" \
        io.toykv.bench.gc.GcBenchmark "$num" "$((3 * num))" "$OUT/gc-data"
      rm -rf "$OUT/gc-data"
      ;;
    server)
      run server env N="$num" WARMUP="$((2 * num))" REPEAT="$REPEAT" OUT="$OUT/server.csv" "$root/scripts/bench-server.sh"
      ;;
  esac
done
echo "bench-all: done ($(date +%H:%M:%S)); results in $OUT" >&2
