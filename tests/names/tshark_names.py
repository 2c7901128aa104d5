#!/usr/bin/python3
# tshark_names.py — checks the names ghostwire reads off the wire (DNS answers, TLS
# ClientHello SNI, HTTP Host) against tshark's dissection of the same captures. Owns
# the choice of captures, the mapping between tshark's fields and names_dump's lines,
# and the list of reasons the two may legitimately differ.
#
# usage: tshark_names.py NAMES_DUMP SOURCE_ROOT [CAPTURE ...]
#   CAPTURE: capture paths to check instead of the default list below, which names
#   files of the shared third-party corpus (SOURCE_ROOT/../shared/corpus), read where
#   they are and never copied.
# Exit: 0 agree, 1 a disagreement, 2 usage/setup error, 77 (meson: skipped) when tshark
# or the corpus is missing. Standard library only; run with /usr/bin/python3.
#
# What is compared, frame by frame (tshark's frame.number = names_dump's count):
#   DNS   every response (QR=1, opcode 0, RCODE 0) from UDP port 53 or 5353 or TCP port
#         53: the multiset of answer-section A, AAAA and CNAME records of class IN
#         (mDNS's cache-flush bit ignored) as (type, owner, value, TTL), names lowercased.
#   SNI   every TCP frame in which tshark dissects a ClientHello: its server_name.
#   HOST  every HTTP request over TCP that tshark dissects: the Host header's host
#         (port, brackets and case dropped); for CONNECT the request line's
#         authority, as ghostwire takes it.
# SNI and Host are compared with tshark's per-segment view (tcp.desegment_tcp_streams
# off), which is what ghostwire reads: one segment, the flow's first client payload.
# A second, default tshark pass (with TCP reassembly) counts the names that only
# reassembly finds: what reading the first segment alone costs.
# Allowed differences, counted and printed but not failures:
#   - names only tshark's reassembly finds (a ClientHello, a header block or a DNS
#     message split over segments), and names in the same segment but not at its start
#     (a ClientHello after a ChangeCipherSpec record, following a HelloRetryRequest);
#   - a Host line cut at the segment's end: tshark may show the part, ghostwire waits
#     for the line's end and says "truncated";
#   - requests with methods ghostwire does not take (WebDAV's PROPFIND, ...);
#   - TCP retransmissions, which tshark does not dissect again, and segments whose
#     dissection tshark abandons ("BoundError") after showing the Host line: names
#     only ghostwire lists;
#   - DNS frames the decoder refuses (an IPv4 length past a frame captured whole),
#     fragments (the decoder gives their payload to no one), and messages ghostwire
#     refuses as malformed, where tshark shows what it could read.
# A failure is a frame where both found something and the names differ.
#
# Preferences: tshark runs with -n and WIRESHARK_CONFIG_DIR pointed at an empty
# directory, so a user's profile cannot change the result.

import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile

CAPTURES = [
    # DNS: CNAME chains, EDNS, TCP, mDNS, malformed, exfiltration-style names
    "ndpi-dns_ambiguous_names.pcap",
    "zeek-dns-edns-ecs.pcap",
    "zeek-dns-edns-cookie.pcap",
    "tcpdump-dns_tcp.pcap",
    "tcpdump-edns-opts.pcap",
    "zeek-dns_mdns-no-assoc.pcap",
    "ndpi-badpackets.pcap",
    "ndpi-dns_exfiltration.pcap",
    "ndpi-malformed_dns.pcap",
    # TLS: browsers, split ClientHellos, ECH, no SNI
    "ndpi-chrome.pcap",
    "ndpi-safari.pcap",
    "ndpi-tumblr.pcap",
    "ndpi-signal.pcap",
    "ndpi-yandex.pcapng",
    "ndpi-tls_2_reasms.pcapng",
    "ndpi-tls_ech.pcapng",
    "ndpi-no_sni.pcap",
    "pcpp-ExamplesTest_pcap_examples_tls.pcap",
    # HTTP: many requests, CONNECT, proxies, headers split over segments
    "pcpp-ExamplesTest_pcap_examples_http-packets2.pcap",
    "pcpp-Pcap++Test_PcapExamples_4KHttpRequests.pcap",
    "ndpi-http_connect.pcap",
    "ndpi-http_ua_splitted_in_two_pkts.pcapng",
    "zeek-http_proxy.pcap",
    "ndpi-webdav.pcap",
    # mixed
    "ndpi-iphone.pcap",
    "ndpi-netflix.pcap",
    "ndpi-anyconnect-vpn.pcap",
]

DNS_FILTER = ("dns.flags.response == 1 && dns.flags.rcode == 0 && dns.flags.opcode == 0"
              " && (udp.srcport == 53 || udp.srcport == 5353 || tcp.srcport == 53)")
TYPES = {"1": "a", "28": "aaaa", "5": "cname"}


