#!/bin/sh
# cli/hunt.sh GHOSTWIRE SOURCE_ROOT — alert hygiene and the baseline on
# recorded sessions (deterministic: packet time): repeats held and reported
# with their count, the rate limit dropping and reporting, every verdict still
# written; a baseline learned from the first second of the demo, then what is
# new against it; bad files and options named.
set -u
gw=$1
root=$2
s=$root/pcaps/sessions
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }
expect_count() { # NAME WANT PATTERN FILE: lines of FILE matching PATTERN
	n=$(grep -c -e "$3" "$4")
	if [ "$n" -eq "$2" ]; then ok "$1 ($n)"; else bad "$1: $n lines match '$3', wanted $2"; fi
}

# Repeats: e_nat has 8 findings, 4 of them alike (tcp out to 10.77.5.2:8080 by
# one holder) and 2 alike (udp to :5300): 3 alerts, 5 held, 2 'repeated' lines.
"$gw" replay "$s/e_nat" --no-progress --repeat-window 60 >"$tmp/rep.txt" 2>&1 || bad "replay --repeat-window"
expect_count "repeat: alerts" 3 '^20[0-9-]*T[0-9:.]*Z unexplained' "$tmp/rep.txt"
expect_count "repeat: reports" 2 ' repeated ' "$tmp/rep.txt"
expect_count "repeat: 4 more to 8080" 1 'port 8080, .*: 4 more since' "$tmp/rep.txt"
expect_count "repeat: counted" 1 '^alerts: 3 sent, 5 held as repeats (2 repeat reports)' "$tmp/rep.txt"
"$gw" replay "$s/e_nat" --no-progress --repeat-window 60 --json >"$tmp/rep.jsonl" 2>/dev/null
expect_count "repeat: every verdict written" 17 '"stage":"final"' "$tmp/rep.jsonl"
expect_count "repeat: held verdicts say so" 5 '"alert_held":"repeat"' "$tmp/rep.jsonl"
expect_count "repeat: held verdicts are events, not alerts" 0 '"kind":"alert".*"alert_held"' "$tmp/rep.jsonl"
expect_count "repeat: notices" 2 '"stage":"repeat"' "$tmp/rep.jsonl"
if /usr/bin/python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/rep.jsonl"; then
	ok "repeat: every line is JSON"
else
	bad "repeat: a line is not JSON"
fi
# Without the options, replay alerts every finding, as before.
"$gw" replay "$s/e_nat" --no-progress >"$tmp/plain.txt" 2>&1
expect_count "no hygiene: every finding" 8 '^20[0-9-]*T[0-9:.]*Z unexplained' "$tmp/plain.txt"

# Rate: b_raw_syn's 5 findings come within 0.3 s; at 2 a second, 3 are dropped.
"$gw" replay "$s/b_raw_syn" --no-progress --alert-rate 2 --json >"$tmp/rate.jsonl" 2>"$tmp/rate.err"
expect_count "rate: all 14 verdicts written" 14 '"stage":"final"' "$tmp/rate.jsonl"
expect_count "rate: 3 held" 3 '"alert_held":"rate-limit"' "$tmp/rate.jsonl"
expect_count "rate: the drop is reported" 1 '"stage":"rate_limit".*"dropped":3' "$tmp/rate.jsonl"
expect_count "rate: counted" 1 '3 dropped over the rate (1 reports)' "$tmp/rate.err"

# Baseline: learn from the demo's first second, then compare the whole demo.
# A GeoIP database of the tests' own, the same in every build (the demo's
# public addresses are not in it: its entries name networks).
geo="--geoip $root/tests/fixtures/geoip/asn.mmdb"
"$gw" replay "$s/demo" --no-progress $geo --learn 1s --baseline "$tmp/base.json" >/dev/null 2>"$tmp/learn.err" ||
	bad "learn"
expect_count "learn: said" 1 'baseline learned: ' "$tmp/learn.err"
expect_count "learn: a baseline file" 1 '"format": "ghostwire-baseline"' "$tmp/base.json"
expect_count "learn: entries" 3 '"process":' "$tmp/base.json"
"$gw" replay "$s/demo" --no-progress $geo --baseline "$tmp/base.json" >"$tmp/cmp.txt" 2>&1 || bad "compare"
expect_count "compare: new" 4 ' new  .*(not in the baseline)' "$tmp/cmp.txt"
expect_count "compare: sshd inbound" 1 'new  *\/usr\/sbin\/sshd in tcp\/22 203.0.113.0\/24' "$tmp/cmp.txt"
expect_count "compare: firefox to another network" 1 'firefox-esr out tcp/443 2606:4700::/48 .*\[2001:db8:10::5\]:50102' "$tmp/cmp.txt"
expect_count "compare: chronyd" 1 'chronyd out udp/123 162.159.200.0/24' "$tmp/cmp.txt"
expect_count "compare: DNS over IPv6" 1 'systemd-resolved out udp/53 2606:4700:4700::/48' "$tmp/cmp.txt"
expect_count "compare: learned ones are not new" 0 'new .*squid' "$tmp/cmp.txt"
expect_count "compare: counted" 1 '^baseline: 3 entries; 4 new reported' "$tmp/cmp.txt"
"$gw" replay "$s/demo" --no-progress $geo --baseline "$tmp/base.json" --json 2>/dev/null >"$tmp/cmp.jsonl"
expect_count "compare: JSON notices" 4 '"stage":"baseline_new".*"community_id"' "$tmp/cmp.jsonl"

# Errors name the file and what to do.
printf '{"format":"ghostwire-baseline","version":1}' >"$tmp/broken.json"
"$gw" replay "$s/demo" --no-progress --baseline "$tmp/broken.json" >/dev/null 2>"$tmp/e1"
rc=$?
if [ "$rc" -eq 1 ] && grep -q "broken.json" "$tmp/e1"; then ok "a bad baseline is named"; else bad "bad baseline: exit $rc"; cat "$tmp/e1"; fi
"$gw" replay "$s/demo" --no-progress --baseline "$tmp/none.json" >/dev/null 2>"$tmp/e2"
if [ $? -eq 1 ] && grep -q -- "--learn DURATION" "$tmp/e2"; then ok "a missing baseline says how to make one"; else bad "missing baseline"; cat "$tmp/e2"; fi
"$gw" replay "$s/demo" --no-progress --learn 1s >/dev/null 2>"$tmp/e3"
if [ $? -eq 64 ] && grep -q -- "--baseline FILE" "$tmp/e3"; then ok "--learn needs --baseline"; else bad "--learn alone"; cat "$tmp/e3"; fi
for d in 0 1w -5m 9999999d; do
	"$gw" replay "$s/demo" --learn "$d" --baseline "$tmp/x.json" >/dev/null 2>"$tmp/e4"
	if [ $? -eq 64 ] && grep -q "not a duration" "$tmp/e4"; then ok "--learn $d refused"; else bad "--learn $d"; fi
done
"$gw" watch --help | grep -q -- "--state FILE" && ok "watch --help: --state" || bad "watch --help: --state"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
