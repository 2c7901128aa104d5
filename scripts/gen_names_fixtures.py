#!/usr/bin/python3
# gen_names_fixtures.py — writes the wire-names test inputs: the real TLS
# ClientHellos embedded in tests/unit/tls_hello.h, and the fuzz seeds in
# tests/fixtures/dns/, tests/fixtures/tls_sni/ and tests/fixtures/http_host/
# (scripts/fuzz.sh seeds target fuzz_<x> from tests/fixtures/<x>/).
#
# Run with Debian's python (python3-scapy):   /usr/bin/python3 scripts/gen_names_fixtures.py
#
# The ClientHellos are made by this machine's OpenSSL (through Python's ssl module, to
# a memory BIO: nothing touches the network); their random, session id and key shares
# are then overwritten with fixed patterns so that re-running gives the same bytes for
# the same OpenSSL version. DNS seeds are built with scapy, which compresses names.

import os
import ssl
import struct
import sys

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)

from scapy.config import conf  # noqa: E402
conf.verb = 0
from scapy.layers.dns import DNS, DNSQR, DNSRR  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def openssl_client_hello(server_hostname, tls12_only=False):
    """The first flight of an OpenSSL client, as bytes (one TLS record)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if tls12_only:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    conn = ctx.wrap_bio(inc, out, server_hostname=server_hostname)
    try:
        conn.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return fix_randomness(bytearray(out.read()))


def fix_randomness(rec):
    """Overwrites random, session id and key_share keys with fixed patterns."""
    assert rec[0] == 22 and rec[5] == 1, "not a ClientHello record"
    p = 5 + 4 + 2  # record header, handshake header, legacy_version
    rec[p:p + 32] = bytes(range(32))
    p += 32
    sid = rec[p]
    rec[p + 1:p + 1 + sid] = bytes((0xa0 + i) & 0xff for i in range(sid))
    p += 1 + sid
    (n,) = struct.unpack_from("!H", rec, p)
    p += 2 + n
    p += 1 + rec[p]
    (ext_len,) = struct.unpack_from("!H", rec, p)
    p += 2
    end = p + ext_len
    while p < end:
        etype, elen = struct.unpack_from("!HH", rec, p)
        data = p + 4
        if etype == 51:  # key_share: (group, length, key)*
            (lst,) = struct.unpack_from("!H", rec, data)
            q = data + 2
            while q < data + 2 + lst:
                _group, klen = struct.unpack_from("!HH", rec, q)
                rec[q + 4:q + 4 + klen] = bytes((0x55 + i) & 0xff for i in range(klen))
                q += 4 + klen
        p = data + elen
    return bytes(rec)


def c_array(name, data):
    lines = [f"static const uint8_t {name}[{len(data)}] = {{"]
    for i in range(0, len(data), 12):
        lines.append("\t" + ", ".join(f"0x{b:02x}" for b in data[i:i + 12]) + ",")
    lines.append("};")
    return "\n".join(lines)


def write_tls_header(hellos):
    path = os.path.join(ROOT, "tests/unit/tls_hello.h")
    parts = [
        "/* tls_hello.h — real TLS ClientHellos made by OpenSSL "
        f"({ssl.OPENSSL_VERSION}) through\n"
        " * Python's ssl module, random, session id and key shares replaced by fixed\n"
        " * patterns. Written by scripts/gen_names_fixtures.py: do not edit. */",
        "#ifndef GHOSTWIRE_TEST_TLS_HELLO_H",
        "#define GHOSTWIRE_TEST_TLS_HELLO_H",
        "",
        "#include <stdint.h>",
        "",
    ]
    for name, data in hellos:
        parts.append(c_array(name, data))
        parts.append("")
    parts.append("#endif")
    with open(path, "w") as f:
        f.write("\n".join(parts) + "\n")


def write_seeds(subdir, seeds):
    d = os.path.join(ROOT, "tests/fixtures", subdir)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds:
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def dns_seeds():
    q = DNSQR(qname="www.example.com", qtype="A")
    chain = DNS(id=0x1234, qr=1, rd=1, ra=1, qd=q, an=(
        DNSRR(rrname="www.example.com", type="CNAME", ttl=300, rdata="edge.cdn.example.net")
        / DNSRR(rrname="edge.cdn.example.net", type="A", ttl=60, rdata="192.0.2.34")
        / DNSRR(rrname="edge.cdn.example.net", type="A", ttl=60, rdata="192.0.2.35")))
    aaaa = DNS(id=2, qr=1, qd=DNSQR(qname="v6.example.org", qtype="AAAA"),
               an=DNSRR(rrname="v6.example.org", type="AAAA", ttl=3600, rdata="2001:db8::1"))
    mx = DNS(id=3, qr=1, qd=DNSQR(qname="example.com", qtype="MX"),
             an=DNSRR(rrname="example.com", type="MX", ttl=3600, rdata=b"\x00\x0a\xc0\x0c"),
             ns=DNSRR(rrname="example.com", type="NS", ttl=3600, rdata="ns1.example.com"),
             ar=DNSRR(rrname="ns1.example.com", type="A", ttl=3600, rdata="192.0.2.53"))
    nx = DNS(id=4, qr=1, rcode=3, qd=DNSQR(qname="nx.example.com"))
    query = DNS(id=5, qr=0, rd=1, qd=DNSQR(qname="query.example.com"))
    mdns = DNS(id=0, qr=1, aa=1, an=DNSRR(rrname="printer.local", type="A", rclass=0x8001,
                                          ttl=120, rdata="192.168.1.20"))
    seeds = [("cname_chain.bin", bytes(chain)), ("aaaa.bin", bytes(aaaa)),
             ("mx_ns_glue.bin", bytes(mx)), ("nxdomain.bin", bytes(nx)),
             ("query.bin", bytes(query)), ("mdns.bin", bytes(mdns))]
    # A self-pointer, and a pointer forward, as hand-made messages.
    hdr = struct.pack("!HHHHHH", 7, 0x8180, 1, 0, 0, 0)
    seeds.append(("self_pointer.bin", hdr + b"\xc0\x0c\x00\x01\x00\x01"))
    seeds.append(("forward_pointer.bin", hdr + b"\xc0\x20\x00\x01\x00\x01"))
    return seeds


def http_seeds():
    return [
        ("get.txt", b"GET /index.html HTTP/1.1\r\nHost: www.Example.com:8080\r\n"
                    b"User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"),
        ("connect.txt", b"CONNECT secure.example.net:443 HTTP/1.1\r\n"
                        b"Host: secure.example.net:443\r\n\r\n"),
        ("absolute.txt", b"GET http://user@proxied.example.org:81/x HTTP/1.0\r\n\r\n"),
        ("ipv6.txt", b"POST /api HTTP/1.1\r\nhost:\t[2001:DB8::1]:80 \r\n"
                     b"Content-Length: 2\r\n\r\n{}"),
        ("lf_only.txt", b"HEAD / HTTP/1.0\nX-Host: no\nHOST: lf.example\n\n"),
    ]


def main():
    with_sni = openssl_client_hello("www.example.org")
    without = openssl_client_hello(None)
    tls12 = openssl_client_hello("TLS12.Example.NET.", tls12_only=True)
    write_tls_header([("tls_hello_sni", with_sni), ("tls_hello_nosni", without),
                      ("tls_hello_tls12", tls12)])
    write_seeds("tls_sni", [("openssl_sni.bin", with_sni), ("openssl_nosni.bin", without),
                            ("openssl_tls12.bin", tls12)])
    write_seeds("dns", dns_seeds())
    write_seeds("http_host", http_seeds())
    return 0


if __name__ == "__main__":
    sys.exit(main())
