#!/usr/bin/env bash
# redis-benchmark through twemproxy (three toykv-servers behind it) and against one toykv-server
# directly, with the same flags, in one run:
#
#   deploy/twemproxy/bench.sh [BASE_PORT]     (default 27500; build first: ./mvnw -q -DskipTests package)
#
# Ports: the proxy on BASE_PORT, the servers on BASE_PORT+1..3, nutcracker's stats on BASE_PORT+9.
# TOYKV_BENCH_N (default 200000) requests per test; TOYKV_BENCH_ARGS replaces the shared flags.
# Everything runs on loopback, on the same machine: the proxy and the benchmark compete with the servers
# for the same cores, so this measures the proxy's cost, not what three machines would give.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base=${1:-27500}
n=${TOYKV_BENCH_N:-200000}
flags=${TOYKV_BENCH_ARGS:-"-t set,get -n $n -r 100000 -d 256 -c 50"}
proxy_port=$base
ports=($((base + 1)) $((base + 2)) $((base + 3)))

nutcracker=${NUTCRACKER:-$(command -v nutcracker || true)}
[[ -z "$nutcracker" && -x /usr/sbin/nutcracker ]] && nutcracker=/usr/sbin/nutcracker
[[ -n "$nutcracker" ]] || { echo "SKIPPED: nutcracker (twemproxy) is not installed"; exit 0; }
command -v redis-benchmark >/dev/null || { echo "SKIPPED: redis-benchmark (redis-tools) is not installed"; exit 0; }
[[ -f "$root/toykv-server/target/toykv-server.jar" ]] ||
  { echo "toykv-server.jar is missing; build it with ./mvnw -q -DskipTests package"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/toykv-twemproxy-bench.XXXXXX")
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_ping() {
  for _ in $(seq 1 120); do
    [[ "$(redis-cli -p "$1" PING 2>/dev/null)" == "PONG" ]] && return 0
    sleep 0.25
  done
  echo "port $1 did not answer PING within 30 s"; exit 1
}

for p in "$proxy_port" $((base + 9)) "${ports[@]}"; do
  if (exec 5<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "port $p is in use; pass another base port"; exit 1; fi
done
for i in 0 1 2; do
  TOYKV_SERVER_JAVA_OPTS="${TOYKV_SERVER_JAVA_OPTS:--Xmx512m}" "$root/bin/toykv-server" --bind 127.0.0.1 \
    --port "${ports[i]}" --dir "$work/toykv$((i + 1))" >"$work/toykv$((i + 1)).log" 2>&1 &
  pids+=($!)
done
sed -e "s/127.0.0.1:22121/127.0.0.1:$proxy_port/" -e "s/127.0.0.1:7001:/127.0.0.1:${ports[0]}:/" \
    -e "s/127.0.0.1:7002:/127.0.0.1:${ports[1]}:/" -e "s/127.0.0.1:7003:/127.0.0.1:${ports[2]}:/" \
    "$here/nutcracker.yml" >"$work/nutcracker.yml"
for p in "${ports[@]}"; do wait_ping "$p"; done
"$nutcracker" -c "$work/nutcracker.yml" -s $((base + 9)) -a 127.0.0.1 -o "$work/nutcracker.log" &
pids+=($!)
wait_ping "$proxy_port"

echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')), load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(redis-benchmark --version 2>/dev/null || echo redis-benchmark); $("$nutcracker" --version 2>&1 | head -1); $(java -version 2>&1 | head -1)"
echo
printf '%-28s %-4s %12s %12s\n' target P "SET req/s" "GET req/s"
for pipeline in 1 16; do
  for target in "one server direct:${ports[0]}" "twemproxy, 3 servers:$proxy_port"; do
    name=${target%:*}; port=${target##*:}
    # shellcheck disable=SC2086
    out=$(redis-benchmark -h 127.0.0.1 -p "$port" $flags -P "$pipeline" --csv 2>"$work/bench.err")
    set_rps=$(awk -F'"' '$2 == "SET" { print $4 }' <<<"$out")
    get_rps=$(awk -F'"' '$2 == "GET" { print $4 }' <<<"$out")
    printf '%-28s %-4s %12s %12s\n' "$name" "$pipeline" "${set_rps:-?}" "${get_rps:-?}"
    grep -v '^$' "$work/bench.err" | sed 's/^/    redis-benchmark: /' | sort -u || true
  done
done
echo
echo "command: redis-benchmark -h 127.0.0.1 -p PORT $flags -P {1,16} --csv"
for i in 1 2 3; do echo "toykv$i holds $(redis-cli -p "${ports[i - 1]}" DBSIZE) keys"; done
