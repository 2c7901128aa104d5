#!/usr/bin/python3
# gen_pcaps.py — writes the deterministic wire-view test captures in pcaps/wire/.
# Owns the packet contents of every capture and the "truth" each one is built to
# carry (flows, packets/bytes per direction, fragments, ICMP errors, malformed frames).
#
# Run with Debian's python (python3-scapy):   /usr/bin/python3 scripts/gen_pcaps.py
#   [--out DIR]     where to write (default: pcaps/wire/ next to this script's repo)
#   [--truth]       also print, per capture, the flows as built (JSON lines on stdout)
#
# Everything is fixed: timestamps, addresses, ports, ISNs, IP ids, payloads. Re-running
# gives byte-identical files. Scapy only builds packet bytes; the pcap / pcapng
# containers are written by hand here so that every header field is under our control
# (link types scapy does not know, cut-short files, nanosecond pcapng, ...).
#
# Addresses: 10.0.0.0/8 and 2001:db8:a::/48 are the "local" hosts; 192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24 and 2001:db8:b::/48 are remote. No TCP 5-tuple is
# used by two different connections, in any capture.

import argparse
import json
import os
import socket
import struct
import sys

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.config import conf  # noqa: E402
conf.verb = 0
from scapy.packet import Raw  # noqa: E402
from scapy.layers.l2 import ARP, Ether  # noqa: E402
from scapy.layers.inet import ICMP, IP, TCP, UDP, IPOption  # noqa: E402
from scapy.layers.inet6 import (IPv6, ICMPv6DestUnreach, ICMPv6EchoReply,  # noqa: E402
                                ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS,
                                ICMPv6NDOptDstLLAddr, ICMPv6NDOptSrcLLAddr,
                                ICMPv6PacketTooBig)
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402

# 2024-05-01T12:00:00Z, in microseconds. Each capture starts here.
T0_US = 1714564800 * 1000000

MAC_LOCAL = "00:00:5e:00:53:01"   # RFC 7042 documentation MACs
MAC_REMOTE = "00:00:5e:00:53:02"
MAC_ROUTER = "00:00:5e:00:53:fe"

LINKTYPE_NULL = 0
LINKTYPE_EN10MB = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_ARP = 0x0806
ETH_8021Q = 0x8100
ETH_8021AD = 0x88A8


# --------------------------------------------------------------------------------------
# Containers: classic pcap and pcapng, written by hand.

def pcap_bytes(linktype, records, snaplen=262144, big_endian=False, cut=None,
               nano=False):
    """A classic pcap. records: (ts_us, data, orig_len).
    nano: nanosecond magic (0xa1b23c4d), else microsecond (0xa1b2c3d4).
    cut: if set, the file is truncated to that many bytes (a file cut mid-record)."""
    e = ">" if big_endian else "<"
    magic = 0xA1B23C4D if nano else 0xA1B2C3D4
    out = [struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)]
    for ts_us, data, orig_len in records:
        frac = ts_us % 1000000 * (1000 if nano else 1)
        out.append(struct.pack(e + "IIII", ts_us // 1000000, frac, len(data), orig_len))
        out.append(data)
    blob = b"".join(out)
    return blob if cut is None else blob[:cut]


def _pad4(b):
    return b + b"\x00" * (-len(b) % 4)


def _opt(code, value):
    return struct.pack("<HH", code, len(value)) + _pad4(value)


def _block(btype, body):
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def pcapng_bytes(linktype, records, snaplen=262144, tsresol=9, comments=None):
    """A little-endian pcapng: one SHB, one IDB (with if_tsresol), EPBs.
    records: (ts_us, data, orig_len). comments: {record index: comment}."""
    comments = comments or {}
    shb_opts = (_opt(4, b"ghostwire scripts/gen_pcaps.py")   # shb_userappl
                + _opt(0, b""))
    shb = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + shb_opts)
    idb_opts = (_opt(2, b"eth0")                  # if_name
                + _opt(9, bytes([tsresol]))        # if_tsresol: 10^-tsresol s
                + _opt(0, b""))
    idb = _block(1, struct.pack("<HHI", linktype, 0, snaplen) + idb_opts)
    out = [shb, idb]
    for i, (ts_us, data, orig_len) in enumerate(records):
        ts = ts_us * (10 ** tsresol) // 1000000
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data), orig_len)
        body += _pad4(data)
        if i in comments:
            body += _opt(1, comments[i].encode()) + _opt(0, b"")
        out.append(_block(6, body))
    return b"".join(out)


# --------------------------------------------------------------------------------------
# Link-layer framers: framer(l3_bytes, family, frm) -> frame bytes.
# frm is 0 for the flow's opener side (the "local" host here), 1 for the other side.

def _mac(frm):
    return (MAC_LOCAL, MAC_REMOTE) if frm == 0 else (MAC_REMOTE, MAC_LOCAL)


def _macbytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def _ethertype(family):
    return ETH_IPV6 if family == 6 else ETH_IPV4


def eth_framer(pad_inbound=True, tags=()):
    """Ethernet II, optionally with VLAN tags: tags = ((tpid, vid, pcp), ...), outermost
    first. Frames received from the remote side (frm 1) are padded to the 60-byte
    Ethernet minimum, as a NIC delivers them; frames we send are captured unpadded."""
    def f(l3, family, frm):
        src, dst = _mac(frm)
        hdr = _macbytes(dst) + _macbytes(src)
        for tpid, vid, pcp in tags:
            hdr += struct.pack(">HH", tpid, (pcp << 13) | vid)
        frame = hdr + struct.pack(">H", _ethertype(family)) + l3
        if pad_inbound and frm == 1 and len(frame) < 60:
            frame += b"\x00" * (60 - len(frame))
        return frame
    return f


def sll_framer(hatype=1):
    """LINUX_SLL: pkttype, ARPHRD type, address length, 8-byte address, protocol."""
    def f(l3, family, frm):
        pkttype = 4 if frm == 0 else 0   # PACKET_OUTGOING / PACKET_HOST
        if hatype == 1:
            addr = _macbytes(_mac(frm)[0])
            hdr = struct.pack(">HHH", pkttype, hatype, 6) + addr + b"\x00\x00"
        else:   # e.g. 65534 ARPHRD_NONE (tun): no link address
            hdr = struct.pack(">HHH", pkttype, hatype, 0) + b"\x00" * 8
        return hdr + struct.pack(">H", _ethertype(family)) + l3
    return f


def sll2_framer(ifindex=2):
    """LINUX_SLL2: protocol, reserved, ifindex, ARPHRD type, pkttype, addr len, addr."""
    def f(l3, family, frm):
        pkttype = 4 if frm == 0 else 0
        addr = _macbytes(_mac(frm)[0]) + b"\x00\x00"
        return struct.pack(">HHIHBB", _ethertype(family), 0, ifindex, 1, pkttype, 6) \
            + addr + l3
    return f


def raw_framer():
    def f(l3, family, frm):
        return l3
    return f


def null_framer(af6, big_endian=False):
    """NULL: 4-byte address family in the writer's byte order. LOOP: always big-endian."""
    def f(l3, family, frm):
        af = af6 if family == 6 else 2
        return struct.pack(">I" if big_endian else "<I", af) + l3
    return f


# --------------------------------------------------------------------------------------
# Flows and the truth they carry.

class Flow:
    """One flow as built: endpoint 0 is the intended opener (the local host); side 1
    may still send first (a mid-stream flow)."""

    def __init__(self, proto, a_ip, a_port, b_ip, b_port, state=None, note=""):
        self.proto = proto                  # "tcp", "udp", "icmp", "ipv6-icmp"
        self.ip = (a_ip, b_ip)
        self.port = (a_port, b_port)
        self.family = 6 if ":" in a_ip else 4
        self.state = state                  # intended tcp_state, TCP only
        self.note = note
        self.packets = [0, 0]
        self.bytes = [0, 0]
        self.fragments = 0
        self.fragment_bytes = 0
        self.icmp_errors = 0
        self.flags = [set(), set()]
        self.first = None                   # side of the first packet seen

    def truth(self):
        """The flow as built, oriented by who sent first (the bare SYN's sender for
        TCP connections with a handshake)."""
        o = self.first or 0
        d = {"transport": self.proto, "family": "ipv%d" % self.family,
             "first_ip": self.ip[o], "first_port": self.port[o],
             "other_ip": self.ip[1 - o], "other_port": self.port[1 - o],
             "packets_first": self.packets[o], "packets_other": self.packets[1 - o],
             "bytes_first": self.bytes[o], "bytes_other": self.bytes[1 - o],
             "fragments": self.fragments, "fragment_bytes": self.fragment_bytes,
             "icmp_errors": self.icmp_errors}
        if self.proto == "tcp":
            order = ["syn", "syn-ack", "fin", "rst"]
            d["tcp_flags_first"] = [x for x in order if x in self.flags[o]]
            d["tcp_flags_other"] = [x for x in order if x in self.flags[1 - o]]
            d["tcp_state"] = self.state
        if self.note:
            d["note"] = self.note
        return d


