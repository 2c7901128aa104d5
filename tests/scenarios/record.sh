#!/bin/bash
# record.sh — (re)records ground-truth sessions: runs each scenario once under
# `ghostwire record` into pcaps/sessions/<name>/ (capture.pcap, sockets.jsonl,
# meta.json; expect.json, the ground truth, is kept), then writes golden.jsonl with
# replay_check.py --write-golden (two replays, byte-identical) and checks it.
#
# usage: tests/scenarios/record.sh GHOSTWIRE SOURCE_ROOT NAME ...   (as root)
# A new recording changes the golden: read its verdicts against expect.json and the
# scenario before committing (replay_check.py GHOSTWIRE SOURCE_ROOT NAME).
set -u
if [ $# -lt 3 ]; then
	echo "usage: $0 GHOSTWIRE SOURCE_ROOT NAME ..." >&2
	exit 2
fi
gw=$1 root=$2
shift 2
case $gw in /*) ;; *) gw=$(pwd)/$gw ;; esac
status=0
for name in "$@"; do
	script=$root/tests/scenarios/$name.sh
	dest=$root/pcaps/sessions/$name
	[ -f "$script" ] || { echo "no such scenario: $script" >&2; status=1; continue; }
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/gw-record.XXXXXX")
	if ! bash "$script" "$gw" record "$tmp/session"; then
		echo "FAIL $name: the scenario failed; $dest left as it was" >&2
		rm -rf "$tmp"
		status=1
		continue
	fi
	mkdir -p "$dest"
	rm -f "$dest/capture.pcap" "$dest/capture.pcapng" "$dest/sockets.jsonl" "$dest/meta.json"
	cp "$tmp/session"/* "$dest/"
	chmod 644 "$dest"/*
	rm -rf "$tmp"
	echo "recorded $dest: $(du -sh "$dest" | cut -f1)"
	/usr/bin/python3 "$root/tests/scenarios/replay_check.py" --write-golden "$gw" "$root" \
		"$name" || status=1
done
exit $status
