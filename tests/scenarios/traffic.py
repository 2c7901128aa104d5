#!/usr/bin/python3
# traffic.py — the traffic of the ground-truth scenarios (tests/scenarios/*.sh), one
# role per invocation. Every role does a fixed amount of work (counts, ports and
# payloads are fixed; only timing and the kernel's ephemeral ports vary) and ends by
# itself within its time bound. Standard library only; run with /usr/bin/python3.
#
#   traffic.py http-get HOST PORT COUNT PATH          COUNT GETs, one connection each
#   traffic.py tcp-echo-server ADDR PORT SECONDS      echo server, exits after SECONDS
#   traffic.py udp-echo-server ADDR PORT SECONDS      UDP echo server, same
#   traffic.py tcp-long HOST PORT SECONDS INTERVAL    one connection, a line every INTERVAL
#   traffic.py tcp-short HOST PORT COUNT              COUNT connections: a line, its echo
#   traffic.py udp-client HOST PORT CONNECTED UNCONNECTED ROUNDS HOLD
#                                                     CONNECTED connected sockets and
#                                                     UNCONNECTED sendto() sockets, ROUNDS
#                                                     request/replies each; kept HOLD s
#   traffic.py udp-slow HOST PORT COUNT GAP          one connected socket, COUNT
#                                                     request/replies GAP s apart
#   traffic.py syn-scan DST SPORT DPORT[,DPORT...] HOLD
#                                                     one crafted SYN to each DPORT from a
#                                                     raw socket (the hping3 -S pattern),
#                                                     source ports SPORT, SPORT+1, ...;
#                                                     the raw socket is held HOLD s
#   traffic.py tcp-refused HOST PORT COUNT            COUNT connect()s to a closed port
#   traffic.py udp-probe HOST PORT COUNT GAP          COUNT datagrams, GAP s apart, each
#                                                     from its own socket
#   traffic.py icmp-echo DST COUNT                    COUNT echo requests (raw socket)
#   traffic.py implant IFACE UDP_PORT TCP_PORT SECONDS
#                                                     the BPFDoor pattern: an AF_PACKET
#                                                     socket with a BPF filter waits for a
#                                                     magic UDP datagram to UDP_PORT and a
#                                                     SYN to TCP_PORT (no socket is bound
#                                                     to either) and answers each from
#                                                     that port through a raw socket
#   traffic.py trigger HOST UDP_PORT TCP_PORT         sends the implant's two triggers
#
# Exit status 0 when the role did what it should (a refused connect() is what
# tcp-refused expects), 1 otherwise, with a line on stderr.
import select
import socket
import struct
import sys
import threading
import time

MAGIC = b"gw-magic-7f3a"  # the implant's trigger payload


def die(msg):
    print("traffic.py: " + msg, file=sys.stderr)
    sys.exit(1)


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_segment(src, dst, sport, dport, seq, ack, flags, window=64240):
    """An option-less TCP header with its checksum (IPv4 pseudo-header)."""
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, window, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    csum = checksum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", csum) + hdr[18:]


def udp_datagram(src, dst, sport, dport, payload):
    length = 8 + len(payload)
    hdr = struct.pack("!HHHH", sport, dport, length, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, length)
    csum = checksum(pseudo + hdr + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, length, csum) + payload


