#!/bin/sh
# scripts/demo.sh — the README's first command: sets everything up, then shows
# ghostwire on its bundled recorded session.
set -eu
cd "$(dirname "$0")/.."
scripts/setup.sh build
exec build/ghostwire flows -r pcaps/demo/session.pcap --local-net 10.0.0.0/8 \
	--local-net 2001:db8:10::/48 "$@"