def tshark(args, env):
    r = subprocess.run(["tshark", "-n"] + args, capture_output=True, text=True, env=env,
                       errors="replace")
    if r.returncode != 0 and not r.stdout:
        raise RuntimeError(f"tshark {' '.join(args)}: {r.stderr.strip()}")
    return r.stdout


def pairs(obj):
    """Key/value pairs of a JSON object read with object_pairs_hook=list."""
    return obj if isinstance(obj, list) else []


def norm_name(s):
    s = s.lower()
    while s.endswith("."):
        s = s[:-1]
    return s


def tshark_dns(path, env):
    """frame -> Counter of (type, owner, value, ttl), answer sections only."""
    out = tshark(["-r", path, "-Y", DNS_FILTER, "-T", "json", "-J", "frame dns mdns"], env)
    frames = {}
    for pkt in json.loads(out or "[]", object_pairs_hook=list):
        layers = dict(pairs(dict(pairs(pkt))["_source"]))["layers"]
        frame = None
        records = collections.Counter()
        for key, value in pairs(layers):
            if key == "frame":
                frame = int(dict(pairs(value))["frame.number"])
            if key not in ("dns", "mdns"):
                continue
            for section, body in pairs(value):
                if section != "Answers":
                    continue
                for _desc, rr in pairs(body):
                    f = dict(pairs(rr))
                    rtype = TYPES.get(f.get("dns.resp.type"))
                    klass = int(f.get("dns.resp.class", "0x0"), 16) & 0x7FFF
                    if not rtype or klass != 1:
                        continue
                    val = f.get({"a": "dns.a", "aaaa": "dns.aaaa", "cname": "dns.cname"}[rtype])
                    if val is None:
                        continue
                    if rtype == "cname":
                        val = norm_name(val)
                    ttl = int(f.get("dns.resp.ttl", "0"))
                    if ttl < 0 or ttl > 0x7FFFFFFF:
                        ttl = 0
                    records[(rtype, norm_name(f.get("dns.resp.name", "")), val, ttl)] += 1
        if frame is not None:
            frames[frame] = records
    return frames


def fields(path, env, opts, display_filter, names):
    out = tshark(opts + ["-r", path, "-Y", display_filter, "-T", "fields", "-E", "separator=/t",
                  "-E", "occurrence=f"] + [a for n in names for a in ("-e", n)], env)
    rows = []
    for line in out.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(names) - len(cols))
        rows.append(dict(zip(names, cols)))
    return rows


def host_of(authority):
    """The host of an authority, as ghostwire cuts it: no userinfo, port, brackets."""
    a = authority.strip()
    if "://" in a:
        a = a.split("://", 1)[1]
        for stop in "/?#":
            a = a.split(stop, 1)[0]
        a = a.rsplit("@", 1)[-1]
    if a.startswith("["):
        return a[1:].split("]", 1)[0].lower()
    return norm_name(a.split(":", 1)[0].split(" ", 1)[0].split("\t", 1)[0])


SEGMENTS_ONLY = ["-o", "tcp.desegment_tcp_streams:FALSE"]


def tshark_sni(path, env, opts):
    rows = fields(path, env, opts, "tcp && tls.handshake.type == 1",
                  ["frame.number", "tls.handshake.extensions_server_name"])
    return {int(r["frame.number"]): norm_name(r["tls.handshake.extensions_server_name"])
            for r in rows}


def tshark_hosts(path, env, opts):
    rows = fields(path, env, opts, "tcp && http.request",
                  ["frame.number", "http.request.method", "http.host", "http.request.uri"])
    hosts = {}
    for r in rows:
        if r["http.request.method"] == "CONNECT":
            want = host_of(r["http.request.uri"])
        elif r["http.host"]:
            want = host_of(r["http.host"])
        elif "://" in r["http.request.uri"]:
            want = host_of(r["http.request.uri"])
        else:
            want = ""
        hosts[int(r["frame.number"])] = want
    return hosts


def run_dump(dump, path):
    r = subprocess.run([dump, path], capture_output=True, text=True, errors="replace")
    if r.returncode != 0:
        raise RuntimeError(f"names_dump {path}: {r.stderr.strip()}")
    dns = collections.defaultdict(collections.Counter)
    msgs = collections.defaultdict(list)
    sni, host = {}, {}
    for line in r.stdout.splitlines():
        c = line.split("\t")
        if c[0] == "decode":
            msgs[int(c[1])].append(f"decoder refused the frame: {c[2]}")
        elif c[0] == "dns":
            dns[int(c[1])][(c[2], c[3], c[4], int(c[5]))] += 1
        elif c[0] == "dnsmsg":
            msgs[int(c[1])].append(c[2])
        elif c[0] == "sni":
            sni[int(c[1])] = (c[2], c[3] if len(c) > 3 else "")
        elif c[0] == "host":
            host[int(c[1])] = (c[2], c[3] if len(c) > 3 else "")
    return dns, msgs, sni, host


