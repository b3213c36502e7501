#!/usr/bin/env bash
# Makes imgs/demo.png: a real session, the server's log on the left, toykv-cli on the right, as in the
# original toy-kv README. Runs the built jars in a tmux window, types a session with send-keys, captures
# both panes (the client's with its colours) and renders them with ImageMagick: the server's as a plain
# label, the client's through Pango markup made from tmux's SGR escapes. The session ends on a line left
# half typed, its hint after the cursor; then Tab, whose list of option words replaces the hint (JLine
# shows no hint under a list), so the last two lines of that second capture go below a rule.
#
# Needs: tmux, ImageMagick with its Pango coder (apt-get install -y tmux imagemagick
# libmagickcore-6.q16-6-extra), python3, the DejaVu Sans Mono font, and the jars
# (./mvnw -q -DskipTests package). SERVER_JAR and CLI_JAR override the jar locations.
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
server_jar="${SERVER_JAR:-$root/toykv-server/target/toykv-server.jar}"
cli_jar="${CLI_JAR:-$root/toykv-cli/target/toykv-cli.jar}"
out="${1:-$root/imgs/demo.png}"
# DEMO_KEEP=1 keeps the work directory (captures, partial pictures) and says where it is.
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
  if [[ -n "${DEMO_KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

tmux new-session -d -s "$session" -x 172 -y 26 \
  "java -jar '$server_jar' --port $port --dir '$work/db' --verbose; sleep 60"
# The client waits for the server's log to say it listens, so its first line is not a refused connection.
tmux split-window -h -t "$session" -l 80 \
  "until tmux capture-pane -p -t '$session:0.0' | grep -q listening; do sleep 0.2; done; \
   TERM=xterm-256color TOYKV_CLI_HISTFILE='$work/history' java -jar '$cli_jar' 127.0.0.1:$port; sleep 60"
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
tmux send-keys -t "$session:0.1" -l 'set k2 "hi" '   # the hint of what may follow, from COMMAND DOCS
sleep 1
tmux capture-pane -p -t "$session:0.0" > "$work/server.txt"
tmux capture-pane -p -e -t "$session:0.1" > "$work/cli.ans"
tmux send-keys -t "$session:0.1" Tab                  # the option words, from COMMAND DOCS too
sleep 1
tmux capture-pane -p -e -t "$session:0.1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' | tail -n 2 > "$work/tab.ans"

render() {  # text file -> png, light text on a dark terminal background
  local text
  text="$(sed -e 's/\\/\\\\/g' -e 's/%/%%/g' "$1")"
  "$convert_bin" -background '#1e1e1e' -fill '#d4d4d4' -font DejaVu-Sans-Mono -pointsize 15 \
    -bordercolor '#1e1e1e' -border 14 label:"$text" "$2"
}
# tmux's SGR escapes (bold, faint, the eight colours and their bright forms) to Pango markup.
ansi_to_pango() {
  python3 - "$1" <<'PY'
import html, re, sys
colours = {0: '#1e1e1e', 1: '#f14c4c', 2: '#23d18b', 3: '#f5f543', 4: '#3b8eea', 5: '#d670d6', 6: '#29b8db',
           7: '#e5e5e5'}
state = {'fg': None, 'bold': False, 'faint': False}
out = []
def span(text):
    if not text:
        return
    attrs = []
    if state['fg']:
        attrs.append('foreground="%s"' % state['fg'])
    if state['bold']:
        attrs.append('weight="bold"')
    if state['faint']:
        attrs.append('alpha="50%"')
    t = html.escape(text, quote=False)
    out.append('<span %s>%s</span>' % (' '.join(attrs), t) if attrs else t)
# ImageMagick reads backslash escapes and % in the text: double them.
text = open(sys.argv[1], encoding='utf-8', errors='replace').read().rstrip('\n')
text = text.replace('\\', '\\\\').replace('%', '%%')
for piece in re.split(r'(\x1b\[[0-9;]*m)', text):
    m = re.fullmatch(r'\x1b\[([0-9;]*)m', piece)
    if not m:
        span(re.sub(r'\x1b\[[0-9;?]*[A-Za-z]', '', piece))
        continue
    codes = [int(c) for c in m.group(1).split(';') if c] or [0]
    i = 0
    while i < len(codes):
        c = codes[i]
        if c == 0:
            state.update(fg=None, bold=False, faint=False)
        elif c == 1:
            state['bold'] = True
        elif c == 2:
            state['faint'] = True
        elif c == 22:
            state.update(bold=False, faint=False)
        elif 30 <= c <= 37:
            state['fg'] = colours[c - 30]
        elif 90 <= c <= 97:
            state['fg'] = colours[c - 90]
        elif c == 39:
            state['fg'] = None
        elif c == 38 and i + 2 < len(codes) and codes[i + 1] == 5:
            state['fg'] = colours.get(codes[i + 2] % 8)
            i += 2
        i += 1
sys.stdout.write(''.join(out))
PY
}
render "$work/server.txt" "$work/server.png"
render_ansi() {  # tmux capture with escapes -> png
  "$convert_bin" -background '#1e1e1e' -bordercolor '#1e1e1e' -border 14 \
    pango:"<span font=\"DejaVu Sans Mono 11.25\" foreground=\"#d4d4d4\">$(ansi_to_pango "$1")</span>" "$2"
}
render_ansi "$work/cli.ans" "$work/cli-hint.png"
render_ansi "$work/tab.ans" "$work/cli-tab.png"
width="$("$convert_bin" "$work/cli-hint.png" -format %w info:)"
"$convert_bin" "$work/cli-hint.png" -size "${width}x2" xc:'#555555' "$work/cli-tab.png" -gravity west \
  -background '#1e1e1e' -append "$work/cli.png"
"$convert_bin" "$work/server.png" -size 3x1 xc:'#555555' "$work/cli.png" -gravity north -background '#1e1e1e' \
  +append "$out"
echo "wrote $out"
