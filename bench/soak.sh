#!/bin/sh
# bench/soak.sh [ASAN_BUILD_DIR] — the long replay under AddressSanitizer
# (issue 7): PACKETS (20 M) synthetic packets (gen_capture, snap length 96 so
# the file stays ~2 GB) through `ghostwire replay` against a timeline without
# sockets (every flow judged, enriched and written as JSON), in a build with
# ASan+UBSan and leak checking, then the same replay in the plain build.
# Samples each process's RSS every second and prints the samples' spread
# after the first tenth: flat memory (the plain build's; ASan's allocator
# creeps) means the flow table, the correlator, the names caches and the
# outputs stay within their bounds. Any leak or sanitizer report fails it.
# Environment: PACKETS (20M), CONC (50k), FLOWS (3M: 20 M packets need
# that many flows at gen_capture's mean length), OUT (bench/out).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
asan=${1:-$root/build-asan}
plain=$root/build
PACKETS=${PACKETS:-20M}
CONC=${CONC:-50k}
FLOWS=${FLOWS:-3M}
OUT=${OUT:-$here/out}
[ -x "$asan/ghostwire" ] || { echo "soak.sh: no $asan/ghostwire (meson setup build-asan -Db_sanitize=address,undefined)" >&2; exit 2; }
mkdir -p "$OUT"
cap=$OUT/soak.pcap
tl=$OUT/soak-sockets.jsonl
"$plain/bench/gen_capture" -n "$PACKETS" -c "$CONC" -f "$FLOWS" -s 11 --snaplen 96 -o "$cap" --stats-stdout >"$OUT/soak.gen"
printf '{"format":"ghostwire-timeline","version":2,"host":"soak","source":"netlink","started":"2024-05-01T11:59:59.000000Z","local_addrs":["10.0.0.0/8","fd67:7769:7265::/48"]}\n' >"$tl"
log=$OUT/soak.log

# sample_rss PID FILE: the process's resident size (kB) every second until it ends
sample_rss() {
	: >"$2"
	while kill -0 "$1" 2>/dev/null; do
		awk '/^VmRSS/ { print $2 }' "/proc/$1/status" 2>/dev/null >>"$2" || true
		sleep 1
	done
}
# spread NAME FILE: the samples' range after the first tenth
spread() {
	awk -v name="$1" 'NF { v[n++] = $1 } END {
		if (n < 3) { print name ": too few samples"; exit }
		s = int(n / 10); lo = hi = v[s]
		for (i = s; i < n; i++) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i] }
		printf "%s rss after the first tenth (%d samples): %d..%d kB, spread %.1f %%\n", name, n - s, lo, hi, 100 * (hi - lo) / lo
	}' "$2"
}

t0=$(date +%s)
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$root/tests/lsan.supp \
	"$asan/ghostwire" replay -r "$cap" --sockets "$tl" --json --no-progress --max-flows 262144 \
	>/dev/null 2>"$log" &
pid=$!
sample_rss "$pid" "$OUT/soak.rss"
wait "$pid" && rc=0 || rc=$?
t1=$(date +%s)
# The same replay in the plain build: ASan's allocator keeps freed blocks in
# quarantine and its size classes, so its RSS creeps; the plain build's is
# what a user sees, and must stay flat.
"$plain/ghostwire" replay -r "$cap" --sockets "$tl" --json --no-progress --max-flows 262144 \
	>/dev/null 2>"$OUT/plain.log" &
ppid=$!
sample_rss "$ppid" "$OUT/plain.rss"
wait "$ppid" && prc=0 || prc=$?
t2=$(date +%s)
echo "=== ghostwire replay soak under ASan+UBSan ($(date -u +%FT%TZ)) ==="
echo "capture: $(tr ' ' '\n' <"$OUT/soak.gen" | grep -E '^(packets|flows|max_concurrent)=' | tr '\n' ' ')"
echo "run: $((t1 - t0)) s, exit status $rc"
grep -E "flows:|frames" "$log" | head -2
spread "ASan" "$OUT/soak.rss"
echo "plain build: $((t2 - t1)) s, exit status $prc"
spread "plain" "$OUT/plain.rss"
if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error" "$log"; then
	echo "sanitizer reports:"; grep -m5 "ERROR\|runtime error" "$log"; exit 1
fi
echo "sanitizers: no report (leaks checked at exit)"
[ "$rc" -eq 0 ] && [ "$prc" -eq 0 ]
