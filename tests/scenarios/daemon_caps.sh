#!/bin/bash
# daemon_caps.sh GHOSTWIRE UNIT CONF — the daemon's capabilities, as its systemd unit
# grants them: enough, and none too many. Reads AmbientCapabilities=,
# CapabilityBoundingSet= and the user (DynamicUser=/User=) from UNIT (the installed
# form, build/data/ghostwire.service) and runs watch with CONF under exactly
# those, as the unit would (a non-root user, ambient capabilities, no_new_privs),
# then once more without each capability:
#
#   host 10.77.90.1 (gw-h: ghostwire, a client as nobody, a BPFDoor-style implant)
#     <->  peer 10.77.90.2 (gw-p: a TCP echo server; the implant's operator)
#
#   all of them          the capture opens; the client's connection is attributed to
#                        it (pid, name, uid 65534); the implant's packet socket shows
#                        its BPF filter; ghostwire's effective set is exactly the unit's;
#                        --state's file is written (its directory is the user's)
#   no CAP_NET_RAW       the capture cannot open: watch fails, naming CAP_NET_RAW
#   no CAP_NET_ADMIN     the implant's filter is hidden; process events: EPERM
#   no CAP_SYS_PTRACE    the connection's owner is `no-permission`
#   no CAP_DAC_READ_SEARCH  the same
#
# A capability in the unit that no case here shows to be needed fails the test. Then
# `systemd-analyze verify` on the unit (its ExecStart pointed at GHOSTWIRE), skipped
# with a message when systemd-analyze cannot run here. watch runs with the unit's
# ExecStart options (the test's files; no --syslog), or with only --config CONF
# while this ghostwire lacks one of them.
# Root, ip netns, setpriv and capsh; skipped (77) otherwise. Namespaces, PID
# namespace and cleanup: lib.sh.
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

NET=90
SC_NAME=daemon_caps

# unit_key KEY: KEY's value in $DC_UNIT, its lines joined (an empty one resets, as
# systemd reads them).
unit_key() {
	awk -F= -v k="$1" '$1 == k { v = ($2 == "" ? "" : v " " $2) } END { print v }' "$DC_UNIT"
}

# setpriv_caps "CAP_A CAP_B": -all,+a,+b (setpriv's form).
setpriv_caps() {
	local c out=-all
	for c in $1; do
		c=${c#CAP_}
		out="$out,+${c,,}"
	done
	echo "$out"
}

# without CAP "LIST": LIST less CAP.
without() {
	local c out=""
	for c in $2; do
		[ "$c" = "$1" ] || out="$out $c"
	done
	echo "$out"
}

# verdicts FILE: one line per fact the checks need, from watch's JSON lines:
#   conn PID NAME UID OWNER    the client's connection to the peer's port 9090
#   holder PID BPF_FILTER      a packet-socket holder named on any verdict
verdicts() {
	"$SC_PY" -c '
import json, sys
for line in open(sys.argv[1]):
    v = json.loads(line)
    if v["ghostwire"]["stage"] != "final":
        continue
    if v.get("destination", {}).get("port") == 9090 and v["network"]["transport"] == "tcp":
        p = v.get("process", {})
        print("conn", p.get("pid", "-"), p.get("name", "-"), p.get("user", {}).get("id", "-"),
              v["ghostwire"].get("socket", {}).get("owner", "-"))
    for h in v["ghostwire"].get("holders", []):
        if h.get("socket") == "packet":
            print("holder", h.get("pid", "-"), str(h.get("bpf_filter")).lower())
' "$1" | sort -u
}

CHECKS=0 FAILED=0
check() {
	CHECKS=$((CHECKS + 1))
	if eval "$2"; then
		echo "ok   $1"
	else
		echo "FAIL $1"
		FAILED=$((FAILED + 1))
	fi
}

# watch_args DIR: sets WATCH_ARGS to the unit's ExecStart options, its files the
# test's (--config CONF, --state in DIR) and without --syslog (nothing in the
# machine's journal); to --config CONF --no-tui while this ghostwire lacks one.
watch_args() {
	local w prev=""
	WATCH_ARGS=()
	if [ -n "$DC_EXEC_MISSING" ]; then
		WATCH_ARGS=(--config "$DC_CONF" --no-tui)
		return
	fi
	for w in $DC_EXEC; do
		case $prev in
		--config) w=$DC_CONF ;;
		--state) w=$1/state.json ;;
		esac
		[ "$w" = --syslog ] || WATCH_ARGS+=("$w")
		prev=$w
	done
}

