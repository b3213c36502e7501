#!/usr/bin/env bash
# Makes imgs/demo.png: a real session, the server's log on the left, toykv-cli on the right, as in the
# original toy-kv README. Runs the built jars in a tmux window, types a session with send-keys, captures
# both panes as text and renders them with ImageMagick.
#
# Needs: tmux, ImageMagick (apt-get install -y tmux imagemagick), the DejaVu Sans Mono font, and the jars
# (./mvnw -q -DskipTests package). SERVER_JAR and CLI_JAR override the jar locations.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
server_jar="${SERVER_JAR:-$root/toykv-server/target/toykv-server.jar}"
cli_jar="${CLI_JAR:-$root/toykv-cli/target/toykv-cli.jar}"
out="${1:-$root/imgs/demo.png}"
port="${DEMO_PORT:-18889}"
for f in "$server_jar" "$cli_jar"; do
  [[ -f "$f" ]] || { echo "missing $f: build with ./mvnw -q -DskipTests package" >&2; exit 1; }
done
# Debian's ImageMagick 6 is convert(-im6); some images put a stand-in earlier on the PATH.
convert_bin="$(command -v convert-im6.q16 || command -v convert-im6 || command -v magick || command -v convert)"

work="$(mktemp -d)"
session="toykv-demo-$$"
cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

tmux new-session -d -s "$session" -x 172 -y 26 \
  "java -jar '$server_jar' --port $port --dir '$work/db' --verbose; sleep 60"
tmux split-window -h -t "$session" -l 80 \
  "TOYKV_CLI_HISTFILE='$work/history' java -jar '$cli_jar' 127.0.0.1:$port; sleep 60"
# Wait for the server to listen, then for the prompt.
for _ in $(seq 50); do
  tmux capture-pane -p -t "$session:0.0" | grep -q listening && break
  sleep 0.2
done
sleep 2.5

type_line() {  # types one line like a person would, then Enter
  tmux send-keys -t "$session:0.1" -l "$1"
  sleep 0.3
  tmux send-keys -t "$session:0.1" Enter
  sleep 0.5
}
type_line 'put k1 v1'
type_line 'put k2 "hello world"'
type_line 'put k3 "caf\xc3\xa9 \xff"'
type_line 'get k1'
type_line 'get k9'
type_line 'scan'
type_line 'del k1 k9'
type_line 'scan k2 LIMIT 5'
type_line 'dbsize'
type_line 'frobnicate'
tmux send-keys -t "$session:0.1" -l 'put '   # leaves the hint on screen
sleep 1

tmux capture-pane -p -t "$session:0.0" > "$work/server.txt"
tmux capture-pane -p -t "$session:0.1" > "$work/cli.txt"

render() {  # text file -> png, light text on a dark terminal background
  local text
  text="$(sed -e 's/\\/\\\\/g' -e 's/%/%%/g' "$1")"
  "$convert_bin" -background '#1e1e1e' -fill '#d4d4d4' -font DejaVu-Sans-Mono -pointsize 15 \
    -bordercolor '#1e1e1e' -border 14 label:"$text" "$2"
}
render "$work/server.txt" "$work/server.png"
render "$work/cli.txt" "$work/cli.png"
"$convert_bin" "$work/server.png" -size 3x1 xc:'#555555' "$work/cli.png" -gravity north -background '#1e1e1e' \
  +append "$out"
echo "wrote $out"
