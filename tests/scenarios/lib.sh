# shellcheck shell=bash
# tests/scenarios/lib.sh — what the ground-truth scenarios share (sourced by bash).
#
# A scenario script (a_normal.sh, ...) is run as
#
#     SCENARIO.sh GHOSTWIRE record DIR    records a session into the new directory DIR
#     SCENARIO.sh GHOSTWIRE watch FILE    runs `ghostwire watch --json FILE` live
#
# as root. It builds its own network namespaces, gw-<scenario>-<pid>-host, -peer (and
# -ctr for a container), joined by veth pairs with addresses in 10.77.<n>.0/24 and
# fd77:<n>::/64 and fixed MAC addresses; nothing outside those namespaces is touched.
#
# Everything then runs inside the host namespace and inside a new PID namespace with
# its own /proc (`ip netns exec HOST unshare --pid --fork --mount-proc`):
# - ghostwire sees only the scenario's processes (and, with --all-netns, only the
#   scenario's namespaces), so a session records nothing of the machine it ran on;
# - when the scenario ends, or is killed, the kernel kills every process it started.
# The traffic (traffic.py roles) is played from the peer namespace, the host namespace
# (which then plays the monitored host) or the container namespace. ghostwire captures
# on the host's veth (gw-h).
#
# The script defines
#     sc_setup  (optional)  more namespaces, links, routes, firewall rules: runs outside
#     sc_play               the traffic, between sc_gw_start and sc_gw_stop: runs inside
# then calls sc_main NAME NUMBER "$@". $SC_TMP is a scratch directory, removed at the
# end. A namespace left by a run killed with SIGKILL is deleted by the next run.
#
# Exit: 0 done, 1 failed (a role failed, ghostwire failed), 2 usage, 77 skipped (not
# root, no `ip netns`, no unshare, a tool missing).
set -u

SC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SC_PY=/usr/bin/python3
# shellcheck disable=SC2034 # used by the scenario scripts
SC_TRAFFIC=("$SC_PY" "$SC_DIR/traffic.py")
SC_MAX_S=${SC_MAX_S:-30}  # ghostwire's --duration: the bound if nothing stops it
SC_GW_OPTS=${SC_GW_OPTS:-} # more ghostwire options (e.g. --all-netns), set by sc_setup

sc_log() { echo "[$SC_NAME] $*" >&2; }
sc_skip() { echo "SKIP scenario $SC_NAME: $*" >&2; exit 77; }
sc_fail() { echo "FAIL scenario $SC_NAME: $*" >&2; exit 1; }

# ns NAME: the namespace name of role NAME (host, peer, ctr).
ns() { echo "gw-$SC_NAME-$SC_ID-$1"; }

# nsx ROLE CMD...: runs CMD in a scenario namespace.
nsx() {
	local role=$1
	shift
	ip netns exec "$(ns "$role")" "$@"
}

# sc_link NS_A IF_A ADDR_A NS_B IF_B ADDR_B NET: a veth pair between two scenario
# namespaces; ADDR_* are host numbers in 10.77.NET.0/24 and fd77:NET::/64, MACs are
# 02:77:NET:00:00:ADDR.
sc_link() {
	local a=$1 ia=$2 na=$3 b=$4 ib=$5 nb=$6 net=$7
	local mac_a mac_b
	mac_a=$(printf '02:77:%02x:00:00:%02x' "$net" "$na")
	mac_b=$(printf '02:77:%02x:00:00:%02x' "$net" "$nb")
	ip link add "$ia" address "$mac_a" netns "$(ns "$a")" type veth \
		peer name "$ib" address "$mac_b" netns "$(ns "$b")" || sc_fail "ip link add"
	nsx "$a" ip addr add "10.77.$net.$na/24" dev "$ia"
	nsx "$b" ip addr add "10.77.$net.$nb/24" dev "$ib"
	nsx "$a" ip addr add "fd77:$net::$na/64" dev "$ia" nodad
	nsx "$b" ip addr add "fd77:$net::$nb/64" dev "$ib" nodad
	nsx "$a" ip link set "$ia" up
	nsx "$b" ip link set "$ib" up
}

