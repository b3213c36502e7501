#!/usr/bin/env bash
# Three toykv-servers behind twemproxy (nutcracker), on loopback, end to end:
#
#   deploy/twemproxy/demo.sh [BASE_PORT]      (default 27400; build first: ./mvnw -q -DskipTests package)
#
# Ports: the proxy on BASE_PORT, the servers on BASE_PORT+1..3, nutcracker's stats on BASE_PORT+9.
# Steps: write TOYKV_DEMO_KEYS keys (default 100000) through the proxy with MSET (each MSET holds keys of
# every server, so the proxy splits it), show DBSIZE of each server, read every key back with GET and
# with MGET, stop toykv2 and check that exactly its keys answer an error while every other key still
# answers its value, restart it on the same data directory and read every key again.
#
# Only bash, awk and coreutils are needed besides nutcracker and the server jar: requests are generated
# as RESP files, sent over bash's /dev/tcp, and the replies are compared byte for byte with the
# expected replies (cmp). Prints "PASSED" and exits 0, or "FAILED: why" and exits 1; prints "SKIPPED: why"
# and exits 0 when nutcracker is not installed. Everything it starts is stopped on exit, and its data
# directories (under one temp directory) are deleted.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
base=${1:-27400}
keys=${TOYKV_DEMO_KEYS:-100000}
batch=100                          # keys per MSET / MGET
chunk=1000                         # keys per pipelined round trip
proxy_port=$base
stats_port=$((base + 9))
names=(toykv1 toykv2 toykv3)
ports=($((base + 1)) $((base + 2)) $((base + 3)))

fail() { echo "FAILED: $*"; exit 1; }
step() { echo; echo "== $*"; }

nutcracker=${NUTCRACKER:-$(command -v nutcracker || true)}
[[ -z "$nutcracker" && -x /usr/sbin/nutcracker ]] && nutcracker=/usr/sbin/nutcracker
if [[ -z "$nutcracker" ]]; then
  echo "SKIPPED: nutcracker (twemproxy) is not installed; on Debian/Ubuntu: apt-get install -y nutcracker"
  exit 0
fi
[[ -f "$root/toykv-server/target/toykv-server.jar" ]] ||
  fail "toykv-server/target/toykv-server.jar is missing; build it with ./mvnw -q -DskipTests package"
(( keys % chunk == 0 && keys >= chunk )) || fail "TOYKV_DEMO_KEYS must be a multiple of $chunk"

