#!/usr/bin/env bash
# The sala window opens under Xvfb, renders, and a screenshot of it is kept.
set -euo pipefail
sala=$1
artifacts=$2
mkdir -p "$artifacts"
export LIBGL_ALWAYS_SOFTWARE=1
xvfb-run -a -s '-screen 0 1280x720x24' bash -c '
  "$1" --frames 100000 --config-dir "$2/window_opens-config" & pid=$!
  trap "kill $pid 2>/dev/null || true" EXIT
  xdotool search --sync --onlyvisible --name "^Sala" >/dev/null
  sleep 1
  xwd -root -silent | /usr/bin/convert xwd:- "$2/window_opens.png"
  kill -0 $pid
' _ "$sala" "$artifacts"
test -s "$artifacts/window_opens.png"
echo "screenshot: $artifacts/window_opens.png"