def source_for(dst):
    """The local address the kernel would use towards dst."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((dst, 9))
    addr = s.getsockname()[0]
    s.close()
    return addr


# ---- clients and servers ----


def http_get(host, port, count, path):
    import http.client

    ok = 0
    for _ in range(int(count)):
        c = http.client.HTTPConnection(host, int(port), timeout=3)
        c.request("GET", path, headers={"Connection": "close"})
        r = c.getresponse()
        r.read()
        c.close()
        ok += r.status == 200
    if ok != int(count):
        die("http-get: %d of %s answered 200" % (ok, count))


def tcp_echo_server(addr, port, seconds):
    srv = socket.socket(family_of(addr), socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, int(port)))
    srv.listen(64)
    srv.settimeout(0.2)
    end = time.monotonic() + float(seconds)

    def serve(conn):
        conn.settimeout(max(0.1, end - time.monotonic()))
        try:
            while True:
                data = conn.recv(4096)
                if not data:
                    break
                conn.sendall(data)
        except OSError:
            pass
        conn.close()

    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()
    srv.close()


def udp_echo_server(addr, port, seconds):
    s = socket.socket(family_of(addr), socket.SOCK_DGRAM)
    s.bind((addr, int(port)))
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.2)
        if r:
            data, peer = s.recvfrom(4096)
            s.sendto(data, peer)
    s.close()


def tcp_long(host, port, seconds, interval):
    c = socket.create_connection((host, int(port)), timeout=3)
    end = time.monotonic() + float(seconds)
    n = 0
    while time.monotonic() < end:
        msg = b"keepalive %d\n" % n
        c.sendall(msg)
        got = b""
        while len(got) < len(msg):
            chunk = c.recv(4096)
            if not chunk:
                die("tcp-long: the server closed")
            got += chunk
        n += 1
        time.sleep(float(interval))
    c.close()


def tcp_short(host, port, count):
    for i in range(int(count)):
        c = socket.create_connection((host, int(port)), timeout=3)
        msg = b"hello %d\n" % i
        c.sendall(msg)
        got = b""
        while len(got) < len(msg):
            chunk = c.recv(4096)
            if not chunk:
                break
            got += chunk
        c.close()
        if got != msg:
            die("tcp-short: connection %d: no echo" % i)


def udp_client(host, port, connected, unconnected, rounds, hold):
    fam = family_of(host)
    dst = (host, int(port))
    socks = []
    for i in range(int(connected)):
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.connect(dst)
        socks.append((s, True))
    for i in range(int(unconnected)):
        socks.append((socket.socket(fam, socket.SOCK_DGRAM), False))
    for n, (s, conn) in enumerate(socks):
        s.settimeout(2)
        for r in range(int(rounds)):
            msg = b"query %d.%d" % (n, r)
            if conn:
                s.send(msg)
                data = s.recv(4096)
            else:
                s.sendto(msg, dst)
                data, _ = s.recvfrom(4096)
            if data != msg:
                die("udp-client: socket %d round %d: no echo" % (n, r))
    time.sleep(float(hold))
    for s, _ in socks:
        s.close()


def udp_slow(host, port, count, gap):
    s = socket.socket(family_of(host), socket.SOCK_DGRAM)
    s.connect((host, int(port)))
    s.settimeout(2)
    for i in range(int(count)):
        if i:
            time.sleep(float(gap))
        msg = b"slow %d" % i
        s.send(msg)
        if s.recv(4096) != msg:
            die("udp-slow: request %d: no echo" % i)
    s.close()


def tcp_refused(host, port, count):
    for i in range(int(count)):
        c = socket.socket(family_of(host), socket.SOCK_STREAM)
        c.settimeout(2)
        try:
            c.connect((host, int(port)))
            die("tcp-refused: port %s accepted a connection" % port)
        except ConnectionRefusedError:
            pass
        finally:
            c.close()


def udp_probe(host, port, count, gap):
    for i in range(int(count)):
        s = socket.socket(family_of(host), socket.SOCK_DGRAM)
        s.sendto(b"probe %d" % i, (host, int(port)))
        s.close()
        time.sleep(float(gap))


def icmp_echo(dst, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(1)
    ident = 0x4777
    got = 0
    for seq in range(int(count)):
        body = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + b"ghostwire-scenario"
        body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
        s.sendto(body, (dst, 0))
        end = time.monotonic() + 1
        while time.monotonic() < end:
            try:
                pkt = s.recv(4096)
            except socket.timeout:
                break
            ihl = (pkt[0] & 15) * 4
            t, _, _, i, q = struct.unpack("!BBHHH", pkt[ihl : ihl + 8])
            if t == 0 and i == ident and q == seq:
                got += 1
                break
        time.sleep(0.1)
    s.close()
    if got != int(count):
        die("icmp-echo: %d of %s answered" % (got, count))


# ---- crafted packets ----


def syn_scan(dst, sport, dports, hold):
    """hping3 -S: SYNs built by hand, sent through an IPPROTO_TCP raw socket (the
    kernel adds the IP header), no socket bound to the source ports."""
    src = source_for(dst)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    for i, dport in enumerate(int(p) for p in dports.split(",")):
        seg = tcp_segment(src, dst, int(sport) + i, dport, 0x10000000 + i, 0, 0x02)
        raw.sendto(seg, (dst, 0))
        time.sleep(0.05)
    time.sleep(float(hold))  # the poller must see the raw socket
    raw.close()


def raw_udp_beacon(dst, sport, dport, seconds):
    """A beacon no socket explains: UDP datagrams from sport, built by hand and
    sent every 0.25 s through an IPPROTO_UDP raw socket for seconds."""
    src = source_for(dst)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    end = time.time() + float(seconds)
    while time.time() < end:
        raw.sendto(udp_datagram(src, dst, int(sport), int(dport), b"beacon"), (dst, 0))
        time.sleep(0.25)
    raw.close()


# The implant's filter, `tcpdump -y EN10MB -dd 'ip and ((udp dst port 7777) or (tcp dst
# port 7778 and tcp[tcpflags] & tcp-syn != 0))'`; the ports are patched in below.
BPF = [
    (0x28, 0, 0, 0x0000000C), (0x15, 0, 16, 0x00000800), (0x30, 0, 0, 0x00000017),
    (0x15, 0, 5, 0x00000011), (0x28, 0, 0, 0x00000014), (0x45, 12, 0, 0x00001FFF),
    (0xB1, 0, 0, 0x0000000E), (0x48, 0, 0, 0x00000010), (0x15, 8, 9, 0x00001E61),
    (0x15, 0, 8, 0x00000006), (0x28, 0, 0, 0x00000014), (0x45, 6, 0, 0x00001FFF),
    (0xB1, 0, 0, 0x0000000E), (0x48, 0, 0, 0x00000010), (0x15, 0, 3, 0x00001E62),
    (0x50, 0, 0, 0x0000001B), (0x45, 0, 1, 0x00000002), (0x06, 0, 0, 0x00040000),
    (0x06, 0, 0, 0x00000000),
]
SO_ATTACH_FILTER = 26
ETH_P_IP = 0x0800
PACKET_OUTGOING = 4


def implant(iface, udp_port, tcp_port, seconds):
    udp_port, tcp_port = int(udp_port), int(tcp_port)
    prog = list(BPF)
    prog[8] = prog[8][:3] + (udp_port,)
    prog[14] = prog[14][:3] + (tcp_port,)
    code = b"".join(struct.pack("HBBI", *ins) for ins in prog)
    import ctypes

    buf = ctypes.create_string_buffer(code)
    fprog = struct.pack("HL", len(prog), ctypes.addressof(buf))
    pkt = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IP))
    pkt.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
    pkt.bind((iface, ETH_P_IP))
    raw_udp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    raw_tcp = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    answered = set()
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        r, _, _ = select.select([pkt], [], [], 0.1)
        if not r:
            continue
        frame, addr = pkt.recvfrom(65535)
        if addr[2] == PACKET_OUTGOING:
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        proto = ip[9]
        src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
        l4 = ip[ihl:]
        if proto == 17 and l4[8:].startswith(MAGIC) and "udp" not in answered:
            sport = struct.unpack("!H", l4[:2])[0]
            reply = udp_datagram(dst, src, udp_port, sport, b"gw-implant-ack")
            raw_udp.sendto(reply, (src, 0))
            answered.add("udp")
        elif proto == 6 and "tcp" not in answered:
            sport, _, seq = struct.unpack("!HHI", l4[:8])
            seg = tcp_segment(dst, src, tcp_port, sport, 0x77770000, (seq + 1) & 0xFFFFFFFF,
                              0x12)
            raw_tcp.sendto(seg, (src, 0))
            answered.add("tcp")
    for s in (pkt, raw_udp, raw_tcp):
        s.close()
    if answered != {"udp", "tcp"}:
        die("implant: answered %s" % (sorted(answered) or "nothing"))


def trigger(host, udp_port, tcp_port):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(MAGIC + b" open", (host, int(udp_port)))
    u.close()
    time.sleep(0.3)
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.settimeout(1)
    try:
        t.connect((host, int(tcp_port)))  # refused by the kernel, or the implant's SYN-ACK
    except OSError:
        pass
    t.close()


ROLES = {
    "http-get": (http_get, 4),
    "tcp-echo-server": (tcp_echo_server, 3),
    "udp-echo-server": (udp_echo_server, 3),
    "tcp-long": (tcp_long, 4),
    "tcp-short": (tcp_short, 3),
    "udp-client": (udp_client, 6),
    "udp-slow": (udp_slow, 4),
    "syn-scan": (syn_scan, 4),
    "raw-udp-beacon": (raw_udp_beacon, 4),
    "tcp-refused": (tcp_refused, 3),
    "udp-probe": (udp_probe, 4),
    "icmp-echo": (icmp_echo, 2),
    "implant": (implant, 4),
    "trigger": (trigger, 3),
}


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ROLES:
        die("usage: traffic.py ROLE ARGS... (roles: %s)" % ", ".join(sorted(ROLES)))
    fn, nargs = ROLES[sys.argv[1]]
    if len(sys.argv) - 2 != nargs:
        die("%s takes %d arguments" % (sys.argv[1], nargs))
    try:
        fn(*sys.argv[2:])
    except OSError as e:
        die("%s: %s" % (sys.argv[1], e))


if __name__ == "__main__":
    main()
