#!/usr/bin/env bash
# Server benchmark: the same redis-benchmark runs against redis-server (appendonly yes, appendfsync
# everysec) and toykv-server (--sync everysec), both on loopback, then one table with the ratios.
#
#   ./mvnw -q -B -pl toykv-server -am package -DskipTests   # builds toykv-server/target/toykv-server.jar
#   scripts/bench-server.sh                                 # N=1000000 by default; N=100000 for a smoke run
#
# It installs nothing. toykv-server runs through bin/toykv-server, the launcher the README starts it with,
# so the benchmark gets the launcher's JVM options and scheduling policy. Environment: N (requests per run,
# also the key range -r), CLIENTS (-c, default 50), REDIS_PORT (6390), TOYKV_PORT (6391), JAVA_HOME (the
# JDK, as for the launcher), TOYKV_JAVA_OPTS (extra JVM options, default none), TOYKV_SERVER_SCHED (batch
# or normal, as for the launcher), RUNS (option sets, see below), REPEAT (how many times each option set
# runs, default 1; the table then shows the median requests/s of each server and the ratio of the
# medians), OUT (CSV file to write, default bench-results/server-<time>.csv). Data lives in a temporary
# directory deleted on exit.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
N="${N:-1000000}"
REPEAT="${REPEAT:-1}"
if ! [[ "$REPEAT" =~ ^[1-9][0-9]*$ ]]; then
  echo "bench-server: REPEAT must be a positive whole number, was '$REPEAT'" >&2
  exit 2
fi
CLIENTS="${CLIENTS:-50}"
REDIS_PORT="${REDIS_PORT:-6390}"
TOYKV_PORT="${TOYKV_PORT:-6391}"
TOYKV_JAVA_OPTS="${TOYKV_JAVA_OPTS:-}"
OUT="${OUT:-$root/bench-results/server-$(date +%Y%m%d-%H%M%S).csv}"
jar="$root/toykv-server/target/toykv-server.jar"
java="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java="$JAVA_HOME/bin/java"
fi

