#!/bin/sh
# scripts/demo.sh — the README's first command: sets everything up, then shows
# ghostwire judging the bundled demo session (pcaps/sessions/demo, made by
# scripts/gen_demo.py: a workstation's minute with a raw-socket beacon), every
# verdict shown, with GeoIP from the bundled database and names from the wire.
# Extra arguments go to `ghostwire replay` (e.g. --json).
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/ghostwire replay pcaps/sessions/demo --all "$@"
