#!/bin/sh
# cli/cli.sh GHOSTWIRE SOURCE_ROOT — the command line as users meet it: exit
# codes, error messages that name the file, JSON that parses, help text.
set -u
gw=$1
root=$2
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # NAME EXPECTED_EXIT GREP_PATTERN(stderr or stdout) -- COMMAND...
	name=$1 want=$2 pattern=$3
	shift 4
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		echo "FAIL $name: exit $rc, wanted $want"; cat "$tmp/err"; fail=$((fail + 1)); return
	fi
	if [ -n "$pattern" ] && ! grep -q -e "$pattern" "$tmp/out" "$tmp/err"; then
		echo "FAIL $name: no '$pattern' in output"; cat "$tmp/out" "$tmp/err"; fail=$((fail + 1)); return
	fi
	echo "ok   $name"
	pass=$((pass + 1))
}

printf 'not a capture at all\n' >"$tmp/text.pcap"
: >"$tmp/empty.pcap"

check "help" 0 "usage: ghostwire" -- "$gw" help
check "flows --help" 0 "local-net" -- "$gw" flows --help
check "no command" 64 "usage" -- "$gw"
check "unknown command" 64 "unknown command" -- "$gw" frobnicate
check "flows without input" 64 "either -r FILE or -i IFACE" -- "$gw" flows
check "both -r and -i" 64 "either" -- "$gw" flows -r x -i lo
check "bad number" 64 "max-flows" -- "$gw" flows -r x --max-flows 12abc
check "bad local net" 64 "host bits" -- "$gw" flows -r x --local-net 10.0.0.1/8
check "missing file names it" 1 "/nonexistent.pcap" -- "$gw" flows -r /nonexistent.pcap
check "text file names it" 1 "text.pcap: not a readable pcap" -- "$gw" flows -r "$tmp/text.pcap"
check "empty file names it" 1 "empty.pcap" -- "$gw" flows -r "$tmp/empty.pcap"
check "truncated: partial exit" 2 "input ends early after" -- "$gw" flows -r "$root/pcaps/wire/truncated.pcap"
check "truncated: flows still printed" 2 "10.0.15.1" -- "$gw" flows -r "$root/pcaps/wire/truncated.pcap"
check "truncated json: complete false" 2 '"complete":false' -- "$gw" flows --json -r "$root/pcaps/wire/truncated.pcap"
check "bad filter" 1 "bad filter" -- "$gw" flows -r "$root/pcaps/wire/en10mb_tcp.pcap" -f "port banana"
check "stdin" 0 "192.0.2.10" -- sh -c "\"$gw\" flows -r - < \"$root/pcaps/wire/en10mb_tcp.pcap\""
check "version" 0 "libpcap" -- "$gw" version
check "version names the GeoIP database" 0 "GeoIP database: " -- "$gw" version
check "lookup: special range" 0 "^203.0.113.5  documentation$" -- "$gw" lookup 203.0.113.5
check "lookup: two --geoip files" 0 "^8.8.8.8  unknown$" -- "$gw" lookup \
	--geoip "$root/tests/fixtures/geoip/city.mmdb" --geoip "$root/tests/fixtures/geoip/asn.mmdb" 8.8.8.8
check "lookup: json" 0 '"special":"private"' -- "$gw" lookup --json 10.0.0.1
check "lookup: not an address" 64 "'1.2.3' is not" -- "$gw" lookup 1.2.3
check "lookup: missing database names it" 1 "/nonexistent.mmdb" -- "$gw" lookup --geoip /nonexistent.mmdb 1.1.1.1
check "lookup: corrupt database names it" 1 "text.pcap: not a usable MaxMind DB" -- "$gw" lookup --geoip "$tmp/text.pcap" 1.1.1.1

# Every JSON line parses, the last is the summary, the flows sum to the decoded packets.
if command -v /usr/bin/python3 >/dev/null 2>&1; then
	check "json parses and adds up" 0 "" -- /usr/bin/python3 -c '
import json, subprocess, sys
out = subprocess.run([sys.argv[1], "flows", "--json", "-r", sys.argv[2]], capture_output=True, check=True).stdout
recs = [json.loads(l) for l in out.decode().splitlines()]
flows, summary = recs[:-1], recs[-1]
assert summary["type"] == "summary" and all(r["type"] == "flow" for r in flows)
total = sum(r["packets_out"] + r["packets_in"] for r in flows)
assert total == summary["decoded"] - summary["icmp_errors_linked"], (total, summary)
assert summary["flows"] == len(flows)
' "$gw" "$root/pcaps/wire/en10mb_concurrent.pcap"
fi

