# shellcheck shell=bash
# Sourced by the launchers: which java runs, and the JVM options every toykv process runs with.
#
# Every launcher honours the same two variables:
#   JAVA_HOME        picks the JDK ($JAVA_HOME/bin/java; `java` on the PATH when unset)
#   TOYKV_JAVA_OPTS  extra JVM options for any toykv process (e.g. -Xmx8g)
# and one of its own that comes after (so it wins): TOYKV_SERVER_JAVA_OPTS, TOYKV_CLI_JAVA_OPTS,
# TOYKV_REPAIR_JAVA_OPTS, TOYKV_DUMP_JAVA_OPTS, TOYKV_BENCH_JAVA_OPTS.

# The java binary to run.
toykv_java() {
  if [[ -n "${JAVA_HOME:-}" ]]; then
    echo "$JAVA_HOME/bin/java"
  else
    echo "java"
  fi
}

# Sets the array java_options: the options below, then TOYKV_JAVA_OPTS, then the tool's own variable
# (its name is the argument), each split at blanks.
toykv_java_options() {
  local own="$1" extra
  read -ra java_options <<<"$(toykv_jvm_options | tr '\n' ' ')"
  read -ra extra <<<"${TOYKV_JAVA_OPTS:-} ${!own:-}"
  java_options+=("${extra[@]}")
}

# Transparent huge pages for the heap: the index is a tree of small nodes spread over the heap, and a
# get or put misses the TLB at almost every node with 4 KiB pages. Side by side on one machine
# (index only, 1M random 8-byte keys), huge pages cut a get from about 650 to 440 ns and a put from
# about 730 to 590 ns. Only asked for when the kernel offers them (madvise or always), so the JVM
# never prints its warning about them.
#
# -XX:+ExitOnOutOfMemoryError: a JVM out of heap ends at once (status 3) instead of going on with
# threads that died of it; a supervisor restarts it, and every acknowledged write survives the exit
# as it does kill -9.
toykv_jvm_options() {
  echo "-XX:+ExitOnOutOfMemoryError"
  local thp=/sys/kernel/mm/transparent_hugepage/enabled
  if [[ -r "$thp" ]] && ! grep -q '\[never\]' "$thp"; then
    echo "-XX:+UseTransparentHugePages"
  fi
}
