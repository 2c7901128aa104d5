#!/bin/bash
# d_bpfdoor.sh — scenario (d), the BPFDoor pattern: an implant that binds no port. It
# reads every IPv4 frame of the interface through an AF_PACKET socket with a classic
# BPF filter attached, and answers a trigger from the trigger's destination port
# through raw sockets.
#
#   host 10.77.4.1 (gw-h, ghostwire, the implant)  <->  peer 10.77.4.2 (gw-p, operator)
#
#   1. host: the implant starts (AF_PACKET + filter 'udp dst port 7777 or SYN to tcp
#      dst port 7778', raw UDP and raw TCP sockets) and runs 4.5 s; nothing is bound
#      to 7777 or 7778.
#   2. peer -> host:7777/udp  a datagram with the magic payload; the host's kernel
#                             answers ICMP port unreachable, the implant answers a
#                             datagram from port 7777 (raw socket)
#   3. peer -> host:7778/tcp  a connect(): the host's kernel answers RST, the implant
#                             a SYN-ACK from port 7778 (raw socket)
# Expected (pcaps/sessions/d_bpfdoor/expect.json): both flows unexplained,
# hidden-listener (the host answered from a port where no socket was ever seen), with
# the packet-socket hint (python3's filtered packet socket among the holders) and
# the raw-socket hint.
#
# usage: d_bpfdoor.sh GHOSTWIRE record DIR | GHOSTWIRE watch FILE (as root; see lib.sh)
# shellcheck source=tests/scenarios/lib.sh
. "$(dirname "$0")/lib.sh"

sc_play() {
	sc_gw_start
	sc_bg implant timeout 20 "${SC_TRAFFIC[@]}" implant gw-h 7777 7778 4.5
	sleep 1.5 # the implant is in place, and polled, before the operator knocks
	sc_bg trigger nsx peer timeout 20 "${SC_TRAFFIC[@]}" trigger 10.77.4.1 7777 7778
	sc_wait_jobs
	sc_gw_stop 1.5
}

sc_main d_bpfdoor 4 "$@"
