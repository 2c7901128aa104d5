#!/bin/sh
# update_goldens.sh — regenerates pcaps/wire/<name>.golden.jsonl from the current
# binary: the output of `ghostwire flows -r pcaps/wire/<name>.pcap --json`, run from the
# repository root with that relative path (the summary's `source` field holds it, so
# goldens do not depend on where the tree is checked out).
#
# usage: scripts/update_goldens.sh [GHOSTWIRE_BINARY] [CAPTURE ...]
#   GHOSTWIRE_BINARY  default: build/ghostwire
#   CAPTURE           only these captures (paths or names); default: all of pcaps/wire/
#
# A golden is a claim about what the capture holds: read every changed one against the
# capture (pcaps/wire/README.md, `/usr/bin/python3 scripts/gen_pcaps.py --truth`)
# before committing it. Check with tests/replay/golden.sh.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-build/ghostwire}
[ $# -gt 0 ] && shift
case $bin in /*) ;; *) bin=$root/$bin ;; esac
if [ ! -x "$bin" ]; then
	echo "update_goldens.sh: $bin is not an executable (build first: ninja -C build)" >&2
	exit 2
fi
cd "$root"

if [ $# -eq 0 ]; then
	set -- pcaps/wire/*.pcap pcaps/wire/*.pcapng
fi

status=0
for cap in "$@"; do
	case $cap in
	*/*) ;;
	*) cap=pcaps/wire/$cap ;;
	esac
	[ -e "$cap" ] || { echo "no such capture: $cap" >&2; status=1; continue; }
	golden=${cap%.*}.golden.jsonl
	tmp=$golden.tmp
	rc=0
	"$bin" flows -r "$cap" --json >"$tmp" 2>/dev/null || rc=$?
	if [ "$rc" -ge 128 ]; then
		echo "CRASH $cap (status $rc): golden not written" >&2
		rm -f "$tmp"
		status=1
		continue
	fi
	if [ -e "$golden" ] && cmp -s "$tmp" "$golden"; then
		rm -f "$tmp"
		echo "same     $golden"
	else
		mv "$tmp" "$golden"
		echo "written  $golden (exit $rc)"
	fi
done
exit $status
