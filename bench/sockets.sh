#!/usr/bin/env bash
# bench/sockets.sh [BUILD_DIR] — socket-table benchmark for ghostwire's OS view.
#
# Opens N loopback TCP connections held by P processes (bench/sockfarm; N counts
# connections: 2N ESTABLISHED sockets plus the listeners) and, in the same run,
# times on that table:
#   - a bare sock_diag dump of TCP v4+v6 (bench/bare_dump, in process: the floor),
#   - ss -tan and ss -tanp (process start to exit),
#   - ghostwire's netlink view in process (bench/poll_bench): a full poll with
#     owners, cold (a new view: empty process cache) and warm (the same view
#     polled again), a poll without owners, and exact lookups,
#   - ghostwire sockets --json > /dev/null (process start, one cold poll, output),
# for every N in CONNS and P in PROCS; then checks the targets:
#   warm poll with owners <= 1.5 x the bare dump                 (every scenario)
#   warm poll with owners <= 0.25 x ss -tanp at 10 k connections, <= 0.2 x at 50 k
#   exact lookup p99 <= 200 us                                   (every scenario)
# Needs root (it is not run in CI). See bench/README.md. Knobs are listed below
# (defaults in brackets).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")

if [[ $(id -u) -ne 0 ]]; then
	echo "sockets.sh: needs root (ss -p and ghostwire's owners read every /proc/PID/fd;"
	echo "            the farm may need a higher descriptor limit); not run."
	exit 0
fi

