#!/usr/bin/env bash
# bench/enrich.sh [BUILD_DIR] — what enrichment costs (issue 5):
#   1. in process (bench/enrich_bench): ns per GeoIP lookup from the bundled
#      database, uncached and cached; per DNS answer learnt into the passive DNS
#      cache; per name asked of it; per ClientHello SNI;
#   2. end to end: `ghostwire replay` of a synthetic capture (gen_capture:
#      public remote addresses, every flow judged and enriched: a timeline with no
#      sockets, so each flow is a finding and gets a line) with enrichment on and
#      with --no-enrich (text), and with --json, against the bare libpcap loop and
#      `ghostwire flows`, best of RUNS, pinned to one core. Prints ratios to the
#      bare loop and the cost of enrichment per flow.
# Environment: PACKETS (2M), CONC (20k), FLOWS (100k), RUNS (3), CPU (0), OUT (bench/out).
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
build=${1:-$root/build}
PACKETS=${PACKETS:-2M}
CONC=${CONC:-20k}
FLOWS=${FLOWS:-100k}
RUNS=${RUNS:-3}
CPU=${CPU:-0}
OUT=${OUT:-$here/out}
gw=$build/ghostwire
db=$build/data/ghostwire-location.mmdb
[ -x "$gw" ] && [ -x "$build/bench/enrich_bench" ] || { echo "enrich.sh: build first (ninja -C $build)" >&2; exit 2; }
[ -f "$db" ] || { echo "enrich.sh: no bundled GeoIP database ($db): install libloc-database, location and libmaxmind-db-writer-perl, reconfigure" >&2; exit 2; }
mkdir -p "$OUT"
pin=()
command -v taskset >/dev/null && pin=(taskset -c "$CPU")

echo "=== ghostwire enrichment bench ($(date -u +%FT%TZ), $(nproc) CPUs) ==="
echo
echo "-- 1. in process (bench/enrich_bench $db)"
"${pin[@]}" "$build/bench/enrich_bench" "$db" | sed 's/^/   /'

cap=$OUT/enrich.pcap
tl=$OUT/enrich-sockets.jsonl
"$build/bench/gen_capture" -n "$PACKETS" -c "$CONC" -f "$FLOWS" -s 7 -o "$cap" --stats-stdout >"$OUT/enrich.gen"
printf '{"format":"ghostwire-timeline","version":2,"host":"bench","source":"netlink","started":"2024-05-01T11:59:59.000000Z","local_addrs":["10.0.0.0/8","fd67:7769:7265::/48"]}\n' >"$tl"
cat "$cap" >/dev/null
flows=$(tr ' ' '\n' <"$OUT/enrich.gen" | sed -n 's/^flows=//p')
packets=$(tr ' ' '\n' <"$OUT/enrich.gen" | sed -n 's/^packets=//p')

best() { # command...: the best wall time in seconds over RUNS
	local b="" t0 t1 s
	for _ in $(seq "$RUNS"); do
		t0=$(date +%s%N)
		"${pin[@]}" "$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
		if [ -z "$b" ] || awk -v x="$s" -v y="$b" 'BEGIN { exit !(x < y) }'; then b=$s; fi
	done
	echo "$b"
}

echo
echo "-- 2. end to end: $packets packets, $flows flows ($cap), best of $RUNS"
t_bare=$(best "$build/bench/bare_loop" "$cap")
t_flows=$(best "$gw" flows -r "$cap" --max-flows 2000000)
t_plain=$(best "$gw" replay -r "$cap" --sockets "$tl" --no-progress --max-flows 2000000 --no-enrich)
t_rich=$(best "$gw" replay -r "$cap" --sockets "$tl" --no-progress --max-flows 2000000 --geoip "$db")
t_json=$(best "$gw" replay -r "$cap" --sockets "$tl" --json --no-progress --max-flows 2000000 --geoip "$db")
row() { awk -v n="$1" -v t="$2" -v b="$t_bare" -v p="$packets" \
	'BEGIN { printf "   %-44s %7.3f s  %6.2f M pkt/s  %5.2f x bare\n", n, t, p / t / 1e6, b / t }'; }
row "bare libpcap loop" "$t_bare"
row "ghostwire flows" "$t_flows"
row "ghostwire replay --no-enrich (text)" "$t_plain"
row "ghostwire replay (GeoIP + names, text)" "$t_rich"
row "ghostwire replay --json (GeoIP + names)" "$t_json"
awk -v r="$t_rich" -v p="$t_plain" -v f="$flows" \
	'BEGIN { printf "   enrichment: %.0f ns per flow (%.1f %% of the replay)\n", (r - p) / f * 1e9, 100 * (r - p) / r }'
