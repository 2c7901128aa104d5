#!/usr/bin/python3
# gen_demo.py — writes pcaps/sessions/demo/, the bundled session the README's
# first command shows: a minute of one workstation's traffic and the socket
# timeline that goes with it, made by hand (not recorded) so that it can hold
# public addresses (GeoIP), names on the wire (DNS answers, TLS SNI, HTTP Host)
# and the findings a responder meets, each with its ground truth:
#   - firefox: DNS (through systemd-resolved), HTTPS to github.com, IPv6 HTTPS;
#   - curl through a local squid proxy to example.com (the proxy hint names curl);
#   - chronyd's NTP, an inbound SSH session, a ping and a port scan the kernel
#     answers;
#   - a beacon: four connections to 45.33.32.156:4444 built on a raw socket by
#     a process that calls itself [kworker/0:2] and runs a deleted binary from
#     /dev/shm — no socket explains them (unexplained, raw-socket, crafted-syn).
# Deterministic. The timeline follows docs/timeline.md (version 2).
#
# Run with Debian's python (python3-scapy):  /usr/bin/python3 scripts/gen_demo.py

import hashlib
import json
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
NETNS = 4026531840
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pcaps", "sessions", "demo")

frames = []
records = []
cookie = [7000]


def us(t_ms):
    return T0 + int(round(t_ms * 1000))


def ts(t_us):
    s, frac = divmod(t_us, 1000000)
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + ".%06dZ" % frac


def emit(t_ms, pkt, outbound):
    eth = Ether(src=MAC_HOST, dst=MAC_GW) if outbound else Ether(src=MAC_GW, dst=MAC_HOST)
    frames.append((us(t_ms), bytes(eth / pkt)))


# ---- processes ----

def sha(name):
    return hashlib.sha256(name.encode()).hexdigest()


def proc(pid, ppid, comm, exe, cmdline, user="root", uid=0, marks=(), deleted=False):
    return {"pid": pid, "ppid": ppid, "uid": uid, "netns": NETNS,
            "start": ts(T0 - 3600 * 1000000 + pid * 1000), "comm": comm, "exe": exe,
            "cmdline": cmdline, "container": "", "user": user, "exe_deleted": deleted,
            "exe_hash_status": "ok", "exe_sha256": sha(exe), "marks": list(marks)}


P = {
    "resolved": proc(310, 1, "systemd-resolve", "/usr/lib/systemd/systemd-resolved",
                     "/lib/systemd/systemd-resolved", "systemd-resolve", 990),
    "chronyd": proc(350, 1, "chronyd", "/usr/sbin/chronyd", "/usr/sbin/chronyd -F 1",
                    "_chrony", 105),
    "sshd": proc(400, 1, "sshd", "/usr/sbin/sshd", "sshd: /usr/sbin/sshd -D"),
    "squid": proc(520, 1, "squid", "/usr/sbin/squid", "/usr/sbin/squid --foreground -sYC",
                  "proxy", 13),
    "firefox": proc(2001, 1800, "firefox-esr", "/usr/lib/firefox-esr/firefox-esr",
                    "/usr/lib/firefox-esr/firefox-esr", "alice", 1000),
    "curl": proc(2100, 1900, "curl", "/usr/bin/curl",
                 "curl -x http://127.0.0.1:3128 http://example.com/", "alice", 1000),
    "implant": proc(6666, 1, "kworker/0:2", "/dev/shm/.x", "[kworker/0:2]",
                    marks=("deleted-exe", "tmp-exe", "unpackaged-exe", "kthread-disguise"),
                    deleted=True),
    "ghostwire": proc(4100, 4000, "ghostwire", "/usr/local/bin/ghostwire",
                      "ghostwire watch -i eth0 -w demo", marks=("unpackaged-exe",)),
}


