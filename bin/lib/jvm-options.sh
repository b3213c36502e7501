# Sourced by the launchers: JVM options every toykv process should run with.
#
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
