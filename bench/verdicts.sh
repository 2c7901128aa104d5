#!/bin/bash
# bench/verdicts.sh — how `ghostwire watch` judges live traffic: false `unexplained`
# rate, detection latency, CPU use. Root only (network namespaces); not run in CI.
#
#   bench/verdicts.sh [GHOSTWIRE]      (default build/ghostwire)
#
# Environment: BENCH_RATE (connections/s of the load, 2000), BENCH_CPU_S (seconds of
# each CPU measurement, 30), BENCH_KEEP (an existing directory: the JSON lines and the
# latency samples are copied there).
#
# Builds two namespaces like the ground-truth scenarios (tests/scenarios/lib.sh):
#   host 10.77.79.1 (gw-h, ghostwire)  <->  peer 10.77.79.2 (gw-p)
# and runs everything else inside the host namespace, in a new PID namespace (so
# ghostwire sees only the bench's processes). Only traffic between those two.
#   1. false unexplained: 1000 short TCP connections host -> peer:9100 (echo) and 1000
#      peer -> host:7100 (echo); the verdicts of the flows to those ports, by kind.
#   2. detection latency: K=20 raw-socket SYNs host -> peer:9201 (closed: the peer's
#      kernel answers RST, which closes the flow; watch has no --idle-timeout), from
#      sendto() to the arrival of the flow's line on `watch --json -`.
#   3. CPU of watch from /proc/PID/stat (utime+stime): 30 s idle, 30 s under a paced
#      load of short connections host -> peer:9300 (BENCH_RATE per second, default 2000).
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/scenarios/lib.sh
. "$BENCH_DIR/../tests/scenarios/lib.sh"
set -euo pipefail
HELPER=("$SC_PY" "$BENCH_DIR/verdicts_traffic.py")
SC_NAME=bench_verdicts # used by lib.sh (ns, sc_log)
export SC_NAME
NET=79
H=10.77.$NET.1
P=10.77.$NET.2
K=20
RATE=${BENCH_RATE:-2000}
CPU_S=${BENCH_CPU_S:-30}

# ---- inside: host namespace, PID 1 of a new PID namespace ----

gw_json_start() { # FILE DURATION: watch --json FILE in the background, waits for the file
	rm -f "$1"
	"$SC_GW" watch -i gw-h --json "$1" --duration "$2" >"$SC_TMP/watch.text" \
		2>"$SC_TMP/watch.log" &
	GW_PID=$!
	local i=0
	until [ -e "$1" ]; do
		kill -0 "$GW_PID" 2>/dev/null || { cat "$SC_TMP/watch.log" >&2; sc_fail "watch died"; }
		i=$((i + 1))
		[ "$i" -lt 200 ] || sc_fail "watch did not open $1"
		sleep 0.05
	done
	sleep 1.5 # at least one poll done
}

gw_stop() {
	kill -INT "$GW_PID" 2>/dev/null || true
	local rc=0
	wait "$GW_PID" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$SC_TMP/watch.log" >&2; sc_fail "watch exited with $rc"; }
	GW_PID=""
}

