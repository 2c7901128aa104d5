#!/bin/sh
# hunt_state.sh GHOSTWIRE SOURCE_ROOT — a restart of a long hunt: a beacon no
# socket explains goes on across two `watch --state FILE` runs; the first run
# alerts it and saves it in the state file; the second does not alert it
# again (its verdict says alert_held "restart") but alerts a new beacon that
# starts during it. With --syslog, the alert reaches /dev/log (a listener of
# the test's own when the machine has none). Root; two namespaces of its own
# joined by a veth pair; bounded in time; cleaned up. Skipped (77) otherwise.
gw=$1
root=$2
traffic=$root/tests/scenarios/traffic.py
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "hunt_state.sh: skipped: needs root and ip netns"; exit 77
fi
[ -x /usr/bin/python3 ] || { echo "hunt_state.sh: skipped: no /usr/bin/python3"; exit 77; }
A=gwh-a-$$ B=gwh-b-$$
tmp=$(mktemp -d)
own_log=
cleanup() {
	ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null
	[ -n "$own_log" ] && rm -f /dev/log
	rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.err "$tmp"/*.out; do echo "== $f"; cat "$f"; done; exit 1; }
ip netns add "$A" && ip netns add "$B" || exit 1
ip link add gwh-a type veth peer name gwh-b || exit 1
ip link set gwh-a netns "$A"; ip link set gwh-b netns "$B"
ip -n "$A" addr add 10.77.89.1/24 dev gwh-a; ip -n "$B" addr add 10.77.89.2/24 dev gwh-b
ip -n "$A" link set gwh-a up; ip -n "$B" link set gwh-b up
ip -n "$A" link set lo up; ip -n "$B" link set lo up

# syslog: a listener on /dev/log if there is none (removed at the end)
if [ ! -e /dev/log ]; then
	own_log=1
	timeout 30 /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log")
out = open(sys.argv[1], "ab", buffering=0)
while True:
    out.write(s.recv(65536) + b"\n")' "$tmp/syslog" &
	sleep 0.5
fi

# the old beacon, on for both runs and the gap between
ip netns exec "$A" timeout 20 /usr/bin/python3 "$traffic" raw-udp-beacon 10.77.89.2 40500 7500 16 &
sleep 0.5
watch() { # N: one run of 6 s
	ip netns exec "$A" "$gw" watch -i gwh-a --duration 6 --idle-timeout 60 --state "$tmp/state.json" \
		--json "$tmp/v$1.jsonl" --syslog --stay-root --no-tui >"$tmp/run$1.out" 2>"$tmp/run$1.err"
}
watch 1 || fail "run 1 failed"
grep -q '"stage":"opening".*"port":40500' "$tmp/v1.jsonl" || fail "run 1 did not alert the beacon"
grep -q '"local_port": 40500' "$tmp/state.json" || fail "the state file does not keep the alerted beacon"
# the new beacon starts during run 2
(sleep 1; ip netns exec "$A" timeout 8 /usr/bin/python3 "$traffic" raw-udp-beacon 10.77.89.2 40600 7600 4) &
watch 2 || fail "run 2 failed"
grep -q '1 alerted flows are not alerted again' "$tmp/run2.err" || fail "run 2 did not read the state"
if grep -q '"stage":"opening".*"port":40500' "$tmp/v2.jsonl"; then fail "run 2 alerted the old beacon again"; fi
grep -q '"port":40500.*"alert_held":"restart"' "$tmp/v2.jsonl" ||
	grep -q '"alert_held":"restart".*"port":40500' "$tmp/v2.jsonl" || fail "run 2's verdict on the old beacon does not say why it was held"
grep -q '"stage":"opening".*"port":40600' "$tmp/v2.jsonl" || fail "run 2 did not alert the new beacon"
grep -q '1 held as alerted before a restart' "$tmp/run2.err" || fail "the held alert is not counted"
if [ -n "$own_log" ]; then
	grep -q 'ghostwire\[[0-9]*\]: unexplained no-socket-outbound udp 10.77.89.1:40600 -> 10.77.89.2:7600 process=' "$tmp/syslog" ||
		fail "the new beacon's alert did not reach syslog"
	echo "ok: syslog got $(grep -c ghostwire "$tmp/syslog") lines"
fi
wait
echo "ok: the alerted beacon stayed quiet across the restart; the new one was alerted"