class Tally:
    def __init__(self):
        self.n = collections.Counter()
        self.notes = []

    def note(self, capture, frame, what):
        self.notes.append(f"  {capture} frame {frame}: {what}")


def compare_dns(cap, theirs, ours, msgs, t):
    for frame in sorted(set(theirs) | set(msgs)):
        want, got = theirs.get(frame, collections.Counter()), ours.get(frame, collections.Counter())
        n = sum(want.values())
        if frame in msgs and "ok" in msgs[frame] and frame in theirs:
            t.n["dns messages compared"] += 1
            t.n["dns records compared"] += n
            if want == got:
                t.n["dns records equal"] += n
                continue
            missing, extra = want - got, got - want
            t.n["dns records differing"] += sum(missing.values()) + sum(extra.values())
            t.note(cap, frame, f"DNS DIFFERS: tshark only {sorted(missing)}, "
                               f"ghostwire only {sorted(extra)}")
            t.n["failures"] += 1
        elif frame in theirs:
            why = ",".join(msgs.get(frame, ["no whole message in this TCP segment"]))
            t.n["dns records tshark only"] += n
            t.note(cap, frame, f"DNS tshark only ({n} records): ghostwire {why}")
        elif any(m == "ok" for m in msgs[frame]):
            t.n["dns records ghostwire only"] += sum(got.values())
            if got:
                t.note(cap, frame, f"DNS ghostwire only: {sorted(got)}")


def compare_names(kind, cap, segment, reassembled, ours, t):
    """segment, reassembled: tshark's names by frame without and with TCP reassembly."""
    for frame in sorted(set(segment) | set(ours)):
        want = segment.get(frame, "")
        result, got = ours.get(frame, ("-", ""))
        if want and result == "found":
            t.n[f"{kind} compared"] += 1
            if want == got:
                t.n[f"{kind} equal"] += 1
            else:
                t.n["failures"] += 1
                t.note(cap, frame, f"{kind.upper()} DIFFERS: tshark {want!r}, ghostwire {got!r}")
        elif want:
            t.n[f"{kind} tshark only"] += 1
            t.note(cap, frame, f"{kind} tshark only {want!r} (ghostwire: {result})")
        elif result == "found":
            t.n[f"{kind} ghostwire only"] += 1
            t.note(cap, frame, f"{kind} ghostwire only {got!r}")
    found = {n for f, n in segment.items() if n}
    for frame, name in sorted(reassembled.items()):
        if name and segment.get(frame) != name and ours.get(frame, ("-",))[0] != "found":
            t.n[f"{kind} only with tshark's reassembly"] += 1
            seen = "another segment had it" if name in found else "in no single segment"
            t.note(cap, frame, f"{kind} only with reassembly {name!r} ({seen})")


def main(argv):
    if len(argv) < 3:
        print("usage: tshark_names.py NAMES_DUMP SOURCE_ROOT [CAPTURE ...]", file=sys.stderr)
        return 2
    dump, root = argv[1], argv[2]
    if not shutil.which("tshark"):
        print("tshark_names: tshark not installed: skipped")
        return 77
    corpus = os.path.join(root, "..", "shared", "corpus")
    captures = argv[3:] or [os.path.join(corpus, c) for c in CAPTURES]
    captures = [c if os.path.isabs(c) else os.path.join(root, c) for c in captures]
    present = [c for c in captures if os.path.exists(c)]
    if not present:
        print(f"tshark_names: none of the captures found (corpus {corpus}): skipped")
        return 77
    t = Tally()
    with tempfile.TemporaryDirectory() as conf:
        env = dict(os.environ, WIRESHARK_CONFIG_DIR=conf)
        for path in present:
            cap = os.path.basename(path)
            dns, msgs, sni, host = run_dump(dump, path)
            compare_dns(cap, tshark_dns(path, env), dns, msgs, t)
            compare_names("sni", cap, tshark_sni(path, env, SEGMENTS_ONLY),
                          tshark_sni(path, env, []), sni, t)
            compare_names("host", cap, tshark_hosts(path, env, SEGMENTS_ONLY),
                          tshark_hosts(path, env, []), host, t)
    print(f"tshark_names: {len(present)} captures ({len(captures) - len(present)} missing)")
    print("\n".join(t.notes))
    for key in sorted(t.n):
        print(f"  {key}: {t.n[key]}")
    compared = t.n["dns records compared"] + t.n["sni compared"] + t.n["host compared"]
    equal = t.n["dns records equal"] + t.n["sni equal"] + t.n["host equal"]
    print(f"tshark_names: {compared} names compared, {equal} equal")
    return 1 if t.n["failures"] or compared == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