def sock(proto, family, state, local, lport, remote, rport, inode, owner, **kw):
    cookie[0] += 1
    s = {"proto": proto, "family": family, "state": state, "raw_protocol": kw.get("raw", 0),
         "local": local, "local_port": lport, "remote": remote, "remote_port": rport,
         "packet_type": 0, "packet_proto": kw.get("packet_proto", 0),
         "packet_filter": kw.get("packet_filter", False), "v6only": False,
         "owner_status": "known" if owner else "not-found", "ifindex": 0, "uid": 0,
         "rx_queue": 0, "tx_queue": 0, "inode": inode, "cookie": cookie[0], "netns": NETNS,
         "pid": P[owner]["pid"] if owner else 0, "n_holders": 1 if owner else 0}
    return s


def snapshot(t_ms, socks):
    owners = sorted({s["pid"] for s in socks if s["owner_status"] == "known"})
    procs = [p for p in sorted(P.values(), key=lambda p: p["pid"]) if p["pid"] in owners]
    records.append((us(t_ms), {"type": "snapshot", "sockets": socks, "processes": procs}))


def lookup(t_ms, s, owner):
    fam = s["family"]
    q = {"proto": s["proto"], "family": fam, "local": s["local"], "local_port": s["local_port"],
         "remote": s["remote"], "remote_port": s["remote_port"], "netns": 0}
    records.append((us(t_ms), {"type": "lookup", "query": q, "found": True, "socket": s,
                               "process": P[owner]}))


def delta(t_ms, added, removed):
    owners = sorted({s["pid"] for s in added if s["owner_status"] == "known"})
    procs = [p for p in sorted(P.values(), key=lambda p: p["pid"]) if p["pid"] in owners]
    records.append((us(t_ms), {"type": "delta", "added": added, "removed": removed,
                               "processes": procs}))


# ---- the wire ----

def tcp_session(t, l, lp, r, rp, requests, v6=False, inbound=False, isn=1000, opts=True):
    """A whole TCP connection: handshake, request/response pairs, FIN both ways."""
    ip_out = (lambda: IPv6(src=l, dst=r)) if v6 else (lambda: IP(src=l, dst=r, ttl=64, id=lp, flags="DF"))
    ip_in = (lambda: IPv6(src=r, dst=l)) if v6 else (lambda: IP(src=r, dst=l, ttl=52, id=rp, flags="DF"))
    kernel_syn = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 0)), ("NOP", None), ("WScale", 7)]
    cs, ss = isn, isn * 7
    client_out = not inbound

    def c2s(tt, flags, data=b""):
        nonlocal cs
        o = kernel_syn if flags == "S" and opts else []
        pkt = (ip_out() / TCP(sport=lp, dport=rp, flags=flags, seq=cs, ack=ss, options=o)) if client_out \
            else (ip_in() / TCP(sport=rp, dport=lp, flags=flags, seq=cs, ack=ss, options=o))
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
    return t + 40


def dns(t, name, answers, sport, server="1.1.1.1"):
    """A query from HOST4:sport and its answer: answers is [(rrname, type, rdata)]."""
    q = DNS(id=sport, rd=1, qd=DNSQR(qname=name))
    emit(t, IP(src=HOST4, dst=server) / UDP(sport=sport, dport=53) / q, True)
    an = None
    for rrname, rtype, rdata in answers:
        rr = DNSRR(rrname=rrname, type=rtype, ttl=300, rdata=rdata)
        an = rr if an is None else an / rr
    a = DNS(id=sport, qr=1, rd=1, ra=1, qd=DNSQR(qname=name), an=an)
    emit(t + 12, IP(src=server, dst=HOST4) / UDP(sport=53, dport=sport) / a, False)


def client_hello(sni):
    """A TLS 1.2 ClientHello with one extension, server_name."""
    name = sni.encode()
    ext_sni = struct.pack("!HHHBH", 0, len(name) + 5, len(name) + 3, 0, len(name)) + name
    body = b"\x03\x03" + bytes(32) + b"\x00" + struct.pack("!H", 2) + b"\x13\x01" + b"\x01\x00"
    body += struct.pack("!H", len(ext_sni)) + ext_sni
    hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs


tls_reply = b"\x16\x03\x03\x10\x00" + bytes(1200)

# ---- the minute ----