_ipid = {}


def _next_ipid(src):
    _ipid[src] = _ipid.get(src, 0x1000 + 0x100 * len(_ipid)) + 1
    return _ipid[src]


def l3(src, dst, l4, ipopts=None, df=True, ttl=64):
    """IPv4 or IPv6 around a scapy L4 layer, with deterministic IP ids."""
    if ":" in src:
        return IPv6(src=src, dst=dst, hlim=ttl, fl=0) / l4
    kw = {}
    if ipopts:
        kw["options"] = ipopts
    return IP(src=src, dst=dst, id=_next_ipid(src), flags="DF" if df else 0,
              ttl=ttl, **kw) / l4


class Capture:
    """Packets of one capture file, in order, with the truth they add up to."""

    def __init__(self, name, linktype, framer, desc, snaplen=262144, fmt="pcap",
                 big_endian=False, nano=False):
        self.name = name
        self.linktype = linktype
        self.framer = framer
        self.desc = desc
        self.snaplen = snaplen
        self.fmt = fmt
        self.big_endian = big_endian
        self.nano = nano
        self.records = []          # (ts_us, data, orig_len)
        self.flows = []
        self.notes = []            # frames that are not part of a flow, with why
        self.comments = {}
        self.t = T0_US
        self.cut = None
        _ipid.clear()

    def flow(self, *a, **kw):
        f = Flow(*a, **kw)
        self.flows.append(f)
        return f

    def frame(self, data, dt=1000, orig_len=None, note=None, at=None):
        """Append a ready-made link-layer frame (caplen = min(len, snaplen))."""
        if at is not None:
            assert at >= self.t, "timestamps must not go backwards"
            self.t = at
        else:
            self.t += dt
        orig = len(data) if orig_len is None else orig_len
        data = data[:self.snaplen]
        self.records.append((self.t, data, orig))
        if note:
            self.notes.append("frame %d: %s" % (len(self.records), note))
        return orig

    def add(self, pkt, flow=None, frm=0, dt=1000, frag=False, quotes=None, note=None,
            at=None, family=None, tcp=None):
        """Frame an L3 packet (scapy packet or bytes) and count it.
        flow/frm: the flow and direction it belongs to; frag: a non-first fragment;
        quotes: an ICMP error quoting a packet of that flow (counted there only as
        icmp_errors); note: a frame that belongs to no flow (malformed, not IP, ...);
        tcp: the TCP layer whose flags to count when pkt is given as bytes."""
        raw = bytes(pkt)
        if family is None:
            family = 6 if (raw[0] >> 4) == 6 else 4
        n = self.frame(self.framer(raw, family, frm), dt=dt, note=note, at=at)
        if quotes is not None:
            quotes.icmp_errors += 1
        if flow is not None:
            if flow.first is None:
                flow.first = frm
            flow.packets[frm] += 1
            flow.bytes[frm] += n
            if frag:
                flow.fragments += 1
                flow.fragment_bytes += n
            else:
                if tcp is None and not isinstance(pkt, (bytes, bytearray)) \
                        and pkt.haslayer(TCP):
                    tcp = pkt[TCP]
                fl = int(tcp.flags) if tcp is not None else 0
                if fl & 0x02:
                    flow.flags[frm].add("syn-ack" if fl & 0x10 else "syn")
                if fl & 0x01:
                    flow.flags[frm].add("fin")
                if fl & 0x04:
                    flow.flags[frm].add("rst")
        return n

    def add_all(self, items, dt=1000):
        for it in items:
            self.add(it[1], flow=it[0], frm=it[2], dt=dt)

    def write(self, outdir):
        path = os.path.join(outdir, self.name)
        if self.fmt == "pcapng":
            blob = pcapng_bytes(self.linktype, self.records, self.snaplen,
                                comments=self.comments)
        else:
            blob = pcap_bytes(self.linktype, self.records, self.snaplen,
                              self.big_endian, self.cut, self.nano)
        with open(path, "wb") as fh:
            fh.write(blob)
        return path, len(blob)


class TcpConn:
    """A TCP connection with consistent sequence numbers. Side 0 is the opener."""

    def __init__(self, flow, isn=(1000, 500000), ipopts=(None, None)):
        self.f = flow
        self.nxt = list(isn)
        self.ipopts = ipopts

    def seg(self, frm, flags, data=b"", opts=None, ack=None):
        f = self.f
        seq = self.nxt[frm]
        if ack is None:
            ack = self.nxt[1 - frm] if "A" in flags else 0
        t = TCP(sport=f.port[frm], dport=f.port[1 - frm], seq=seq, ack=ack,
                flags=flags, window=64240 if frm == 0 else 65160,
                options=opts or [])
        if data:
            t = t / Raw(data)
        self.nxt[frm] = (seq + len(data) + ("S" in flags) + ("F" in flags)) & 0xFFFFFFFF
        return l3(f.ip[frm], f.ip[1 - frm], t, ipopts=self.ipopts[frm])

    # Conversation pieces, as (flow, packet, side) triples for Capture.add_all.
    def handshake(self):
        mss = [("MSS", 1460 if self.f.family == 4 else 1440)]
        return [(self.f, self.seg(0, "S", opts=mss), 0),
                (self.f, self.seg(1, "SA", opts=mss), 1),
                (self.f, self.seg(0, "A"), 0)]

    def send(self, frm, data, acked=True):
        out = [(self.f, self.seg(frm, "PA", data), frm)]
        if acked:
            out.append((self.f, self.seg(1 - frm, "A"), 1 - frm))
        return out

    def close(self, first=0):
        """FIN from `first`, FIN-ACK back, final ACK (a trailing ACK after both FINs)."""
        return [(self.f, self.seg(first, "FA"), first),
                (self.f, self.seg(1 - first, "FA"), 1 - first),
                (self.f, self.seg(first, "A"), first)]

    def full(self, req, resp, first_fin=0):
        return (self.handshake() + self.send(0, req) + self.send(1, resp)
                + self.close(first_fin))


def tls(n, fill):
    """n bytes of opaque TLS application data, as one well-formed TLS 1.2 record
    (so that dissectors see a clean record, not a malformed handshake)."""
    assert n > 5
    return b"\x17\x03\x03" + struct.pack(">H", n - 5) + bytes([fill]) * (n - 5)


def http_req(host, path="/"):
    return ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: gw-test\r\n\r\n"
            % (path, host)).encode()


