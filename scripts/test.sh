#!/bin/sh
# scripts/test.sh — the README's second command and what CI runs: sets up,
# builds, and runs every test suite; then the same tests (less the tshark
# parity) under ASan+UBSan; then each fuzz target briefly (20 s), beside the
# format check and the Windows build with its tests under wine
# (scripts/windows.sh). Ends with one line "N passed, M failed, K skipped".
set -u
cd "$(dirname "$0")/.."
scripts/setup.sh build || exit 1

passed=0 failed=0 skipped=0
tally() { # LOGFILE: adds meson test's Ok/Fail/Skipped counts
	ok=$(sed -n 's/^Ok: *\([0-9]*\).*/\1/p' "$1" | tail -1)
	bad=$(sed -n 's/^Fail: *\([0-9]*\).*/\1/p' "$1" | tail -1)
	to=$(sed -n 's/^Timeout: *\([0-9]*\).*/\1/p' "$1" | tail -1)
	sk=$(sed -n 's/^Skipped: *\([0-9]*\).*/\1/p' "$1" | tail -1)
	passed=$((passed + ${ok:-0}))
	failed=$((failed + ${bad:-0} + ${to:-0}))
	skipped=$((skipped + ${sk:-0}))
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT

echo "== tests (build)"
meson test -C build --print-errorlogs --num-processes 2 2>&1 | tee "$log"
tally "$log"

echo "== tests under ASan+UBSan (build-asan)"
if [ ! -f build-asan/build.ninja ]; then
	meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbundled_geoip=disabled \
		-Dbuildtype=debug >/dev/null
fi
if ninja -C build-asan >/dev/null; then
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		meson test -C build-asan --print-errorlogs --num-processes 2 \
		--suite unit --suite cli --suite replay --suite robustness 2>&1 | tee "$log"
	tally "$log"
else
	echo "FAIL: ASan build"; failed=$((failed + 1))
fi

# Fuzzing runs one target at a time, on one core: the Windows step takes the
# other meanwhile (CI has two), and its output follows the Windows step's.
echo "== fuzzing (in the background, beside the Windows step)"
fuzzlog=$(mktemp)
scripts/fuzz.sh "${GW_FUZZ_SECONDS:-20}" >"$fuzzlog" 2>&1 &
fuzzpid=$!

echo "== format"
if scripts/format.sh --check; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== Windows (mingw-w64 cross-build, tests under wine: scripts/windows.sh)"
scripts/windows.sh build-win 2>&1 | tee "$log"
win=$(sed -n 's/^windows: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped.*/\1 \2 \3/p' "$log" | tail -1)
if [ -n "$win" ]; then
	set -- $win
	passed=$((passed + $1)) failed=$((failed + $2)) skipped=$((skipped + $3))
else
	echo "FAIL: scripts/windows.sh gave no result line"; failed=$((failed + 1))
fi

echo "== fuzzing (its output)"
if wait "$fuzzpid"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
cat "$fuzzlog"
rm -f "$fuzzlog"

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
