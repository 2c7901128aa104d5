#!/bin/sh
# robustness/corpus.sh GHOSTWIRE SOURCE_ROOT — runs `ghostwire flows` over every
# capture of the shared third-party corpus (../shared/corpus beside the repo):
# many link types, malformed files; and over tests/fixtures/regressions/, inputs
# the fuzzers once broke ghostwire with. Every run must end with exit 0, 1 or 2 and a
# summary or a one-line error: never a signal, never a sanitizer report.
set -u
gw=$1
root=$2
corpus=${GW_CORPUS:-$root/../shared/corpus}
if [ ! -d "$corpus" ]; then
	echo "no corpus at $corpus: only the regression inputs are run"
	corpus=
fi
pass=0 fail=0 partial=0 unreadable=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for f in ${corpus:+"$corpus"/*} "$root"/tests/fixtures/regressions/*; do
	case "$f" in *.md|*.tsv|*.txt) continue ;; esac
	[ -f "$f" ] || continue
	timeout 60 "$gw" flows -r "$f" --json --no-progress >/dev/null 2>"$log"
	rc=$?
	case $rc in
	0) pass=$((pass + 1)) ;;
	1) unreadable=$((unreadable + 1)); pass=$((pass + 1)) ;;
	2) partial=$((partial + 1)); pass=$((pass + 1)) ;;
	*) fail=$((fail + 1)); echo "FAIL (exit $rc): $f"; head -20 "$log" ;;
	esac
	if grep -q -e 'Sanitizer' -e 'runtime error' "$log"; then
		fail=$((fail + 1)); echo "FAIL (sanitizer): $f"; head -40 "$log"
	fi
done
echo "corpus: read whole $((pass - partial - unreadable)), ended early $partial, not readable $unreadable"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
