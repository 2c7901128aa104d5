#!/bin/sh
# tui.sh GHOSTWIRE — watch's live table, driven in tmux as a person would:
# a connection on lo shows up as a row with its process; 'u' (findings only)
# hides it, '/' filters it back by name; 'q' quits cleanly with the counters.
# Root (live capture) and tmux needed; skipped (77) otherwise.
gw=$1
if [ "$(id -u)" != 0 ]; then echo "tui.sh: skipped: live capture needs root"; exit 77; fi
if ! command -v tmux >/dev/null; then echo "tui.sh: skipped: no tmux"; exit 77; fi
if [ ! -x /usr/bin/python3 ]; then echo "tui.sh: skipped: no /usr/bin/python3"; exit 77; fi
s=gw-tui-$$
fail=0
trap 'tmux kill-session -t "$s" 2>/dev/null; kill "$conn" 2>/dev/null' EXIT
screen() { tmux capture-pane -t "$s" -p; }
expect() { # NAME PATTERN [present|absent]: waits up to 6 s for it (slow builds)
	want=${3:-present} tries=0
	while :; do
		sleep 0.5
		if screen | grep -q -e "$2"; then found=present; else found=absent; fi
		[ "$found" = "$want" ] && break
		tries=$((tries + 1))
		[ "$tries" -lt 12 ] || break
	done
	if [ "$found" = "$want" ]; then echo "ok   $1"; else
		echo "FAIL $1: '$2' is $found"; screen; fail=$((fail + 1)); fi
}
tmux new-session -d -s "$s" -x 200 -y 40 "$gw watch -i lo --stay-root --closed-timeout 30; echo EXIT=\$?; sleep 60"
sleep 1.5
/usr/bin/python3 -c '
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
for i in range(20):
    c.send(b"x" * 100); a.recv(100); time.sleep(0.3)' &
conn=$!
expect "the table's header" "PROCESS .*FLOW .*VERDICT"
expect "a row for the connection, with its process" "python3\[[0-9]*\] .*tcp 127.0.0.1:.*explained"
tmux send-keys -t "$s" u
expect "u: findings only" "findings only"
expect "u: the explained row is hidden" "python3\[" absent
tmux send-keys -t "$s" u / p y t h o n Enter
expect "/ filter: the row is back" "python3\["
expect "the status line names the filter" "filter: python"
tmux send-keys -t "$s" q
expect "q quits with status 0" "EXIT=0"
expect "the counters are printed" "ghostwire: captured [0-9]*"
echo "$((5 + 3 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
