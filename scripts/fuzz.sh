#!/bin/sh
# scripts/fuzz.sh [SECONDS] — builds every libFuzzer target in fuzz/ with clang,
# ASan and UBSan in build-fuzz, and runs each for SECONDS (default 60). Seeds:
# the captures in pcaps/ and the shared corpus (read in place, copied only into
# a temporary directory) for the capture and decode targets, tests/fixtures/<x>/
# for target fuzz_<x>, and fuzz/fuzz_<x>.dict as a dictionary where present.
# Any crash fails the script and its input is kept in fuzz/crashes/.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzzing=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbundled_geoip=disabled >/dev/null || exit 1
fi
targets=$(sed -n "s/^foreach name : \[\(.*\)\]/\1/p" fuzz/meson.build | tr -d "' " | tr ',' ' ')
set --
for t in $targets; do set -- "$@" "fuzz/$t"; done
ninja -C build-fuzz "$@" >"${TMPDIR:-/tmp}/gw-fuzz-build.log" 2>&1 || {
	cat "${TMPDIR:-/tmp}/gw-fuzz-build.log"
	exit 1
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/captures" "$work/artifacts"
cp pcaps/*/*.pcap* "$work/captures/" 2>/dev/null || true
corpus=../shared/corpus
if [ -d "$corpus" ]; then
	find "$corpus" -maxdepth 1 -type f \( -name '*.pcap*' -o -name '*.cap' \) -size -64k \
		-exec cp {} "$work/captures/" \;
fi

status=0
for t in $targets; do
	name=${t#fuzz_}
	seeds="$work/$name"
	mkdir -p "$seeds"
	case $name in
	decode | capture) cp "$work/captures/"* "$seeds/" 2>/dev/null || true ;;
	*) [ -d "tests/fixtures/$name" ] && cp -r "tests/fixtures/$name/." "$seeds/" ;;
	esac
	set --
	[ -f "fuzz/$t.dict" ] && set -- "-dict=fuzz/$t.dict"
	echo "fuzz: $t for ${secs}s"
	if ! UBSAN_OPTIONS=halt_on_error=1 LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp "./build-fuzz/fuzz/$t" "$@" \
		-max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/" "$seeds" >"$work/$t.log" 2>&1; then
		echo "fuzz: $t FAILED"
		tail -60 "$work/$t.log"
		mkdir -p fuzz/crashes && cp "$work/artifacts/"* fuzz/crashes/ 2>/dev/null || true
		status=1
	else
		grep -E "stat::number_of_executed_units" "$work/$t.log" | tail -1
	fi
done
exit $status
