#!/usr/bin/env bash
# Measures toykv-cli's start-up against a running server: a one-shot `ping` (process start to exit) and
# the first prompt of a session (process start to the prompt on a pseudo-terminal). Prints the median,
# minimum and maximum of RUNS runs of each, after one discarded warm-up run (which also writes the
# launcher's class-data archive when the jar is newer than it).
#
#   scripts/cli-startup.sh HOST:PORT [RUNS] [LAUNCHER...]
#
# LAUNCHER defaults to bin/toykv-cli; give another (e.g. "java -jar old/toykv-cli.jar") to compare.
# Several launchers given with --vs are measured in turn, run by run, so a change in the machine's load
# falls on all of them alike:
#
#   scripts/cli-startup.sh 127.0.0.1:8888 15 bin/toykv-cli --vs /tmp/before/bin/toykv-cli
#
# Needs python3 (for the pseudo-terminal).
set -euo pipefail
address="${1:?usage: cli-startup.sh HOST:PORT [RUNS] [LAUNCHER... [--vs LAUNCHER...]]}"
runs="${2:-15}"
shift $(( $# >= 2 ? 2 : 1 ))
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
if [[ $# -eq 0 ]]; then
  set -- "$root/bin/toykv-cli"
fi
python3 - "$address" "$runs" "$@" <<'PY'
import fcntl, os, pty, select, statistics, struct, subprocess, sys, termios, time

address, runs = sys.argv[1], int(sys.argv[2])
launchers, current = [], []
for word in sys.argv[3:]:
    if word == "--vs":
        launchers.append(current)
        current = []
    else:
        current.append(word)
launchers.append(current)

def one_shot(launcher):
    started = time.monotonic_ns()
    done = subprocess.run(launcher + [address, "ping"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    elapsed = (time.monotonic_ns() - started) / 1e6
    if done.stdout != b"PONG\n":
        sys.exit("one-shot ping printed %r %r" % (done.stdout, done.stderr))
    return elapsed

def first_prompt(launcher):
    env = dict(os.environ, TERM="xterm-256color", TOYKV_CLI_HISTFILE="/dev/null")
    started = time.monotonic_ns()
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(launcher[0], launcher + [address], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))  # a pty starts 0 x 0
    seen = b""
    try:
        while (address + ">").encode() not in seen:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                sys.exit("no prompt after 30 s; the screen: %r" % seen)
            seen += os.read(fd, 4096)
        elapsed = (time.monotonic_ns() - started) / 1e6
        os.write(fd, b"\x04")  # Ctrl-D: the session ends
        os.waitpid(pid, 0)
    finally:
        os.close(fd)
    return elapsed

for name, measure in (("one-shot ping", one_shot), ("first prompt", first_prompt)):
    for launcher in launchers:
        measure(launcher)  # warm-up, discarded
    times = [[] for _ in launchers]
    for _ in range(runs):
        for i, launcher in enumerate(launchers):
            times[i].append(measure(launcher))
    for launcher, t in zip(launchers, times):
        print("%-14s median %4.0f ms  min %4.0f  max %4.0f  (%d runs)  %s"
              % (name, statistics.median(t), min(t), max(t), len(t), " ".join(launcher)))
PY