def http_resp(n):
    body = (b"ghostwire test body " * ((n // 20) + 1))[:n]
    return (b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n) + body


def udp_pair(flow, req, resp):
    """One request (side 0) and one response (side 1) on a UDP flow."""
    a, b = flow.ip
    pa, pb = flow.port
    return [(flow, l3(a, b, UDP(sport=pa, dport=pb) / Raw(req), df=False), 0),
            (flow, l3(b, a, UDP(sport=pb, dport=pa) / Raw(resp), df=False), 1)]


def interleave(cap, streams):
    """streams: (items, start_us, gap_us). Each item gets start + i*gap relative to the
    capture's current time; all are merged by time (stable, so ties keep stream order)."""
    base = cap.t
    timed = []
    for si, (items, start, gap) in enumerate(streams):
        for i, it in enumerate(items):
            timed.append((base + start + i * gap, si, i, it))
    timed.sort(key=lambda x: (x[0], x[1], x[2]))
    for ts, _, _, it in timed:
        cap.add(it[1], flow=it[0], frm=it[2], at=ts)


# --------------------------------------------------------------------------------------
# Raw IPv6 assembly, for extension-header chains scapy would not lay out as we want.
# The transport checksum covers the pseudo-header only, so it is computed on a plain
# IPv6/L4 packet and the L4 bytes are spliced behind the extension headers.

NH_HOP, NH_TCP, NH_UDP, NH_ROUTING, NH_FRAG, NH_AH, NH_ICMP6, NH_NONE, NH_DST = \
    0, 6, 17, 43, 44, 51, 58, 59, 60


def l4_bytes(src, dst, l4):
    p = IPv6(src=src, dst=dst) / l4 if ":" in src else IP(src=src, dst=dst) / l4
    p = p.__class__(bytes(p))
    return bytes(p.payload)


def v6_header(src, dst, nh, plen, hlim=64):
    return (struct.pack(">IHBB", 6 << 28, plen, nh, hlim)
            + socket.inet_pton(socket.AF_INET6, src)
            + socket.inet_pton(socket.AF_INET6, dst))


def ext_opts(nh, total=8):
    """Hop-by-hop or destination options header of `total` bytes, filled with PadN."""
    assert total % 8 == 0 and total >= 8
    padn = total - 2
    return bytes([nh, total // 8 - 1, 1, padn - 2]) + b"\x00" * (padn - 2)


def ext_routing0(nh, addrs):
    """Routing header type 0, segments left 0 (the destination field is final)."""
    body = b"".join(socket.inet_pton(socket.AF_INET6, a) for a in addrs)
    return bytes([nh, 2 * len(addrs), 0, 0]) + b"\x00" * 4 + body


def ext_frag(nh, offset, more, ident):
    return struct.pack(">BBHI", nh, 0, (offset & ~7) | (1 if more else 0), ident)


def ext_ah(nh, spi, seq):
    icv = bytes(range(0xA0, 0xAC))                # 96-bit ICV (HMAC-SHA1-96 size)
    return struct.pack(">BBHII", nh, 4, 0, spi, seq) + icv


def v6_chain(src, dst, exts, last_nh, payload):
    """exts: [(nh_value_of_this_header, builder(next_nh) -> bytes), ...]."""
    blobs = []
    nhs = [e[0] for e in exts] + [last_nh]
    for i, (_, build) in enumerate(exts):
        blobs.append(build(nhs[i + 1]))
    body = b"".join(blobs) + payload
    return v6_header(src, dst, nhs[0], len(body)) + body


# --------------------------------------------------------------------------------------
# The captures.

def cap_en10mb_tcp():
    c = Capture("en10mb_tcp.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB: one complete IPv4 TCP connection and one complete IPv6 TCP "
                "connection (handshake, request, response, FIN both ways, last ACK); "
                "inbound frames padded to 60 bytes.")
    f4 = c.flow("tcp", "10.0.0.1", 40000, "192.0.2.10", 80, state="closed")
    c.add_all(TcpConn(f4).full(http_req("www.example.com"), http_resp(300)), dt=12000)
    c.t += 500000
    f6 = c.flow("tcp", "2001:db8:a::1", 40001, "2001:db8:b::10", 80, state="closed")
    c.add_all(TcpConn(f6, isn=(7000, 900000)).full(
        http_req("www.example.net"), http_resp(200), first_fin=1), dt=15000)
    return c


def cap_en10mb_tcp_rst():
    c = Capture("en10mb_tcp_rst.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB: TCP flows ended by RST: an established flow reset by the "
                "remote (RST+ACK), a SYN refused with RST+ACK (closed port), an "
                "inbound SYN refused by the local host, an established flow aborted "
                "by a bare RST from the local side.")
    f1 = c.flow("tcp", "10.0.0.1", 40010, "198.51.100.20", 443, state="reset")
    t1 = TcpConn(f1, isn=(11000, 611000))
    c.add_all(t1.handshake() + t1.send(0, tls(63, 0x00))
              + t1.send(1, tls(93, 0x01), acked=False))
    c.add(t1.seg(1, "RA"), flow=f1, frm=1, dt=20000)

    f2 = c.flow("tcp", "10.0.0.1", 40011, "198.51.100.20", 8080, state="reset")
    t2 = TcpConn(f2, isn=(12000, 0))
    c.add(t2.seg(0, "S", opts=[("MSS", 1460)]), flow=f2, frm=0, dt=100000)
    c.add(t2.seg(1, "RA", ack=12001), flow=f2, frm=1, dt=800)

    f3 = c.flow("tcp", "203.0.113.5", 51000, "10.0.0.1", 22, state="reset",
                note="inbound SYN from a remote host, refused by the local host")
    t3 = TcpConn(f3, isn=(13000, 0))
    c.add(t3.seg(0, "S", opts=[("MSS", 1400)]), flow=f3, frm=0, dt=100000)
    c.add(t3.seg(1, "RA", ack=13001), flow=f3, frm=1, dt=100)

    f4 = c.flow("tcp", "10.0.0.1", 40012, "192.0.2.30", 25, state="reset")
    t4 = TcpConn(f4, isn=(14000, 614000))
    c.add_all(t4.handshake() + t4.send(1, b"220 mail.example.com ESMTP\r\n")
              + t4.send(0, b"EHLO client.example\r\n"), dt=5000)
    c.add(t4.seg(0, "R"), flow=f4, frm=0, dt=3000)
    return c


def cap_en10mb_concurrent():
    c = Capture("en10mb_concurrent.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB: several interleaved flows: two IPv4 and one IPv6 complete TCP "
                "connections, an NTP UDP exchange, a mid-stream TCP flow (no "
                "handshake), an unanswered SYN with one retransmission, and an ARP "
                "request/reply (not IP).")
    fa = c.flow("tcp", "10.0.0.2", 50000, "192.0.2.10", 80, state="closed")
    fb = c.flow("tcp", "10.0.0.2", 50001, "192.0.2.10", 80, state="closed")
    fc = c.flow("tcp", "2001:db8:a::2", 50002, "2001:db8:b::10", 443, state="closed")
    fd = c.flow("udp", "10.0.0.2", 123, "192.0.2.123", 123)
    fe = c.flow("tcp", "10.0.0.2", 50003, "203.0.113.80", 8443, state="midstream")
    fg = c.flow("tcp", "10.0.0.2", 50004, "192.0.2.99", 3389, state="syn-sent")
    ta = TcpConn(fa, isn=(20000, 720000)).full(http_req("a.example"), http_resp(120))
    tb = TcpConn(fb, isn=(21000, 721000)).full(http_req("b.example", "/x"),
                                               http_resp(64), first_fin=1)
    tc = TcpConn(fc, isn=(22000, 722000)).full(tls(43, 0x02),
                                               tls(83, 0x03))
    ntp = b"\x23" + b"\x00" * 47
    td = udp_pair(fd, ntp, b"\x24\x02" + b"\x00" * 46) + \
        udp_pair(fd, ntp, b"\x24\x02" + b"\x00" * 46)
    te_c = TcpConn(fe, isn=(23000, 723000))
    te = []
    for i in range(3):
        te += te_c.send(1, b"push %d\n" % i)
    te += te_c.send(0, b"ack-app\n")
    c.t += 1000
    interleave(c, [(ta, 0, 7000), (tb, 2000, 9000), (tc, 4100, 8000), (td, 5300, 20000),
                   (te, 6700, 11000)])
    tg = TcpConn(fg, isn=(24000, 0))
    syn = tg.seg(0, "S", opts=[("MSS", 1460)])
    c.add(syn, flow=fg, frm=0, dt=3000)
    c.add(syn, flow=fg, frm=0, dt=1000000)     # the retransmitted SYN, same bytes
    arp_q = Ether(src=MAC_LOCAL, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=MAC_LOCAL, psrc="10.0.0.2", hwdst="00:00:00:00:00:00",
        pdst="10.0.0.254")
    arp_r = Ether(src=MAC_ROUTER, dst=MAC_LOCAL) / ARP(
        op=2, hwsrc=MAC_ROUTER, psrc="10.0.0.254", hwdst=MAC_LOCAL, pdst="10.0.0.2")
    c.frame(bytes(arp_q), dt=2000, note="ARP request (not IP)")
    r = bytes(arp_r)
    c.frame(r + b"\x00" * (60 - len(r)), dt=300, note="ARP reply (not IP)")
    return c


def cap_en10mb_snaplen():
    c = Capture("en10mb_snaplen96.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB captured with snaplen 96: IPv4 and IPv6 TCP connections whose "
                "data segments are larger than the snapshot (caplen < len); byte counts "
                "must use the original length.", snaplen=96)
    f4 = c.flow("tcp", "10.0.0.3", 40020, "192.0.2.40", 80, state="closed")
    t4 = TcpConn(f4, isn=(30000, 730000))
    items = t4.handshake() + t4.send(0, http_req("big.example"))
    for i in range(3):
        items += t4.send(1, bytes([0x41 + i]) * 1448)
    items += t4.close(1)
    c.add_all(items, dt=4000)
    f6 = c.flow("tcp", "2001:db8:a::3", 40021, "2001:db8:b::40", 80, state="closed")
    t6 = TcpConn(f6, isn=(31000, 731000))
    items = t6.handshake() + t6.send(0, http_req("big6.example"))
    for i in range(2):
        items += t6.send(1, bytes([0x61 + i]) * 1428)
    items += t6.close(0)
    c.add_all(items, dt=4000)
    return c


def cap_vlan_8021q():
    c = Capture("vlan_8021q.pcap", LINKTYPE_EN10MB, eth_framer(tags=((ETH_8021Q, 100, 0),)),
                "EN10MB with one 802.1Q tag: an IPv4 TCP connection on VLAN 100, an "
                "IPv6 UDP exchange on VLAN 200, and an IPv4 UDP exchange in "
                "priority-tagged frames (VLAN 0, PCP 5).")
    f1 = c.flow("tcp", "10.0.1.1", 40030, "192.0.2.10", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(40000, 740000)).full(http_req("vlan.example"),
                                                    http_resp(90)))
    c.framer = eth_framer(tags=((ETH_8021Q, 200, 0),))
    f2 = c.flow("udp", "2001:db8:a::100", 40031, "2001:db8:b::200", 47000)
    c.add_all(udp_pair(f2, b"ping-v6-vlan-200", b"pong-v6-vlan-200" * 2), dt=5000)
    c.framer = eth_framer(tags=((ETH_8021Q, 0, 5),))
    f3 = c.flow("udp", "10.0.1.1", 40032, "192.0.2.11", 5004)
    c.add_all(udp_pair(f3, b"\x80" * 32, b"\x81" * 32), dt=5000)
    return c


def cap_vlan_qinq():
    c = Capture("vlan_qinq.pcap", LINKTYPE_EN10MB,
                eth_framer(tags=((ETH_8021AD, 10, 0), (ETH_8021Q, 100, 0))),
                "EN10MB with two tags: 802.1ad S-tag 0x88a8 (VLAN 10) + 802.1Q C-tag "
                "0x8100 (VLAN 100) around an IPv4 TCP connection and an IPv6 UDP "
                "exchange; and an old-style double 0x8100/0x8100 tag (VLANs 20/200) "
                "around an IPv4 UDP exchange.")
    f1 = c.flow("tcp", "10.0.2.1", 40040, "198.51.100.10", 443, state="closed")
    c.add_all(TcpConn(f1, isn=(41000, 741000)).full(tls(53, 0x05),
                                                    tls(73, 0x06)))
    f2 = c.flow("udp", "2001:db8:a::201", 40041, "2001:db8:b::201", 47001)
    c.add_all(udp_pair(f2, b"qinq-v6-request", b"qinq-v6-response"), dt=4000)
    c.framer = eth_framer(tags=((ETH_8021Q, 20, 0), (ETH_8021Q, 200, 0)))
    f3 = c.flow("udp", "10.0.2.1", 40042, "198.51.100.11", 47002)
    c.add_all(udp_pair(f3, b"dbl-8100-request", b"dbl-8100-response"), dt=4000)
    return c


def cap_sll():
    c = Capture("sll.pcap", LINKTYPE_LINUX_SLL, sll_framer(),
                "LINUX_SLL (113), as from `tcpdump -i any`: an IPv4 TCP connection and "
                "an IPv6 UDP exchange on an Ethernet interface (outgoing frames have "
                "pkttype 4), and an IPv4 UDP exchange on a tun interface (ARPHRD_NONE, "
                "no link address).")
    f1 = c.flow("tcp", "10.0.3.1", 40050, "192.0.2.20", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(42000, 742000)).full(http_req("sll.example"),
                                                    http_resp(150)))
    f2 = c.flow("udp", "2001:db8:a::301", 40051, "2001:db8:b::301", 47010)
    c.add_all(udp_pair(f2, b"sll-v6-request", b"sll-v6-response"), dt=3000)
    c.framer = sll_framer(hatype=65534)
    f3 = c.flow("udp", "10.8.0.2", 40052, "203.0.113.30", 1194)
    c.add_all(udp_pair(f3, b"\x38" + b"\x00" * 13, b"\x40" + b"\x00" * 25), dt=3000)
    return c


def cap_sll2():
    c = Capture("sll2.pcap", LINKTYPE_LINUX_SLL2, sll2_framer(ifindex=2),
                "LINUX_SLL2 (276): an IPv4 TCP connection on ifindex 2 and an IPv6 TCP "
                "connection plus an IPv4 UDP exchange on ifindex 3.")
    f1 = c.flow("tcp", "10.0.4.1", 40060, "192.0.2.21", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(43000, 743000)).full(http_req("sll2.example"),
                                                    http_resp(110)))
    c.framer = sll2_framer(ifindex=3)
    f2 = c.flow("tcp", "2001:db8:a::401", 40061, "2001:db8:b::401", 443, state="closed")
    c.add_all(TcpConn(f2, isn=(44000, 744000)).full(tls(33, 0x07),
                                                    tls(48, 0x08)))
    f3 = c.flow("udp", "10.0.4.1", 40062, "198.51.100.12", 47011)
    c.add_all(udp_pair(f3, b"sll2-request", b"sll2-response"), dt=3000)
    return c


def cap_raw():
    c = Capture("raw.pcap", LINKTYPE_RAW, raw_framer(),
                "RAW (linktype 101, libpcap's LINKTYPE_RAW: the IP version nibble says "
                "v4 or v6): an IPv4 TCP connection and an IPv6 UDP exchange.")
    f1 = c.flow("tcp", "10.0.5.1", 40070, "192.0.2.22", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(45000, 745000)).full(http_req("raw.example"),
                                                    http_resp(70)))
    f2 = c.flow("udp", "2001:db8:a::501", 40071, "2001:db8:b::501", 47020)
    c.add_all(udp_pair(f2, b"raw-v6-request", b"raw-v6-response"), dt=3000)
    return c


def cap_linktype_ipv4():
    c = Capture("linktype_ipv4.pcap", LINKTYPE_IPV4, raw_framer(),
                "LINKTYPE_IPV4 (228): an IPv4 TCP connection and an IPv4 UDP exchange.")
    f1 = c.flow("tcp", "10.0.6.1", 40080, "192.0.2.23", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(46000, 746000)).full(http_req("v4.example"),
                                                    http_resp(80)))
    f2 = c.flow("udp", "10.0.6.1", 40081, "198.51.100.13", 47030)
    c.add_all(udp_pair(f2, b"ipv4-linktype-request", b"ipv4-linktype-response"), dt=3000)
    return c


