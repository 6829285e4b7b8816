#!/usr/bin/env bash
# run_in_xvfb.sh SCENARIO BIN_DIR ARTIFACTS: runs one window test on its own virtual screen
# (1280x720, Mesa software OpenGL).
set -euo pipefail
scenario=$1
shift
mkdir -p "$2"
export LIBGL_ALWAYS_SOFTWARE=1
# -noreset: the server keeps its state (root window properties such as xrdb's resources) when
# its last client goes, as a desktop's X server does.
exec xvfb-run -a -s '-screen 0 1280x720x24 -noreset' bash "$scenario" "$@"
