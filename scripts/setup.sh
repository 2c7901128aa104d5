#!/bin/sh
# scripts/setup.sh [BUILD_DIR] — installs the Debian 12 packages ghostwire needs
# (as root, only those missing), then configures and builds BUILD_DIR (default
# build). Safe to run again: it does only what is left to do. libloc-database,
# location and libmaxmind-db-writer-perl make the bundled GeoIP database
# (data/meson.build, about 25 s at the first build). mingw-w64, wine, cmake,
# flex, bison and curl are for the Windows build (scripts/windows.sh).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}

packages="meson ninja-build pkg-config gcc libc6-dev libpcap-dev libmaxminddb-dev tmux
libcriterion-dev libjansson-dev libssl-dev libcsv-dev libinih-dev tshark tcpdump python3 python3-scapy clang
mingw-w64 wine wine64 cmake flex bison curl
libclang-rt-14-dev clang-format time iproute2 nftables
libloc-database location libmaxmind-db-writer-perl"

missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "setup: missing Debian packages:$missing" >&2
		echo "setup: run as root, or: sudo apt-get install$missing" >&2
		exit 1
	fi
	echo "setup: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" >/dev/null
fi
ninja -C "$build" >/dev/null
