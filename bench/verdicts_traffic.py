#!/usr/bin/python3
# bench/verdicts_traffic.py — the traffic and the measurements of bench/verdicts.sh, one
# role per invocation. Standard library only; run with /usr/bin/python3.
#
#   verdicts_traffic.py count FILE PORT...
#       verdicts in the JSON lines FILE of flows whose destination port is PORT: prints
#       "PORT flows explained kernel-response transit unexplained kinds" per port
#   verdicts_traffic.py latency GHOSTWIRE IFACE DST DPORT SPORT K GAP WAIT
#       runs `GHOSTWIRE watch -i IFACE --json -`, sends K raw-socket SYNs from source
#       ports SPORT.. to DST:DPORT (a closed port: the peer's kernel answers RST), GAP s
#       apart, and times each from sendto() to the arrival of its verdict line on
#       watch's stdout; waits at most WAIT s after the last. Prints one line per SYN
#       ("sport latency_s verdict kind"), then "missing N".
#   verdicts_traffic.py rate-server ADDR PORT SECONDS
#       accept, read a request, answer it, close; one connection at a time
#   verdicts_traffic.py rate-client HOST PORT RATE SECONDS
#       RATE short connections per second (request, reply, close), paced; prints
#       "done N in S s (R/s), failed F"
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time


def die(msg):
    print("verdicts_traffic.py: " + msg, file=sys.stderr)
    sys.exit(1)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def tcp_syn(src, dst, sport, dport, seq):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02, 64240, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(hdr))
    csum = checksum(pseudo + hdr)
    return hdr[:16] + struct.pack("!H", csum) + hdr[18:]


def source_for(dst):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((dst, 9))
    addr = s.getsockname()[0]
    s.close()
    return addr


def count(path, *ports):
    want = {int(p): {"flows": 0} for p in ports}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            v = json.loads(line)
            port = v.get("destination", {}).get("port")
            if port not in want:
                continue
            gw = v.get("ghostwire", {})
            c = want[port]
            c["flows"] += 1
            verdict = gw.get("verdict", "?")
            c[verdict] = c.get(verdict, 0) + 1
            if verdict == "unexplained":
                k = "kind:" + gw.get("kind", "?") + "/" + ",".join(gw.get("hints", []))
                c[k] = c.get(k, 0) + 1
    for p, c in want.items():
        kinds = " ".join("%s=%d" % (k, n) for k, n in sorted(c.items()) if k.startswith("kind:"))
        print("%d %d %d %d %d %d %s" % (p, c["flows"], c.get("explained", 0),
                                        c.get("kernel-response", 0), c.get("transit", 0),
                                        c.get("unexplained", 0), kinds or "-"))


def latency(gw, iface, dst, dport, sport, k, gap, wait):
    sport, k, dport = int(sport), int(k), int(dport)
    proc = subprocess.Popen([gw, "watch", "-i", iface, "--json", "-"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    seen = {}  # sport -> (monotonic arrival, verdict, kind)
    first_line = threading.Event()
    lock = threading.Lock()

    def reader():
        for raw in proc.stdout:
            t = time.monotonic()
            try:
                v = json.loads(raw)
            except ValueError:
                continue
            sp = v.get("source", {}).get("port")
            if v.get("destination", {}).get("port") == dport and sp is not None:
                gwv = v.get("ghostwire", {})
                with lock:
                    seen.setdefault(sp, (t, gwv.get("verdict"), gwv.get("kind", "-")))

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    # ghostwire has no readiness signal on stdout: give it time to open the capture
    # and poll once (the socket poll also has to see the raw socket before the SYNs)
    src = source_for(dst)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    time.sleep(3)
    if proc.poll() is not None:
        die("latency: ghostwire watch exited with %s" % proc.returncode)
    sent = {}
    for i in range(k):
        seg = tcp_syn(src, dst, sport + i, dport, 0x20000000 + i)
        sent[sport + i] = time.monotonic()
        raw.sendto(seg, (dst, 0))
        time.sleep(float(gap))
    end = time.monotonic() + float(wait)
    while time.monotonic() < end:
        with lock:
            if len(seen) >= k:
                break
        time.sleep(0.05)
    raw.close()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    th.join(2)
    missing = 0
    for sp in sorted(sent):
        if sp in seen:
            t, verdict, kind = seen[sp]
            print("%d %.3f %s %s" % (sp, t - sent[sp], verdict, kind))
        else:
            missing += 1
    print("missing %d" % missing)


def rate_server(addr, port, seconds):
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, int(port)))
    srv.listen(1024)
    srv.settimeout(0.2)
    end = time.monotonic() + float(seconds)
    while time.monotonic() < end:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        try:
            conn.settimeout(1)
            data = conn.recv(4096)
            if data:
                conn.sendall(data)
        except OSError:
            pass
        conn.close()
    srv.close()


def rate_client(host, port, rate, seconds):
    rate, seconds = float(rate), float(seconds)
    dst = (host, int(port))
    t0 = time.monotonic()
    end = t0 + seconds
    n = failed = 0
    msg = b"GET / bench\n"
    while True:
        now = time.monotonic()
        if now >= end:
            break
        due = t0 + n / rate
        if due > now:
            time.sleep(due - now)
        try:
            c = socket.create_connection(dst, timeout=2)
            c.sendall(msg)
            c.recv(4096)
            c.close()
        except OSError:
            failed += 1
        n += 1
    el = time.monotonic() - t0
    print("done %d in %.1f s (%.0f/s), failed %d" % (n, el, n / el, failed))


ROLES = {
    "latency": (latency, 8),
    "rate-server": (rate_server, 3),
    "rate-client": (rate_client, 4),
}


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "count":
        count(*sys.argv[2:])
        return
    if len(sys.argv) < 2 or sys.argv[1] not in ROLES:
        die("usage: see the head of this file")
    fn, nargs = ROLES[sys.argv[1]]
    if len(sys.argv) - 2 != nargs:
        die("%s takes %d arguments" % (sys.argv[1], nargs))
    fn(*sys.argv[2:])


if __name__ == "__main__":
    main()
