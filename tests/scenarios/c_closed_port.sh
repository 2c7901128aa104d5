#!/bin/bash
# c_closed_port.sh — scenario (c), the kernel answering for ports nobody listens on.
#
#   host 10.77.3.1 (gw-h, ghostwire)  <->  peer 10.77.3.2 (gw-p)
#
# No server runs on the host.
#   1. peer -> host:8081  5 connect()s: each SYN is answered by the host's kernel with
#                         RST+ACK
#   2. peer -> host:5301  3 UDP datagrams, 0.3 s apart, each from its own port: the
#                         host's kernel answers ICMP port unreachable
#   3. peer -> host       3 ICMP echo requests: the host's kernel answers
#   4. host -> peer:8082  3 connect()s to a closed port of the peer: the peer's kernel
#                         refuses them, the host's socket lives for the time of one
#                         round trip (only the lookup made at the SYN, or the kernel's
#                         destroy event, can have seen it)
# Expected (pcaps/sessions/c_closed_port/expect.json): 1-3 kernel-response, 4
# explained; nothing unexplained.
#
# usage: c_closed_port.sh GHOSTWIRE record DIR | GHOSTWIRE watch FILE (as root; see lib.sh)
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

sc_play() {
	sc_gw_start
	sc_bg syn nsx peer timeout 20 "${SC_TRAFFIC[@]}" tcp-refused 10.77.3.1 8081 5
	sc_bg udp nsx peer timeout 20 "${SC_TRAFFIC[@]}" udp-probe 10.77.3.1 5301 3 0.3
	sc_bg ping nsx peer timeout 20 "${SC_TRAFFIC[@]}" icmp-echo 10.77.3.1 3
	sc_bg out timeout 20 "${SC_TRAFFIC[@]}" tcp-refused 10.77.3.2 8082 3
	sc_wait_jobs
	sc_gw_stop 1.5
}

sc_main c_closed_port 3 "$@"
