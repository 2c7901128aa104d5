#!/bin/bash
# b_raw_syn.sh — scenario (b), a raw-socket SYN sender (the hping3 -S / SYN-scan
# pattern): SYNs built by hand and sent through an IPPROTO_TCP raw socket, so no TCP
# socket ever exists for them.
#
#   host 10.77.2.1 (gw-h, ghostwire, the sender)  <->  peer 10.77.2.2 (gw-p)
#
# peer: TCP echo servers on 10.77.2.2:8080 (open to the scan) and 10.77.2.2:9000; 8081,
# 8082, 22 and 80 closed.
#   1. host: one crafted SYN to each of 10.77.2.2:8080,8081,8082,22,80 from source
#      ports 40000..40004, 50 ms apart; the raw socket stays open 2.5 s so that the
#      poller sees it. 8080 answers SYN-ACK (the host's kernel, knowing no such
#      connection, resets it), the others RST.
#   2. host -> 10.77.2.2:9000: 3 ordinary connections (a real socket each), the
#      control group, at the same time.
# Expected (pcaps/sessions/b_raw_syn/expect.json): the five scan flows unexplained,
# no-socket-outbound, with the raw-socket hint naming python3 as a holder; the three
# ordinary connections explained.
#
# usage: b_raw_syn.sh GHOSTWIRE record DIR | GHOSTWIRE watch FILE (as root; see lib.sh)
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

sc_play() {
	sc_bg peer-echo nsx peer timeout 20 "${SC_TRAFFIC[@]}" tcp-echo-server 10.77.2.2 8080 10
	sc_bg peer-echo2 nsx peer timeout 20 "${SC_TRAFFIC[@]}" tcp-echo-server 10.77.2.2 9000 10
	sc_wait 5 sc_listening peer tcp 8080
	sc_wait 5 sc_listening peer tcp 9000
	SC_JOBS=""

	sc_gw_start
	sc_bg scan timeout 20 "${SC_TRAFFIC[@]}" syn-scan 10.77.2.2 40000 8080,8081,8082,22,80 2.5
	sc_bg ctl timeout 20 "${SC_TRAFFIC[@]}" tcp-short 10.77.2.2 9000 3
	sc_wait_jobs
	sc_gw_stop 1.5
}

sc_main b_raw_syn 2 "$@"
