#!/bin/sh
# iface_bounce.sh GHOSTWIRE — the interface going down and up again during
# `watch`: the capture resumes (flows after the outage are judged), the gap is
# reported (stderr, counters, a capture record marking it, so flows in it get
# the capture-loss hint), and watch ends normally. Root; two namespaces of its
# own joined by a veth pair; bounded in time; cleaned up. Skipped (77) otherwise.
gw=$1
if [ "$(id -u)" != 0 ] || ! ip netns list >/dev/null 2>&1; then
	echo "iface_bounce.sh: skipped: needs root and ip netns"; exit 77
fi
[ -x /usr/bin/python3 ] || { echo "iface_bounce.sh: skipped: no /usr/bin/python3"; exit 77; }
A=gwb-a-$$ B=gwb-b-$$
tmp=$(mktemp -d)
cleanup() { ip netns del "$A" 2>/dev/null; ip netns del "$B" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
ip netns add "$A" && ip netns add "$B" || exit 1
ip link add gwb-a type veth peer name gwb-b || exit 1
ip link set gwb-a netns "$A"; ip link set gwb-b netns "$B"
ip -n "$A" addr add 10.77.88.1/24 dev gwb-a; ip -n "$B" addr add 10.77.88.2/24 dev gwb-b
ip -n "$A" link set gwb-a up; ip -n "$B" link set gwb-b up
ip -n "$A" link set lo up; ip -n "$B" link set lo up
serve='import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 9500)); s.listen(); s.settimeout(20)
for i in range(2):
    a, _ = s.accept(); a.recv(10); a.send(b"ok"); a.close()'
conn='import socket; c = socket.create_connection(("10.77.88.2", 9500), timeout=5); c.send(b"hi"); c.recv(10); c.close()'
ip netns exec "$B" timeout 25 /usr/bin/python3 -c "$serve" &
ip netns exec "$A" "$gw" watch -i gwb-a --duration 12 --closed-timeout 1 --json "$tmp/v.jsonl" --stay-root \
	>"$tmp/out" 2>"$tmp/err" &
gwpid=$!
sleep 1.5
ip netns exec "$A" timeout 5 /usr/bin/python3 -c "$conn" || echo "first connection failed"
sleep 1
ip -n "$A" link set gwb-a down
sleep 2
ip -n "$A" link set gwb-a up
sleep 3 # the link comes back; ghostwire retries once a second
ip netns exec "$A" timeout 5 /usr/bin/python3 -c "$conn" || echo "second connection failed"
wait "$gwpid"
rc=$?
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=$((fail + 1)); fi; }
check "watch ends normally (exit $rc)" '[ "$rc" -eq 0 ]'
check "the outage is reported" 'grep -q "interface gwb-a was down for" "$tmp/err"'
check "the counters count it" 'grep -q "interfaces down 1 times" "$tmp/err"'
n=$(grep -c '"remote":{"ip":"10.77.88.2","port":9500}' "$tmp/v.jsonl")
check "both connections were judged, before and after ($n)" '[ "$n" -ge 2 ]'
[ "$fail" -eq 0 ] || { cat "$tmp/err"; }
echo "$((4 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