sshd_listen = sock("tcp", "ipv4", "listen", "0.0.0.0", 22, "0.0.0.0", 0, 11000, "sshd")
squid_listen = sock("tcp", "ipv4", "listen", "127.0.0.1", 3128, "0.0.0.0", 0, 11010, "squid")
chrony = sock("udp", "ipv4", "unconn", "0.0.0.0", 123, "0.0.0.0", 0, 11020, "chronyd")
resolver = sock("udp", "ipv4", "unconn", "127.0.0.53", 53, "0.0.0.0", 0, 11030, "resolved")
implant_raw = sock("raw", "ipv4", "unconn", "0.0.0.0", 0, "0.0.0.0", 0, 11040, "implant", raw=6)
gw_packet = sock("packet", "ipv4", "unconn", "0.0.0.0", 0, "0.0.0.0", 0, 11050, "ghostwire",
                 packet_proto=3)
gw_packet["family"] = "none"
gw_packet["local"] = gw_packet["remote"] = None
steady = [sshd_listen, squid_listen, chrony, resolver, implant_raw, gw_packet]
snapshot(-500, steady)

# firefox: DNS for github.com through systemd-resolved, then HTTPS
dns(0, "github.com", [("github.com", "A", "140.82.112.3")], 40001)
lookup(1, sock("udp", "ipv4", "established", HOST4, 40001, "1.1.1.1", 53, 12001, "resolved"),
       "resolved")
gh = sock("tcp", "ipv4", "established", HOST4, 50100, "140.82.112.3", 443, 12002, "firefox")
end = tcp_session(20, HOST4, 50100, "140.82.112.3", 443, [(client_hello("github.com"), tls_reply)] * 3)
lookup(21, gh, "firefox")

# curl through the local squid: curl -> 127.0.0.1:3128 (loopback: not on eth0),
# squid -> example.com:80 on the wire
dns(900, "example.com", [("example.com", "A", "93.184.216.34")], 40002)
lookup(901, sock("udp", "ipv4", "established", HOST4, 40002, "1.1.1.1", 53, 12003, "resolved"),
       "resolved")
curl_c = sock("tcp", "ipv4", "established", "127.0.0.1", 45678, "127.0.0.1", 3128, 12004, "curl")
squid_a = sock("tcp", "ipv4", "established", "127.0.0.1", 3128, "127.0.0.1", 45678, 12005, "squid")
squid_out = sock("tcp", "ipv4", "established", HOST4, 50101, "93.184.216.34", 80, 12006, "squid")
delta(925, [curl_c, squid_a], [])
tcp_session(930, HOST4, 50101, "93.184.216.34", 80,
            [(b"GET / HTTP/1.1\r\nHost: example.com\r\nVia: 1.1 squid\r\n\r\n",
              b"HTTP/1.1 200 OK\r\n\r\n" + bytes(900))])
lookup(931, squid_out, "squid")
delta(1925, [squid_out], [])
delta(2925, [], [curl_c, squid_a, squid_out])

# NTP
emit(2000, IP(src=HOST4, dst="162.159.200.1") / UDP(sport=123, dport=123) / Raw(b"\x23" + bytes(47)), True)
emit(2015, IP(src="162.159.200.1", dst=HOST4) / UDP(sport=123, dport=123) / Raw(b"\x24" + bytes(47)), False)
# inbound SSH from an admin host: the listener explains it
tcp_session(3000, HOST4, 22, "203.0.113.50", 51515,
            [(b"SSH-2.0-OpenSSH_9.2\r\n", b"SSH-2.0-OpenSSH_9.2\r\n" + bytes(300))] * 4, inbound=True)
# a monitoring host pings the workstation: the kernel answers
for i in range(3):
    emit(6000 + i * 1000, IP(src="8.8.8.8", dst=HOST4) / ICMP(type=8, id=0x77, seq=i) / Raw(bytes(56)), False)
    emit(6000 + i * 1000 + 1, IP(src=HOST4, dst="8.8.8.8") / ICMP(type=0, id=0x77, seq=i) / Raw(bytes(56)), True)
# a scanner probes closed ports; the kernel answers RST
for i, port in enumerate((23, 445, 3389, 8080)):
    emit(10000 + i * 3, IP(src="198.51.100.7", dst=HOST4, ttl=44) / TCP(sport=61000, dport=port, flags="S", seq=5), False)
    emit(10000 + i * 3 + 1, IP(src=HOST4, dst="198.51.100.7") / TCP(sport=port, dport=61000, flags="RA", seq=0, ack=6), True)
