#!/bin/bash
# live.sh — runs every ground-truth scenario live, under `ghostwire watch --json`, and
# checks its verdicts against the same expect.json as its recorded session
# (pcaps/sessions/<name>/expect.json), with replay_check.py --verdicts.
#
# usage: tests/scenarios/live.sh GHOSTWIRE SOURCE_ROOT [NAME ...]
# Needs root and `ip netns`: exits 77 (meson: skipped) without them. A scenario that
# skips itself (e_nat without nft) counts as skipped. Last line: "N passed, M failed,
# K skipped". Exit 0 when none failed, 1 otherwise, 2 on usage error.
set -u
if [ $# -lt 2 ]; then
	echo "usage: $0 GHOSTWIRE SOURCE_ROOT [NAME ...]" >&2
	exit 2
fi
gw=$1 root=$2
shift 2
case $gw in /*) ;; *) gw=$(pwd)/$gw ;; esac
[ -x "$gw" ] || { echo "live.sh: $gw is not an executable" >&2; exit 2; }
if [ "$(id -u)" != 0 ]; then
	echo "live.sh: skipped: the scenarios need root (network namespaces)"
	exit 77
fi
if ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
	echo "live.sh: skipped: 'ip netns' is not available"
	exit 77
fi
if [ ! -x /usr/bin/python3 ]; then
	echo "live.sh: skipped: no /usr/bin/python3"
	exit 77
fi
dir=$root/tests/scenarios
[ $# -eq 0 ] && set -- a_normal b_raw_syn c_closed_port d_bpfdoor e_nat

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gw-live.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 skipped=0
for name in "$@"; do
	expect=$root/pcaps/sessions/$name/expect.json
	if [ ! -f "$dir/$name.sh" ] || [ ! -f "$expect" ]; then
		echo "FAIL $name: no $dir/$name.sh or $expect"
		failed=$((failed + 1))
		continue
	fi
	start=$(date +%s%3N)
	rc=0
	bash "$dir/$name.sh" "$gw" watch "$tmp/$name.jsonl" 2>"$tmp/$name.log" || rc=$?
	ms=$(($(date +%s%3N) - start))
	echo "== $name: ran live in $((ms / 1000)).$(printf %03d $((ms % 1000))) s (exit $rc)"
	if [ "$rc" -eq 77 ]; then
		sed 's/^/    /' "$tmp/$name.log"
		skipped=$((skipped + 1))
		continue
	fi
	if [ "$rc" -ne 0 ]; then
		echo "FAIL $name: the scenario failed (exit $rc):"
		sed 's/^/    /' "$tmp/$name.log"
		failed=$((failed + 1))
		continue
	fi
	if /usr/bin/python3 "$dir/replay_check.py" --verdicts "$tmp/$name.jsonl" \
		--expect "$expect" --name "$name (live)" >"$tmp/$name.check"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		sed 's/^/    /' "$tmp/$name.log" >>"$tmp/$name.check"
	fi
	grep -v ' passed, ' "$tmp/$name.check"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] || exit 1
[ "$passed" -gt 0 ] || exit 77 # all skipped
exit 0