# run LABEL "CAPS": watch as $DC_UID with CAPS (bounding, inheritable and ambient),
# while a client as nobody talks to the peer and the implant is knocked; leaves
# $RUN (directory), $GW_RC, $CLIENT_PID, $IMPLANT_PID, $GW_CAPEFF.
run() {
	local label=$1 caps
	caps=$(setpriv_caps "$2")
	RUN=$SC_TMP/$label
	mkdir -m 755 "$RUN" || sc_fail "mkdir $RUN"
	chown "$DC_UID:$DC_UID" "$RUN" || sc_fail "chown $RUN"
	watch_args "$RUN"
	setpriv --reuid="$DC_UID" --regid="$DC_UID" --clear-groups --no-new-privs \
		--bounding-set="$caps" --inh-caps="$caps" --ambient-caps="$caps" \
		"$SC_GW" watch "${WATCH_ARGS[@]}" --json "$RUN/v.jsonl" --duration 20 \
		--interval 200 --closed-timeout 1 >"$RUN/out" 2>"$RUN/err" &
	local gw=$!
	# ready once the JSON file is open (after the capture), or gone
	sc_wait 10 eval "[ -e '$RUN/v.jsonl' ] || ! kill -0 $gw 2>/dev/null"
	GW_CAPEFF=$(awk '/^CapEff:/ { print $2 }' "/proc/$gw/status" 2>/dev/null)
	sleep 0.5
	# no `timeout`: the pids must be the roles' own (they end by themselves)
	sc_bg implant "${SC_TRAFFIC[@]}" implant gw-h 7777 7778 3
	IMPLANT_PID=$!
	sc_bg client setpriv --reuid=65534 --regid=65534 --clear-groups \
		"${SC_TRAFFIC[@]}" tcp-long "10.77.$NET.2" 9090 2 0.5
	CLIENT_PID=$!
	sleep 1
	nsx peer timeout 10 "${SC_TRAFFIC[@]}" trigger "10.77.$NET.1" 7777 7778 ||
		sc_log "$label: the trigger failed"
	wait "$CLIENT_PID" || sc_log "$label: the client failed"
	wait "$IMPLANT_PID"
	sleep 1.5
	kill -INT "$gw" 2>/dev/null
	GW_RC=0
	wait "$gw" || GW_RC=$?
	sed "s/^/[$label ghostwire] /" "$RUN/err" >&2
	[ -f "$RUN/v.jsonl" ] && verdicts "$RUN/v.jsonl" >"$RUN/facts"
	touch "$RUN/facts"
	sed "s/^/[$label] /" "$RUN/facts" >&2
}

# has LABEL PATTERN: the run's facts have a line matching PATTERN (grep -E, whole line).
has() { grep -Eqx "$2" "$SC_TMP/$1/facts"; }

sc_play() {
	chmod 711 "$SC_TMP" # each run's directory is the daemon user's
	sc_bg server nsx peer timeout 90 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"${SC_TRAFFIC[@]}" tcp-echo-server "10.77.$NET.2" 9090 85
	sc_wait 5 sc_listening peer tcp 9090

	echo "unit: $DC_UNIT: user $DC_USER_DESC, capabilities:$DC_CAPS"
	if [ -n "$DC_EXEC_MISSING" ]; then
		echo "note: this ghostwire has no$DC_EXEC_MISSING: watch runs with --config CONF --no-tui"
	else
		watch_args DIR
		echo "watch runs with the unit's options: watch ${WATCH_ARGS[*]}"
	fi
	run all "$DC_CAPS"
	# shellcheck disable=SC2016 # check evals its condition
	check "all: watch ran and ended normally (exit $GW_RC)" '[ "$GW_RC" -eq 0 ]'
	local state=$SC_TMP/all/state.json
	if [ -z "$DC_EXEC_MISSING" ] && [[ " $DC_EXEC " == *" --state "* ]]; then
		check "all: --state's file is written, by the daemon's user" \
			"[ -s '$state' ] && [ \"\$(stat -c %u '$state')\" = $DC_UID ]"
	fi
	check "all: the connection is attributed to the client (pid $CLIENT_PID, nobody)" \
		"has all 'conn $CLIENT_PID python3 65534 known'"
	check "all: the implant's packet socket and its filter are seen (pid $IMPLANT_PID)" \
		"has all 'holder $IMPLANT_PID true'"
	local eff unit
	eff=$(capsh --decode="$GW_CAPEFF" | sed 's/.*=//' | tr , ' ')
	eff=$(echo "$eff" | xargs -n1 | sort | xargs)
	unit=$(echo "${DC_CAPS,,}" | xargs -n1 | sort | xargs)
	check "all: ghostwire's effective set is the unit's ($eff)" "[ '$eff' = '$unit' ]"

	local cap label
	for cap in $DC_CAPS; do
		label=no_${cap#CAP_}
		label=${label,,}
		run "$label" "$(without "$cap" "$DC_CAPS")"
		case $cap in
		CAP_NET_RAW)
			check "$label: the capture cannot open (exit $GW_RC)" \
				"[ '$GW_RC' -ne 0 ] && grep -q 'CAP_NET_RAW' '$RUN/err'"
			;;
		CAP_NET_ADMIN)
			check "$label: the implant's filter is hidden" \
				"has $label 'holder $IMPLANT_PID false' && ! has $label 'holder $IMPLANT_PID true'"
			check "$label: the kernel refuses process events" \
				"grep -q 'without process events (Operation not permitted)' '$RUN/err'"
			;;
		CAP_SYS_PTRACE | CAP_DAC_READ_SEARCH)
			check "$label: the connection's owner is no-permission" \
				"has $label 'conn - - - no-permission'"
			;;
		*)
			check "$label: something shows $cap is needed (nothing here does)" false
			;;
		esac
	done

	verify_unit
	echo "$((CHECKS - FAILED)) passed, $FAILED failed"
	[ "$FAILED" -eq 0 ] || sc_fail "$FAILED checks failed"
}

