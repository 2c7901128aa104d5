#!/usr/bin/env bash
# bench/replay.sh [BUILD_DIR] — offline replay benchmark for ghostwire.
#
# Generates large synthetic captures and, in the same run, times:
#   - a bare libpcap loop (pcap_next_ex touching every packet: the physical limit),
#   - tcpdump -r F -w /dev/null,
#   - tshark -r SLICE -q -z conv,tcp on the first 1 M packets,
#   - ghostwire flows -r F > /dev/null,
# each pinned to one core, best of RUNS runs; then checks the targets:
#   A  ~20 k concurrent flows:   ghostwire >= 0.5 x the bare loop
#   B  ~200 k concurrent flows:  ghostwire >= 0.3 x the bare loop
#   C  >= 1 M flows:             peak RSS <= 200 bytes per flow
# See bench/README.md. Environment knobs are listed below (defaults in brackets).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

# ---------------------------------------------------------------- settings
build_arg=${1:-build}
if [[ $build_arg = /* ]]; then build=$build_arg
elif [[ -d $build_arg ]]; then build=$(cd "$build_arg" && pwd)
else build=$root/$build_arg
fi

OUT=${OUT:-$here/out}              # where captures go [bench/out, git-ignored]
KEEP=${KEEP:-0}                    # 1: keep the captures (and reuse them next run)
RUNS=${RUNS:-2}                    # runs per tool; the best counts
CPU=${CPU:-0}                      # core to pin to
SEED=${SEED:-1}
SCENARIOS=${SCENARIOS:-"A B C"}
GW_ARGS=${GW_ARGS:---max-flows 2000000}  # extra arguments for ghostwire flows: a table that never
                                   # fills, so A and B time flows, not evictions
GW_CHECK=${GW_CHECK:-1}            # 1: an untimed --json pass to read ghostwire's counts
STRICT=${STRICT:-0}                # 1: exit 1 when a target is missed
QUICK=${QUICK:-0}                  # 1: 10x smaller captures (smoke test; targets not meaningful)

if [[ $QUICK = 1 ]]; then
	A_PACKETS=${A_PACKETS:-500k}; A_CONC=${A_CONC:-2k};    A_FLOWS=${A_FLOWS:-12.5k}
	B_PACKETS=${B_PACKETS:-500k}; B_CONC=${B_CONC:-21k};   B_FLOWS=${B_FLOWS:-60k}
	C_PACKETS=${C_PACKETS:-400k}; C_CONC=${C_CONC:-110k};  C_FLOWS=${C_FLOWS:-110k}
	SLICE=${SLICE:-100k}
else
	A_PACKETS=${A_PACKETS:-5M};   A_CONC=${A_CONC:-20k};   A_FLOWS=${A_FLOWS:-125k}
	B_PACKETS=${B_PACKETS:-5M};   B_CONC=${B_CONC:-210k};  B_FLOWS=${B_FLOWS:-600k}
	C_PACKETS=${C_PACKETS:-4M};   C_CONC=${C_CONC:-1.1M};  C_FLOWS=${C_FLOWS:-1.1M}
	SLICE=${SLICE:-1M}
fi
C_LEN=${C_LEN:-20}                 # C: long flows, so that nearly all stay open
C_MAX_FLOWS=${C_MAX_FLOWS:-2000000}
IPV6=${IPV6:-0.3}
UDP=${UDP:-0.2}
TARGET_A=0.5
TARGET_B=0.3
TARGET_C=200

# ------------------------------------------------------------------ helpers
say() { printf '%s\n' "$*"; }
warn() { printf 'replay.sh: %s\n' "$*" >&2; }
die() { warn "$*"; exit 2; }
have() { command -v "$1" >/dev/null 2>&1; }

# awk does the arithmetic: calc 'EXPR' [var=value ...]
calc() {
	local e=$1 a args=(); shift
	for a in "$@"; do args+=(-v "$a"); done
	awk "${args[@]}" "BEGIN { print $e }"
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 < b + 0) }'; }

# 5M, 12.5k -> integers
to_int() {
	awk -v s="$1" 'BEGIN {
		m = 1; u = substr(s, length(s));
		if (u == "k" || u == "K") m = 1e3; else if (u == "m" || u == "M") m = 1e6;
		else if (u == "g" || u == "G") m = 1e9;
		if (m > 1) s = substr(s, 1, length(s) - 1);
		if (s !~ /^[0-9]+(\.[0-9]+)?$/) { print "bad"; exit 1 }
		printf "%d\n", s * m + 0.5 }'
}

# value of key=... in a "k=v k=v" line
kv() { sed -n "s/.*[ :]$1=\([^ ]*\).*/\1/p" <<<"$2" | head -n 1; }

# a JSON integer field from a one-line object
jint() { sed -n "s/.*\"$1\":[[:space:]]*\([0-9][0-9]*\).*/\1/p" <<<"$2" | head -n 1; }
# a flat JSON object field, as written: jobj ended '{"a":1,"ended":{"x":1}}' -> {"x":1}
jobj() { grep -o "\"$1\":{[^}]*}" <<<"$2" | head -n 1 | sed "s/^\"$1\"://" || true; }

human() {  # 4930000 -> 4.93 M
	awk -v x="$1" 'BEGIN {
		if (x >= 1e9) printf "%.2f G", x / 1e9; else if (x >= 1e6) printf "%.2f M", x / 1e6;
		else if (x >= 1e3) printf "%.1f k", x / 1e3; else printf "%d", x }'
}

now() {
	if [[ -n ${EPOCHREALTIME:-} ]]; then printf '%s\n' "$EPOCHREALTIME"
	else date +%s.%N
	fi
}

# ------------------------------------------------------------------ checks
for v in A_PACKETS A_CONC A_FLOWS B_PACKETS B_CONC B_FLOWS C_PACKETS C_CONC C_FLOWS SLICE; do
	n=$(to_int "${!v}") || die "$v=${!v} is not a count (digits with an optional k/M/G)"
	printf -v "$v" '%s' "$n"
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS=$RUNS: need a positive integer"
for s in $SCENARIOS; do
	[[ $s = A || $s = B || $s = C ]] || die "SCENARIOS: unknown scenario '$s' (A, B, C)"
done

mkdir -p "$OUT"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ghostwire-bench.XXXXXX")
generated=()
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	local f
	rm -rf "$tmp"
	if [[ $KEEP != 1 ]]; then
		for f in "${generated[@]}"; do rm -f "$f" "$f.meta"; done
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# bench tools: from the meson build when it has them, else compiled here
GEN=$build/bench/gen_capture
BARE=$build/bench/bare_loop
bench_tools_src="meson build ($build/bench)"
if [[ -f $build/build.ninja ]] && have ninja &&
   ninja -C "$build" -t targets all 2>/dev/null | grep -q '^bench/gen_capture:'; then
	# bring the two bench tools up to date (nothing else is built)
	ninja -C "$build" bench/gen_capture bench/bare_loop >"$tmp/ninja.log" 2>&1 ||
		warn "building the bench tools failed (see below); using what is there"$'\n'"$(tail -n 5 "$tmp/ninja.log")"
fi
if [[ ! -x $GEN || ! -x $BARE ]]; then
	cc=${CC:-cc}
	have "$cc" || die "no bench tools in $build/bench and no C compiler ($cc) to build them"
	mkdir -p "$OUT/bin"
	GEN=$OUT/bin/gen_capture
	BARE=$OUT/bin/bare_loop
	"$cc" -O2 -o "$GEN" "$here/gen_capture.c" -lm || die "cannot compile gen_capture.c"
	pcap_flags=$(pkg-config --cflags --libs libpcap 2>/dev/null || echo -lpcap)
	# shellcheck disable=SC2086
	"$cc" -O2 -o "$BARE" "$here/bare_loop.c" $pcap_flags ||
		die "cannot compile bare_loop.c (libpcap-dev missing?)"
	bench_tools_src="compiled by this script into $OUT/bin (no $build/bench targets)"
fi

GW=${GHOSTWIRE:-$build/ghostwire}    # GHOSTWIRE=path overrides
have_gw=0
gw_origin=$GW
if [[ -x $GW ]]; then
	have_gw=1
	# one binary for the whole run, even if the build is redone meanwhile
	cp "$GW" "$tmp/ghostwire" && GW=$tmp/ghostwire
else
	warn "$GW not found: ghostwire rows are skipped"
fi
have_tcpdump=0; have tcpdump && have_tcpdump=1
have_tshark=0; have tshark && have_tshark=1
[[ $have_tcpdump = 1 ]] || warn "tcpdump not installed: its rows are skipped"
[[ $have_tshark = 1 ]] || warn "tshark not installed: its rows are skipped"

pin=()
if have taskset; then pin=(taskset -c "$CPU")
else warn "taskset not available: runs are not pinned to one core"
fi

gnu_time=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then gnu_time=1
else warn "GNU time (/usr/bin/time) not available: no RSS figures, scenario C skipped"
fi

# ------------------------------------------------------------------ machine
cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[[ -n $cpu_model ]] || cpu_model=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
[[ -n $cpu_model ]] || cpu_model=$(uname -m)
mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo 2>/dev/null || echo 0)
gov=$(cat /sys/devices/system/cpu/cpu"$CPU"/cpufreq/scaling_governor 2>/dev/null || echo n/a)
first_line() { "$@" 2>/dev/null | head -n 1 || true; }

