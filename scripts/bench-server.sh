#!/usr/bin/env bash
# Server benchmark: the same redis-benchmark runs against redis-server (appendonly yes) and toykv-server,
# both on loopback, with the same durability (appendfsync everysec / --sync everysec, or always / always),
# servers alternating, then one table of medians with the ratios.
#
#   ./mvnw -q -B -pl toykv-server -am package -DskipTests   # builds toykv-server/target/toykv-server.jar
#   scripts/bench-server.sh                                 # every row below, REPEAT=3 times each
#   ROWS=everysec-p16 REPEAT=1 scripts/bench-server.sh      # one row, once (a smoke run)
#
# Rows (ROWS picks some, comma-separated; default all):
#   always-set-50     --sync always, SET, 50 clients, -P 1       (a group commit's cost under load)
#   always-set-1      --sync always, SET, 1 client                (one commit's latency)
#   always-p16        --sync always, SET, 50 clients, -P 16      (a pipeline's writes sharing a commit)
#   always-p16-1      --sync always, SET, 1 client, -P 16
#   everysec-p1       everysec, SET and GET, 50 clients, -P 1     (the cost of one request)
#   everysec-p16      everysec, SET and GET, 50 clients, -P 16    (pipelined throughput)
#   everysec-1        everysec, SET and GET, 1 client, -P 1       (one client's round trip)
#   incr              everysec, INCR, 50 clients, -P 1
#   multi             everysec, N/10 transactions (MULTI, INCR, SET, EXEC) piped by one redis-cli --pipe
#                     client; rps is transactions a second (no latencies)
#   warmup            a fresh pair of servers each time: the first 200k SETs at -P 16 (no warm-up)
# Every row but warmup runs on servers warmed up by WARMUP requests (SET and GET at -P 16) when they
# start, and by one pass of the multi row's transactions when that row runs; a pair of servers serves
# every row of its sync mode.
#
# It installs nothing. toykv-server runs through bin/toykv-server, the launcher the README starts it with,
# so it gets the launcher's JVM options. Environment: N (requests per run and key range -r, default
# 1000000; the always rows use N/10, the 1-client always row N/50), VALUE (-d, default 256), REPEAT
# (default 3), WARMUP (default 2000000), REDIS_PORT (6390), TOYKV_PORT (6391), JAVA_HOME, TOYKV_JAVA_OPTS
# (as for the launcher), TOYKV_ARGS (extra server options), OUT (CSV file, default
# bench-results/server-<time>.csv). Data lives in a temporary directory deleted on exit.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
N="${N:-1000000}"
VALUE="${VALUE:-256}"
REPEAT="${REPEAT:-3}"
WARMUP="${WARMUP:-2000000}"
REDIS_PORT="${REDIS_PORT:-6390}"
TOYKV_PORT="${TOYKV_PORT:-6391}"
read -ra toykv_args <<<"${TOYKV_ARGS:-}"
OUT="${OUT:-$root/bench-results/server-$(date +%Y%m%d-%H%M%S).csv}"
ALL_ROWS="always-set-50,always-set-1,always-p16,always-p16-1,everysec-p1,everysec-p16,everysec-1,incr,multi,warmup"
ROWS="${ROWS:-$ALL_ROWS}"
jar="$root/toykv-server/target/toykv-server.jar"
java="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java="$JAVA_HOME/bin/java"
fi

for number in N VALUE REPEAT WARMUP; do
  if ! [[ "${!number}" =~ ^[1-9][0-9]*$ ]]; then
    echo "bench-server: $number must be a positive whole number, was '${!number}'" >&2
    exit 2
  fi
done
IFS=',' read -r -a rows <<<"$ROWS"
for row in "${rows[@]}"; do
  if [[ ",$ALL_ROWS," != *",$row,"* ]]; then
    echo "bench-server: unknown row '$row'; rows are $ALL_ROWS" >&2
    exit 2
  fi