# ---------------------------------------------------------------- settings
build_arg=${1:-build}
if [[ $build_arg = /* ]]; then build=$build_arg
elif [[ -d $build_arg ]]; then build=$(cd "$build_arg" && pwd)
else build=$root/$build_arg
fi

OUT=${OUT:-$here/out}             # results (sockets.tsv) [bench/out, git-ignored]
CONNS=${CONNS:-"1k 10k 50k"}      # connections per scenario (k suffix allowed)
PROCS=${PROCS:-"1 100 1000"}      # processes holding them
RUNS=${RUNS:-5}                   # timed runs per tool after one warm-up; the median counts (>= 3)
WARM=${WARM:-30}                  # warm polls timed per scenario (poll_bench)
COLD=${COLD:-3}                   # cold polls (a new view each) per scenario
LOOKUPS=${LOOKUPS:-10000}         # exact lookups per scenario
CPU=${CPU:-0}                     # core the timed tools run on
PER_LISTENER=${PER_LISTENER:-10000} # connections per listener (one loopback address each)
GW_CLI=${GW_CLI:-1}               # 1: also time `ghostwire sockets --json > /dev/null`
QUIET_MAX=${QUIET_MAX:-20}        # % of one CPU others may use for the machine to count as quiet
QUIET_WAIT=${QUIET_WAIT:-60}      # seconds to wait for a quiet machine before each scenario
STRICT=${STRICT:-0}               # 1: exit 1 when a target is missed
QUICK=${QUICK:-0}                 # 1: CONNS=1k PROCS="1 100", RUNS=3, WARM=10 (smoke test)
if [[ $QUICK = 1 ]]; then
	CONNS=1k; PROCS="1 100"; RUNS=3; WARM=10; COLD=2; LOOKUPS=2000
fi
TARGET_BARE=1.5                   # warm poll / bare dump, at most
TARGET_LOOKUP_US=200              # lookup p99, at most
# warm poll / ss -tanp, at most, by connection count (none for other counts)
declare -A TARGET_SSP=([10000]=0.25 [50000]=0.2)

# ------------------------------------------------------------------ helpers
say() { printf '%s\n' "$*"; }
warn() { printf 'sockets.sh: %s\n' "$*" >&2; }
die() { warn "$*"; exit 2; }
have() { command -v "$1" >/dev/null 2>&1; }

calc() {  # calc 'EXPR' [var=value ...]: awk does the arithmetic
	local e=$1 a args=(); shift
	for a in "$@"; do args+=(-v "$a"); done
	awk "${args[@]}" "BEGIN { print $e }"
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }'; }

to_int() {  # 10k -> 10000
	awk -v s="$1" 'BEGIN {
		m = 1; u = substr(s, length(s));
		if (u == "k" || u == "K") m = 1e3; else if (u == "m" || u == "M") m = 1e6;
		if (m > 1) s = substr(s, 1, length(s) - 1);
		if (s !~ /^[0-9]+(\.[0-9]+)?$/) { print "bad"; exit 1 }
		printf "%d\n", s * m + 0.5 }'
}
human() {  # 50000 -> 50 k
	awk -v x="$1" 'BEGIN { if (x >= 1e6) printf "%g M", x / 1e6; else if (x >= 1e3) printf "%g k", x / 1e3; else printf "%d", x }'
}
thousands() { printf "%'d" "$1" 2>/dev/null || printf '%d' "$1"; }

# value of key=... in a "name k=v k=v" line
kv() { sed -n "s/.*[ :]$1=\([^ ]*\).*/\1/p" <<<" $2" | head -n 1; }
# the line of poll_bench's output that starts with NAME
part() { grep -m 1 "^$1 " "$tmp/pb.out" || true; }

now() { printf '%s\n' "${EPOCHREALTIME:-$(date +%s.%N)}"; }

median() {  # median of the arguments
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print ""; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
fmt_ms() { [[ -n $1 ]] && printf '%.2f' "$1" || printf -- '-'; }
runs_list() { local x o=""; for x in "$@"; do o+=" $(printf '%.1f' "$x")"; done; printf 'runs:%s' "$o"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }

# ------------------------------------------------------------------ checks
for v in RUNS WARM COLD LOOKUPS PER_LISTENER QUIET_MAX QUIET_WAIT; do
	[[ ${!v} =~ ^[0-9]+$ ]] || die "$v=${!v}: need a non-negative integer"
done
[[ $RUNS -ge 3 ]] || die "RUNS=$RUNS: need at least 3 (the median of >= 3 runs counts)"
[[ $WARM -ge 1 ]] || die "WARM=$WARM: need at least 1"
[[ $PER_LISTENER -ge 1 ]] || die "PER_LISTENER: need at least 1"
conns_list=()
for c in $CONNS; do n=$(to_int "$c") || die "CONNS: '$c' is not a count"; conns_list+=("$n"); done
procs_list=()
for p in $PROCS; do
	[[ $p =~ ^[1-9][0-9]*$ ]] || die "PROCS: '$p' is not a positive integer"; procs_list+=("$p")
done
have ss || die "ss (iproute2) not found"
have awk || die "awk not found"

mkdir -p "$OUT"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ghostwire-sockets.XXXXXX")
farm_pid=""
farm_ctl=""
declare -A SYSCTL_SAVED=()

# Stops the farm: end of file on its control pipe, then SIGTERM, then SIGKILL.
stop_farm() {
	[[ -n $farm_pid ]] || return 0
	if [[ -n $farm_ctl ]]; then exec {farm_ctl}>&-; farm_ctl=""; fi
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$farm_pid" 2>/dev/null || break
		[[ $i = 50 ]] && kill -TERM "$farm_pid" 2>/dev/null
		sleep 0.1
	done
	if kill -0 "$farm_pid" 2>/dev/null; then
		kill -KILL "$farm_pid" 2>/dev/null || true   # its holders die with it (PDEATHSIG)
	fi
	wait "$farm_pid" 2>/dev/null || true
	farm_pid=""
}
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	stop_farm
	local k
	for k in "${!SYSCTL_SAVED[@]}"; do
		sysctl -qw "$k=${SYSCTL_SAVED[$k]}" >/dev/null 2>&1 && warn "restored $k=${SYSCTL_SAVED[$k]}"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# set_sysctl KEY VALUE: changes a sysctl for this run, restored at exit
set_sysctl() {
	local old
	old=$(sysctl -n "$1")
	sysctl -qw "$1=$2" >/dev/null || die "cannot set $1=$2"
	[[ -n ${SYSCTL_SAVED[$1]+x} ]] || SYSCTL_SAVED[$1]=$old
	CHANGED+=("$1: $old -> $2 (restored at exit)")
}
CHANGED=()

# ------------------------------------------------------------------ tools
tools=(sockfarm bare_dump poll_bench)
if [[ -f $build/build.ninja ]] && have ninja; then
	# bring the bench tools up to date (and libghostwire, which poll_bench links)
	ninja -C "$build" "${tools[@]/#/bench/}" >"$tmp/ninja.log" 2>&1 ||
		warn "building the bench tools failed; using what is there"$'\n'"$(tail -n 5 "$tmp/ninja.log")"
fi
FARM=$build/bench/sockfarm
BARE=$build/bench/bare_dump
PB=$build/bench/poll_bench
tools_src="meson build ($build/bench)"
if [[ ! -x $FARM || ! -x $BARE ]]; then
	cc=${CC:-cc}
	have "$cc" || die "no bench tools in $build/bench and no C compiler ($cc) to build them"
	mkdir -p "$OUT/bin"
	FARM=$OUT/bin/sockfarm
	BARE=$OUT/bin/bare_dump
	"$cc" -O2 -o "$FARM" "$here/sockfarm.c" || die "cannot compile sockfarm.c"
	"$cc" -O2 -o "$BARE" "$here/bare_dump.c" || die "cannot compile bare_dump.c"
	tools_src="compiled by this script into $OUT/bin (no $build/bench targets)"
fi
have_pb=0
if [[ -x $PB ]]; then
	cp "$PB" "$tmp/poll_bench" && PB=$tmp/poll_bench && have_pb=1
else
	warn "$PB not built (it links libghostwire: meson setup + ninja): ghostwire poll rows skipped"
fi
GW=${GHOSTWIRE:-$build/ghostwire}
have_gw=0
gw_origin=$GW
if [[ $GW_CLI = 1 && -x $GW ]]; then
	cp "$GW" "$tmp/ghostwire" && GW=$tmp/ghostwire && have_gw=1  # one binary for the whole run
elif [[ $GW_CLI = 1 ]]; then
	warn "$GW not found: the 'ghostwire sockets' rows are skipped"
fi

# ------------------------------------------------------------------ machine
ncpu=$(nproc)
[[ $CPU =~ ^[0-9]+$ && $CPU -lt $ncpu ]] || die "CPU=$CPU: this machine has CPUs 0-$((ncpu - 1))"
pinned="unpinned"
if have taskset && taskset -pc "$CPU" $$ >/dev/null 2>&1; then
	# this shell and what it starts run on CPU; the farm is started on every CPU
	pinned="taskset -c $CPU (this script and every timed tool)"
	farm_cmd=(taskset -c "0-$((ncpu - 1))" "$FARM")
else
	warn "taskset not available: timed tools are not pinned"
	farm_cmd=("$FARM")
fi

cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[[ -n $cpu_model ]] || cpu_model=$(uname -m)
mem_kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
gov=$(cat /sys/devices/system/cpu/cpu"$CPU"/cpufreq/scaling_governor 2>/dev/null || echo n/a)

# Descriptors: one holder keeps 2 x its connections. Without CAP_SYS_RESOURCE
# the hard RLIMIT_NOFILE cannot be raised, and it caps what one process holds.
nofile_hard=$(ulimit -Hn)
nr_open=$(sysctl -n fs.nr_open)
can_raise=0
if [[ $nofile_hard = unlimited ]] || (ulimit -Hn $((nofile_hard + 1))) 2>/dev/null; then can_raise=1; fi
need_max=0
for n in "${conns_list[@]}"; do for p in "${procs_list[@]}"; do
	l=$(( (n + PER_LISTENER - 1) / PER_LISTENER ))
	need=$(( 2 * ((n + p - 1) / p) + l + 64 ))
	(( need > need_max )) && need_max=$need
done; done
if [[ $can_raise = 1 ]]; then
	fd_cap=$nr_open
	if (( need_max > nr_open )); then set_sysctl fs.nr_open $((need_max + 1024)); fd_cap=$((need_max + 1024)); fi
	fd_note="RLIMIT_NOFILE raised by the farm as needed (CAP_SYS_RESOURCE; fs.nr_open $fd_cap)"
else
	fd_cap=$nofile_hard
	fd_note="RLIMIT_NOFILE hard limit $nofile_hard and no CAP_SYS_RESOURCE to raise it: one process holds at most $((nofile_hard - 64 - 5)) sockets"
fi
file_max=$(sysctl -n fs.file-max)
total_max=0
for n in "${conns_list[@]}"; do (( 2 * n + 10000 > total_max )) && total_max=$((2 * n + 10000)); done
if (( file_max < total_max + $(awk '{ print $1 }' /proc/sys/fs/file-nr) )); then
	set_sysctl fs.file-max $((total_max * 2 + file_max))
fi
read -r port_lo port_hi < <(sysctl -n net.ipv4.ip_local_port_range)
port_range=$((port_hi - port_lo + 1))
if (( PER_LISTENER > port_range * 8 / 10 )); then
	PER_LISTENER=$((port_range * 8 / 10))
	warn "PER_LISTENER lowered to $PER_LISTENER (ephemeral range $port_lo-$port_hi)"
fi
somaxconn=$(sysctl -n net.core.somaxconn)
conntrack_note=""
if [[ -r /proc/sys/net/netfilter/nf_conntrack_max ]]; then
	ct_max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
	ct_count=$(cat /proc/sys/net/netfilter/nf_conntrack_count 2>/dev/null || echo 0)
	conntrack_note="nf_conntrack loaded (max $ct_max, $ct_count tracked now)"
fi

# CPU use of everything else over one second: sets BUSY (% of one CPU, all
# processes but this script's) and CULPRITS (the three busiest, "name 97%").
proc_times() {  # "pid ticks comm" for every process
	cat /proc/[0-9]*/stat 2>/dev/null | awk '{ n = split($0, a, /\) /); c = substr(a[1], index(a[1], "(") + 1)
		split(a[n], f, " "); print $1, f[12] + f[13], c }' || true
}
sample_busy() {
	local a b ta tb
	ta=$(awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
	proc_times >"$tmp/pt.a"
	sleep 1
	proc_times >"$tmp/pt.b"
	tb=$(awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat)
	a=$(awk -v n="$ncpu" -v t="$((tb - ta))" -v self=$$ 'NR == FNR { u[$1] = $2; next }
		($1 in u) && $1 != self { d = $2 - u[$1]; if (d > 0) { busy += d; print d, $3 } }
		END { printf "%.0f\n", (t > 0) ? 100 * n * busy / t : 0 }' "$tmp/pt.a" "$tmp/pt.b" | sort -rn)
	# the total is the line without a name
	BUSY=$(awk 'NF == 1 { print; exit }' <<<"$a")
	b=$(awk -v n="$ncpu" -v t="$((tb - ta))" 'NF == 2 && t > 0 { p = 100 * n * $1 / t; if (p >= 5) { printf "%s%s %.0f%%", s, $2, p; s = ", "; if (++k == 3) exit } }' <<<"$a")
	CULPRITS=$b
}
# Waits up to QUIET_WAIT seconds for others to use at most QUIET_MAX % of a CPU;
# sets QUIET (a phrase for the report).
wait_quiet() {
	local waited=0
	sample_busy
	while (( BUSY > QUIET_MAX && waited < QUIET_WAIT )); do
		(( waited == 0 )) && say "  (waiting up to $QUIET_WAIT s for a quiet machine: $BUSY% of a CPU busy${CULPRITS:+: $CULPRITS})"
		sleep 1; waited=$((waited + 2))
		sample_busy
	done
	QUIET="others used $BUSY% of a CPU${CULPRITS:+ ($CULPRITS)}"
	if (( BUSY > QUIET_MAX )); then QUIET+=" — NOT QUIET, figures are noisy"; fi
}

first_line() { "$@" 2>/dev/null | head -n 1 || true; }
say "ghostwire socket-table benchmark  $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine:   $ncpu CPUs, $cpu_model, $(calc 'm / 1048576' m="$mem_kb" | xargs printf '%.1f') GiB RAM, $(uname -sr), governor $gov"
say "pinning:   $pinned; median of $RUNS runs after one warm-up"
say "versions:  $(first_line ss -V)"
if [[ $have_gw = 1 ]]; then
	gw_id="built $(date -u -r "$gw_origin" +%Y-%m-%dT%H:%M:%SZ)"
	have sha256sum && gw_id+=", sha256 $(sha256sum "$GW" | cut -c 1-12)"
	say "           ghostwire: $(first_line "$GW" --version) ($gw_origin, $gw_id; a copy is run)"
fi
[[ $have_pb = 1 ]] && say "           poll_bench: built $(date -u -r "$build/bench/poll_bench" +%Y-%m-%dT%H:%M:%SZ) (libghostwire linked in; a copy is run)"
say "tools:     sockfarm, bare_dump, poll_bench from $tools_src"
say "limits:    $fd_note"
say "           ephemeral ports $port_lo-$port_hi: one listener (127.0.0.K) per $(thousands "$PER_LISTENER") connections; somaxconn $somaxconn; fs.file-max $file_max${conntrack_note:+; $conntrack_note}"
if [[ ${#CHANGED[@]} -gt 0 ]]; then
	say "changed:   ${CHANGED[*]}"
else
	say "changed:   nothing on the system (no sysctl, no limit beyond the farm's own RLIMIT_NOFILE)"
fi
sample_busy
say "load:      others used $BUSY% of one CPU before the run (1 s sample)${CULPRITS:+: $CULPRITS}; each scenario waits up to $QUIET_WAIT s for <= $QUIET_MAX %"
say ""

# ------------------------------------------------------------------ results
RESULTS=$OUT/sockets.tsv
[[ -f $RESULTS ]] || printf 'date\tconns\tprocs\ttable_sockets\ttool\tms\tx_bare\tx_ss_tanp\tp99_ms\truns\tnote\n' >"$RESULTS"
run_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# times CMD... : RUNS wall-clock times (ms) of CMD > /dev/null after one warm-up,
# in TIMES (array) and their median in MED; returns 1 (stderr in $tmp/err) on failure
times_of() {
	local i t0 t1
	TIMES=(); MED=""
	"$@" >/dev/null 2>"$tmp/err" || return 1
	for ((i = 0; i < RUNS; i++)); do
		t0=$(now)
		"$@" >/dev/null 2>"$tmp/err" || return 1
		t1=$(now)
		TIMES+=("$(calc '(b - a) * 1000' a="$t0" b="$t1")")
	done
	MED=$(median "${TIMES[@]}")
}

row_fmt='  %-44s %9s %8s %8s   %s\n'
# row LABEL MS NOTE [P99]: a table line and a TSV line; ratios from BARE_MS and SSP_MS
row() {
	local label=$1 ms=$2 note=${3:-} p99=${4:-} rb rs
	rb=$(ratio "$ms" "${BARE_MS:-}")
	rs=$(ratio "$ms" "${SSP_MS:-}")
	# shellcheck disable=SC2059
	printf "$row_fmt" "$label" "$(fmt_ms "$ms")" "$rb" "$rs" "$note"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run_date" "$N" "$P" "${TABLE:-}" \
		"$label" "$ms" "$rb" "$rs" "$p99" "${ROW_RUNS:-$RUNS}" "$note" >>"$RESULTS"
}
row_fail() {
	# shellcheck disable=SC2059
	printf "$row_fmt" "$1" FAILED - - "${2:-}"
	sed 's/^/      | /' "$tmp/err" | tail -n 5
}

# TCP sockets in the table now (one bare dump)
tcp_count() { "$BARE" -n 1 -w 0 2>/dev/null | sed -n 's/^sockets=\([0-9]*\).*/\1/p'; }

declare -A VERDICT DETAIL SUMMARY
order=()
missed=0
baseline=$(tcp_count)
[[ -n $baseline ]] || die "bare_dump cannot dump the TCP table (sock_diag missing?)"

# scenario N P
scenario() {
	N=$1 P=$2
	local key="${N}x$P" label pe=$2 why="" l need
	label="$(human "$N") connections x $P process$([[ $P = 1 ]] || echo es)"
	order+=("$key")
	TABLE=""; BARE_MS=""; SSP_MS=""; ROW_RUNS=""
	say "== $label =="
	l=$(( (N + PER_LISTENER - 1) / PER_LISTENER ))
	# descriptors per holder
	need=$(( 2 * ((N + pe - 1) / pe) + l + 64 ))
	while (( need > fd_cap && pe < N )); do
		pe=$((pe + 1)); need=$(( 2 * ((N + pe - 1) / pe) + l + 64 ))
	done
	if (( pe != P )); then
		why="one process cannot hold $(thousands $((2 * ((N + P - 1) / P)))) sockets here ($fd_note)"
		say "  note: $why; running with $pe processes instead of $P"
		P=$pe
		label="$(human "$N") connections x $P processes (for $2)"
	fi
	# memory: about 4 kB of kernel memory per socket and 0.5 MB per holder, with room to spare
	local avail_kb need_kb
	avail_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	need_kb=$(( 2 * N * 4 + P * 512 ))
	if (( need_kb * 2 > avail_kb )); then
		why="about $((need_kb / 1024)) MB needed and $((avail_kb / 1024)) MB available"
		say "  skipped: $why"; say ""
		VERDICT[$key]=SKIP; DETAIL[$key]="$why"; SUMMARY[$key]="skipped"
		return 0
	fi
	local pid_max nprocs
	pid_max=$(sysctl -n kernel.pid_max); nprocs=$(find /proc -maxdepth 1 -name '[0-9]*' | wc -l)
	if (( nprocs + P + 100 > pid_max )); then
		why="$P processes do not fit below kernel.pid_max ($pid_max, $nprocs in use)"
		say "  skipped: $why"; say ""
		VERDICT[$key]=SKIP; DETAIL[$key]="$why"; SUMMARY[$key]="skipped"
		return 0
	fi

	# the farm
	local ready="" i t0
	rm -f "$tmp/ctl"
	: >"$tmp/farm.out"; : >"$tmp/farm.err"   # there before the farm opens them
	mkfifo "$tmp/ctl"
	t0=$(now)
	"${farm_cmd[@]}" -n "$N" -p "$P" -L "$PER_LISTENER" <"$tmp/ctl" >"$tmp/farm.out" 2>"$tmp/farm.err" &
	farm_pid=$!
	exec {farm_ctl}>"$tmp/ctl"    # the farm holds until this closes
	for ((i = 0; i < 1200; i++)); do   # up to 2 minutes
		ready=$(grep -m 1 '^ready ' "$tmp/farm.out" || true)
		[[ -n $ready ]] && break
		kill -0 "$farm_pid" 2>/dev/null || break
		sleep 0.1
	done
	if [[ -z $ready ]]; then
		say "  farm FAILED:"; sed 's/^/      | /' "$tmp/farm.err" | tail -n 5
		stop_farm
		VERDICT[$key]=SKIP; DETAIL[$key]="the farm could not be set up"; SUMMARY[$key]="farm failed"
		say ""; return 0
	fi
	TABLE=$(tcp_count)
	wait_quiet
	say "  farm: $(thousands "$N") connections = $(thousands $((2 * N))) sockets + $(kv listeners "$ready") listener(s), held by $P process$([[ $P = 1 ]] || echo es) (+ the farm's master: the listeners)" \
		"(pids $(kv pids "$ready")), ready in $(kv seconds "$ready") s"
	say "  table: $(thousands "$TABLE") TCP sockets (v4+v6) while held, $(thousands "$baseline") before"
	say "  load: $QUIET (1 s before the timings)"
	say ""
	# shellcheck disable=SC2059
	printf "$row_fmt" tool "ms" "x bare" "x ss -tanp" note

	# ss -tanp once first (warms the kernel's /proc dentries for every fd)
	ss -tanp >/dev/null 2>&1 || true

	# the floor: in process; run before and after the others, the median of all counts
	local b1 b2 ba bare_all=()
	b1=$("$BARE" -n "$RUNS" -w 1) || true
	ba=$("$BARE" -a -n "$RUNS" -w 1) || true

	# ss
	local tan="" tanp="" tan_n="" tanp_n=""
	if times_of ss -tan; then tan=$MED; tan_n=$(runs_list "${TIMES[@]}"); else tan=FAIL; fi
	if times_of ss -tanp; then tanp=$MED; tanp_n=$(runs_list "${TIMES[@]}"); else tanp=FAIL; fi

	# ghostwire in process
	local pb_ok=0
	if [[ $have_pb = 1 ]]; then
		if "$PB" -c "$COLD" -k "$WARM" -l "$LOOKUPS" -P "$(kv ports "$ready")" -B >"$tmp/pb.out" 2>"$tmp/err"; then pb_ok=1
		else cp "$tmp/err" "$tmp/pb.err"
		fi
	fi
	# ghostwire's command line
	local cli="" cli_n=""
	if [[ $have_gw = 1 ]]; then
		if times_of "$GW" sockets --json; then cli=$MED; cli_n=$(runs_list "${TIMES[@]}"); else cli=FAIL; fi
	fi
	b2=$("$BARE" -n "$RUNS" -w 1) || true

	local x own_ms="" pb_bare=""
	for x in $(kv all_ms "$b1" | tr , ' ') $(kv all_ms "$b2" | tr , ' '); do bare_all+=("$x"); done
	[[ ${#bare_all[@]} -gt 0 ]] && own_ms=$(median "${bare_all[@]}")
	[[ $pb_ok = 1 ]] && pb_bare=$(part bare)
	# the reference: the bare dumps between the warm polls, else bare_dump's own runs
	BARE_MS=$own_ms
	[[ -n $pb_bare ]] && BARE_MS=$(kv median_ms "$pb_bare")
	[[ $tanp != FAIL ]] && SSP_MS=$tanp

	if [[ -n $pb_bare ]]; then
		ROW_RUNS=$WARM
		row "bare dump, TCP v4+v6 (between warm polls)" "$BARE_MS" "$(kv sockets "$b1") sockets; the reference; p99 $(fmt_ms "$(kv p99_ms "$pb_bare")")" "$(kv p99_ms "$pb_bare")"
	fi
	ROW_RUNS=${#bare_all[@]}
	if [[ -n $own_ms ]]; then
		row "bare_dump, own process (before, after)" "$own_ms" "$(kv sockets "$b1") sockets; min $(fmt_ms "$(printf '%s\n' "${bare_all[@]}" | sort -g | head -n 1)"), max $(fmt_ms "$(printf '%s\n' "${bare_all[@]}" | sort -g | tail -n 1)")"
	else
		row_fail "bare_dump, own process"
	fi
	ROW_RUNS=$RUNS
	[[ -n $ba ]] && row "bare_dump -a: + UDP, RAW, PACKET" "$(kv median_ms "$ba")" "$(kv sockets "$ba") sockets: all that ghostwire's poll asks for"
	if [[ $tan = FAIL ]]; then row_fail "ss -tan"; else row "ss -tan > /dev/null" "$tan" "$tan_n"; fi
	if [[ $tanp = FAIL ]]; then row_fail "ss -tanp"; else row "ss -tanp > /dev/null" "$tanp" "$tanp_n"; fi

	local warm="" warm_p99="" lk_p99="" paired=""
	if [[ $pb_ok = 1 ]]; then
		local c w no lk tb ph pc pw
		local wb nb
		c=$(part cold); w=$(part warm); no=$(part noowners); lk=$(part lookup); tb=$(part table)
		wb=$(part warm_vs_bare); nb=$(part noowners_vs_bare)
		paired=$(kv median "$wb")
		ph=$(part phases); pc=$(part procinfo_cold); pw=$(part procinfo_warm)
		ROW_RUNS=$WARM
		[[ -n $no ]] && row "ghostwire poll, no owners, warm (in process)" "$(kv median_ms "$no")" "p99 $(fmt_ms "$(kv p99_ms "$no")"); paired with the bare dumps: $(kv median "$nb") x" "$(kv p99_ms "$no")"
		ROW_RUNS=$COLD
		[[ -n $c ]] && row "ghostwire poll + owners, cold (in process)" "$(kv median_ms "$c")" "$(IFS=, read -ra xs <<<"$(kv all_ms "$c")"; runs_list "${xs[@]}")"
		ROW_RUNS=$WARM
		warm=$(kv median_ms "$w"); warm_p99=$(kv p99_ms "$w")
		row "ghostwire poll + owners, warm (in process)" "$warm" "p99 $(fmt_ms "$warm_p99")$( ((WARM < 100)) && echo ' (the max)'); paired with the bare dumps: $paired x (p10 $(kv p10 "$wb"), p90 $(kv p90 "$wb"))" "$warm_p99"
		ROW_RUNS=$RUNS
		if [[ $cli = FAIL ]]; then row_fail "ghostwire sockets --json > /dev/null"
		elif [[ -n $cli ]]; then row "ghostwire sockets --json > /dev/null" "$cli" "$cli_n"
		fi
		say ""
		lk_p99=$(kv p99_us "$lk")
		if [[ $(kv n "$lk") -gt 0 ]]; then
			say "  exact lookups: $(kv n "$lk") calls on random farm connections: p50 $(kv p50_us "$lk") us, p90 $(kv p90_us "$lk") us, p99 $lk_p99 us, max $(kv max_us "$lk") us;" \
				"$(kv hits "$lk") hits, $(kv owned "$lk") with their owner, $(kv errors "$lk") errors"
			printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run_date" "$N" "$P" "$TABLE" \
				"exact lookup (us)" "$(kv p50_us "$lk")" - - "$lk_p99" "$(kv n "$lk")" "p50 in the ms column, p99 in the p99 column; us" >>"$RESULTS"
		else
			say "  exact lookups: none (no farm connection in the snapshot?)"
			lk_p99=""
		fi
		say "  ghostwire's last warm snapshot: $(kv sockets "$tb") sockets, $(kv processes "$tb") processes; $(kv farm_owned "$tb") of the $(kv farm "$tb") farm sockets attributed to their owner"
		[[ $(kv farm_owned "$tb") = "$(kv farm "$tb")" ]] || say "    WARNING: some farm sockets have no owner"
		[[ $(kv dropped "$tb") = 0 ]] || say "    WARNING: $(kv dropped "$tb") sockets or processes dropped (max_sockets)"
		say "  where a warm poll goes (medians, each part timed alone): dump+parse+sort $(fmt_ms "$(kv median_ms "$no")") ms (of which sort $(fmt_ms "$(kv sort_ms "$ph")")), procinfo refresh $(fmt_ms "$(kv median_ms "$pw")") ms (p99 $(fmt_ms "$(kv p99_ms "$pw")")),"
		say "    attributing $(kv sockets "$ph") sockets $(fmt_ms "$(kv attribute_ms "$ph")") ms, rereading $(kv owners "$ph") owners' details $(fmt_ms "$(kv details_ms "$ph")") ms; first procinfo refresh (cold) $(fmt_ms "$(kv ms "$pc")") ms"
	elif [[ $have_pb = 1 ]]; then
		say ""; say "  poll_bench FAILED:"; sed 's/^/      | /' "$tmp/pb.err" | tail -n 5
	fi
	say ""

	# the farm goes; wait for the table to empty (the farm resets its connections)
	stop_farm
	local left
	for ((i = 0; i < 100; i++)); do
		left=$(tcp_count)
		(( left <= baseline + 100 )) && break
		sleep 0.1
	done
	(( left <= baseline + 100 )) || warn "$left TCP sockets left after the farm stopped ($baseline before)"

	# verdicts
	local v=PASS d="" r rs_t
	if [[ -z $warm || -z $paired ]]; then
		v=SKIP; d="no warm poll or no bare dump figure"
	else
		r=$(printf '%.2f' "$paired")   # the median of the paired ratios
		if le "$r" "$TARGET_BARE"; then d="warm poll $r x the bare dump (<= $TARGET_BARE)"
		else v=MISS; d="warm poll $r x the bare dump (target <= $TARGET_BARE)"
		fi
		rs_t=${TARGET_SSP[$N]:-}
		if [[ -n $rs_t && -n $SSP_MS ]]; then
			r=$(ratio "$warm" "$SSP_MS")
			if le "$r" "$rs_t"; then d+=", $r x ss -tanp (<= $rs_t)"
			else v=MISS; d+=", $r x ss -tanp (target <= $rs_t)"
			fi
		fi
		if [[ -n $lk_p99 ]]; then
			if le "$lk_p99" "$TARGET_LOOKUP_US"; then d+=", lookup p99 $lk_p99 us (<= $TARGET_LOOKUP_US)"
			else v=MISS; d+=", lookup p99 $lk_p99 us (target <= $TARGET_LOOKUP_US)"
			fi
		fi
	fi
	[[ -n $why ]] && d+="; $P processes instead of $2"
	VERDICT[$key]=$v; DETAIL[$key]=$d
	SUMMARY[$key]="$(fmt_ms "$BARE_MS")|$(fmt_ms "$SSP_MS")|$(fmt_ms "$warm")|$([[ -n $paired ]] && printf '%.2f' "$paired" || echo -)|$(ratio "$warm" "$SSP_MS")|${lk_p99:--}|$P"
	printf '  %-5s %s\n\n' "$v" "$d"
	[[ $v = MISS ]] && missed=1
	return 0
}

t_start=$(now)
for n in "${conns_list[@]}"; do
	for p in "${procs_list[@]}"; do
		if (( p > n )); then
			say "== $(human "$n") connections x $p processes =="
			say "  skipped: more processes than connections"; say ""
			order+=("${n}x$p"); VERDICT["${n}x$p"]=SKIP; DETAIL["${n}x$p"]="more processes than connections"; SUMMARY["${n}x$p"]="skipped"
			continue
		fi
		scenario "$n" "$p"
	done
done

say "== summary (medians, ms) =="
printf '  %-22s %9s %10s %10s %8s %10s %12s\n' scenario "bare dump" "ss -tanp" "warm poll" "x bare" "x ss -tanp" "lookup p99"
for k in "${order[@]}"; do
	n=${k%x*}; p=${k#*x}
	if [[ ${SUMMARY[$k]} != *'|'* ]]; then
		printf '  %-22s %s\n' "$(human "$n") x $p" "${SUMMARY[$k]}"; continue
	fi
	IFS='|' read -r sb ss_ sw rb rs lp pe <<<"${SUMMARY[$k]}"
	printf '  %-22s %9s %10s %10s %8s %10s %9s us\n' "$(human "$n") x $p$([[ $pe != "$p" ]] && echo " ($pe)")" "$sb" "$ss_" "$sw" "$rb" "$rs" "$lp"
done
say ""
say "== targets =="
for k in "${order[@]}"; do
	n=${k%x*}; p=${k#*x}
	printf '%-5s %s: %s\n' "${VERDICT[$k]}" "$(human "$n") x $p" "${DETAIL[$k]}"
done
say "(results appended to $RESULTS; $(calc 'int(b - a + 0.5)' a="$t_start" b="$(now)") s)"
if [[ $STRICT = 1 && $missed = 1 ]]; then exit 1; fi
exit 0
