#!/bin/sh
# cli/sockets_ss.sh GHOSTWIRE SOURCE_ROOT — `ghostwire sockets --json` against
# `ss -tanpuH` at the same moment: one process (a python3 holder, known pid)
# opens TCP listeners on 127.0.0.1 and ::1, established loopback pairs (IPv4,
# IPv6, and IPv4-mapped IPv6), bound and connected UDP sockets and wildcard IPv6
# UDP sockets with and without IPV6_V6ONLY; for that pid, the set of (proto,
# state, local, local port, remote, remote port, pid) must be the same in both.
# Both are run back to back, and again if they differ, so that a socket opening
# or closing elsewhere in between cannot fail the test. Skips (77) without ss or
# python3.
set -u
gw=$1
py=/usr/bin/python3
[ -x "$py" ] || py=$(command -v python3 2>/dev/null) || py=
if [ -z "$py" ]; then
	echo "skip: python3 is not installed"
	exit 77
fi
if ! command -v ss >/dev/null 2>&1; then
	echo "skip: ss (iproute2) is not installed"
	exit 77
fi
exec "$py" - "$gw" <<'EOF'
import ipaddress, json, os, re, subprocess, sys, time

gw = sys.argv[1]

# The holder: opens its sockets, says "ready", then waits for stdin to close.
HOLDER = r'''
import socket, sys
keep = []
def tcp_listener(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.bind((addr, 0)); s.listen(8); keep.append(s); return s
def tcp_pair(listener, family, addr):
    c = socket.socket(family, socket.SOCK_STREAM)
    c.connect((addr, listener.getsockname()[1]))
    a, _ = listener.accept(); keep.extend([c, a])
l4 = tcp_listener(socket.AF_INET, "127.0.0.1")
l6 = tcp_listener(socket.AF_INET6, "::1")
tcp_pair(l4, socket.AF_INET, "127.0.0.1")
tcp_pair(l6, socket.AF_INET6, "::1")
m = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)        # IPv4-mapped IPv6
m.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
m.connect(("::ffff:127.0.0.1", l4.getsockname()[1]))
a, _ = l4.accept(); keep.extend([m, a])
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); keep.append(u)
uc = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); uc.bind(("::1", 0))
uc.connect(("::1", 9)); keep.append(uc)                        # connected: ESTAB, nothing sent
for v6only in (0, 1):                                          # ss: "*" and "[::]"
    w = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    w.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, v6only)
    w.bind(("::", 0)); keep.append(w)
print(len(keep), flush=True)
sys.stdin.read()
'''

EXPECTED = 12
passed = failed = 0

def check(name, ok, detail=""):
    global passed, failed
    if ok:
        print("ok   " + name)
        passed += 1
    else:
        print("FAIL " + name + (": " + detail if detail else ""))
        failed += 1

# ss's state names (iproute2 sstate_name) to ghostwire's (src/sockets/names.c).
SS_STATES = {
    "UNKNOWN": "unknown", "ESTAB": "established", "SYN-SENT": "syn-sent",
    "SYN-RECV": "syn-recv", "FIN-WAIT-1": "fin-wait-1", "FIN-WAIT-2": "fin-wait-2",
    "TIME-WAIT": "time-wait", "UNCONN": "unconn", "CLOSE-WAIT": "close-wait",
    "LAST-ACK": "last-ack", "LISTEN": "listen", "CLOSING": "closing",
    "NEW-SYN-RECV": "new-syn-recv",
}

def norm_addr(text):
    return ipaddress.ip_address(text).compressed

def ss_endpoint(text):
    """ "127.0.0.1:80", "[::1]:80", "[::ffff:127.0.0.1]:80", "0.0.0.0:*", "*:*",
    "[::]:*", "127.0.0.1%lo:80" -> (address, port, wildcard mark). ss writes the
    IPv6 wildcard "*" unless the socket is IPV6_V6ONLY, then "[::]"."""
    addr, port = text.rsplit(":", 1)
    port = 0 if port == "*" else int(port)
    wild = None
    if addr == "*":
        addr, wild = "::", "dual"
    elif addr.startswith("["):
        addr = addr[1:addr.index("]")]
        if addr == "::":
            wild = "v6only"
    addr = addr.split("%", 1)[0]
    return norm_addr(addr), port, wild