# --- processes -------------------------------------------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/toykv-twemproxy.XXXXXX")
declare -A pid=()
cleanup() {
  local p
  for p in "${pid[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pid[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap '' PIPE                       # a write to a connection the proxy closed fails instead of killing us

# One command over a fresh connection; prints the reply's first line (and a bulk string's body), or
# "(connection closed)" when the peer closed without replying.
resp() {
  local port=$1 line body
  shift
  exec 4<>"/dev/tcp/127.0.0.1/$port" || return 1
  { printf '*%d\r\n' $#; for a in "$@"; do printf '$%d\r\n%s\r\n' ${#a} "$a"; done; } >&4 2>/dev/null || true
  if IFS= read -r -t 5 line <&4 2>/dev/null; then
    line=${line%$'\r'}
    if [[ $line == \$* && $line != '$-1' ]] && IFS= read -r -t 5 body <&4; then line="$line ${body%$'\r'}"; fi
    echo "$line"
  else
    echo "(connection closed)"
  fi
  exec 4<&-
}
port_in_use() { (exec 5<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_ping() {  # port name
  for _ in $(seq 1 120); do
    [[ "$(resp "$1" PING 2>/dev/null)" == "+PONG" ]] && return 0
    sleep 0.25
  done
  fail "$2 did not answer PING on port $1 within 30 s"
}
start_server() {  # index
  local i=$1
  TOYKV_SERVER_JAVA_OPTS="${TOYKV_SERVER_JAVA_OPTS:--Xmx256m}" "$root/bin/toykv-server" --bind 127.0.0.1 \
    --port "${ports[i]}" --dir "$work/${names[i]}" >>"$work/${names[i]}.log" 2>&1 &
  pid[${names[i]}]=$!
}
stop_server() {  # index; SIGTERM, then wait for the exit
  local i=$1 p=${pid[${names[$1]}]}
  kill -TERM "$p"
  wait "$p" || true
  unset "pid[${names[i]}]"
}

# Sends the request chunks PREFIX.req.NNNN over one connection, each chunk pipelined, and waits for its
# replies before sending the next (a client with a bounded pipeline: the proxy's timeout counts from when
# it forwards a request, so 100,000 requests in flight at once would time out on a busy machine); then
# compares all replies with PREFIX.want.NNNN.
pipe_check() {  # port prefix label [want-prefix]
  local port=$1 prefix=$2 label=$3 wantp=${4:-$2} got="$work/got" want="$work/want" f n
  : >"$got"
  exec 3<>"/dev/tcp/127.0.0.1/$port" || fail "$label: cannot connect to port $port"
  for f in "$prefix".req.*; do
    n=${f##*.}
    cat "$f" >&3
    timeout 60 head -c "$(stat -c %s "$wantp.want.$n")" <&3 >>"$got" || break
  done
  exec 3<&-
  cat "$wantp".want.* >"$want"
  if ! cmp -s "$want" "$got"; then
    echo "$label: the replies differ from the expected ones (got $(stat -c %s "$got") of $(stat -c %s "$want") bytes);" \
      "first difference: $(cmp "$want" "$got" 2>&1 | head -1 | sed 's/.*differ: //')"
    local line
    line=$(cmp "$want" "$got" 2>/dev/null | sed -n 's/.*line \([0-9]*\)$/\1/p')
    [[ -n "$line" ]] && echo "  expected line $line: $(sed -n "${line}p" "$want" | cat -v)" &&
      echo "  got line $line:      $(sed -n "${line}p" "$got" | cat -v)"
    return 1
  fi
}

dbsize() { local r; r=$(resp "$1" DBSIZE); echo "${r#:}"; }

for p in "$proxy_port" "$stats_port" "${ports[@]}"; do
  port_in_use "$p" && fail "port $p is in use; pass another base port: $0 BASE_PORT"
done

# --- generated requests and expected replies ---------------------------------------------------------
# Keys key:000000.. with value value-of-key:000000..; MSET/MGET batch j holds keys j, j+S, j+2S, ...
# (S = keys/batch), so every batch spans the whole key range and therefore every server.
awk -v n="$keys" -v b="$batch" -v c="$chunk" -v dir="$work" '
  function k(i) { return sprintf("key:%06d", i) }
  function v(i) { return "value-of-" k(i) }
  function bulk(s) { return sprintf("$%d\r\n%s\r\n", length(s), s) }
  function out(name, i) { return sprintf("%s/%s.%04d", dir, name, int(i / c)) }
  BEGIN {
    s = n / b
    for (j = 0; j < s; j++) {
      mset = sprintf("*%d\r\n", 2 * b + 1) bulk("MSET"); mget = sprintf("*%d\r\n", b + 1) bulk("MGET")
      mgot = sprintf("*%d\r\n", b)
      for (m = 0; m < b; m++) { i = j + s * m; mset = mset bulk(k(i)) bulk(v(i)); mget = mget bulk(k(i)); mgot = mgot bulk(v(i)) }
      f = out("mset.req", j * b); printf "%s", mset >> f; close(f)
      f = out("mset.want", j * b); printf "+OK\r\n" >> f; close(f)
      f = out("mget.req", j * b); printf "%s", mget >> f; close(f)
      f = out("mget.want", j * b); printf "%s", mgot >> f; close(f)
    }
    for (i = 0; i < n; i++) {
      f = out("get.req", i); printf "*2\r\n%s%s", bulk("GET"), bulk(k(i)) > f
      g = out("get.want", i); printf "%s", bulk(v(i)) > g
      h = out("exists.req", i); printf "*2\r\n%s%s", bulk("EXISTS"), bulk(k(i)) > h
      e = out("exists.want", i); printf ":1\r\n" > e
      if ((i + 1) % c == 0) { close(f); close(g); close(h); close(e) }
    }
  }'

# --- start -------------------------------------------------------------------------------------------
step "starting 3 toykv-servers on 127.0.0.1:${ports[0]}-${ports[2]} and nutcracker on 127.0.0.1:$proxy_port (data in $work)"
for i in 0 1 2; do start_server "$i"; done
sed -e "s/127.0.0.1:22121/127.0.0.1:$proxy_port/" -e "s/127.0.0.1:7001:/127.0.0.1:${ports[0]}:/" \
    -e "s/127.0.0.1:7002:/127.0.0.1:${ports[1]}:/" -e "s/127.0.0.1:7003:/127.0.0.1:${ports[2]}:/" \
    "$here/nutcracker.yml" >"$work/nutcracker.yml"
for i in 0 1 2; do wait_ping "${ports[i]}" "${names[i]}"; done
"$nutcracker" -c "$work/nutcracker.yml" -s "$stats_port" -a 127.0.0.1 -o "$work/nutcracker.log" &
pid[nutcracker]=$!
wait_ping "$proxy_port" nutcracker
echo "$("$nutcracker" --version 2>&1 | head -1); servers: ${names[*]}"

# --- write and spread --------------------------------------------------------------------------------
step "writing $keys keys through the proxy: $((keys / batch)) pipelined MSETs of $batch keys, each split over the servers"
start=$SECONDS
pipe_check "$proxy_port" "$work/mset" MSET || fail "MSET through the proxy"
echo "OK wrote $keys keys through the proxy in $((SECONDS - start)) s"

step "how the keys spread (DBSIZE of each server, asked directly)"
total=0
declare -A owned=()
for i in 0 1 2; do
  owned[${names[i]}]=$(dbsize "${ports[i]}")
  total=$((total + owned[${names[i]}]))
  printf '  %s (127.0.0.1:%s): %6d keys (%d%%)\n' "${names[i]}" "${ports[i]}" "${owned[${names[i]}]}" \
    $((100 * owned[${names[i]}] / keys))
done
echo "spread: toykv1=${owned[toykv1]} toykv2=${owned[toykv2]} toykv3=${owned[toykv3]} total=$total"
(( total == keys )) || fail "the servers hold $total keys in all, expected $keys"
for i in 0 1 2; do (( owned[${names[i]}] > 0 )) || fail "${names[i]} holds no key"; done

# --- read back -----------------------------------------------------------------------------------------
step "reading every key back through the proxy"
pipe_check "$proxy_port" "$work/get" GET || fail "GET through the proxy"
echo "OK read back $keys keys with GET, every value as written"
pipe_check "$proxy_port" "$work/mget" MGET || fail "MGET through the proxy"
echo "OK read back $keys keys with $((keys / batch)) MGETs split over the servers, every value as written"

# --- what twemproxy does not forward -------------------------------------------------------------------
step "commands twemproxy does not forward (it closes the client's connection)"
set -f                             # no glob expansion of "KEYS *"
for c in "SCAN 0" "KEYS *" "INFO" "DBSIZE" "CONFIG GET save" "CLIENT SETNAME demo" "HELLO 3" "COMMAND DOCS" \
         "ECHO hi" "SELECT 0" "FLUSHDB" "RANGE key: key;"; do
  # shellcheck disable=SC2086
  printf '  %-22s -> %s\n' "$c" "$(resp "$proxy_port" $c)"
done
set +f
printf '  %-22s -> %s\n' "PING" "$(resp "$proxy_port" PING)"

# --- one server down -------------------------------------------------------------------------------------
# Which keys toykv2 holds, asked directly: one EXISTS per key, ":1" or ":0" (4 bytes each); the GET
# replies expected while it is down are then an error for those keys and the value for the others.
pipe_check "${ports[1]}" "$work/exists" "EXISTS on toykv2" >/dev/null || true
cp "$work/got" "$work/owner"
cat "$work"/get.want.* >"$work/get.want"
awk -v RS='\r\n' -v c="$chunk" -v dir="$work" 'NR == FNR { own[FNR] = ($0 == ":1"); next }
  { getline body; f = sprintf("%s/down.want.%04d", dir, int(i / c))
    if (own[++i]) printf "-ERR Connection refused\r\n" > f; else printf "%s\r\n%s\r\n", $0, body > f
    if (i % c == 0) close(f) }' "$work/owner" "$work/get.want" >/dev/null
cat "$work"/down.want.* >"$work/down.want"
on2=$(grep -c '^-ERR' "$work/down.want" || true)
(( on2 == owned[toykv2] )) || fail "toykv2 answered EXISTS 1 for $on2 keys, but its DBSIZE is ${owned[toykv2]}"
k_on=$(awk 'NR == FNR { if ($0 ~ /^:1/) { print FNR - 1; exit } }' RS='\r\n' "$work/owner")
k_off=$(awk 'NR == FNR { if ($0 ~ /^:0/) { print FNR - 1; exit } }' RS='\r\n' "$work/owner")
k_on=$(printf 'key:%06d' "$k_on"); k_off=$(printf 'key:%06d' "$k_off")

step "stopping toykv2 (SIGTERM); auto_eject_hosts is false, so its keys must fail, not move"
stop_server 1
echo "  GET $k_on (on toykv2)         -> $(resp "$proxy_port" GET "$k_on")"
echo "  GET $k_off (on another server) -> $(resp "$proxy_port" GET "$k_off")"
echo "  MGET $k_off $k_on        -> $(resp "$proxy_port" MGET "$k_off" "$k_on")"
echo "  SET $k_on x                 -> $(resp "$proxy_port" SET "$k_on" x)"
pipe_check "$proxy_port" "$work/get" "GET with toykv2 down" "$work/down" ||
  fail "with toykv2 down, the replies are not exactly: an error for its keys, the value for every other key"
echo "OK with toykv2 down: $on2 GETs (its keys) answered '-ERR Connection refused'," \
  "$((keys - on2)) answered their value; no key moved"

step "restarting toykv2 on the same data directory"
start_server 1
wait_ping "${ports[1]}" toykv2
n=$(dbsize "${ports[1]}")
echo "  toykv2 reopened with $n keys"
(( n == owned[toykv2] )) || fail "toykv2 reopened with $n keys, expected ${owned[toykv2]}"
pipe_check "$proxy_port" "$work/get" "GET after the restart" || fail "GET after the restart"
echo "OK after the restart every one of the $keys keys reads back through the proxy"
pipe_check "$proxy_port" "$work/mget" "MGET after the restart" || fail "MGET after the restart"
echo "OK after the restart every MGET reads back"

echo
echo "PASSED"