say "ghostwire replay benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine:   $(nproc) CPUs, $cpu_model, $(calc 'm / 1048576' m="$mem_kb" | xargs printf '%.1f') GiB RAM, $(uname -sr), governor $gov"
if [[ ${#pin[@]} -gt 0 ]]; then say "pinning:   taskset -c $CPU; best of $RUNS runs; wall-clock times (process start to exit)"
else say "pinning:   none; best of $RUNS runs; wall-clock times (process start to exit)"
fi
say "versions:  libpcap $(pkg-config --modversion libpcap 2>/dev/null || echo '?')"
if [[ $have_gw = 1 ]]; then
	gwv=$(first_line "$GW" --version)
	gw_id="built $(date -u -r "$gw_origin" +%Y-%m-%dT%H:%M:%SZ)"
	have sha256sum && gw_id+=", sha256 $(sha256sum "$GW" | cut -c 1-12)"
	say "           ghostwire: ${gwv:-?} ($gw_origin, $gw_id; a copy is run)"
fi
[[ $have_tcpdump = 1 ]] && say "           $(first_line tcpdump --version)"
[[ $have_tshark = 1 ]] && say "           $(first_line tshark --version)"
say "           cc: $(first_line "${CC:-cc}" --version)"
say "tools:     gen_capture, bare_loop from $bench_tools_src"
say "captures:  $OUT$([[ $KEEP = 1 ]] && echo ' (KEEP=1: kept)' || echo ' (deleted at the end)')"
[[ $QUICK = 1 ]] && say "QUICK=1:   small captures; the targets are not meaningful"
say ""

# ------------------------------------------------------------------ running
# run_best STDOUT_FILE CMD... : best wall time of RUNS runs in BEST_S, its max RSS (kB)
# in BEST_RSS; returns 1 (with stderr in $tmp/err) when the command fails.
run_best() {
	local out=$1; shift
	local i t0 t1 s timer=()
	[[ $gnu_time = 1 ]] && timer=(/usr/bin/time -f %M -o "$tmp/rss")
	BEST_S=""; BEST_RSS=""
	for ((i = 1; i <= RUNS; i++)); do
		t0=$(now)
		if ! "${timer[@]}" "${pin[@]}" "$@" >"$out" 2>"$tmp/err"; then
			return 1
		fi
		t1=$(now)
		s=$(calc 'b - a' a="$t0" b="$t1")
		if [[ -z $BEST_S ]] || lt "$s" "$BEST_S"; then
			BEST_S=$s
			BEST_RSS=$([[ $gnu_time = 1 ]] && tail -n 1 "$tmp/rss" || echo "")
		fi
	done
}

RESULTS=$OUT/results.tsv
[[ -f $RESULTS ]] || printf 'date\tscenario\ttool\tpackets\tseconds\tpackets_per_s\tratio\tmax_rss_kb\n' >"$RESULTS"
run_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)

row_fmt='  %-34s %10s %9s %12s %7s %10s\n'
table_head() {
	# shellcheck disable=SC2059
	printf "$row_fmt" tool packets seconds packets/s ratio "max RSS"
}
# row SCENARIO LABEL PACKETS SECONDS RSS_KB ; uses BARE_PPS for the ratio
row() {
	local sc=$1 label=$2 pk=$3 s=$4 rss=$5 pps ratio rss_h
	pps=$(calc 'p / s' p="$pk" s="$s")
	ratio=$(awk -v a="$pps" -v b="${BARE_PPS:-0}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
	rss_h=$([[ -n $rss ]] && awk -v k="$rss" 'BEGIN { printf "%.1f MB", k / 1024 }' || echo -)
	# shellcheck disable=SC2059
	printf "$row_fmt" "$label" "$pk" "$(printf '%.3f' "$s")" "$(human "$pps")/s" "$ratio" "$rss_h"
	printf '%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t%s\n' "$run_date" "$sc" "$label" "$pk" "$s" "$pps" "$ratio" "${rss:-}" >>"$RESULTS"
	LAST_RATIO=$ratio
}
row_skip() {
	# shellcheck disable=SC2059
	printf "$row_fmt" "$1" - - - - - ; say "      ($2)"
}
row_fail() {
	# shellcheck disable=SC2059
	printf "$row_fmt" "$1" - FAILED - - -
	sed 's/^/      | /' "$tmp/err" | tail -n 5
}

# gen NAME PACKETS CONC FLOWS [extra gen args...] -> sets CAP, SLICE_CAP (maybe empty), STATS
gen() {
	local name=$1 packets=$2 conc=$3 flows=$4; shift 4
	local args=(-n "$packets" -c "$conc" -f "$flows" -6 "$IPV6" -u "$UDP" -s "$SEED" "$@")
	CAP=$OUT/$name.pcap
	SLICE_CAP=""
	if [[ $SLICE -gt 0 && $SLICE -lt $packets ]]; then
		SLICE_CAP=$OUT/$name-slice.pcap
		args+=(-k "$SLICE" -K "$SLICE_CAP")
	fi
	local key="${args[*]}"
	generated+=("$CAP")
	[[ -n $SLICE_CAP ]] && generated+=("$SLICE_CAP")
	if [[ -f $CAP.meta && -f $CAP && ( -z $SLICE_CAP || -f $SLICE_CAP ) && ! $GEN -nt $CAP.meta ]] &&
	   [[ $(head -n 1 "$CAP.meta") = "args: $key" ]]; then
		STATS=$(sed -n 2p "$CAP.meta")
		say "capture:   reusing $CAP"
	else
		# room on disk? (about 0.9 kB per packet at most, plus the slice)
		local need_kb avail_kb
		need_kb=$(calc 'int((p + s) * 0.9)' p="$packets" s="$([[ -n $SLICE_CAP ]] && echo "$SLICE" || echo 0)")
		avail_kb=$(df -Pk "$OUT" | awk 'NR == 2 { print $4 }')
		if [[ -n $avail_kb ]] && lt "$avail_kb" "$need_kb"; then
			die "not enough space in $OUT: about $((need_kb / 1024)) MB needed, $((avail_kb / 1024)) MB free (set OUT=...)"
		fi
		rm -f "$CAP.meta"
		say "capture:   gen_capture ${args[*]} -o $CAP"
		"$GEN" "${args[@]}" -o "$CAP" --stats-stdout >"$tmp/gen.out" || die "gen_capture failed"
		STATS=$(tail -n 1 "$tmp/gen.out")
		printf 'args: %s\n%s\n' "$key" "$STATS" >"$CAP.meta"
	fi
	local bytes span
	bytes=$(kv bytes "$STATS")
	span=$(calc 'b - a' a="$(kv first_ts "$STATS")" b="$(kv last_ts "$STATS")")
	say "           $(kv packets "$STATS") packets, $(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }'), $(printf '%.1f' "$span") s of traffic;" \
		"$(kv flows "$STATS") flows (TCP $(kv tcp "$STATS"), UDP $(kv udp "$STATS"); IPv4 $(kv ipv4 "$STATS"), IPv6 $(kv ipv6 "$STATS"));" \
		"at most $(kv max_concurrent "$STATS") concurrent, $(kv open_at_end "$STATS") open at the end"
	# page cache: the timings are for a warm cache
	local mem_avail_kb file_kb
	mem_avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo 2>/dev/null || echo 0)
	file_kb=$(( $(stat -c %s "$CAP") / 1024 ))
	if [[ $mem_avail_kb -gt 0 && $file_kb -gt $mem_avail_kb ]]; then
		warn "$CAP ($((file_kb / 1024)) MB) does not fit in the page cache ($((mem_avail_kb / 1024)) MB available): timings include disk reads"
	fi
	cat "$CAP" >/dev/null
	[[ -n $SLICE_CAP ]] && cat "$SLICE_CAP" >/dev/null
	return 0
}

drop_capture() {
	[[ $KEEP = 1 ]] && return 0
	rm -f "$CAP" "$CAP.meta"
	[[ -n $SLICE_CAP ]] && rm -f "$SLICE_CAP"
	return 0
}

declare -A VERDICT
declare -A DETAIL

# speed_scenario NAME TARGET DESCRIPTION PACKETS CONC FLOWS
speed_scenario() {
	local name=$1 target=$2 desc=$3 packets=$4 conc=$5 flows=$6
	say "== scenario $name: $desc =="
	gen "$name" "$packets" "$conc" "$flows"
	local pk slice_pk
	pk=$(kv packets "$STATS")
	slice_pk=$(kv slice_packets "$STATS")
	say ""
	table_head

	BARE_PPS=0
	BARE_INNER=""
	if run_best "$tmp/bare.out" "$BARE" "$CAP"; then
		BARE_PPS=$(calc 'p / s' p="$pk" s="$BEST_S")
		row "$name" "bare loop (pcap_next_ex)" "$pk" "$BEST_S" "$BEST_RSS"
		BARE_INNER=$(kv seconds " $(cat "$tmp/bare.out")")
	else
		row_fail "bare loop (pcap_next_ex)"
	fi

	if [[ $have_tcpdump = 1 ]]; then
		if run_best /dev/null tcpdump -r "$CAP" -w /dev/null; then
			row "$name" "tcpdump -r F -w /dev/null" "$pk" "$BEST_S" "$BEST_RSS"
		else row_fail "tcpdump -r F -w /dev/null"
		fi
	else row_skip "tcpdump" "not installed"
	fi

	local conv_note=""
	if [[ $have_tshark = 1 ]]; then
		local sl=${SLICE_CAP:-$CAP} slpk=${slice_pk:-0}
		[[ -n $SLICE_CAP ]] || slpk=$pk
		if run_best "$tmp/conv.out" tshark -r "$sl" -q -z conv,tcp; then
			row "$name" "tshark -z conv,tcp ($(human "$slpk") slice)" "$slpk" "$BEST_S" "$BEST_RSS"
			conv_note="tshark: $(grep -c '<->' "$tmp/conv.out" || true) TCP conversations in the slice (generator: $(kv slice_tcp_flows "$STATS"))"
		else row_fail "tshark -z conv,tcp (slice)"
		fi
	else row_skip "tshark" "not installed"
	fi

	local gw_ratio="" gw_held=""
	if [[ $have_gw = 1 ]]; then
		# shellcheck disable=SC2086
		if run_best /dev/null "$GW" flows -r "$CAP" $GW_ARGS; then
			row "$name" "ghostwire flows" "$pk" "$BEST_S" "$BEST_RSS"
			gw_ratio=$LAST_RATIO
		else row_fail "ghostwire flows"
		fi
	else row_skip "ghostwire flows" "$GW not built"
	fi
	say ""
	[[ -n ${BARE_INNER:-} ]] && say "  bare loop by its own clock (open + loop): $(printf '%.3f' "$BARE_INNER") s"
	[[ -n $conv_note ]] && say "  $conv_note"

	if [[ $have_gw = 1 && $GW_CHECK = 1 && -n $gw_ratio ]]; then
		local summary
		# shellcheck disable=SC2086
		summary=$("$GW" flows -r "$CAP" --json $GW_ARGS 2>/dev/null | tail -n 1 || true)
		if [[ $summary = *'"summary"'* ]]; then
			say "  ghostwire --json summary: packets $(jint packets "$summary"), decoded $(jint decoded "$summary"), flows $(jint flows "$summary"), flows_max_active $(jint flows_max_active "$summary") (generator: $(kv flows "$STATS") flows, at most $(kv max_concurrent "$STATS") open at once)"
			gw_held=$(jint flows_max_active "$summary")
			local ends full
			ends=$(jobj ended "$summary"); [[ -n $ends ]] || ends=$(jobj evicted "$summary")
			[[ -n $ends ]] && say "    flows ended: $ends"
			# evicted because the table was full: "ended":{"evicted":N} or "evicted":{"full":N}
			full=$(jint evicted "$ends"); [[ -n $full ]] || full=$(jint full "$ends")
			if [[ -n $full && $full -gt 0 ]]; then
				say "    note: the flow table was full (--max-flows) and $full flows were evicted;"
				say "          evicted flows that see more packets come back as new flows."
				say "          GW_ARGS='--max-flows N' measures a table that never fills."
			fi
			[[ $(jobj malformed "$summary") = "{}" || -z $(jobj malformed "$summary") ]] ||
				say "    malformed: $(jobj malformed "$summary")"
		else
			say "  ghostwire --json: no summary line (not supported yet?)"
		fi
	fi

	if [[ -z $gw_ratio ]]; then
		VERDICT[$name]=SKIP; DETAIL[$name]="ghostwire did not run"
	elif [[ $gw_ratio = - ]]; then
		VERDICT[$name]=SKIP; DETAIL[$name]="no bare-loop figure to compare with"
	elif lt "$gw_ratio" "$target"; then
		VERDICT[$name]=MISS; DETAIL[$name]="ghostwire ${gw_ratio} x the bare loop (target >= ${target} x) with ~$(human "$(kv max_concurrent "$STATS")") concurrent flows${gw_held:+ (ghostwire held up to $(human "$gw_held"))}"
	else
		VERDICT[$name]=PASS; DETAIL[$name]="ghostwire ${gw_ratio} x the bare loop (target >= ${target} x) with ~$(human "$(kv max_concurrent "$STATS")") concurrent flows${gw_held:+ (ghostwire held up to $(human "$gw_held"))}"
	fi
	drop_capture
	say ""
}

memory_scenario() {
	say "== scenario C: >= 1 M flows, peak RSS =="
	if [[ $have_gw = 0 ]]; then
		say "  skipped: $GW not built"; VERDICT[C]=SKIP; DETAIL[C]="ghostwire not built"; say ""; return 0
	fi
	if [[ $gnu_time = 0 ]]; then
		say "  skipped: GNU time missing"; VERDICT[C]=SKIP; DETAIL[C]="GNU time missing"; say ""; return 0
	fi
	local saved_slice=$SLICE
	SLICE=0
	gen C "$C_PACKETS" "$C_CONC" "$C_FLOWS" -l "$C_LEN"
	SLICE=$saved_slice
	local pk gen_max
	pk=$(kv packets "$STATS")
	gen_max=$(kv max_concurrent "$STATS")

	# baseline: the same binary on a tiny capture
	local tiny=$tmp/tiny.pcap base_kb=""
	"$GEN" -n 1000 -c 10 -s "$SEED" -o "$tiny" 2>/dev/null
	# shellcheck disable=SC2086
	if /usr/bin/time -f %M -o "$tmp/base.rss" "$GW" flows -r "$tiny" --max-flows "$C_MAX_FLOWS" $GW_ARGS \
		>/dev/null 2>&1; then
		base_kb=$(tail -n 1 "$tmp/base.rss")
	fi

	local t0 t1 s rss_kb
	t0=$(now)
	# shellcheck disable=SC2086
	if ! /usr/bin/time -v "${pin[@]}" "$GW" flows -r "$CAP" --max-flows "$C_MAX_FLOWS" $GW_ARGS \
		>/dev/null 2>"$tmp/c.time"; then
		say "  ghostwire flows FAILED:"; sed 's/^/      | /' "$tmp/c.time" | tail -n 8
		VERDICT[C]=MISS; DETAIL[C]="ghostwire failed"; drop_capture; say ""; return 0
	fi
	t1=$(now)
	s=$(calc 'b - a' a="$t0" b="$t1")
	rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$tmp/c.time")

	local flows=$gen_max src="generator: flows open at once" summary gw_flows="" gw_max=""
	if [[ $GW_CHECK = 1 ]]; then
		# shellcheck disable=SC2086
		summary=$("$GW" flows -r "$CAP" --max-flows "$C_MAX_FLOWS" --json $GW_ARGS 2>/dev/null | tail -n 1 || true)
		if [[ $summary = *'"summary"'* ]]; then
			gw_flows=$(jint flows "$summary")
			gw_max=$(jint flows_max_active "$summary")
			if [[ -n $gw_max && $gw_max -gt 0 ]]; then flows=$gw_max; src="ghostwire: flows_max_active"; fi
		fi
	fi
	local bpf marg=""
	bpf=$(calc 'int(r * 1024 / f + 0.5)' r="$rss_kb" f="$flows")
	[[ -n $base_kb ]] && marg=$(calc 'int((r - b) * 1024 / f + 0.5)' r="$rss_kb" b="$base_kb" f="$flows")
	say ""
	say "  ghostwire flows -r F --max-flows $C_MAX_FLOWS > /dev/null   (/usr/bin/time -v, pinned)"
	say "    packets:               $pk in $(printf '%.3f' "$s") s ($(human "$(calc 'p / s' p="$pk" s="$s")")/s)"
	say "    peak RSS:              $rss_kb kB ($(awk -v k="$rss_kb" 'BEGIN { printf "%.1f MB", k / 1024 }'))"
	[[ -n $base_kb ]] && say "    baseline RSS:          $base_kb kB (same command on a 1000-packet capture)"
	say "    flows held at once:    $flows ($src)"
	[[ -n $gw_flows ]] && say "    ghostwire summary:     flows $gw_flows, flows_max_active $gw_max (generator: $(kv flows "$STATS") flows, at most $gen_max open at once)"
	say "    bytes per flow:        $bpf (peak RSS / flows)$([[ -n $marg ]] && echo ", $marg above the baseline")"
	printf '%s\tC\tghostwire flows (peak RSS)\t%s\t%s\t%.0f\t-\t%s\n' "$run_date" "$pk" "$s" "$(calc 'p / s' p="$pk" s="$s")" "$rss_kb" >>"$RESULTS"
	if [[ $flows -lt 1000000 ]]; then
		warn "scenario C held only $flows flows at once (< 1 M): raise C_CONC"
	fi
	if lt "$TARGET_C" "$bpf"; then VERDICT[C]=MISS; else VERDICT[C]=PASS; fi
	DETAIL[C]="peak RSS $bpf bytes per flow at $(human "$flows") flows (target <= $TARGET_C)"
	drop_capture
	say ""
}

for s in $SCENARIOS; do
	case $s in
	A) speed_scenario A "$TARGET_A" "~$(human "$A_CONC") concurrent flows" "$A_PACKETS" "$A_CONC" "$A_FLOWS" ;;
	B) speed_scenario B "$TARGET_B" "~$(human "$B_CONC") concurrent flows" "$B_PACKETS" "$B_CONC" "$B_FLOWS" ;;
	C) memory_scenario ;;
	esac
done

say "== targets =="
missed=0
for s in $SCENARIOS; do
	printf '%-5s %s: %s\n' "${VERDICT[$s]}" "$s" "${DETAIL[$s]}"
	[[ ${VERDICT[$s]} = MISS ]] && missed=1
done
say "(results appended to $RESULTS)"
if [[ $STRICT = 1 && $missed = 1 ]]; then exit 1; fi
exit 0