mkdir -p "$tmp/notasession" "$tmp/badtl"
cp "$root/pcaps/wire/en10mb_tcp.pcap" "$tmp/badtl/capture.pcap"
printf '{"format":"ghostwire-timeline","version":1,"host":"h","source":"netlink","started":"2024-05-01T12:00:00.000000Z","local_addrs":[]}\n{"type":"bogus","ts":"2024-05-01T12:00:01.000000Z"}\n' >"$tmp/badtl/sockets.jsonl"
check "replay: not a session" 1 "not a recorded session" -- "$gw" replay "$tmp/notasession"
check "replay: bad timeline names file and line" 1 "sockets.jsonl:2" -- "$gw" replay "$tmp/badtl"
check "replay: usage" 64 "give a session DIR" -- "$gw" replay
check "watch: usage" 64 "give -i IFACE" -- "$gw" watch
check "record: usage" 64 "give -i IFACE and -w DIR" -- "$gw" record -i lo

# The configuration file: options by section, allow rules, errors with file and line.
demo=$root/pcaps/sessions/demo
printf '; a comment\n[replay]\njson = true\n\n[allow beacon]\nprocess = kworker/*\nport = 4444\nname = telemetry.*\n' >"$tmp/gw.conf"
check "config: [replay] options apply (json)" 0 '"allowed_by":"beacon"' -- "$gw" replay "$demo" --config "$tmp/gw.conf"
check "config: allow rules suppress and count" 0 "suppressed by the allowlist: beacon (4)" -- "$gw" replay "$demo" --config "$tmp/gw.conf"
printf '[allow beacon]\nprocess = kworker/*\n' >"$tmp/text.conf"
"$gw" replay "$demo" --config "$tmp/text.conf" >"$tmp/allowed.txt" 2>&1
check "config: suppressed findings print no text line" 1 "" -- grep -q "unexplained tcp" "$tmp/allowed.txt"
printf '[replay]\ngrace = 2\nfrobnicate = 1\n' >"$tmp/bad.conf"
check "config: an unknown option names file and line" 64 "bad.conf:3: 'frobnicate' is not an option of replay" -- "$gw" replay "$demo" --config "$tmp/bad.conf"
printf '[allow x]\nasn = lots\n' >"$tmp/bad2.conf"
check "config: a bad allow value names file and line" 64 "bad2.conf:2: asn:" -- "$gw" replay "$demo" --config "$tmp/bad2.conf"
printf '[replay]\nthis line has no equals sign\n' >"$tmp/bad3.conf"
check "config: a bad line names file and line" 64 "bad3.conf:2:" -- "$gw" replay "$demo" --config "$tmp/bad3.conf"
check "config: a missing file is named" 1 "nope.conf: cannot open" -- "$gw" replay "$demo" --config "$tmp/nope.conf"

# Wireshark's extcap protocol.
check "extcap: interfaces" 0 "interface {value=ghostwire-lo}" -- "$gw" --extcap-interfaces
check "extcap: dlts" 0 "dlt {number=1}" -- "$gw" --extcap-dlts --extcap-interface ghostwire-lo
check "extcap: config" 0 "{call=--grace}" -- "$gw" --extcap-config --extcap-interface ghostwire-lo
check "extcap: capture needs a fifo" 64 "usage" -- "$gw" --capture --extcap-interface ghostwire-lo