def from_ss(lines, pid):
    out = set()
    mark = "pid=%d," % pid
    for line in lines:
        if mark not in line:
            continue
        f = line.split()
        netid, state, local, peer = f[0], f[1], f[4], f[5]
        la, lp, lw = ss_endpoint(local)
        ra, rp, _ = ss_endpoint(peer)
        if state not in SS_STATES:
            raise ValueError("unknown ss state %r in: %s" % (state, line))
        out.add((netid, SS_STATES[state], la, lp, lw, ra, rp, pid))
    return out

def from_gw(lines, pid):
    """The holder's sockets, and whether ghostwire says which are IPV6_V6ONLY."""
    out, owners, has_v6only = set(), [], True
    for line in lines:
        r = json.loads(line)
        has_v6only = has_v6only and "v6only" in r
        if r.get("pid") != pid or r.get("owner_status") != "known":
            continue
        if r["proto"] not in ("tcp", "udp"):
            continue
        la = norm_addr(r["local"])
        lw = None
        if r["family"] == "ipv6" and la == "::":
            lw = "v6only" if r.get("v6only") else "dual"
        out.add((r["proto"], r["state"], la, r["local_port"], lw,
                 norm_addr(r["remote"]), r["remote_port"], pid))
        owners.append((r.get("process") or {}).get("pid"))
    return out, owners, has_v6only

def unwild(tuples):
    return {t[:4] + (None,) + t[5:] for t in tuples}

def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s: exit %d: %s" % (" ".join(cmd), p.returncode, p.stderr.strip()))
    return [l for l in p.stdout.splitlines() if l.strip()]

def compare(name, gw_args, ss_args, pid, want):
    gw_set = ss_set = set()
    for attempt in (1, 2):
        gw_lines = run([gw, "sockets", "--json"] + gw_args)
        ss_lines = run(["ss"] + ss_args)
        gw_set, owners, has_v6only = from_gw(gw_lines, pid)
        ss_set = from_ss(ss_lines, pid)
        if not has_v6only:  # an older ghostwire: "*" and "[::]" both mean "::"
            gw_set, ss_set = unwild(gw_set), unwild(ss_set)
        if gw_set == ss_set and len(ss_set) == want:
            break
    check(name + ": ss shows the holder's %d sockets" % want, len(ss_set) == want,
          "%d: %s" % (len(ss_set), sorted(ss_set)))
    check(name + ": ghostwire shows them with their owner", len(gw_set) == want and
          all(o == pid for o in owners), "%d, process pids %s" % (len(gw_set), owners))
    diff = ""
    for t in sorted(ss_set - gw_set, key=str):
        diff += "\n  only in ss:        %s" % (t,)
    for t in sorted(gw_set - ss_set, key=str):
        diff += "\n  only in ghostwire: %s" % (t,)
    check(name + ": same sockets in both", gw_set == ss_set, diff)

holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, text=True)
try:
    ready = holder.stdout.readline().strip()
    check("holder opened its sockets", ready == str(EXPECTED),
          "said %r, expected %d" % (ready, EXPECTED))
    if ready:
        compare("all", [], ["-tanpuH"], holder.pid, EXPECTED)
        # Listening and unbound-unconnected only: ss -l is LISTEN and UNCONN, as
        # ghostwire's --listening is listen and unconn.
        compare("listening", ["--listening", "--tcp", "--udp"], ["-tlnpuH"], holder.pid, 5)
except Exception as e:  # a command failed or printed what cannot be parsed
    check("commands ran and parsed", False, str(e))
finally:
    holder.stdin.close()
    holder.wait(timeout=10)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
EOF