# sc_wait SECONDS CMD...: polls CMD every 50 ms until it succeeds; fails after SECONDS.
sc_wait() {
	local limit=$1
	shift
	local i=0 n=$((limit * 20))
	until "$@"; do
		i=$((i + 1))
		[ "$i" -ge "$n" ] && sc_fail "timed out waiting for: $*"
		sleep 0.05
	done
}

# sc_listening ROLE tcp|udp PORT: true when a socket listens on PORT in ROLE's namespace.
sc_listening() {
	local flag=-ltnH
	[ "$2" = udp ] && flag=-lunH
	nsx "$1" ss $flag "sport = :$3" | grep -q .
}

# sc_bg NAME CMD...: runs CMD in the background, its stderr in the log as NAME.
sc_bg() {
	local name=$1
	shift
	"$@" 2> >(sed "s/^/[$SC_NAME $name] /" >&2) &
	SC_JOBS="$SC_JOBS $!"
}

# sc_gw_ready: true once ghostwire captures and has polled; fails the scenario if
# ghostwire is gone.
sc_gw_ready() {
	kill -0 "$SC_GW_PID" 2>/dev/null || sc_fail "ghostwire did not start: $(cat "$SC_GW_LOG")"
	case $SC_MODE in
	# the header, then the first snapshot: the capture is open, and the signal
	# handlers are set right after it
	record) [ -f "$SC_OUT/sockets.jsonl" ] && [ "$(wc -l <"$SC_OUT/sockets.jsonl")" -ge 2 ] ;;
	# the file is opened after the capture, right before the first poll
	watch) [ -e "$SC_OUT" ] ;;
	esac
}

# sc_gw_start: starts ghostwire on the host's veth, in the mode asked, and waits until
# it captures and has polled once.
sc_gw_start() {
	SC_GW_LOG=$SC_TMP/ghostwire.log
	case $SC_MODE in
	record)
		# shellcheck disable=SC2086
		"$SC_GW" record -i gw-h -w "$SC_OUT" --duration "$SC_MAX_S" $SC_GW_OPTS \
			2>"$SC_GW_LOG" &
		SC_GW_PID=$!
		sc_wait 10 sc_gw_ready
		;;
	watch)
		# shellcheck disable=SC2086
		"$SC_GW" watch -i gw-h --json "$SC_OUT" --duration "$SC_MAX_S" $SC_GW_OPTS \
			>"$SC_GW_LOG.text" 2>"$SC_GW_LOG" &
		SC_GW_PID=$!
		sc_wait 10 sc_gw_ready
		sleep 0.5
		;;
	esac
	SC_T0=$(date +%s%3N)
}

# sc_gw_stop: lets the last packets and one more poll in, then stops ghostwire with
# SIGINT (open flows are judged, files flushed) and checks its exit status.
sc_gw_stop() {
	sleep "${1:-1.5}"
	kill -INT "$SC_GW_PID" 2>/dev/null
	local rc=0
	wait "$SC_GW_PID" || rc=$?
	sed "s/^/[$SC_NAME ghostwire] /" "$SC_GW_LOG" >&2
	[ -f "$SC_GW_LOG.text" ] && sed "s/^/[$SC_NAME ghostwire] /" "$SC_GW_LOG.text" >&2
	[ "$rc" -eq 0 ] || sc_fail "ghostwire $SC_MODE exited with $rc"
	local ms=$(($(date +%s%3N) - SC_T0))
	sc_log "traffic and ghostwire: $((ms / 1000)).$(printf %03d $((ms % 1000))) s"
}

# sc_wait_jobs: waits for the roles started with sc_bg; fails if one did.
sc_wait_jobs() {
	local j rc=0
	for j in $SC_JOBS; do
		wait "$j" || rc=1
	done
	SC_JOBS=""
	[ "$rc" -eq 0 ] || sc_fail "a traffic role failed"
}

sc_cleanup_outer() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "${SC_INNER_PID:-}" ]; then
		# unshare ignores SIGTERM while it waits for its child, PID 1 of the
		# scenario, which had the signal too and is stopping; if it does not,
		# SIGKILL to unshare reaches it (--kill-child), and with it every
		# process of the PID namespace.
		local i=0
		while kill -0 "$SC_INNER_PID" 2>/dev/null && [ "$i" -lt 30 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -KILL "$SC_INNER_PID" 2>/dev/null
		wait "$SC_INNER_PID" 2>/dev/null
	fi
	local role
	for role in ctr peer host; do
		ip netns del "$(ns "$role")" 2>/dev/null
	done
	[ -n "${SC_TMP:-}" ] && rm -rf "$SC_TMP"
	exit "$rc"
}