def cap_linktype_ipv6():
    c = Capture("linktype_ipv6.pcap", LINKTYPE_IPV6, raw_framer(),
                "LINKTYPE_IPV6 (229), in a nanosecond-resolution classic pcap (magic "
                "0xa1b23c4d): an IPv6 TCP connection and an IPv6 UDP exchange.",
                nano=True)
    f1 = c.flow("tcp", "2001:db8:a::601", 40090, "2001:db8:b::601", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(47000, 747000)).full(http_req("v6.example"),
                                                    http_resp(80)))
    f2 = c.flow("udp", "2001:db8:a::601", 40091, "2001:db8:b::602", 47040)
    c.add_all(udp_pair(f2, b"ipv6-linktype-request", b"ipv6-linktype-response"), dt=3000)
    return c


def cap_null():
    c = Capture("null.pcap", LINKTYPE_NULL, null_framer(30),
                "NULL (0), little-endian file and family (as written by a little-endian "
                "BSD/macOS host): an IPv4 TCP connection (AF_INET 2), an IPv6 TCP "
                "connection with the Darwin AF_INET6 30, and IPv6 UDP exchanges with "
                "the NetBSD/OpenBSD (24) and FreeBSD (28) AF_INET6 values.")
    f1 = c.flow("tcp", "10.0.7.1", 40100, "192.0.2.24", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(48000, 748000)).full(http_req("null.example"),
                                                    http_resp(60)))
    f2 = c.flow("tcp", "2001:db8:a::701", 40101, "2001:db8:b::701", 80, state="closed")
    c.add_all(TcpConn(f2, isn=(49000, 749000)).full(http_req("null6.example"),
                                                    http_resp(60)))
    c.framer = null_framer(24)
    f3 = c.flow("udp", "2001:db8:a::701", 40102, "2001:db8:b::702", 47050)
    c.add_all(udp_pair(f3, b"null-af24-request", b"null-af24-response"), dt=3000)
    c.framer = null_framer(28)
    f4 = c.flow("udp", "2001:db8:a::701", 40103, "2001:db8:b::703", 47051)
    c.add_all(udp_pair(f4, b"null-af28-request", b"null-af28-response"), dt=3000)
    return c