done
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
stop_servers() {
  # Stop only the two servers this script started, then delete their data.
  for pid in "$redis_pid" "$toykv_pid"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  redis_pid=""
  toykv_pid=""
  rm -rf "$work/redis" "$work/toykv"
}
cleanup() {
  stop_servers
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

start_servers() { # sync mode: everysec or always
  stop_servers
  mkdir -p "$work/redis" "$work/toykv"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes \
    --appendfsync "$1" --save '' --daemonize no --logfile "$work/redis.log" &
  redis_pid=$!
  # The launcher execs java, so $! is the server's JVM.
  "$root/bin/toykv-server" --port "$TOYKV_PORT" --bind 127.0.0.1 --dir "$work/toykv" --sync "$1" \
    "${toykv_args[@]}" >"$work/toykv.log" 2>&1 &
  toykv_pid=$!
  wait_for redis-server "$REDIS_PORT" "$redis_pid" "$work/redis.log"
  wait_for toykv-server "$TOYKV_PORT" "$toykv_pid" "$work/toykv.log"
}

# Warms both servers of a sync mode up: SET and GET, and the multi row's transactions when it runs (the
# JIT compiles EXEC's path too before the clock starts).
warm_up() {
  local sync="$1"
  for port in "$REDIS_PORT" "$TOYKV_PORT"; do
    redis-benchmark -h 127.0.0.1 -p "$port" -t set,get -n "$WARMUP" -r "$N" -c 50 -d "$VALUE" -P 16 -q \
      >/dev/null
    if [[ "$sync" == everysec && ",$ROWS," == *",multi,"* ]]; then
      redis-cli -h 127.0.0.1 -p "$port" --pipe <"$(multi_input)" >/dev/null
    fi
  done
}

# One measured run: server row rep tests clients n pipeline; appends its lines to the CSV.
measure() {
  local server="$1" row="$2" rep="$3" tests="$4" clients="$5" n="$6" pipeline="$7" port="$REDIS_PORT"
  [[ "$server" == toykv ]] && port="$TOYKV_PORT"
  echo "  $row, run $rep of $REPEAT, $server: redis-benchmark -t $tests -n $n -r $N -c $clients -d $VALUE -P $pipeline" >&2
  redis-benchmark -h 127.0.0.1 -p "$port" -t "$tests" -n "$n" -r "$N" -c "$clients" -d "$VALUE" \
    -P "$pipeline" --csv |
    awk -F'","' -v row="$row" -v server="$server" 'NR > 1 {
      gsub(/"/, "", $1); gsub(/"/, "", $8);
      printf "%s,%s,%s,%s,%s,%s,%s\n", row, server, $1, $2, $3, $5, $7 }' >>"$OUT"
}

# The multi row's input: N/10 transactions in RESP, written once.
multi_input() {
  local file="$work/multi.resp" value
  if [[ ! -f "$file" ]]; then
    value="$(head -c "$VALUE" /dev/zero | tr '\0' v)"
    awk -v n="$((N / 10))" -v value="$value" 'BEGIN {
      for (i = 0; i < n; i++) {
        c = "counter:" (i % 1000); k = "key:" i
        printf "*1\r\n$5\r\nMULTI\r\n"
        printf "*2\r\n$4\r\nINCR\r\n$%d\r\n%s\r\n", length(c), c
        printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(k), k, length(value), value
        printf "*1\r\n$4\r\nEXEC\r\n"
      }
    }' >"$file"
  fi
  echo "$file"
}

# One measured multi run: server rep; appends its line to the CSV.
measure_multi() {
  local server="$1" rep="$2" port="$REDIS_PORT" input start end
  [[ "$server" == toykv ]] && port="$TOYKV_PORT"
  input="$(multi_input)"
  echo "  multi, run $rep of $REPEAT, $server: redis-cli --pipe of $((N / 10)) transactions" >&2
  start="$(date +%s%N)"
  redis-cli -h 127.0.0.1 -p "$port" --pipe <"$input" >/dev/null
  end="$(date +%s%N)"
  awk -v n="$((N / 10))" -v ns="$((end - start))" -v server="$server" \
    'BEGIN { printf "multi,%s,MULTI,%.2f,,,\n", server, n / (ns / 1e9) }' >>"$OUT"
}

row_sync() {
  case "$1" in
    always-*) echo always ;;
    *) echo everysec ;;
  esac
}