sc_cleanup_inner() {
	local rc=$?
	trap - EXIT INT TERM
	if [ -n "${SC_GW_PID:-}" ] && kill -0 "$SC_GW_PID" 2>/dev/null; then
		kill -INT "$SC_GW_PID" 2>/dev/null
		wait "$SC_GW_PID" 2>/dev/null
	fi
	# As PID 1 of the scenario's PID namespace, -1 is every other process in it
	# (and when PID 1 exits, the kernel kills whatever is left). Never elsewhere:
	# there -1 would be every process of the machine.
	[ "$$" = 1 ] && kill -TERM -1 2>/dev/null
	exit "$rc"
}

# sc_sweep: deletes the namespaces of scenario runs whose script is gone (killed with
# SIGKILL, which no trap sees): gw-<scenario>-<pid>-<role> with no process <pid>.
sc_sweep() {
	local n pid
	for n in $(ip netns list 2>/dev/null | cut -d' ' -f1); do
		case $n in
		gw-a_normal-*-* | gw-b_raw_syn-*-* | gw-c_closed_port-*-* | gw-d_bpfdoor-*-* | \
			gw-e_nat-*-* | gw-daemon_caps-*-*) ;;
		*) continue ;;
		esac
		pid=${n%-*}
		pid=${pid##*-}
		case $pid in '' | *[!0-9]*) continue ;; esac
		kill -0 "$pid" 2>/dev/null || ip netns del "$n" 2>/dev/null
	done
}

sc_main() {
	SC_NAME=$1 SC_NET=$2
	shift 2
	if [ "${1:-}" = __inner ]; then
		# inside: the host namespace, PID 1 of a new PID namespace
		SC_JOBS=""
		trap sc_cleanup_inner EXIT
		trap 'exit 1' INT TERM
		sc_play
		exit 0
	fi
	if [ $# -ne 3 ] || { [ "$2" != record ] && [ "$2" != watch ]; }; then
		echo "usage: $0 GHOSTWIRE record DIR | GHOSTWIRE watch FILE" >&2
		exit 2
	fi
	SC_GW=$1 SC_MODE=$2 SC_OUT=$3
	case $SC_GW in /*) ;; *) SC_GW=$(pwd)/$SC_GW ;; esac
	case $SC_OUT in /*) ;; *) SC_OUT=$(pwd)/$SC_OUT ;; esac
	[ -x "$SC_GW" ] || { echo "$0: $SC_GW is not an executable" >&2; exit 2; }
	[ "$(id -u)" = 0 ] || sc_skip "needs root (network namespaces)"
	if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
		sc_skip "no 'ip netns'"
	fi
	command -v unshare >/dev/null || sc_skip "no unshare (util-linux)"
	command -v ss >/dev/null || sc_skip "no ss (iproute2)"
	[ -x "$SC_PY" ] || sc_skip "no $SC_PY"
	if [ "$SC_MODE" = record ] && [ -e "$SC_OUT" ]; then
		echo "$0: $SC_OUT exists (record into a new directory)" >&2
		exit 2
	fi
	SC_ID=$$
	sc_sweep
	trap sc_cleanup_outer EXIT
	trap 'exit 1' INT TERM
	SC_TMP=$(mktemp -d "${TMPDIR:-/tmp}/gw-scenario.XXXXXX") || sc_fail "mktemp"
	local role
	for role in host peer; do
		ip netns add "$(ns "$role")" || sc_fail "ip netns add $(ns "$role")"
		nsx "$role" ip link set lo up
	done
	sc_link host gw-h 1 peer gw-p 2 "$SC_NET"
	if declare -F sc_setup >/dev/null; then
		sc_setup
	fi
	export SC_GW SC_MODE SC_OUT SC_ID SC_GW_OPTS SC_MAX_S SC_TMP
	nsx host unshare --pid --fork --mount-proc --kill-child bash "$0" __inner &
	SC_INNER_PID=$!
	local rc=0
	wait "$SC_INNER_PID" || rc=$?
	SC_INNER_PID=""
	[ "$rc" -eq 0 ] || exit "$rc"
	exit 0
}