def cap_null_be():
    c = Capture("null_bigendian.pcap", LINKTYPE_NULL, null_framer(24, big_endian=True),
                "NULL (0) from a big-endian host: big-endian file header and "
                "big-endian family: an IPv4 UDP exchange (AF_INET 2) and an IPv6 TCP "
                "connection (AF_INET6 24).", big_endian=True)
    f1 = c.flow("udp", "10.0.7.2", 40104, "192.0.2.25", 47052)
    c.add_all(udp_pair(f1, b"null-be-request", b"null-be-response"), dt=3000)
    f2 = c.flow("tcp", "2001:db8:a::702", 40105, "2001:db8:b::704", 80, state="closed")
    c.add_all(TcpConn(f2, isn=(50000, 750000)).full(http_req("nullbe.example"),
                                                    http_resp(40)))
    return c


def cap_loop():
    c = Capture("loop.pcap", LINKTYPE_LOOP, null_framer(24, big_endian=True),
                "LOOP (108, OpenBSD loopback): big-endian family in a little-endian "
                "file: an IPv4 TCP connection (AF_INET 2), an IPv6 UDP exchange and an "
                "IPv6 TCP connection (AF_INET6 24).")
    f1 = c.flow("tcp", "10.0.8.1", 40110, "192.0.2.26", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(51000, 751000)).full(http_req("loop.example"),
                                                    http_resp(50)))
    f2 = c.flow("udp", "2001:db8:a::801", 40111, "2001:db8:b::801", 47060)
    c.add_all(udp_pair(f2, b"loop-v6-request", b"loop-v6-response"), dt=3000)
    f3 = c.flow("tcp", "2001:db8:a::801", 40112, "2001:db8:b::802", 443, state="closed")
    c.add_all(TcpConn(f3, isn=(52000, 752000)).full(tls(23, 0x09),
                                                    tls(28, 0x0a)))
    return c


def cap_ipv4_options():
    c = Capture("ipv4_options.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, IPv4 headers with options: a TCP connection whose opener "
                "sends NOP + Record Route (IHL 10) and the other side Timestamp "
                "(IHL 8); a UDP exchange with Router Alert (IHL 6).")
    f1 = c.flow("tcp", "10.0.9.1", 40120, "192.0.2.27", 80, state="closed")
    # Raw option bytes (scapy's option classes mis-size the timestamp option).
    rr = [IPOption(bytes([1, 7, 19, 4]) + bytes(16))]    # NOP, Record Route: 4 slots
    ts = [IPOption(bytes([0x44, 12, 5, 0]) + bytes(8))]  # Timestamp: 2 slots, none used
    c.add_all(TcpConn(f1, isn=(53000, 753000), ipopts=(rr, ts)).full(
        http_req("opts.example"), http_resp(100)))
    f2 = c.flow("udp", "10.0.9.1", 40121, "198.51.100.14", 47070)
    a, b = f2.ip
    ra = [IPOption(bytes([0x94, 4, 0, 0]))]            # Router Alert
    c.add(l3(a, b, UDP(sport=40121, dport=47070) / Raw(b"ra-request"), ipopts=ra,
             df=False), flow=f2, frm=0, dt=3000)
    c.add(l3(b, a, UDP(sport=47070, dport=40121) / Raw(b"ra-response"), ipopts=ra,
             df=False), flow=f2, frm=1, dt=3000)
    return c


def cap_ipv6_exthdrs():
    c = Capture("ipv6_exthdrs.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, IPv6 extension headers before TCP/UDP: a TCP connection with "
                "hop-by-hop options on every packet; UDP behind a type-0 routing header "
                "(segments left 0); UDP behind destination options; a TCP connection "
                "whose opener sends HBH + DST + routing + AH and whose peer sends AH; "
                "UDP behind an atomic fragment header (offset 0, M=0, RFC 6946).")
    A, B = "2001:db8:a::901", "2001:db8:b::901"

    def tcp_with(flow, exts_by_side, items):
        """Re-lay TcpConn packets with extension headers between IPv6 and TCP."""
        for _, pkt, frm in items:
            src, dst = flow.ip[frm], flow.ip[1 - frm]
            seg = bytes(pkt[IPv6].payload)         # L4 bytes, checksum included
            c.add(v6_chain(src, dst, exts_by_side[frm], NH_TCP, seg), flow=flow,
                  frm=frm, dt=4000, tcp=pkt[TCP])

    hbh = (NH_HOP, lambda nh: ext_opts(nh, 8))
    f1 = c.flow("tcp", A, 40130, B, 80, state="closed", note="hop-by-hop on every packet")
    t1 = TcpConn(f1, isn=(54000, 754000))
    tcp_with(f1, ([hbh], [hbh]), t1.full(http_req("hbh.example"), http_resp(60)))

    def udp_with(flow, exts_by_side, req, resp):
        for frm, data in ((0, req), (1, resp)):
            src, dst = flow.ip[frm], flow.ip[1 - frm]
            seg = l4_bytes(src, dst, UDP(sport=flow.port[frm], dport=flow.port[1 - frm])
                           / Raw(data))
            c.add(v6_chain(src, dst, exts_by_side[frm], NH_UDP, seg), flow=flow,
                  frm=frm, dt=4000)

    rt = (NH_ROUTING, lambda nh: ext_routing0(nh, ["2001:db8:a::fffe"]))
    f2 = c.flow("udp", A, 40131, "2001:db8:b::902", 47080, note="routing header type 0")
    udp_with(f2, ([rt], [rt]), b"rh0-request", b"rh0-response")

    dst = (NH_DST, lambda nh: ext_opts(nh, 16))
    f3 = c.flow("udp", A, 40132, "2001:db8:b::903", 47081, note="destination options")
    udp_with(f3, ([dst], [dst]), b"dst-request", b"dst-response")

    ah0 = (NH_AH, lambda nh: ext_ah(nh, 0x1000, 1))
    ah1 = (NH_AH, lambda nh: ext_ah(nh, 0x2000, 1))
    dst8 = (NH_DST, lambda nh: ext_opts(nh, 8))
    f4 = c.flow("tcp", A, 40133, "2001:db8:b::904", 443, state="closed",
                note="opener: HBH+DST+RH0+AH; other side: AH")
    t4 = TcpConn(f4, isn=(55000, 755000))
    tcp_with(f4, ([hbh, dst8, rt, ah0], [ah1]),
             t4.full(tls(27, 0x0b), tls(39, 0x0c)))

    fr = (NH_FRAG, lambda nh: ext_frag(nh, 0, False, 0x0A0A0A0A))
    f5 = c.flow("udp", A, 40134, "2001:db8:b::905", 47082,
                note="atomic fragment header: whole datagram, not a fragment")
    udp_with(f5, ([fr], [fr]), b"atomic-frag-request", b"atomic-frag-response")
    return c


