#!/bin/sh
# scripts/windows.sh [DIR] — the Windows step of CI (scripts/test.sh calls it):
# cross-builds ghostwire.exe and the Windows tests with mingw-w64 into DIR
# (default build-win; its libraries cached in DIR/deps by windows_deps.sh),
# then under wine (prefix DIR/wineprefix, made at the first run):
#   1. without Npcap, ghostwire.exe says what to install (and with a damaged
#      wpcap.dll, that it cannot be loaded);
#   2. with a files-only wpcap.dll (libpcap) where Npcap puts its own, the
#      "windows" suite: the iphelper view against the test's own sockets and
#      hostile tables, host addresses, process details (the executable's
#      SHA-256 checked against sha256sum), SHA-1, fnmatch, ini_parse;
#   3. every recorded session of pcaps/sessions/ and capture of pcaps/wire/
#      replayed under ghostwire.exe against the goldens made on Linux
#      (tests/scenarios/replay_check.py, tests/replay/golden.sh, unchanged);
#   4. each session's text report, CSV and pcapng evidence, from ghostwire.exe
#      and from the Linux build (build/ghostwire, when built), byte for byte
#      the same.
# Last line: "windows: N passed, M failed, K skipped (T s)". Without mingw-w64
# or wine it skips, saying so (scripts/setup.sh installs them).
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
dir=${1:-build-win}
t0=$(date +%s)
passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() {
	echo "windows: $passed passed, $failed failed, $skipped skipped ($(($(date +%s) - t0)) s)"
	[ "$failed" -eq 0 ]
	exit
}

if ! command -v x86_64-w64-mingw32-gcc >/dev/null || ! command -v wine >/dev/null; then
	echo "windows: SKIP: mingw-w64 or wine is not installed (scripts/setup.sh installs them)"
	skipped=1
	finish
fi

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if ! sh scripts/windows_deps.sh "$dir/deps"; then
	fail "third-party libraries for mingw (scripts/windows_deps.sh)"
	finish
fi
cat >"$dir/deps.ini" <<EOF
# Made by scripts/windows.sh: where the cross-built libraries are.
[properties]
pkg_config_libdir = '$dir/deps/lib/pkgconfig'
[built-in options]
c_args = ['-I$dir/deps/include']
c_link_args = ['-L$dir/deps/lib']
EOF
if [ ! -f "$dir/b/build.ninja" ] &&
	! meson setup "$dir/b" --cross-file cross/x86_64-w64-mingw32.ini \
		--cross-file "$dir/deps.ini" >"$dir/setup.log" 2>&1; then
	cat "$dir/setup.log"
	fail "meson setup (cross)"
	finish
fi
if ninja -C "$dir/b" >"$dir/build.log" 2>&1; then
	pass "cross-build: ghostwire.exe and the Windows tests"
else
	tail -30 "$dir/build.log"
	fail "cross-build"
	finish
fi
exe=$dir/b/ghostwire.exe

# wine: its own prefix; its built-in wpcap.dll (a wrapper of the host's
# libpcap) must never stand in for Npcap's.
export WINEPREFIX="$dir/wineprefix" WINEDEBUG=-all WINEDLLOVERRIDES="wpcap=n"
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	wineboot -i >"$dir/wineboot.log" 2>&1
fi
if ! wine "$exe" --version >/dev/null 2>&1; then
	echo "windows: SKIP: wine cannot run ghostwire.exe here (see $dir/wineboot.log)"
	skipped=$((skipped + 1))
	finish
fi
npcap="$WINEPREFIX/drive_c/windows/system32/Npcap"
mkdir -p "$npcap"

# 1. No Npcap: a clear message naming what to install.
rm -f "$npcap/wpcap.dll"
out=$(wine "$exe" replay pcaps/sessions/a_normal 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "Npcap is not installed.*https://npcap.com"; then
	pass "without Npcap: $(echo "$out" | head -1)"
else
	fail "without Npcap (exit $rc): $out"
fi

# A wpcap.dll that will not load (damaged): said so, with the error.
printf 'not a DLL' >"$npcap/wpcap.dll"
out=$(wine "$exe" replay pcaps/sessions/a_normal 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "wpcap.dll cannot be loaded (error [0-9]*): reinstall"; then
	pass "damaged wpcap.dll: $(echo "$out" | head -1)"
else
	fail "damaged wpcap.dll (exit $rc): $out"
fi

# 2. The Windows suite, with the stand-in wpcap.dll.
cp "$dir/deps/test-npcap/wpcap.dll" "$npcap/wpcap.dll"
if meson test -C "$dir/b" --suite windows --print-errorlogs >"$dir/test.log" 2>&1; then
	pass "meson test --suite windows ($(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$dir/test.log" | tail -1) programs)"