# IPv6: firefox to Cloudflare
q = DNS(id=7, rd=1, qd=DNSQR(qname="cloudflare.com", qtype="AAAA"))
emit(12000, IPv6(src=HOST6, dst="2606:4700:4700::1111") / UDP(sport=40003, dport=53) / q, True)
a = DNS(id=7, qr=1, rd=1, ra=1, qd=DNSQR(qname="cloudflare.com", qtype="AAAA"),
        an=DNSRR(rrname="cloudflare.com", type="AAAA", ttl=300, rdata="2606:4700::6810:84e5"))
emit(12010, IPv6(src="2606:4700:4700::1111", dst=HOST6) / UDP(sport=53, dport=40003) / a, False)
lookup(12001, sock("udp", "ipv6", "established", HOST6, 40003, "2606:4700:4700::1111", 53, 12007,
                   "resolved"), "resolved")
cf = sock("tcp", "ipv6", "established", HOST6, 50102, "2606:4700::6810:84e5", 443, 12008, "firefox")
tcp_session(12100, HOST6, 50102, "2606:4700::6810:84e5", 443, [(client_hello("cloudflare.com"), tls_reply)], v6=True)
lookup(12101, cf, "firefox")

# the beacon: its name resolves through a CNAME, then four connections to
# 45.33.32.156:4444 built on the implant's raw socket (no options: not the kernel's SYN)
dns(14000, "telemetry.example.org", [("telemetry.example.org", "CNAME", "c2.badcdn.example"),
                                     ("c2.badcdn.example", "A", "45.33.32.156")], 40004)
lookup(14001, sock("udp", "ipv4", "established", HOST4, 40004, "1.1.1.1", 53, 12009, "resolved"),
       "resolved")
for i in range(4):
    t = 15000 + i * 10000
    tcp_session(t, HOST4, 50200 + i, "45.33.32.156", 4444,
                [(b"\x00\x00\x00\x10beacon" + bytes(6), b"\x00\x00\x00\x04ok!!")], isn=3000 + i,
                opts=False)
    records.append((us(t + 1), {"type": "lookup", "query": {
        "proto": "tcp", "family": "ipv4", "local": HOST4, "local_port": 50200 + i,
        "remote": "45.33.32.156", "remote_port": 4444, "netns": 0},
        "found": False, "socket": None, "process": None}))
# a poll every 10 s: nothing new (deltas only when something changed)
end_ms = 60000

# ---- write ----

os.makedirs(OUT, exist_ok=True)
frames.sort(key=lambda f: f[0])
with open(os.path.join(OUT, "capture.pcap"), "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    for t, data in frames:
        f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(data), len(data)))
        f.write(data)

header = {"format": "ghostwire-timeline", "version": 2, "host": "ws-042", "source": "netlink",
          "started": ts(T0 - 1000000), "local_addrs": [HOST4 + "/32", HOST6 + "/128", "127.0.0.1/32",
                                                       "::1/128"], "pid": 4100}
records.sort(key=lambda r: r[0])
with open(os.path.join(OUT, "sockets.jsonl"), "w") as f:
    f.write(json.dumps(header, separators=(",", ":")) + "\n")
    for t, r in records:
        line = {"type": r["type"], "ts": ts(t)}
        line.update({k: v for k, v in r.items() if k != "type"})
        f.write(json.dumps(line, separators=(",", ":")) + "\n")

meta = {"format": "ghostwire-session", "version": 1, "interface": "eth0",
        "started": ts(T0 - 1000000), "ended": ts(us(end_ms)), "packets": len(frames),
        "drops_kernel": 0, "drops_interface": 0, "synthetic": "scripts/gen_demo.py"}
with open(os.path.join(OUT, "meta.json"), "w") as f:
    f.write(json.dumps(meta, separators=(",", ":")) + "\n")
print(f"{OUT}: {len(frames)} frames, {len(records)} timeline records", file=sys.stderr)
