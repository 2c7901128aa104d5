#!/bin/bash
# a_normal.sh — scenario (a), normal traffic: everything here has a socket, so nothing
# may come out `unexplained`.
#
#   host 10.77.1.1 fd77:1::1 (gw-h, ghostwire)  <->  peer 10.77.1.2 fd77:1::2 (gw-p)
#
# peer servers: HTTP on 10.77.1.2:8080 (python3 -m http.server), TCP echo on [::]:9000,
# UDP echo on [::]:5300. Host server: TCP echo on [::]:7000.
#   1. host -> peer:8080   200 HTTP GETs, one short-lived connection each (most live
#                          and die between two polls: only the exact lookup made when
#                          the SYN is seen, or the kernel's destroy event, can explain
#                          them)
#   2. host -> peer:9000   one long-lived connection, a line every 0.5 s for 6 s
#   3. host -> peer:5300   UDP: 3 connected sockets and 2 unconnected (sendto) ones,
#                          2 request/replies each, over IPv4; 1 + 1 over IPv6
#   4. host -> [fd77:1::2]:9000  3 short TCP connections over IPv6
#   5. peer -> host:7000   20 inbound connections to the host's listener (IPv4), 3 over
#                          IPv6
#   6. host -> [fd77:1::2]:5300  4 UDP request/replies 1.5 s apart. Both namespaces
#                          run IPv6 neighbour discovery with short timers (reachable
#                          for 0.5-1.5 s, first probe 1 s after): each side's cache
#                          entry for the other goes stale between two requests, and the
#                          kernel then probes it with a unicast Neighbour Solicitation
#                          that the other answers (NUD, RFC 4861 7.3) — what every IPv6
#                          host does all day, only sooner.
# Expected (pcaps/sessions/a_normal/expect.json): every TCP and UDP flow explained;
# the IPv6 housekeeping (DAD, MLD, router and neighbour solicitations and
# advertisements) transit or kernel-response; no flow unexplained.
#
# usage: a_normal.sh GHOSTWIRE record DIR | GHOSTWIRE watch FILE (as root; see lib.sh)
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

sc_setup() {
	local role dev
	for role in host peer; do
		dev=gw-h
		[ "$role" = peer ] && dev=gw-p
		nsx "$role" sysctl -qw "net.ipv6.neigh.$dev.base_reachable_time_ms=1000" \
			"net.ipv6.neigh.$dev.delay_first_probe_time=1" || sc_fail "sysctl"
	done
}

sc_play() {
	local www=$SC_TMP/www
	mkdir "$www"
	echo "ghostwire scenario a" >"$www/small.txt"
	nsx peer timeout 20 "$SC_PY" -m http.server --bind 10.77.1.2 --directory "$www" 8080 \
		>/dev/null 2>&1 &
	sc_bg peer-echo nsx peer timeout 20 "${SC_TRAFFIC[@]}" tcp-echo-server :: 9000 14
	sc_bg peer-udp nsx peer timeout 20 "${SC_TRAFFIC[@]}" udp-echo-server :: 5300 14
	sc_bg host-echo timeout 20 "${SC_TRAFFIC[@]}" tcp-echo-server :: 7000 14
	sc_wait 5 sc_listening peer tcp 8080
	sc_wait 5 sc_listening peer tcp 9000
	sc_wait 5 sc_listening peer udp 5300
	sc_wait 5 sc_listening host tcp 7000
	SC_JOBS="" # the servers end by themselves; wait for the clients only

	sc_gw_start
	sc_bg http timeout 20 "${SC_TRAFFIC[@]}" http-get 10.77.1.2 8080 200 /small.txt
	sc_bg long timeout 20 "${SC_TRAFFIC[@]}" tcp-long 10.77.1.2 9000 6 0.5
	sc_bg udp4 timeout 20 "${SC_TRAFFIC[@]}" udp-client 10.77.1.2 5300 3 2 2 1.5
	sc_bg udp6 timeout 20 "${SC_TRAFFIC[@]}" udp-client fd77:1::2 5300 1 1 2 1.5
	sc_bg slow6 timeout 20 "${SC_TRAFFIC[@]}" udp-slow fd77:1::2 5300 4 1.5
	sc_bg tcp6 timeout 20 "${SC_TRAFFIC[@]}" tcp-short fd77:1::2 9000 3
	sc_bg in4 nsx peer timeout 20 "${SC_TRAFFIC[@]}" tcp-short 10.77.1.1 7000 20
	sc_bg in6 nsx peer timeout 20 "${SC_TRAFFIC[@]}" tcp-short fd77:1::1 7000 3
	sc_wait_jobs
	sc_gw_stop 1.5
}

sc_main a_normal 1 "$@"