def _v4_frags(src, dst, ident, l4, size):
    """IPv4 fragments of an L4 payload (bytes, checksum done): [(pkt, offset)]."""
    out = []
    for off in range(0, len(l4), size):
        chunk = l4[off:off + size]
        more = off + size < len(l4)
        out.append((IP(src=src, dst=dst, id=ident, flags="MF" if more else 0,
                       frag=off // 8, proto=17, ttl=64) / Raw(chunk), off))
    return out


def cap_frag_ipv4():
    c = Capture("frag_ipv4_udp.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, IPv4 UDP fragments, in order: a 1208-byte UDP datagram in 3 "
                "fragments (512+512+184) from the opener, a 2-fragment reply, an "
                "unfragmented request and reply; then 2 non-first fragments of another "
                "datagram whose first fragment was never captured (unattributable).")
    A, B = "10.0.10.1", "192.0.2.50"
    f1 = c.flow("udp", A, 40140, B, 9000)
    seg = l4_bytes(A, B, UDP(sport=40140, dport=9000) / Raw(bytes(range(256)) * 4
                                                            + b"x" * 176))
    assert len(seg) == 1208
    for pkt, off in _v4_frags(A, B, 0x2001, seg, 512):
        c.add(pkt, flow=f1, frm=0, frag=off > 0, dt=200)
    seg = l4_bytes(B, A, UDP(sport=9000, dport=40140) / Raw(b"R" * 700))
    for pkt, off in _v4_frags(B, A, 0x3001, seg, 600):
        c.add(pkt, flow=f1, frm=1, frag=off > 0, dt=5000 if off == 0 else 200)
    c.add_all(udp_pair(f1, b"small-request", b"small-response"), dt=5000)
    # Orphans: datagram id 0x2002 of another flow; its first fragment is missing.
    seg = l4_bytes(A, "192.0.2.51", UDP(sport=40141, dport=9001) / Raw(b"o" * 1000))
    for pkt, off in _v4_frags(A, "192.0.2.51", 0x2002, seg, 400)[1:]:
        c.add(pkt, dt=3000, note="orphan non-first IPv4 fragment (id 0x2002, offset %d)"
              % off)
    return c


def cap_frag_ipv4_reorder():
    c = Capture("frag_ipv4_reorder.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, IPv4 UDP fragments out of order: a 3-fragment datagram that "
                "arrives last fragment first (3, 1, 2), then an unfragmented reply.")
    A, B = "10.0.10.2", "192.0.2.52"
    f1 = c.flow("udp", A, 40142, B, 9002,
                note="fragment 3 arrives before fragment 1: all 3 belong to the flow")
    seg = l4_bytes(A, B, UDP(sport=40142, dport=9002) / Raw(b"q" * 1000))
    fr = _v4_frags(A, B, 0x2003, seg, 400)
    for pkt, off in (fr[2], fr[0], fr[1]):
        c.add(pkt, flow=f1, frm=0, frag=off > 0, dt=300)
    c.add(l3(B, A, UDP(sport=9002, dport=40142) / Raw(b"reorder-reply"), df=False),
          flow=f1, frm=1, dt=4000)
    return c


def cap_frag_ipv6():
    c = Capture("frag_ipv6_udp.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, IPv6 UDP fragments: a 1208-byte UDP datagram in 3 fragments "
                "(fragment header id 0x1234abcd, 512+512+184), then an unfragmented "
                "reply.")
    A, B = "2001:db8:a::a01", "2001:db8:b::a01"
    f1 = c.flow("udp", A, 40150, B, 9010)
    seg = l4_bytes(A, B, UDP(sport=40150, dport=9010) / Raw(bytes(range(256)) * 4
                                                            + b"y" * 176))
    for off in range(0, len(seg), 512):
        chunk = seg[off:off + 512]
        more = off + 512 < len(seg)
        pkt = v6_chain(A, B, [(NH_FRAG, lambda nh, o=off, m=more:
                               ext_frag(nh, o, m, 0x1234ABCD))], NH_UDP, chunk)
        c.add(pkt, flow=f1, frm=0, frag=off > 0, dt=200)
    c.add(l3(B, A, UDP(sport=9010, dport=40150) / Raw(b"v6-frag-reply")),
          flow=f1, frm=1, dt=4000)
    return c


def cap_icmp4():
    c = Capture("icmp4.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, ICMP: 3 echo requests and replies (id 0x1234); a UDP flow "
                "(2 packets) answered by an ICMP port unreachable quoting its first "
                "packet in full; a TCP SYN answered by a router's ICMP host unreachable "
                "that quotes only IP header + 8 bytes.")
    A, B = "10.0.11.1", "192.0.2.1"
    fe = c.flow("icmp", A, 0x1234, B, 0x1234, note="echo: identifier as port")
    for seq in range(1, 4):
        payload = bytes(range(48))
        c.add(IP(src=A, dst=B, id=0x4000 + seq, flags="DF", ttl=64)
              / ICMP(type=8, id=0x1234, seq=seq) / Raw(payload), flow=fe, frm=0,
              dt=1000000 if seq > 1 else 1000)
        c.add(IP(src=B, dst=A, id=0x5000 + seq, ttl=57)
              / ICMP(type=0, id=0x1234, seq=seq) / Raw(payload), flow=fe, frm=1, dt=9000)

    U = "192.0.2.53"
    fu = c.flow("udp", A, 40160, U, 33434, note="answered by ICMP port unreachable")
    probe = IP(src=A, dst=U, id=0x4100, ttl=64) / UDP(sport=40160, dport=33434) / \
        Raw(b"probe-1" + b"\x00" * 25)
    c.add(probe, flow=fu, frm=0, dt=100000)
    quoted = bytes(probe)
    c.add(IP(src=U, dst=A, id=0x5100, ttl=60) / ICMP(type=3, code=3) / Raw(quoted),
          frm=1, quotes=fu, dt=700)
    c.add(IP(src=A, dst=U, id=0x4101, ttl=64) / UDP(sport=40160, dport=33434)
          / Raw(b"probe-2" + b"\x00" * 25), flow=fu, frm=0, dt=50000)

    R, T = "10.0.11.254", "198.51.100.7"
    ft = c.flow("tcp", A, 40161, T, 80, state="syn-sent",
                note="answered by ICMP host unreachable from a router")
    syn = TcpConn(ft, isn=(56000, 0)).seg(0, "S", opts=[("MSS", 1460)])
    c.add(syn, flow=ft, frm=0, dt=100000)
    c.add(IP(src=R, dst=A, id=0x5200, ttl=255) / ICMP(type=3, code=1)
          / Raw(bytes(syn)[:28]), frm=1, quotes=ft, dt=3000000)
    return c


def cap_icmp6():
    c = Capture("icmp6.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, ICMPv6: neighbor solicitation/advertisement; 2 echo requests "
                "and replies (id 0x4321); a UDP packet answered by destination "
                "unreachable (port unreachable) quoting it; a TCP connection whose "
                "large segment draws a router's Packet Too Big quoting it.")
    A, B = "2001:db8:a::b01", "2001:db8:b::b01"
    fn = c.flow("ipv6-icmp", A, 0, "2001:db8:a::fffe", 0,
                note="neighbor discovery: not echo, so port 0")
    c.add(IPv6(src=A, dst="2001:db8:a::fffe", hlim=255)
          / ICMPv6ND_NS(tgt="2001:db8:a::fffe") / ICMPv6NDOptSrcLLAddr(lladdr=MAC_LOCAL),
          flow=fn, frm=0)
    c.add(IPv6(src="2001:db8:a::fffe", dst=A, hlim=255)
          / ICMPv6ND_NA(tgt="2001:db8:a::fffe", R=1, S=1, O=1)
          / ICMPv6NDOptDstLLAddr(lladdr=MAC_ROUTER), flow=fn, frm=1, dt=200)

    fe = c.flow("ipv6-icmp", A, 0x4321, B, 0x4321, note="echo: identifier as port")
    for seq in range(1, 3):
        payload = bytes(range(56))
        c.add(IPv6(src=A, dst=B, hlim=64) / ICMPv6EchoRequest(id=0x4321, seq=seq,
                                                              data=payload),
              flow=fe, frm=0, dt=1000000)
        c.add(IPv6(src=B, dst=A, hlim=58) / ICMPv6EchoReply(id=0x4321, seq=seq,
                                                            data=payload),
              flow=fe, frm=1, dt=11000)

    U = "2001:db8:b::b53"
    fu = c.flow("udp", A, 40170, U, 33434, note="answered by ICMPv6 port unreachable")
    probe = IPv6(src=A, dst=U, hlim=64) / UDP(sport=40170, dport=33434) / \
        Raw(b"probe6" + b"\x00" * 26)
    c.add(probe, flow=fu, frm=0, dt=100000)
    c.add(IPv6(src=U, dst=A, hlim=60) / ICMPv6DestUnreach(code=4) / Raw(bytes(probe)),
          frm=1, quotes=fu, dt=900)

    T, R = "2001:db8:b::b80", "2001:db8:a::fffe"
    ft = c.flow("tcp", A, 40171, T, 443, state="established",
                note="1300-byte segment draws Packet Too Big (MTU 1280) from a router")
    tc = TcpConn(ft, isn=(57000, 757000))
    c.add_all(tc.handshake() + tc.send(0, tls(103, 0x0d)), dt=8000)
    big = tc.seg(0, "PA", tls(1240, 0x0e))
    assert len(bytes(big)) == 1300
    c.add(big, flow=ft, frm=0, dt=2000)
    quote = bytes(big)[:1280 - 48]
    c.add(IPv6(src=R, dst=A, hlim=64) / ICMPv6PacketTooBig(mtu=1280) / Raw(quote),
          frm=1, quotes=ft, dt=500)
    return c


def cap_dns():
    c = Capture("dns_udp.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, DNS over UDP: two queries (A, AAAA) and answers on one IPv4 "
                "socket; an AAAA query and answer over IPv6; a query that gets no "
                "answer.")
    A, S = "10.0.12.1", "192.0.2.53"
    f1 = c.flow("udp", A, 53001, S, 53, note="two queries on one socket")
    for i, (qt, rr) in enumerate((("A", DNSRR(rrname="www.example.com", type="A",
                                               ttl=300, rdata="192.0.2.80")),
                                  ("AAAA", DNSRR(rrname="www.example.com", type="AAAA",
                                                 ttl=300, rdata="2001:db8:b::80")))):
        q = DNS(id=0x1000 + i, rd=1, qd=DNSQR(qname="www.example.com", qtype=qt))
        r = DNS(id=0x1000 + i, qr=1, rd=1, ra=1, qd=q.qd, an=rr)
        c.add_all(udp_pair(f1, bytes(q), bytes(r)), dt=15000)
    A6, S6 = "2001:db8:a::c01", "2001:db8:b::53"
    f2 = c.flow("udp", A6, 53002, S6, 53)
    q = DNS(id=0x2000, rd=1, qd=DNSQR(qname="mail.example.org", qtype="AAAA"))
    r = DNS(id=0x2000, qr=1, rd=1, ra=1, qd=q.qd,
            an=DNSRR(rrname="mail.example.org", type="AAAA", ttl=60,
                     rdata="2001:db8:b::25"))
    c.add_all(udp_pair(f2, bytes(q), bytes(r)), dt=15000)
    f3 = c.flow("udp", A, 53003, "198.51.100.53", 53, note="no answer")
    q = DNS(id=0x3000, rd=1, qd=DNSQR(qname="nothing.example.net", qtype="A"))
    c.add(l3(A, "198.51.100.53", UDP(sport=53003, dport=53) / Raw(bytes(q)), df=False),
          flow=f3, frm=0, dt=15000)
    return c


def cap_pcapng():
    c = Capture("pcapng_en10mb.pcapng", LINKTYPE_EN10MB, eth_framer(),
                "pcapng (SHB, one EN10MB IDB with nanosecond if_tsresol, EPBs, one "
                "with a comment): an IPv4 TCP connection and an IPv6 UDP exchange.",
                fmt="pcapng")
    f1 = c.flow("tcp", "10.0.13.1", 40180, "192.0.2.28", 80, state="closed")
    c.add_all(TcpConn(f1, isn=(58000, 758000)).full(http_req("ng.example"),
                                                    http_resp(130)))
    c.comments[0] = "first SYN"
    f2 = c.flow("udp", "2001:db8:a::d01", 40181, "2001:db8:b::d01", 47090)
    c.add_all(udp_pair(f2, b"pcapng-v6-request", b"pcapng-v6-response"), dt=2500)
    return c


def fix_ip4_checksum(b):
    """Recompute the IPv4 header checksum over the first 20 bytes (after a field was
    broken on purpose), so the only defect is the one meant."""
    b = bytearray(b)
    b[10:12] = b"\x00\x00"
    s = sum(struct.unpack(">10H", bytes(b[:20])))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    b[10:12] = struct.pack(">H", ~s & 0xFFFF)
    return bytes(b)


def cap_malformed():
    c = Capture("malformed.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, valid pcap; good flows (an IPv4 TCP connection, an IPv4 UDP "
                "exchange) with malformed frames between them: Ethernet header cut "
                "short, TCP header truncated (IPv4 total length covers 12 TCP bytes), "
                "IPv4 IHL 4, IPv4 total length 16 (< header), IPv4 total length larger "
                "than the frame, IPv6 payload length past the frame, IPv6 hop-by-hop "
                "header whose length runs past the end. caplen == len for all.")
    A, B = "10.0.14.1", "192.0.2.29"
    f1 = c.flow("tcp", A, 40190, B, 80, state="closed")
    t1 = TcpConn(f1, isn=(59000, 759000))
    items = t1.full(http_req("bad.example"), http_resp(80))
    c.add_all(items[:3])

    # 1. Ethernet header cut short: 10 bytes.
    eth = eth_framer(pad_inbound=False)
    c.frame(eth(bytes(items[0][1]), 4, 0)[:10], note="truncated Ethernet header (10 bytes)")

    # 2. TCP header truncated: IPv4 total length 32, so 12 bytes of TCP (ports, seq,
    #    ack; no data offset / flags byte).
    tcp12 = bytes(TCP(sport=40191, dport=80, seq=1, flags="S"))[:12]
    ip = IP(src=A, dst=B, id=0x6001, flags="DF", ttl=64, proto=6, len=32) / Raw(tcp12)
    c.add(ip, note="IPv4 TCP with 12-byte (truncated) TCP header, ports 40191->80")

    c.add_all(items[3:5])

    # 3. IPv4 IHL 4 (16-byte header): header length below the minimum.
    good = bytearray(bytes(IP(src=A, dst=B, id=0x6002, ttl=64)
                           / UDP(sport=40192, dport=47112) / Raw(b"ihl4")))
    good[0] = 0x44
    c.add(fix_ip4_checksum(good), note="IPv4 IHL 4", family=4)

    # 4. IPv4 total length 16, below the 20-byte header.
    good = bytearray(bytes(IP(src=A, dst=B, id=0x6003, ttl=64)
                           / UDP(sport=40193, dport=47113) / Raw(b"len16")))
    good[2:4] = struct.pack(">H", 16)
    c.add(fix_ip4_checksum(good), note="IPv4 total length 16 < IHL*4", family=4)

    # 5. IPv4 total length 200, frame holds 20+8+10.
    good = bytearray(bytes(IP(src=A, dst=B, id=0x6004, ttl=64)
                           / UDP(sport=40194, dport=47114) / Raw(b"len200....")))
    good[2:4] = struct.pack(">H", 200)
    c.add(fix_ip4_checksum(good), note="IPv4 total length 200 > 38 bytes present", family=4)

    c.add_all(items[5:7])

    # 6. IPv6 payload length 100, 8+20 bytes present.
    A6, B6 = "2001:db8:a::e01", "2001:db8:b::e01"
    udp = l4_bytes(A6, B6, UDP(sport=40195, dport=47100) / Raw(b"v6-truncated-payload"))
    c.add(v6_header(A6, B6, NH_UDP, 100) + udp,
          note="IPv6 payload length 100, 28 bytes present")

    # 7. IPv6 hop-by-hop header claiming 48 bytes (len 5), 8 present, payload length 8.
    hbh = bytes([NH_UDP, 5, 1, 4, 0, 0, 0, 0])
    c.add(v6_header(A6, B6, NH_HOP, 8) + hbh,
          note="IPv6 hop-by-hop header length 48 runs past the end (8 bytes present)")

    f2 = c.flow("udp", A, 40196, "192.0.2.53", 47116)
    c.add_all(udp_pair(f2, b"good-udp-request", b"good-udp-response"))
    c.add_all(items[7:])
    return c


def cap_timeouts():
    c = Capture("timeouts.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, 400 s long, so flows end by timeout (defaults: closed 5 s, idle "
                "300 s): a TCP connection closed at 0.1 s whose peer retransmits its "
                "FIN at 2 s (ends closed); a UDP exchange at 0.5 s and a lone UDP "
                "packet at 10 s (both end idle when the clock reaches 400 s); a TCP "
                "connection opened at 1 s with data again at 200 s, and a UDP exchange "
                "at 400 s (both end-of-input).")
    fa = c.flow("tcp", "10.0.16.1", 40210, "192.0.2.60", 80, state="closed",
                note="FIN retransmitted by the peer 2 s after the close")
    ta = TcpConn(fa, isn=(61000, 761000))
    items = ta.full(http_req("timeout.example"), http_resp(50))
    c.add_all(items, dt=10000)
    fin = [it for it in items if it[2] == 1 and int(it[1][TCP].flags) & 0x01][0]
    fb = c.flow("udp", "10.0.16.1", 40211, "192.0.2.61", 47200, note="idle after 0.5 s")
    pb = udp_pair(fb, b"idle-request", b"idle-response")
    c.add(pb[0][1], flow=fb, frm=0, at=T0_US + 500000)
    c.add(pb[1][1], flow=fb, frm=1, dt=2000)
    fc = c.flow("tcp", "10.0.16.1", 40212, "192.0.2.62", 22, state="established",
                note="quiet from 1 s to 200 s: shorter than the idle timeout")
    tc = TcpConn(fc, isn=(62000, 762000))
    c.t = T0_US + 1000000
    c.add_all(tc.handshake() + tc.send(1, b"SSH-2.0-OpenSSH_9.2\r\n"), dt=3000)
    c.add(fin[1], flow=fa, frm=1, at=T0_US + 2000000)    # A's FIN, retransmitted
    fd = c.flow("udp", "10.0.16.1", 40213, "198.51.100.60", 47201, note="one packet")
    c.add(l3("10.0.16.1", "198.51.100.60", UDP(sport=40213, dport=47201)
             / Raw(b"lone-datagram"), df=False), flow=fd, frm=0, at=T0_US + 10000000)
    c.t = T0_US + 200000000
    c.add_all(tc.send(0, b"\x00" * 36) + tc.send(1, b"\x00" * 52), dt=20000)
    fe = c.flow("udp", "10.0.16.1", 40214, "203.0.113.60", 47202)
    pe = udp_pair(fe, b"late-request", b"late-response")
    c.add(pe[0][1], flow=fe, frm=0, at=T0_US + 400000000)
    c.add(pe[1][1], flow=fe, frm=1, dt=3000)
    return c


def cap_unsupported_link():
    c = Capture("unsupported_link.pcap", 147, raw_framer(),
                "LINKTYPE_USER0 (147), a link type ghostwire does not decode: three "
                "frames (an IPv4 UDP packet behind 4 private header bytes) that must "
                "be counted as unsupported_link, with no flow.")
    for i in range(3):
        pkt = l3("10.0.17.1", "192.0.2.70", UDP(sport=40220, dport=47210)
                 / Raw(b"user0-%d" % i), df=False)
        c.frame(b"\xde\xad\x00\x01" + bytes(pkt), dt=1000,
                note="link type 147: not decoded")
    return c


def cap_truncated():
    c = Capture("truncated.pcap", LINKTYPE_EN10MB, eth_framer(),
                "EN10MB, a valid pcap cut mid-record: a TCP handshake and request are "
                "whole, then the next record's header promises its bytes but the file "
                "ends 20 bytes into its data.")
    f1 = c.flow("tcp", "10.0.15.1", 40200, "192.0.2.31", 80, state="established",
                note="the response record is cut; it is not counted")
    t1 = TcpConn(f1, isn=(60000, 760000))
    c.add_all(t1.handshake() + t1.send(0, http_req("cut.example")), dt=5000)
    whole = pcap_bytes(c.linktype, c.records, c.snaplen)
    resp = t1.send(1, http_resp(100), acked=False)[0][1]
    c.frame(eth_framer()(bytes(resp), 4, 1), dt=5000, note="cut short: not in the file")
    c.cut = len(whole) + 16 + 20
    return c


CAPTURES = [
    cap_en10mb_tcp, cap_en10mb_tcp_rst, cap_en10mb_concurrent, cap_en10mb_snaplen,
    cap_vlan_8021q, cap_vlan_qinq, cap_sll, cap_sll2, cap_raw, cap_linktype_ipv4,
    cap_linktype_ipv6, cap_null, cap_null_be, cap_loop, cap_ipv4_options,
    cap_ipv6_exthdrs, cap_frag_ipv4, cap_frag_ipv4_reorder, cap_frag_ipv6, cap_icmp4,
    cap_icmp6, cap_dns, cap_pcapng, cap_malformed, cap_truncated, cap_timeouts,
    cap_unsupported_link,
]


LINKTYPE_NAMES = {
    LINKTYPE_NULL: "NULL", LINKTYPE_EN10MB: "EN10MB", LINKTYPE_RAW: "RAW",
    LINKTYPE_LOOP: "LOOP", LINKTYPE_LINUX_SLL: "LINUX_SLL", LINKTYPE_IPV4: "IPV4",
    LINKTYPE_IPV6: "IPV6", LINKTYPE_LINUX_SLL2: "LINUX_SLL2", 147: "USER0",
}

README_HEAD = """\
# pcaps/wire — wire-view test captures

Small deterministic captures for the decoder and the flow table. They are generated:
do not edit them by hand.

    /usr/bin/python3 scripts/gen_pcaps.py          # rewrites every capture and this file
    /usr/bin/python3 scripts/gen_pcaps.py --truth  # prints the flows they were built with

Every timestamp, address, port, sequence number, IP id and payload is fixed, so
re-running gives byte-identical files. Each capture starts at 2024-05-01T12:00:00Z.
Hosts in 10.0.0.0/8 and 2001:db8:a::/48 play the local side (they open the flows),
192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8:b::/48 the remote side; MAC
addresses are the RFC 7042 documentation ones (00:00:5e:00:53:xx). No TCP 5-tuple is
used by two connections.

- `<name>.golden.jsonl` is `ghostwire flows -r pcaps/wire/<name>.pcap --json`, run from
  the repository root (`scripts/update_goldens.sh`), checked against what the capture
  holds before it was committed. `tests/replay/golden.sh` diffs the binary against them.
- `tests/parity/tshark_parity.py` compares ghostwire's per-conversation packet and byte
  totals with tshark's conversation tables on every capture here.

| capture | link type | frames | what it holds |
|---|---|---|---|
"""


def write_readme(outdir, caps):
    rows = []
    for c in caps:
        lt = "%s (%d)" % (LINKTYPE_NAMES.get(c.linktype, "?"), c.linktype)
        fmt = "pcapng" if c.fmt == "pcapng" else "pcap"
        frames = len(c.records) - (1 if c.cut else 0)
        extra = []
        if c.notes:
            extra.append("Frames outside any flow: " + "; ".join(c.notes) + ".")
        rows.append("| `%s` | %s, %s | %d | %s%s |" % (
            c.name, lt, fmt, frames, c.desc, (" " + " ".join(extra)) if extra else ""))
    with open(os.path.join(outdir, "README.md"), "w") as fh:
        fh.write(README_HEAD + "\n".join(rows) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(
        description="Write the deterministic test captures in pcaps/wire/.")
    ap.add_argument("--out", default=os.path.join(here, "..", "pcaps", "wire"))
    ap.add_argument("--truth", action="store_true",
                    help="print each capture's flows as built, as JSON lines")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    caps = []
    for make in CAPTURES:
        c = make()
        caps.append(c)
        path, size = c.write(args.out)
        if args.truth:
            print(json.dumps({"capture": c.name, "linktype": c.linktype,
                              "frames": len(c.records) - (1 if c.cut else 0),
                              "notes": c.notes}))
            for f in c.flows:
                print(json.dumps(dict(capture=c.name, **f.truth())))
        else:
            print("%-28s %5d bytes  %3d frames" % (c.name, size, len(c.records)),
                  file=sys.stderr)
    write_readme(args.out, caps)


if __name__ == "__main__":
    main()