# Evidence for Wireshark: the demo's findings as a pcapng with packet comments,
# read back by tshark (filtering on the comments), as many packets as the
# findings' flows hold by the JSON verdicts.
if command -v tshark >/dev/null; then
	demo=$root/pcaps/sessions/demo
	check "replay --pcapng" 0 "pcapng: 36 packets" -- "$gw" replay "$demo" --pcapng "$tmp/ev.pcapng"
	want=$("$gw" replay "$demo" --json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
print(sum(v["network"]["packets"] + v["ghostwire"]["flow"].get("icmp_errors", 0)
          for v in map(json.loads, sys.stdin)
          if v["ghostwire"]["stage"] == "final" and v["event"]["kind"] == "alert"))')
	got=$(tshark -r "$tmp/ev.pcapng" -Y 'frame.comment contains "unexplained"' 2>/dev/null | wc -l)
	check "tshark filters the comments: $got of $want packets" 0 "" -- test "$got" -eq "$want"
	check "comments name the raw socket's holder" 0 "holder_comm=kworker/0:2" -- \
		tshark -r "$tmp/ev.pcapng" -T fields -e frame.comment
	check "--pcapng-all writes every packet" 0 "pcapng: 111 packets" -- \
		"$gw" replay "$demo" --pcapng "$tmp/all.pcapng" --pcapng-all
	check "--pcapng-all needs --pcapng" 64 "needs --pcapng" -- "$gw" replay "$demo" --pcapng-all
else
	echo "skip replay --pcapng: no tshark"
fi

if [ "$(id -u)" = 0 ] && ip link show lo >/dev/null 2>&1; then
	check "live on lo for 1 s" 0 "capture: received" -- "$gw" flows -i lo --duration 1
	check "record on lo for 1 s" 0 "record: $tmp/sess" -- "$gw" record -i lo -w "$tmp/sess" --duration 1
	check "record refuses an existing directory" 1 "new directory" -- "$gw" record -i lo -w "$tmp/sess" --duration 1
	check "replay the recording" 0 "flows:" -- "$gw" replay "$tmp/sess"
	check "watch on lo for 1 s" 0 "verdicts:" -- "$gw" watch -i lo --duration 1
	# Replay equals live: watch records its session (-w) while it judges; the
	# replay of that session must give the same verdicts, byte for byte.
	/usr/bin/python3 -c '
import socket, sys, time
time.sleep(1.0)
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
for i in range(5):
    c = socket.create_connection(s.getsockname()); a, _ = s.accept()
    c.send(b"x"); a.recv(1); c.close(); a.close()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
u.sendto(b"x", u.getsockname())
time.sleep(0.5)' &
	check "watch -w records while judging" 0 "verdicts:" -- "$gw" watch -i lo --duration 3 --json "$tmp/live.jsonl" -w "$tmp/wsess"
	wait
	"$gw" replay "$tmp/wsess" --json >"$tmp/replayed.jsonl" 2>/dev/null
	check "replay equals live, byte for byte" 0 "" -- cmp "$tmp/live.jsonl" "$tmp/replayed.jsonl"
	check "live verdicts were written" 0 "flow-verdict" -- cat "$tmp/live.jsonl"
	# --csv, and SIGHUP reopening both files (logrotate moves them away first;
	# as root here: $tmp is not writable by nobody, see docs/privileges.md).
	( "$gw" watch -i lo --duration 8 --closed-timeout 1 --stay-root --json "$tmp/rot.jsonl" \
		--csv "$tmp/rot.csv" >/dev/null 2>"$tmp/rot.err" ) &
	gwpid=$!
	conn='import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(); c = socket.create_connection(s.getsockname()); a, _ = s.accept(); c.send(b"x"); a.recv(1); c.close(); a.close()'
	sleep 1.5
	/usr/bin/python3 -c "$conn"
	sleep 3.5
	mv "$tmp/rot.jsonl" "$tmp/rot.jsonl.1"
	mv "$tmp/rot.csv" "$tmp/rot.csv.1"
	pkill -HUP -f "ghostwire watch -i lo --duration 8" || true
	sleep 0.5
	/usr/bin/python3 -c "$conn"
	wait "$gwpid"
	check "watch --csv writes a header and rows" 0 '"time","stage","verdict"' -- cat "$tmp/rot.csv.1"
	check "rows before SIGHUP went to the moved file" 0 "flow-verdict" -- cat "$tmp/rot.jsonl.1"
	check "SIGHUP reopened --json" 0 "flow-verdict" -- cat "$tmp/rot.jsonl"
	check "SIGHUP reopened --csv, with a header" 0 '"time","stage","verdict"' -- cat "$tmp/rot.csv"
	check "replay --csv -" 0 '"community_id"' -- "$gw" replay "$tmp/wsess" --csv -
	# --json - is flushed per verdict: a SIEM reading the pipe gets each line
	# when it is decided, not when watch ends.
	"$gw" watch -i lo --duration 8 --closed-timeout 1 --stay-root --json - >"$tmp/pipe.jsonl" 2>/dev/null &
	gwpid=$!
	sleep 1.5
	/usr/bin/python3 -c "$conn"
	sleep 3
	check "--json - lines arrive while watch runs" 0 "flow-verdict" -- cat "$tmp/pipe.jsonl"
	wait "$gwpid"
	# extcap capture: Wireshark's side played by tshark reading the fifo.
	if command -v tshark >/dev/null; then
		mkfifo "$tmp/extcap.fifo"
		tshark -r "$tmp/extcap.fifo" -T fields -e frame.comment >"$tmp/extcap.out" 2>/dev/null &
		tspid=$!
		"$gw" --capture --extcap-interface ghostwire-lo --fifo "$tmp/extcap.fifo" >/dev/null 2>"$tmp/extcap.err" &
		xpid=$!
		sleep 1.5
		/usr/bin/python3 -c "$conn"
		sleep 1
		kill -TERM "$xpid"
		wait "$xpid"
		check "extcap capture ends cleanly on SIGTERM" 0 "" -- test $? -eq 0
		wait "$tspid"
		check "tshark reads the fifo, packets carry comments" 0 "ghostwire: verdict=" -- cat "$tmp/extcap.out"
	fi
else
	echo "skip live on lo, record, watch: need root"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
