# Shared by the bench scripts (source it): a work directory and the processes to stop, both
# cleaned up on exit, and waiting for a line in a log.
#   work   a fresh temporary directory, removed on exit
#   pids   PIDs appended here get SIGTERM on exit, and are reaped
work=$(mktemp -d)
pids=()
bench_cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap bench_cleanup EXIT

# wait_for FILE PATTERN SECONDS: until FILE has a line matching PATTERN (grep -E); else prints
# the file and returns 1.
wait_for() {
  local deadline=$((SECONDS + $3))
  until grep -qE "$2" "$1" 2>/dev/null; do
    ((SECONDS < deadline)) || { echo "timed out waiting for /$2/ in $1:" >&2; cat "$1" >&2; return 1; }
    sleep 0.02
  done
}
