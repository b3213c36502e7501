#!/usr/bin/env bash
# Runs units of Redis's own test suite (tests/ of a Redis 7.0.x release) against toykv-server, one
# server per run, and prints each unit's counts: ok, err (a failed assertion), exception (the unit
# stopped there: Redis's runner gives up on a unit at its first runtime error, so the tests after it
# did not run) and skipped (tags the runner skips on an external server).
#
#   ./mvnw -q -B -pl toykv-server -am package -DskipTests   # builds toykv-server/target/toykv-server.jar
#   REDIS_GIT=/path/to/redis.git scripts/redis-tests.sh      # every unit below
#   REDIS_GIT=... scripts/redis-tests.sh type/incr keyspace  # only those
#
# Nothing is fetched from the network: REDIS_GIT is a git directory (bare or not) of the Redis
# repository, from which the tag REDIS_TAG (default 7.0.15) gives runtest and tests/. Needs tclsh 8.5+
# (Debian: apt-get install tcl). Environment: REDIS_GIT (default /work/.mirror/redis+redis/repo),
# REDIS_TAG, SINGLEDB (1 by default: the runner's --singledb, no SELECT 9, since the server keeps one
# database; 0 runs as against Redis), TOYKV_ARGS (extra server options), RUNNER_ARGS (extra options of
# Redis's runner, e.g. "--tags -needs:debug" to leave out the tests that need Redis's DEBUG command, or
# "--skiptest NAME"), UNIT_TIMEOUT (seconds a unit
# may take, default 600), KEEP (1 keeps the work directory with each unit's log). The work directory,
# the server's data and logs included, lives under /tmp and is removed on exit unless KEEP=1.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
REDIS_GIT="${REDIS_GIT:-/work/.mirror/redis+redis/repo}"
REDIS_TAG="${REDIS_TAG:-7.0.15}"
SINGLEDB="${SINGLEDB:-1}"
TOYKV_ARGS="${TOYKV_ARGS:-}"
RUNNER_ARGS="${RUNNER_ARGS:-}"
UNIT_TIMEOUT="${UNIT_TIMEOUT:-600}"
KEEP="${KEEP:-0}"
jar="$root/toykv-server/target/toykv-server.jar"
java="java"
if [[ -n "${JAVA_HOME:-}" ]]; then
  java="$JAVA_HOME/bin/java"
fi

units=("$@")
if ((${#units[@]} == 0)); then
  units=(type/string type/incr expire keyspace multi protocol scan info-command introspection quit auth)
fi

for cmd in tclsh git "$java"; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "redis-tests: $cmd is missing (tclsh: apt-get install tcl)" >&2
    exit 2
  fi
done
if [[ ! -f "$jar" ]]; then
  echo "redis-tests: $jar is missing; build it with ./mvnw -q -B -pl toykv-server -am package -DskipTests" >&2
  exit 2
fi
if ! git --git-dir "$REDIS_GIT" rev-parse --verify -q "$REDIS_TAG^{commit}" >/dev/null \
    && ! git --git-dir "$REDIS_GIT/.git" rev-parse --verify -q "$REDIS_TAG^{commit}" >/dev/null; then
  echo "redis-tests: no tag $REDIS_TAG in the git directory $REDIS_GIT (set REDIS_GIT and REDIS_TAG)" >&2
  exit 2
fi
if [[ -d "$REDIS_GIT/.git" ]]; then
  REDIS_GIT="$REDIS_GIT/.git"
fi

work="$(mktemp -d /tmp/toykv-redis-tests.XXXXXX)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if [[ "$KEEP" == 1 ]]; then
    echo "redis-tests: kept $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

git --git-dir "$REDIS_GIT" archive "$REDIS_TAG" runtest tests | tar -x -C "$work"

# A port nobody listens on: bash's /dev/tcp fails to connect to it.
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  echo "redis-tests: no free port found" >&2
  return 1
}

# Whether the server answers PING on the port.
answers_ping() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || true
  exec 3>&-
  [[ "$reply" == +PONG* ]]
}

start_server() {
  local port="$1" name="$2"
  rm -rf "$work/data"
  # shellcheck disable=SC2086 # TOYKV_ARGS is a list of options
  "$java" -jar "$jar" --port "$port" --bind 127.0.0.1 --dir "$work/data" $TOYKV_ARGS \
    >"$work/server-$name.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    if answers_ping "$port" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "redis-tests: the server exited at start; its log:" >&2
      cat "$work/server-$name.log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "redis-tests: the server did not answer PING within 20 s" >&2
  return 1
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

runner_options=()
if [[ "$SINGLEDB" == 1 ]]; then
  runner_options+=(--singledb)
fi
# shellcheck disable=SC2206 # RUNNER_ARGS is a list of options
runner_options+=($RUNNER_ARGS)

printf '%-16s %5s %5s %9s %7s\n' unit ok err exception skipped
total_ok=0
total_err=0
for unit in "${units[@]}"; do
  name="${unit//\//-}"
  port="$(free_port)"
  start_server "$port" "$name"
  log="$work/unit-$name.log"
  (cd "$work" && timeout "$UNIT_TIMEOUT" tclsh tests/test_helper.tcl --host 127.0.0.1 --port "$port" \
    --clients 1 --single "unit/$unit" "${runner_options[@]}" >"$log" 2>&1) || true
  stop_server
  # The runner colours its status words; plain text is counted.
  sed -i 's/\x1b\[[0-9;]*m//g' "$log"
  ok=$(grep -c '^\[ok\]: ' "$log" || true)
  err=$(grep -c '^\[err\]: ' "$log" || true)
  exception=$(grep -c '^\[exception\]: ' "$log" || true)
  skipped=$(grep -c -E '^\[(skip|ignore)\]: ' "$log" || true)
  printf '%-16s %5d %5d %9d %7d\n' "$unit" "$ok" "$err" "$exception" "$skipped"
  total_ok=$((total_ok + ok))
  total_err=$((total_err + err + exception))
  if [[ "$KEEP" == 1 ]]; then
    grep -E '^\[(err|exception)\]: ' "$log" | sed 's/^/    /' || true
  fi
done
echo "redis-tests: $total_ok passed, $total_err failed"