# verify_unit: systemd-analyze verify on a copy of the unit whose ExecStart is
# $SC_GW; skipped when systemd-analyze is missing or cannot verify a trivial unit.
verify_unit() {
	local d=$SC_TMP/verify
	mkdir -p "$d"
	if ! command -v systemd-analyze >/dev/null; then
		echo "skip systemd-analyze verify: no systemd-analyze"
		return
	fi
	printf '[Service]\nExecStart=/bin/true\n' >"$d/gw-trivial.service"
	if ! systemd-analyze verify --man=no "$d/gw-trivial.service" >"$d/log" 2>&1; then
		echo "skip systemd-analyze verify: it cannot run here ($(head -1 "$d/log"))"
		return
	fi
	sed "s|^ExecStart=[^ ]*/ghostwire |ExecStart=$SC_GW |" "$DC_UNIT" >"$d/ghostwire.service"
	check "systemd-analyze verify accepts the unit" \
		"systemd-analyze verify --man=no '$d/ghostwire.service' >&2"
}

if [ "${1:-}" = __inner ]; then
	sc_main "$SC_NAME" "$NET" "$@"
fi
if [ $# -ne 3 ]; then
	echo "usage: $0 GHOSTWIRE UNIT CONF" >&2
	exit 2
fi
[ "$(id -u)" = 0 ] || sc_skip "needs root (network namespaces, other users)"
for tool in setpriv capsh; do
	command -v "$tool" >/dev/null || sc_skip "no $tool"
done
DC_UNIT=$(realpath "$2") DC_CONF=$(realpath "$3")
[ -r "$DC_UNIT" ] && [ -r "$DC_CONF" ] || { echo "$0: cannot read $2 or $3" >&2; exit 2; }
DC_CAPS=$(unit_key AmbientCapabilities)
DC_BOUND=$(unit_key CapabilityBoundingSet)
[ -n "$DC_CAPS" ] || sc_fail "$DC_UNIT has no AmbientCapabilities="
for cap in $DC_CAPS; do
	case " $DC_BOUND " in *" $cap "*) ;; *) sc_fail "$cap is ambient but not in the bounding set" ;; esac
done
for cap in $DC_BOUND; do
	case " $DC_CAPS " in *" $cap "*) ;; *) sc_fail "$cap is in the bounding set but unused" ;; esac
done
# The user: DynamicUser= gets a free uid of systemd's dynamic range (no passwd
# entry, as there); User= names an account that must exist.
if [ "$(unit_key DynamicUser | tr -d ' ')" = yes ]; then
	DC_UID=61234
	while getent passwd "$DC_UID" >/dev/null || pgrep -U "$DC_UID" >/dev/null; do
		DC_UID=$((DC_UID + 1))
	done
	DC_USER_DESC="dynamic (uid $DC_UID)"
else
	user=$(unit_key User | tr -d ' ')
	[ -n "$user" ] && [ "$user" != root ] || sc_fail "the unit runs as root"
	DC_UID=$(id -u "$user" 2>/dev/null) || sc_skip "user $user does not exist here"
	DC_USER_DESC="$user (uid $DC_UID)"
fi
# The daemon's user must reach the binary and the configuration (not so in a
# build tree under a private home directory).
setpriv --reuid="$DC_UID" --regid="$DC_UID" --clear-groups test -x "$(realpath "$1")" -a -r "$DC_CONF" ||
	sc_skip "uid $DC_UID cannot run $1 or read $DC_CONF"
# ExecStart's watch options: those this ghostwire does not have yet are noted.
DC_EXEC=$(sed -n 's/^ExecStart=[^ ]*ghostwire watch //p' "$DC_UNIT")
[ -n "$DC_EXEC" ] || sc_fail "$DC_UNIT: no ExecStart=...ghostwire watch"
DC_EXEC_MISSING=""
for opt in $(echo "$DC_EXEC" | grep -o -- '--[a-z-]*'); do
	"$1" watch --help 2>&1 | grep -q -- "$opt\b" || DC_EXEC_MISSING="$DC_EXEC_MISSING $opt"
done
export DC_UNIT DC_CONF DC_CAPS DC_UID DC_USER_DESC DC_EXEC DC_EXEC_MISSING
# The namespaces, the PID namespace and the cleanup are lib.sh's (watch mode; its
# FILE is unused: each run writes its own JSON under $SC_TMP).
sc_main "$SC_NAME" "$NET" "$1" watch /dev/null
