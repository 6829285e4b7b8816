#!/usr/bin/env bash
# install_layout.sh BUILD_DIR GUI(1|0): installs BUILD_DIR into a temporary DESTDIR under two
# prefixes and checks the file list against the one below, then the files' contents.
set -euo pipefail
build=$1
gui=$2
work=$(mktemp -d)
server_pid=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "install_layout: $*" >&2; exit 1; }

# expected PREFIX ETC UNIT_DIR: every file an install must hold, one a line, sorted.
expected() {
  local prefix=$1 etc=$2 units=$3
  {
    for program in sala-server sala-cli; do
      echo "$prefix/bin/$program"
      echo "$prefix/share/man/man1/$program.1.gz"
      echo "$prefix/share/doc/$program/copyright"
      echo "$prefix/share/doc/$program/changelog.gz"
    done
    echo "$etc/sala-server/sala-server.json"
    echo "$units/sala-server.service"
    if [[ "$gui" == 1 ]]; then
      echo "$prefix/bin/sala"
      echo "$prefix/share/man/man1/sala.1.gz"
      echo "$prefix/share/doc/sala/copyright"
      echo "$prefix/share/doc/sala/changelog.gz"
      echo "$prefix/share/sala/ring.wav"
      echo "$prefix/share/applications/sala.desktop"
      echo "$prefix/share/icons/hicolor/scalable/apps/sala.svg"
      for size in 16 24 32 48 64 128 256; do
        echo "$prefix/share/icons/hicolor/${size}x${size}/apps/sala.png"
      done
    fi
  } | sort
}

# check PREFIX ETC UNIT_DIR
check() {
  local prefix=$1 etc=$2 units=$3
  local root=$work/root$(echo "$prefix" | tr / _)
  DESTDIR=$root cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 ||
    { cat "$work/install.log" >&2; fail "cmake --install --prefix $prefix failed"; }
  diff -u <(expected "$prefix" "$etc" "$units") <(cd "$root" && find . -type f -o -type l | sed 's|^\.||' | sort) ||
    fail "the files installed under $prefix differ from the expected list (- expected, + installed)"
  echo "installed under prefix $prefix:"
  (cd "$root" && find . -type f | sed 's|^\.|  |' | sort)

  for program in sala-server sala-cli $([[ "$gui" == 1 ]] && echo sala); do
    [[ -x "$root$prefix/bin/$program" ]] || fail "$prefix/bin/$program is not executable"
    [[ "$("$root$prefix/bin/$program" --version)" == "$program "* ]] || fail "$program --version"
    zcat "$root$prefix/share/man/man1/$program.1.gz" | grep -q '^\.TH "\?'"$(echo "$program" | tr a-z A-Z)" ||
      fail "$program.1.gz is not a man page for $program"
    zcat "$root$prefix/share/man/man1/$program.1.gz" | grep -q 'version' ||
      fail "$program.1.gz lacks the --version flag of --help"
  done
  local unit=$root$units/sala-server.service
  grep -qx "ExecStart=$prefix/bin/sala-server --config $etc/sala-server/sala-server.json --data-dir /var/lib/sala-server" \
    "$unit" || fail "ExecStart in $units/sala-server.service does not name $prefix/bin and $etc: $(grep ExecStart "$unit")"
  for line in StateDirectory=sala-server DynamicUser=yes ProtectSystem=strict NoNewPrivileges=yes PrivateTmp=yes \
    Restart=on-failure WantedBy=multi-user.target; do
    grep -qx "$line" "$unit" || fail "sala-server.service lacks $line"
  done
  if [[ "$gui" == 1 ]] && command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$root$prefix/share/applications/sala.desktop" || fail "sala.desktop is not valid"
  fi
  grep -qx 'Categories=Network;Telephony;' "$root$prefix/share/applications/sala.desktop" 2>/dev/null ||
    [[ "$gui" != 1 ]] || fail "sala.desktop lacks Categories Network and Telephony"
}

check /usr /etc /lib/systemd/system
check /opt/sala /opt/sala/etc /opt/sala/lib/systemd/system

# The installed server runs with the shipped config file (plus what a test needs on top).
root=$work/root_usr
"$root/usr/bin/sala-server" --config "$root/etc/sala-server/sala-server.json" --port 0 --bind 127.0.0.1 \
  --data-dir "$work/data" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 100); do
  grep -q '^listening on' "$work/server.out" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; fail "the installed sala-server did not start with the shipped config"; }
  sleep 0.1
done
grep -q '^listening on 127.0.0.1:' "$work/server.out" || fail "no 'listening on' from the installed sala-server"
kill "$server_pid"
wait "$server_pid" || true
server_pid=
[[ -f "$work/data/names.sqlite3" || -n "$(ls -A "$work/data")" ]] || fail "the server made nothing in its data dir"
echo "install_layout: ok"
