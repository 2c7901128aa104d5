#!/bin/sh
# disk_full.sh GHOSTWIRE — `watch --json FILE` on a disk that fills up: a clear
# error, a failing exit status, and no line of FILE ever half written (each
# one parses as JSON). Root (a small tmpfs of its own, unmounted after);
# traffic on lo only, bounded. Skipped (77) otherwise.
gw=$1
if [ "$(id -u)" != 0 ]; then echo "disk_full.sh: skipped: needs root (mount)"; exit 77; fi
[ -x /usr/bin/python3 ] || { echo "disk_full.sh: skipped: no /usr/bin/python3"; exit 77; }
dir=$(mktemp -d)
cleanup() { umount "$dir" 2>/dev/null; rmdir "$dir"; }
trap cleanup EXIT
mount -t tmpfs -o size=64k tmpfs "$dir" || { echo "disk_full.sh: skipped: cannot mount a tmpfs"; exit 77; }
# leave about 12 kB: a few verdict lines fit, the rest do not
dd if=/dev/zero of="$dir/filler" bs=1k count=52 2>/dev/null
"$gw" watch -i lo --duration 6 --closed-timeout 1 --stay-root --json "$dir/v.jsonl" \
	>/dev/null 2>"$dir/../gw-diskfull-err.$$" &
gwpid=$!
sleep 1.5
/usr/bin/python3 -c '
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
for i in range(60):
    c = socket.create_connection(s.getsockname()); a, _ = s.accept()
    c.send(b"x"); a.recv(1); c.close(); a.close()'
wait "$gwpid"
rc=$?
err="$dir/../gw-diskfull-err.$$"
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=$((fail + 1)); fi; }
check "watch fails (exit $rc)" '[ "$rc" -ne 0 ]'
check "the error says why" 'grep -q "No space left on device" "$err"'
check "some verdicts were written before" '[ -s "$dir/v.jsonl" ]'
check "every line is whole JSON" '/usr/bin/python3 -c "
import json, sys
n = 0
for line in open(sys.argv[1], \"rb\"):
    assert line.endswith(b\"\\n\"), \"a line without its end\"
    json.loads(line); n += 1
print(n, \"whole lines\")" "$dir/v.jsonl"'
[ "$fail" -eq 0 ] || cat "$err"
rm -f "$err"
echo "$((4 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