# tests clients n pipeline of a row
row_shape() {
  case "$1" in
    always-set-50) echo "set 50 $((N / 10)) 1" ;;
    always-set-1) echo "set 1 $((N / 50)) 1" ;;
    always-p16) echo "set 50 $((N / 4)) 16" ;;
    always-p16-1) echo "set 1 $((N / 20)) 16" ;;
    everysec-p1) echo "set,get 50 $N 1" ;;
    everysec-p16) echo "set,get 50 $N 16" ;;
    everysec-1) echo "set,get 1 $((N / 5)) 1" ;;
    incr) echo "incr 50 $N 1" ;;
    multi) echo "multi 1 $((N / 10)) 1" ;;
    warmup) echo "set 50 200000 16" ;;
  esac
}

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB, $(date -u +%Y-%m-%d)"
echo "redis:   $(redis-server --version | cut -d' ' -f3) appendonly yes, appendfsync as the row says"
echo "toykv:   bin/toykv-server --sync as the row says ${toykv_args[*]}, java $("$java" -version 2>&1 | head -1 | cut -d'"' -f2)," \
  "${TOYKV_JAVA_OPTS:-no extra JVM options}"
echo "runs:    -d $VALUE -r $N, $REPEAT time(s) each, servers alternating; warm-up $WARMUP requests a server"
echo

mkdir -p "$(dirname "$OUT")"
echo "row,server,test,rps,avg_ms,p50_ms,p99_ms" >"$OUT"
i=0
for sync in always everysec; do
  started=""
  for row in "${rows[@]}"; do
    [[ "$row" == warmup || "$(row_sync "$row")" != "$sync" ]] && continue
    if [[ -z "$started" ]]; then
      start_servers "$sync"
      warm_up "$sync"
      started=yes
    fi
    read -r tests clients n pipeline <<<"$(row_shape "$row")"
    for ((rep = 1; rep <= REPEAT; rep++)); do
      # Alternate which server goes first, so neither always gets the cooler machine.
      if ((i % 2 == 0)); then order=(redis toykv); else order=(toykv redis); fi
      i=$((i + 1))
      for server in "${order[@]}"; do
        if [[ "$row" == multi ]]; then
          measure_multi "$server" "$rep"
        else
          measure "$server" "$row" "$rep" "$tests" "$clients" "$n" "$pipeline"
        fi
      done
    done
  done
done
if [[ ",$ROWS," == *",warmup,"* ]]; then
  read -r tests clients n pipeline <<<"$(row_shape warmup)"
  for ((rep = 1; rep <= REPEAT; rep++)); do
    start_servers everysec
    if ((i % 2 == 0)); then order=(redis toykv); else order=(toykv redis); fi
    i=$((i + 1))
    for server in "${order[@]}"; do
      measure "$server" warmup "$rep" "$tests" "$clients" "$n" "$pipeline"
    done
  done
fi
stop_servers

echo
# Medians over the repeats (the middle one, or the mean of the two middle ones). The first pass reads the
# CSV as written, for the order of the rows; the second reads it sorted by requests/s within each row.
awk -F, '
  function median(key,   m) {
    m = count[key]
    if (m % 2) return val[key, (m + 1) / 2]
    return (val[key, m / 2] + val[key, m / 2 + 1]) / 2
  }
  function middle(arr, key) { return arr[key, int((count[key] + 1) / 2)] }
  FNR == NR { if (FNR > 1) { row = $1 SUBSEP $3; if (!(row in seen)) { seen[row] = 1; order[rows++] = row } }; next }
  { key = $1 SUBSEP $3 SUBSEP $2; count[key]++; val[key, count[key]] = $4; p50[key, count[key]] = $6; p99[key, count[key]] = $7 }
  END {
    printf "%-14s %-5s %11s %11s %6s %12s %12s %12s %12s\n", "row", "test", "redis rps", "toykv rps", "ratio",
      "redis p50 ms", "toykv p50 ms", "redis p99 ms", "toykv p99 ms"
    for (i = 0; i < rows; i++) {
      split(order[i], k, SUBSEP)
      r = median(order[i] SUBSEP "redis"); t = median(order[i] SUBSEP "toykv")
      printf "%-14s %-5s %11.0f %11.0f %6.2f %12s %12s %12s %12s\n", k[1], k[2], r, t, (r > 0 ? t / r : 0),
        middle(p50, order[i] SUBSEP "redis"), middle(p50, order[i] SUBSEP "toykv"),
        middle(p99, order[i] SUBSEP "redis"), middle(p99, order[i] SUBSEP "toykv")
    }
  }' "$OUT" <(tail -n +2 "$OUT" | sort -t, -k1,1 -k3,3 -k2,2 -k4,4g)
echo
echo "CSV: $OUT (ratio = median toykv rps / median redis rps; p50 and p99 of the run with the lower-middle rps)"
