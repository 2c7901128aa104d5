#!/bin/sh
# bench/flood.sh [BUILD_DIR] — ghostwire watch under a SYN flood with random
# sources (issue 7): the attacker (bench/synflood, a raw socket with sendmmsg)
# floods the watched host through a veth pair between two namespaces of this
# script's own, as fast as this machine sends, for SECONDS; watch runs with a
# bounded flow table (MAX_FLOWS). Prints the rate sent and captured, the drops,
# the flows created and evicted, watch's peak RSS against its size at rest,
# and whether it stayed up. Root only; traffic never leaves the two namespaces.
# Environment: SECONDS_FLOOD (10), MAX_FLOWS (65536).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
gw=$build/ghostwire
flood=$build/bench/synflood
secs=${SECONDS_FLOOD:-10}
max=${MAX_FLOWS:-65536}
[ "$(id -u)" = 0 ] || { echo "flood.sh: needs root (namespaces, raw sockets)" >&2; exit 2; }
A=gwf-a-$$ B=gwf-b-$$
tmp=$(mktemp -d)
cleanup() {
	set +e
	[ -n "${gwpid:-}" ] && kill "$gwpid" 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$A"; ip netns add "$B"
ip link add gwf-a type veth peer name gwf-b
ip link set gwf-a netns "$A"; ip link set gwf-b netns "$B"
ip -n "$A" addr add 10.77.99.1/24 dev gwf-a; ip -n "$B" addr add 10.77.99.2/24 dev gwf-b
ip -n "$A" link set gwf-a up; ip -n "$B" link set gwf-b up
ip -n "$A" link set lo up; ip -n "$B" link set lo up
# the random sources (10.128/9) route back through B, so A's SYN-ACKs and RSTs stay here
ip -n "$A" route add 10.128.0.0/9 via 10.77.99.2
ip netns exec "$A" sh -c "echo 0 > /proc/sys/net/ipv4/tcp_syncookies" 2>/dev/null || true
ip netns exec "$A" "$gw" watch -i gwf-a --max-flows "$max" --json /dev/null --stay-root \
	--duration $((secs + 12)) >"$tmp/out" 2>"$tmp/err" &
gwpid=$!
sleep 2
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$gwpid/status" 2>/dev/null || echo 0; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$gwpid/status" 2>/dev/null || echo 0; }
rest=$(rss)
sent=$(ip netns exec "$B" "$flood" 10.77.99.1 80 "$secs")
sleep 1
alive=no
kill -0 "$gwpid" 2>/dev/null && alive=yes
peak=$(hwm)
wait "$gwpid" && rc=0 || rc=$?
echo "=== ghostwire watch under a SYN flood ($(date -u +%FT%TZ), $(nproc) CPUs) ==="
printf '%-36s %s\n' "flood" "$sent SYNs in $secs s ($(awk -v n="$sent" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')/s), random sources"
printf '%-36s %s\n' "watch still running after the flood" "$alive (exit status at its end: $rc)"
printf '%-36s %s\n' "RSS at rest, peak (kB)" "$rest, $peak (flow table bound: $max flows)"
grep -h "ghostwire: captured" "$tmp/err" | sed 's/^ghostwire: /  /'
grep -h "ghostwire: flows" "$tmp/err" | sed 's/^ghostwire: /  /'
grep -h "^ghostwire: verdicts\|findings by\|^alerts: " "$tmp/err" | head -3 | sed "s/^/  /"