else
	cat "$dir/test.log"
	fail "meson test --suite windows"
fi

# The executable digest procinfo gave test_host.exe, against sha256sum's.
want=$(sha256sum "$dir/b/tests/windows/test_host.exe" | cut -d' ' -f1)
got=$(sed -n 's/^this process: .* sha256=\([0-9a-f]*\).*/\1/p' "$dir/b/meson-logs/testlog.txt" | tail -1)
if [ -n "$want" ] && [ "$got" = "$want" ]; then
	pass "SHA-256 of an owner's executable (BCrypt) = sha256sum's"
else
	fail "SHA-256 of test_host.exe: procinfo '$got', sha256sum '$want'"
fi

# `interfaces` goes through wpcap.dll and the adapter list (the stand-in
# captures nothing, so it lists no interface: friendly names need real Npcap).
if out=$(wine "$exe" interfaces 2>&1); then
	pass "interfaces: $(echo "$out" | head -1)"
else
	fail "interfaces: $out"
fi

# `sockets` through the iphelper view; `--view diff` (netlink against procfs,
# Linux's) must say there is no such view, not crash.
if out=$(wine "$exe" sockets 2>&1) && echo "$out" | head -1 | grep -q "^NETID"; then
	pass "sockets: $(($(echo "$out" | wc -l) - 1)) sockets of the host through IP Helper"
else
	fail "sockets: $out"
fi
out=$(wine "$exe" sockets --view diff 2>&1)
if [ $? -eq 1 ] && echo "$out" | grep -q "no netlink view on this system"; then
	pass "sockets --view diff: $out"
else
	fail "sockets --view diff: $out"
fi

# 3. Replays against the Linux goldens, through a wrapper that runs the .exe.
wrapper="$dir/ghostwire-wine"
printf '#!/bin/sh\nexec wine "%s" "$@"\n' "$exe" >"$wrapper"
chmod +x "$wrapper"
if python3 tests/scenarios/replay_check.py "$wrapper" "$root" >"$dir/replay_check.log" 2>&1; then
	pass "sessions replayed under wine = golden ($(tail -1 "$dir/replay_check.log"))"
else
	cat "$dir/replay_check.log"
	fail "sessions replayed under wine"
fi
if sh tests/replay/golden.sh "$wrapper" "$root" >"$dir/golden.log" 2>&1; then
	pass "pcaps/wire flows under wine = golden ($(tail -1 "$dir/golden.log"))"
else
	cat "$dir/golden.log"
	fail "pcaps/wire flows under wine"
fi

# 4. The text report, Windows against Linux.
if [ -x build/ghostwire ]; then
	for s in pcaps/sessions/*/; do
		s=${s%/}
		[ -f "$s/golden.jsonl" ] || continue
		build/ghostwire replay "$s" >"$dir/report.linux" 2>&1
		wine "$exe" replay "$s" >"$dir/report.windows" 2>&1
		if cmp -s "$dir/report.linux" "$dir/report.windows"; then
			pass "text report of $s: same on Linux and Windows"
		else
			diff "$dir/report.linux" "$dir/report.windows" | head -20
			fail "text report of $s differs between Linux and Windows"
		fi
		mkdir -p "$dir/cmp/linux" "$dir/cmp/windows"
		build/ghostwire replay "$s" --csv "$dir/cmp/linux/v.csv" \
			--pcapng "$dir/cmp/linux/e.pcapng" >/dev/null 2>&1
		wine "$exe" replay "$s" --csv "$dir/cmp/windows/v.csv" \
			--pcapng "$dir/cmp/windows/e.pcapng" >/dev/null 2>&1
		if cmp -s "$dir/cmp/linux/v.csv" "$dir/cmp/windows/v.csv" &&
			cmp -s "$dir/cmp/linux/e.pcapng" "$dir/cmp/windows/e.pcapng"; then
			pass "CSV and pcapng evidence of $s: same on Linux and Windows"
		else
			fail "CSV or pcapng evidence of $s differs between Linux and Windows"
		fi
	done
else
	echo "skip text reports against Linux: build/ghostwire is not built"
	skipped=$((skipped + 1))
fi
finish
