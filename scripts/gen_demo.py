#!/usr/bin/python3
# gen_demo.py — writes pcaps/demo/session.pcap, the bundled session the README's
# first command shows: one workstation's minute of traffic, with the kinds of
# flows a responder meets (DNS, HTTPS, NTP, inbound SSH, ping, a scan answered by
# RSTs, IPv6, and an outbound connection to an odd port). Deterministic.
#
# Run with Debian's python (python3-scapy):  /usr/bin/python3 scripts/gen_demo.py
# The workstation is 10.0.0.5 / 2001:db8:10::5; run the demo with --local-net 10.0.0.0/8.

import os
import struct
import sys

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.config import conf  # noqa: E402
conf.verb = 0
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.layers.inet import ICMP, IP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import IPv6  # noqa: E402
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402
from scapy.packet import Raw  # noqa: E402

T0 = 1714564800 * 1000000  # 2024-05-01T12:00:00Z in µs
HOST4, HOST6 = "10.0.0.5", "2001:db8:10::5"
MAC_HOST, MAC_GW = "00:00:5e:00:53:05", "00:00:5e:00:53:fe"

frames = []


def emit(t_ms, pkt, outbound):
    eth = Ether(src=MAC_HOST, dst=MAC_GW) if outbound else Ether(src=MAC_GW, dst=MAC_HOST)
    frames.append((T0 + int(t_ms * 1000), bytes(eth / pkt)))


def tcp_session(t, l, lp, r, rp, requests, v6=False, inbound=False, isn=1000):
    """A whole TCP connection: handshake, request/response pairs, FIN both ways."""
    ip_out = (lambda: IPv6(src=l, dst=r)) if v6 else (lambda: IP(src=l, dst=r, ttl=64, id=lp))
    ip_in = (lambda: IPv6(src=r, dst=l)) if v6 else (lambda: IP(src=r, dst=l, ttl=52, id=rp))
    cs, ss = isn, isn * 7
    client_out = not inbound

    def c2s(tt, flags, data=b""):
        nonlocal cs
        pkt = (ip_out() / TCP(sport=lp, dport=rp, flags=flags, seq=cs, ack=ss)) if client_out \
            else (ip_in() / TCP(sport=rp, dport=lp, flags=flags, seq=cs, ack=ss))
        emit(tt, pkt / Raw(data) if data else pkt, client_out)
        cs += len(data) + (1 if "S" in flags or "F" in flags else 0)

    def s2c(tt, flags, data=b""):
        nonlocal ss
        pkt = (ip_in() / TCP(sport=rp, dport=lp, flags=flags, seq=ss, ack=cs)) if client_out \
            else (ip_out() / TCP(sport=lp, dport=rp, flags=flags, seq=ss, ack=cs))
        emit(tt, pkt / Raw(data) if data else pkt, not client_out)
        ss += len(data) + (1 if "S" in flags or "F" in flags else 0)

    c2s(t, "S")
    s2c(t + 20, "SA")
    c2s(t + 40, "A")
    t += 40
    for req, resp in requests:
        c2s(t + 1, "PA", req)
        s2c(t + 30, "PA", resp)
        c2s(t + 31, "A")
        t += 500
    c2s(t + 1, "FA")
    s2c(t + 20, "FA")
    c2s(t + 40, "A")


def dns(t, name, answer, sport, server="1.1.1.1"):
    q = DNS(id=sport, rd=1, qd=DNSQR(qname=name))
    emit(t, IP(src=HOST4, dst=server) / UDP(sport=sport, dport=53) / q, True)
    a = DNS(id=sport, qr=1, rd=1, ra=1, qd=DNSQR(qname=name),
            an=DNSRR(rrname=name, ttl=300, rdata=answer))
    emit(t + 12, IP(src=server, dst=HOST4) / UDP(sport=53, dport=sport) / a, False)


tls_hello = b"\x16\x03\x01\x00\xc8" + bytes(200)
tls_reply = b"\x16\x03\x03\x10\x00" + bytes(1200)

dns(0, "github.com", "140.82.112.3", 40001)
tcp_session(20, HOST4, 50100, "140.82.112.3", 443, [(tls_hello, tls_reply)] * 3)
dns(900, "example.com", "93.184.216.34", 40002)
tcp_session(930, HOST4, 50101, "93.184.216.34", 80,
            [(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", b"HTTP/1.1 200 OK\r\n\r\n" + bytes(900))])
# NTP
emit(2000, IP(src=HOST4, dst="162.159.200.1") / UDP(sport=123, dport=123) / Raw(b"\x23" + bytes(47)), True)
emit(2015, IP(src="162.159.200.1", dst=HOST4) / UDP(sport=123, dport=123) / Raw(b"\x24" + bytes(47)), False)
# inbound SSH from an admin host
tcp_session(3000, HOST4, 22, "203.0.113.50", 51515,
            [(b"SSH-2.0-OpenSSH_9.2\r\n", b"SSH-2.0-OpenSSH_9.2\r\n" + bytes(300))] * 4, inbound=True)
# ping
for i in range(3):
    emit(6000 + i * 1000, IP(src=HOST4, dst="8.8.8.8") / ICMP(type=8, id=0x77, seq=i) / Raw(bytes(56)), True)
    emit(6000 + i * 1000 + 9, IP(src="8.8.8.8", dst=HOST4) / ICMP(type=0, id=0x77, seq=i) / Raw(bytes(56)), False)
# a scanner probes closed ports; the kernel answers RST
for i, port in enumerate((23, 445, 3389, 8080)):
    emit(10000 + i * 3, IP(src="198.51.100.7", dst=HOST4, ttl=44) / TCP(sport=61000, dport=port, flags="S", seq=5), False)
    emit(10000 + i * 3 + 1, IP(src=HOST4, dst="198.51.100.7") / TCP(sport=port, dport=61000, flags="RA", seq=0, ack=6), True)
# IPv6 DNS and HTTPS
q = DNS(id=7, rd=1, qd=DNSQR(qname="cloudflare.com", qtype="AAAA"))
emit(12000, IPv6(src=HOST6, dst="2606:4700:4700::1111") / UDP(sport=40003, dport=53) / q, True)
emit(12010, IPv6(src="2606:4700:4700::1111", dst=HOST6) / UDP(sport=53, dport=40003) / q, False)
tcp_session(12100, HOST6, 50102, "2606:4700::6810:84e5", 443, [(tls_hello, tls_reply)], v6=True)
# an outbound connection to an unusual port, small and regular: a beacon
for i in range(4):
    tcp_session(15000 + i * 10000, HOST4, 50200 + i, "45.33.32.156", 4444,
                [(b"\x00\x00\x00\x10beacon" + bytes(6), b"\x00\x00\x00\x04ok!!")], isn=3000 + i)

frames.sort(key=lambda f: f[0])
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pcaps", "demo", "session.pcap")
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for ts, data in frames:
        f.write(struct.pack("<IIII", ts // 1000000, ts % 1000000, len(data), len(data)))
        f.write(data)
print(f"{out}: {len(frames)} frames", file=sys.stderr)