missing=()
for cmd in redis-server redis-benchmark redis-cli "$java"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if ((${#missing[@]})); then
  echo "bench-server: missing: ${missing[*]}" >&2
  echo "  on Debian/Ubuntu: sudo apt-get install redis-tools redis-server   (and a JDK 17+ for java)" >&2
  exit 2
fi
if [[ ! -f "$jar" ]]; then
  echo "bench-server: $jar is missing; build it with: ./mvnw -q -B -pl toykv-server -am package -DskipTests" >&2
  exit 2
fi
for port in "$REDIS_PORT" "$TOYKV_PORT"; do
  if redis-cli -h 127.0.0.1 -p "$port" ping >/dev/null 2>&1; then
    echo "bench-server: something already answers on 127.0.0.1:$port; set REDIS_PORT/TOYKV_PORT" >&2
    exit 2
  fi
done

work="$(mktemp -d "${TMPDIR:-/tmp}/toykv-server-bench.XXXXXX")"
redis_pid=""
toykv_pid=""
cleanup() {
  # Stop only the two servers this script started, then delete their data.
  for pid in "$redis_pid" "$toykv_pid"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

wait_for() { # name port pid log
  for _ in $(seq 1 300); do
    if redis-cli -h 127.0.0.1 -p "$2" ping 2>/dev/null | grep -q PONG; then
      return 0
    fi
    if ! kill -0 "$3" 2>/dev/null; then
      echo "bench-server: $1 exited at start; its log:" >&2
      cat "$4" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "bench-server: $1 did not answer PING on port $2 within 30 s" >&2
  exit 1
}

mkdir -p "$work/redis" "$work/toykv"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes \
  --appendfsync everysec --save '' --daemonize no --logfile "$work/redis.log" &
redis_pid=$!
# The launcher execs java, so $! is the server's JVM.
TOYKV_SERVER_JAVA_OPTS="$TOYKV_JAVA_OPTS" "$root/bin/toykv-server" --port "$TOYKV_PORT" --bind 127.0.0.1 \
  --dir "$work/toykv" --sync everysec >"$work/toykv.log" 2>&1 &
toykv_pid=$!
wait_for redis-server "$REDIS_PORT" "$redis_pid" "$work/redis.log"
wait_for toykv-server "$TOYKV_PORT" "$toykv_pid" "$work/toykv.log"

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB"
echo "redis:   $(redis-server --version | cut -d' ' -f3) appendonly yes, appendfsync everysec"
echo "toykv:   bin/toykv-server --sync everysec, java $("$java" -version 2>&1 | head -1 | cut -d'"' -f2)" \
  "${TOYKV_JAVA_OPTS:-(no extra JVM options)}, $(grep -o '[a-z]* threads' "$work/toykv.log" | head -1)," \
  "$(chrt -p "$toykv_pid" 2>/dev/null | awk -F': ' '/policy/ {print $2}' || echo 'scheduling policy unknown')"
echo "runs:    redis-benchmark -t set,get -n $N -r $N -c $CLIENTS, with the options below, $REPEAT time(s) each;" \
  "servers alternate"
echo

# RUNS (';'-separated option sets) replaces the default three, e.g. RUNS='-d 256 -P 1;-d 256 -P 16'.
IFS=';' read -r -a runs <<<"${RUNS:--d 256 -P 1;-d 256 -P 16;-d 1024 -P 1}"
mkdir -p "$(dirname "$OUT")"
echo "run,server,test,rps,avg_ms,p50_ms,p99_ms" >"$OUT"
i=0
for run in "${runs[@]}"; do
  for ((rep = 1; rep <= REPEAT; rep++)); do
    # Alternate which server goes first, so neither always gets the cooler machine.
    if ((i % 2 == 0)); then order=(redis toykv); else order=(toykv redis); fi
    i=$((i + 1))
    for server in "${order[@]}"; do
      port="$REDIS_PORT"; [[ "$server" == toykv ]] && port="$TOYKV_PORT"
      echo "  $server: redis-benchmark -t set,get -n $N -r $N -c $CLIENTS $run (run $rep of $REPEAT)" >&2
      # shellcheck disable=SC2086
      redis-benchmark -h 127.0.0.1 -p "$port" -t set,get -n "$N" -r "$N" -c "$CLIENTS" $run --csv |
        awk -F'","' -v run="$run" -v server="$server" 'NR > 1 {
          gsub(/"/, "", $1); gsub(/"/, "", $8);
          printf "%s,%s,%s,%s,%s,%s,%s\n", run, server, $1, $2, $3, $5, $7 }' >>"$OUT"
    done
  done
done

echo
# Medians over the repeats (the middle one, or the mean of the two middle ones). The first pass reads the
# CSV as written, for the order of the rows; the second reads it sorted by requests/s within each row.
awk -F, '
  function median(key,   m) {
    m = count[key]
    if (m % 2) return val[key, (m + 1) / 2]
    return (val[key, m / 2] + val[key, m / 2 + 1]) / 2
  }
  function middlep99(key) { return p99[key, int((count[key] + 1) / 2)] }
  FNR == NR { if (FNR > 1) { row = $1 SUBSEP $3; if (!(row in seen)) { seen[row] = 1; order[rows++] = row } }; next }
  { key = $1 SUBSEP $3 SUBSEP $2; count[key]++; val[key, count[key]] = $4; p99[key, count[key]] = $7 }
  END {
    printf "%-14s %-4s %12s %12s %7s %13s %13s\n", "run", "test", "redis rps", "toykv rps", "ratio", "redis p99 ms", "toykv p99 ms"
    for (i = 0; i < rows; i++) {
      split(order[i], k, SUBSEP)
      r = median(order[i] SUBSEP "redis"); t = median(order[i] SUBSEP "toykv")
      printf "%-14s %-4s %12.0f %12.0f %7.2f %13s %13s\n", k[1], k[2], r, t, (r > 0 ? t / r : 0),
        middlep99(order[i] SUBSEP "redis"), middlep99(order[i] SUBSEP "toykv")
    }
  }' "$OUT" <(tail -n +2 "$OUT" | sort -t, -k1,1 -k3,3 -k2,2 -k4,4g)
echo
echo "CSV: $OUT (ratio = median toykv rps / median redis rps; p99 of the run with the lower-middle rps)"
