#!/usr/bin/python3
"""tests/geoip/libloc_check.py GHOSTWIRE SOURCE_ROOT DB — the bundled GeoIP
database against libloc itself: `ghostwire lookup --json --geoip DB` and
`location lookup` on the same addresses (2000 random public IPv4 addresses,
600 IPv6 ones, most inside networks libloc lists for a few countries, and 400
in networks libloc flags; a fixed seed) must give the same country, AS number,
AS name (up to ghostwire's length limit) and flags. Skips (77) when DB or `location` is missing. Teredo
(2001::/32) and 6to4 (2002::/16) are left out: the MaxMind DB aliases them to
IPv4 (docs/geoip.md)."""
import ipaddress
import json
import random
import re
import shutil
import subprocess
import sys

SEED = 5
N_V4 = 2000
N_V6_IN_NETWORKS = 500
N_V6_RANDOM = 100
N_FLAGGED = 400
FLAG_OPTIONS = ["anonymous-proxy", "satellite-provider", "anycast", "drop"]
V6_COUNTRIES = ["DE", "US", "BR", "JP", "ZA"]
ORG_MAX = 96  # GW_GEOIP_ORG_MAX, NUL included
FLAG_LINES = {
    "Anonymous Proxy": "anonymous-proxy",
    "Satellite Provider": "satellite",
    "Anycast": "anycast",
    "Hostile Network safe to drop": "drop",
}
LEFT_OUT = [ipaddress.ip_network("2001::/32"), ipaddress.ip_network("2002::/16")]


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def public(addr):
    return (addr.is_global and not addr.is_multicast
            and not any(addr in n for n in LEFT_OUT if addr.version == 6))


def random_v4(rng, n):
    out = []
    while len(out) < n:
        a = ipaddress.IPv4Address(rng.getrandbits(32))
        if public(a):
            out.append(a)
    return out


def random_v6(rng, n):
    out = []
    while len(out) < n:
        a = ipaddress.IPv6Address((1 << 125) | rng.getrandbits(125))  # 2000::/3
        if public(a):
            out.append(a)
    return out


def in_networks(rng, n, args):
    """n addresses in random networks of `location list-networks-by-* ARGS`."""
    nets = []
    for a in args:
        text = subprocess.run(["location"] + a, capture_output=True, text=True,
                              check=True).stdout
        nets += [ipaddress.ip_network(l) for l in text.split()]
    nets.sort(key=lambda n: (n.version, n))
    out = []
    while len(out) < n:
        net = rng.choice(nets)
        a = net[rng.randrange(net.num_addresses)]
        if public(a):
            out.append(a)
    return out


def country_codes():
    text = subprocess.run(["location", "list-countries", "--show-name"],
                          capture_output=True, text=True, check=True).stdout
    codes = {}
    for line in text.splitlines():
        cc, _, name = line.partition(" ")
        codes[name.strip()] = cc
    return codes


def libloc_answers(addrs, codes):
    """{addr: (country, asn, org, flags)} from `location lookup`'s text."""
    text = subprocess.run(["location", "lookup"] + [str(a) for a in addrs],
                          capture_output=True, text=True).stdout
    out, cur = {}, None
    for line in text.splitlines():
        if not line.startswith(" ") and line.endswith(":"):
            cur = [None, 0, "", set()]
            out[line[:-1]] = cur
            continue
        key, _, value = line.strip().partition(":")
        key, value = key.strip(), value.strip()
        if key == "Country":
            cur[0] = codes.get(value, value)
        elif key == "Autonomous System":
            m = re.match(r"AS(\d+)(?: - (.*))?$", value)
            cur[1], cur[2] = int(m.group(1)), (m.group(2) or "")
        elif key in FLAG_LINES:
            cur[3].add(FLAG_LINES[key])
    return {a: tuple(v[:3]) + (frozenset(v[3]),) for a, v in out.items()}


def ghostwire_answers(ghostwire, db, addrs):
    text = subprocess.run([ghostwire, "lookup", "--json", "--geoip", db] +
                          [str(a) for a in addrs],
                          capture_output=True, text=True, check=True).stdout
    out = {}
    for line in text.splitlines():
        o = json.loads(line)
        gw = o.get("ghostwire", {})
        out[o["ip"]] = (o.get("geo", {}).get("country_iso_code"),
                        o.get("as", {}).get("number", 0),
                        o.get("as", {}).get("organization", {}).get("name", ""),
                        frozenset(gw.get("flags", [])), gw.get("special"))
    return out


def cut_short(full, got):
    """Is got full's beginning, as ghostwire cuts a long AS name (GW_GEOIP_ORG_MAX)?"""
    return full.startswith(got) and len(got.encode()) > ORG_MAX - 1 - 4


def compare(label, addrs, ghostwire, db, codes):
    loc = libloc_answers(addrs, codes)
    gw = ghostwire_answers(ghostwire, db, addrs)
    nothing = (None, 0, "", frozenset())
    fields = ["country", "ASN", "AS name", "flags"]
    agree = [0] * 4
    examples = []
    special = truncated = 0
    for a in map(str, addrs):
        want = loc.get(a, nothing)
        got = gw[a]
        special += got[4] is not None
        if want[2] != got[2] and cut_short(want[2], got[2]):
            truncated += 1
            want = want[:2] + (got[2],) + want[3:]
        for i in range(4):
            if want[i] == got[i]:
                agree[i] += 1
            elif len(examples) < 10:
                examples.append(f"  {a}: {fields[i]}: libloc {want[i]!r}, ghostwire {got[i]!r}")
    n = len(addrs)
    print(f"{label}: {n} addresses, {len(loc)} known to libloc, {special} labelled special; "
          + ", ".join(f"{f} {c}/{n}" for f, c in zip(fields, agree))
          + f" ({truncated} AS names cut to ghostwire's {ORG_MAX - 1} bytes)")
    for e in examples:
        print(e)
    return agree[0] == n and agree[1] == n, agree[2] == n and agree[3] == n


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: libloc_check.py GHOSTWIRE SOURCE_ROOT DB")
    ghostwire, _, db = sys.argv[1:]
    if not shutil.which("location"):
        skip("`location` is not installed (apt-get install location libloc-database)")
    try:
        open(db, "rb").close()
    except OSError:
        skip(f"no bundled GeoIP database at {db} (built only with libloc-database, "
             "location and libmaxmind-db-writer-perl installed)")
    rng = random.Random(SEED)
    codes = country_codes()
    v4 = random_v4(rng, N_V4)
    v6 = in_networks(rng, N_V6_IN_NETWORKS,
                     [["list-networks-by-cc", "--family", "ipv6", cc] for cc in V6_COUNTRIES])
    v6 += random_v6(rng, N_V6_RANDOM)
    flagged = in_networks(rng, N_FLAGGED,
                          [["list-networks-by-flags", "--" + f] for f in FLAG_OPTIONS])
    ok = True
    for label, addrs in (("IPv4", v4), ("IPv6", v6), ("flagged networks", flagged)):
        exact, extra = compare(label, addrs, ghostwire, db, codes)
        ok &= exact and extra
    print("libloc check:", "all agree" if ok else "MISMATCH")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
