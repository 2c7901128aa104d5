#!/bin/sh
# scripts/demo.sh — the README's first command: sets everything up, then shows
# ghostwire judging a bundled recorded session (pcaps/sessions/d_bpfdoor: a
# BPFDoor-style implant answering through raw and packet sockets, recorded in
# network namespaces by tests/scenarios/d_bpfdoor.sh), every verdict shown.
# Extra arguments go to `ghostwire replay` (e.g. --json).
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/ghostwire replay pcaps/sessions/d_bpfdoor --all "$@"