cpu_ticks() { # PID: utime+stime in clock ticks
	local stat
	stat=$(cat "/proc/$1/stat")
	stat=${stat##*) } # fields from 3 (state) on; comm may hold spaces
	# shellcheck disable=SC2086
	set -- $stat
	echo $((${12} + ${13})) # utime is field 14, stime 15
}

inner() {
	trap 'set +e; [ -n "${GW_PID:-}" ] && kill -INT "$GW_PID" 2>/dev/null; [ "$$" = 1 ] && kill -TERM -1 2>/dev/null; wait' EXIT
	trap 'exit 1' INT TERM
	local out=$SC_TMP/out
	mkdir -p "$out"
	local hz
	hz=$(getconf CLK_TCK)

	# ---- 1. false unexplained ----
	sc_log "1/3: 1000 outbound + 1000 inbound short connections"
	nsx peer timeout 120 "${SC_TRAFFIC[@]}" tcp-echo-server 0.0.0.0 9100 100 &
	timeout 120 "${SC_TRAFFIC[@]}" tcp-echo-server 0.0.0.0 7100 100 &
	sc_wait 5 sc_listening peer tcp 9100
	sc_wait 5 sc_listening host tcp 7100
	gw_json_start "$out/fp.jsonl" 200
	local t0 t1 rc_o=0 rc_i=0
	t0=$(date +%s%3N)
	timeout 100 "${SC_TRAFFIC[@]}" tcp-short "$P" 9100 1000 &
	local pid_o=$!
	nsx peer timeout 100 "${SC_TRAFFIC[@]}" tcp-short "$H" 7100 1000 &
	local pid_i=$!
	wait "$pid_o" || rc_o=$?
	wait "$pid_i" || rc_i=$?
	t1=$(date +%s%3N)
	{ [ "$rc_o" -eq 0 ] && [ "$rc_i" -eq 0 ]; } || sc_fail "tcp-short failed ($rc_o, $rc_i)"
	sc_log "traffic took $(((t1 - t0) / 1000)).$(printf %03d $(((t1 - t0) % 1000))) s; waiting for the closed timeout"
	sleep 8 # closed-timeout 5 s + a poll: the flows end by themselves, not at SIGINT
	gw_stop
	local c_out c_in
	c_out=$("${HELPER[@]}" count "$out/fp.jsonl" 9100)
	c_in=$("${HELPER[@]}" count "$out/fp.jsonl" 7100)
	# PORT flows explained kernel-response transit unexplained kinds
	read -r _ o_flows o_expl o_kr o_tr o_un o_kinds <<<"$c_out"
	read -r _ i_flows i_expl i_kr i_tr i_un i_kinds <<<"$c_in"
	local un=$((o_un + i_un))
	local other=$((o_kr + o_tr + i_kr + i_tr))

	# ---- 2. detection latency ----
	sc_log "2/3: $K raw-socket SYNs to a closed port, latency to the verdict"
	"${HELPER[@]}" latency "$SC_GW" gw-h "$P" 9201 40000 "$K" 0.3 30 >"$out/lat.txt"
	local lat_stats
	lat_stats=$("$SC_PY" - "$out/lat.txt" <<'EOF'
import sys
lat, kinds, missing = [], {}, 0
for line in open(sys.argv[1]):
    f = line.split()
    if f[0] == "missing":
        missing = int(f[1])
        continue
    lat.append(float(f[1]))
    k = f[2] + "/" + f[3]
    kinds[k] = kinds.get(k, 0) + 1
lat.sort()
def pct(p):
    if not lat:
        return float("nan")
    i = min(len(lat) - 1, max(0, int(round(p / 100 * len(lat) + 0.5)) - 1))
    return lat[i]
print("%.3f %.3f %.3f %.3f %d %d %s" % (pct(50), pct(95), lat[-1] if lat else float("nan"),
      lat[0] if lat else float("nan"), len(lat), missing,
      ",".join("%s=%d" % kv for kv in sorted(kinds.items())) or "-"))
EOF
)
	read -r l50 l95 lmax lmin lgot lmiss lkinds <<<"$lat_stats"

	# ---- 3. CPU ----
	sc_log "3/3: CPU of watch, ${CPU_S} s idle then ${CPU_S} s at $RATE connections/s"
	nsx peer timeout $((CPU_S * 2 + 60)) "${HELPER[@]}" rate-server 0.0.0.0 9300 \
		$((CPU_S * 2 + 50)) &
	sc_wait 5 sc_listening peer tcp 9300
	gw_json_start "$out/cpu.jsonl" $((CPU_S * 3 + 60))
	local a b ta tb cpu_idle cpu_load load_res
	a=$(cpu_ticks "$GW_PID")
	ta=$(date +%s%N)
	sleep "$CPU_S"
	b=$(cpu_ticks "$GW_PID")
	tb=$(date +%s%N)
	cpu_idle=$(awk -v t=$((b - a)) -v hz="$hz" -v ns=$((tb - ta)) \
		'BEGIN { printf "%.2f", 100 * t / hz / (ns / 1e9) }')
	a=$(cpu_ticks "$GW_PID")
	ta=$(date +%s%N)
	load_res=$(timeout $((CPU_S + 30)) "${HELPER[@]}" rate-client "$P" 9300 "$RATE" "$CPU_S")
	b=$(cpu_ticks "$GW_PID")
	tb=$(date +%s%N)
	cpu_load=$(awk -v t=$((b - a)) -v hz="$hz" -v ns=$((tb - ta)) \
		'BEGIN { printf "%.2f", 100 * t / hz / (ns / 1e9) }')
	sleep 7
	gw_stop
	local c_load
	c_load=$("${HELPER[@]}" count "$out/cpu.jsonl" 9300)
	read -r _ L_flows L_expl L_kr L_tr L_un L_kinds <<<"$c_load"

	# ---- summary ----
	echo
	echo "=== ghostwire watch: verdicts bench ($(date -u +%FT%TZ), $(nproc) CPUs) ==="
	printf 'false unexplained: %d of 2000 (%s%%)\n' "$un" \
		"$(awk -v u="$un" 'BEGIN { printf "%.2f", 100 * u / 2000 }')"
	echo
	printf '%-44s %s\n' "measure" "result"
	printf '%-44s %s\n' "--------------------------------------------" "------------------------------"
	printf '%-44s %s\n' "outbound host->peer:9100 (1000 conns)" \
		"flows=$o_flows explained=$o_expl kernel-resp=$o_kr transit=$o_tr unexplained=$o_un"
	[ "$o_kinds" = - ] || printf '%-44s %s\n' "  unexplained kinds" "$o_kinds"
	printf '%-44s %s\n' "inbound peer->host:7100 (1000 conns)" \
		"flows=$i_flows explained=$i_expl kernel-resp=$i_kr transit=$i_tr unexplained=$i_un"
	[ "$i_kinds" = - ] || printf '%-44s %s\n' "  unexplained kinds" "$i_kinds"
	printf '%-44s %s\n' "false unexplained (target 0)" "$un of 2000, other non-explained: $other"
	printf '%-44s %s\n' "detection latency, $K raw SYNs (s)" \
		"p50=$l50 p95=$l95 max=$lmax min=$lmin (got $lgot, missing $lmiss)"
	printf '%-44s %s\n' "  verdicts of the SYN flows" "$lkinds"
	printf '%-44s %s\n' "  target: grace + one poll (2 s + 1 s)" \
		"$(awk -v m="$l95" 'BEGIN { print (m != "nan" && m <= 3.0) ? "met (p95 <= 3 s)" : "NOT met (p95 > 3 s)" }')"
	printf '%-44s %s\n' "CPU of watch, idle ${CPU_S} s" "${cpu_idle}% of one core"
	printf '%-44s %s\n' "CPU of watch, load ${CPU_S} s" "${cpu_load}% of one core"
	printf '%-44s %s\n' "  load (target $RATE conns/s)" "$load_res"
	printf '%-44s %s\n' "  load flows judged" \
		"flows=$L_flows explained=$L_expl kernel-resp=$L_kr transit=$L_tr unexplained=$L_un"
	[ "$L_kinds" = - ] || printf '%-44s %s\n' "  unexplained kinds" "$L_kinds"
	echo "watch counters (last run):"
	sed 's/^/  /' "$SC_TMP/watch.log"
	if [ -n "${BENCH_KEEP:-}" ]; then
		cp -r "$out/." "$BENCH_KEEP/"
		echo "outputs kept in $BENCH_KEEP"
	fi
}

# ---- outside ----

outer_cleanup() {
	local rc=$?
	set +e
	trap - EXIT INT TERM
	if [ -n "${INNER_PID:-}" ]; then
		local i=0
		while kill -0 "$INNER_PID" 2>/dev/null && [ "$i" -lt 30 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$INNER_PID" 2>/dev/null
		wait "$INNER_PID" 2>/dev/null
	fi
	local role
	for role in peer host; do
		ip netns del "$(ns "$role")" 2>/dev/null
	done
	[ -n "${SC_TMP:-}" ] && rm -rf "$SC_TMP"
	exit "$rc"
}

sweep() { # namespaces of earlier runs killed with SIGKILL
	local n pid
	for n in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
		case $n in gw-bench_verdicts-*-*) ;; *) continue ;; esac
		pid=${n%-*}
		pid=${pid##*-}
		case $pid in '' | *[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null || ip netns del "$n" 2>/dev/null || true
	done
}

if [ "${1:-}" = __inner ]; then
	inner
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "bench/verdicts.sh: needs root (network namespaces); nothing measured"
	exit 0
fi
SC_GW=${1:-$BENCH_DIR/../build/ghostwire}
case $SC_GW in /*) ;; *) SC_GW=$(pwd)/$SC_GW ;; esac
[ -x "$SC_GW" ] || { echo "$0: $SC_GW is not an executable (build first)" >&2; exit 2; }
for tool in ip unshare ss getconf; do
	command -v "$tool" >/dev/null || { echo "$0: $tool missing" >&2; exit 2; }
done
[ -x "$SC_PY" ] || { echo "$0: no $SC_PY" >&2; exit 2; }

SC_ID=$$
sweep
trap outer_cleanup EXIT
trap 'exit 1' INT TERM
SC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gw-bench.XXXXXX")
for role in host peer; do
	ip netns add "$(ns "$role")"
	nsx "$role" ip link set lo up
done
sc_link host gw-h 1 peer gw-p 2 "$NET"
# the load's 60 000 connections from one address to one port: no ephemeral port
# shortage from TIME_WAIT
nsx host sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
export SC_GW SC_ID SC_TMP BENCH_KEEP=${BENCH_KEEP:-}
nsx host unshare --pid --fork --mount-proc --kill-child bash "$0" __inner &
INNER_PID=$!
rc=0
wait "$INNER_PID" || rc=$?
INNER_PID=""
exit "$rc"
