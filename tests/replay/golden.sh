#!/bin/sh
# golden.sh — replays every pcaps/wire/<name>.pcap[ng] that has a <name>.golden.jsonl
# through `ghostwire flows -r pcaps/wire/<name>.pcap --json` (run from SOURCE_ROOT with
# that relative path, as scripts/update_goldens.sh does) and diffs stdout against the
# golden. The exit status must be 0, or 2 when the golden's summary says
# "complete":false (the input ended early: `ghostwire flows --help`); a signal (a crash)
# is a failure.
#
# usage: tests/replay/golden.sh GHOSTWIRE_BINARY SOURCE_ROOT
# Last line: "N passed, M failed". Exit 0 when all match, 1 otherwise, 2 on usage error.
set -u

if [ $# -ne 2 ]; then
	echo "usage: $0 GHOSTWIRE_BINARY SOURCE_ROOT" >&2
	exit 2
fi
bin=$1
root=$2
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if [ ! -x "$bin" ]; then
	echo "golden.sh: $bin is not an executable" >&2
	exit 2
fi
cd "$root" || exit 2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gw-golden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# fielddiff GOLDEN OUT: the lines are long JSON objects, so also name the fields that
# differ, record by record, records matched by identity rather than line number
# (needs python3; skipped without it).
fielddiff() {
	command -v python3 >/dev/null 2>&1 || return 0
	python3 - "$1" "$2" <<'PY' || true
import json, sys

def load(path):
    out = []
    for line in open(path, encoding="utf-8", errors="replace"):
        try:
            out.append(json.loads(line))
        except ValueError:
            out.append({"<not JSON>": line.rstrip("\n")})
    return out

def ident(r):
    """A record's identity, independent of its line: a flow by transport, endpoints
    and first packet time; the summary by its type."""
    if r.get("type") == "flow":
        return ("flow", r.get("transport"), r.get("local_ip"), r.get("local_port"),
                r.get("remote_ip"), r.get("remote_port"), r.get("first_seen"))
    return (str(r.get("type")),)

def name(k):
    if k[0] == "flow":
        return "flow %s %s:%s -> %s:%s first_seen %s" % k[1:]
    return k[0]

def index(recs):
    out, seen = {}, {}
    for r in recs:
        k = ident(r)
        seen[k] = seen.get(k, 0) + 1
        out[k + (seen[k],) if seen[k] > 1 else k] = r
    return out

g, o = index(load(sys.argv[1])), index(load(sys.argv[2]))
print("    by record (golden -> ghostwire):")
for k in g:
    if k not in o:
        print("    %s: missing from ghostwire's output" % name(k))
        continue
    a, b = g[k], o[k]
    for f in list(a) + [f for f in b if f not in a]:
        if a.get(f, "<absent>") != b.get(f, "<absent>"):
            print("    %s: %s: %s -> %s" % (name(k), f, json.dumps(a.get(f, "<absent>")),
                                          json.dumps(b.get(f, "<absent>"))))
for k in o:
    if k not in g:
        print("    %s: not in the golden" % name(k))
if [k for k in g if k in o] != [k for k in o if k in g]:
    print("    records are in a different order")
PY
}

pass=0
fail=0
for golden in pcaps/wire/*.golden.jsonl; do
	[ -e "$golden" ] || continue
	base=${golden%.golden.jsonl}
	cap=
	for ext in pcap pcapng; do
		[ -e "$base.$ext" ] && cap=$base.$ext
	done
	if [ -z "$cap" ]; then
		echo "FAIL $golden: no capture $base.pcap or $base.pcapng"
		fail=$((fail + 1))
		continue
	fi
	rc=0
	"$bin" flows -r "$cap" --json >"$tmp/out" 2>"$tmp/err" || rc=$?
	want=0
	grep -q '"type":"summary".*"complete":false' "$golden" && want=2
	if [ "$rc" -ge 128 ]; then
		echo "FAIL $cap: ghostwire died with status $rc"
		sed 's/^/    stderr: /' "$tmp/err"
		fail=$((fail + 1))
	elif [ "$rc" -ne "$want" ]; then
		echo "FAIL $cap: exit status $rc, expected $want"
		sed 's/^/    stderr: /' "$tmp/err"
		fail=$((fail + 1))
	elif diff -u "$golden" "$tmp/out" >"$tmp/diff"; then
		echo "ok   $cap"
		pass=$((pass + 1))
	else
		echo "FAIL $cap: output differs from $golden (- golden, + ghostwire, exit $rc)"
		sed -e '1s|^--- .*|--- '"$golden"'|' \
		    -e '2s|^+++ .*|+++ ghostwire flows -r '"$cap"' --json|' "$tmp/diff"
		fielddiff "$golden" "$tmp/out"
		sed 's/^/    stderr: /' "$tmp/err"
		fail=$((fail + 1))
	fi
done

# Captures with no golden are not tested; say so, so that missing coverage shows.
for cap in pcaps/wire/*.pcap pcaps/wire/*.pcapng; do
	[ -e "$cap" ] || continue
	[ -e "${cap%.*}.golden.jsonl" ] || echo "skip $cap: no golden"
done

if [ $((pass + fail)) -eq 0 ]; then
	echo "golden.sh: no pcaps/wire/*.golden.jsonl under $root" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
