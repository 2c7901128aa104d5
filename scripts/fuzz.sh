#!/bin/sh
# scripts/fuzz.sh [SECONDS] — builds the libFuzzer targets with clang, ASan and
# UBSan in build-fuzz, and runs each for SECONDS (default 60), seeded with the
# captures in pcaps/ and those of the shared corpus (read in place, copied only
# into a temporary directory). Any crash fails the script.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzzing=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C build-fuzz fuzz/fuzz_decode fuzz/fuzz_capture >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/capture" "$work/decode" "$work/artifacts"
cp pcaps/*/*.pcap* "$work/capture/" 2>/dev/null || true
corpus=../shared/corpus
if [ -d "$corpus" ]; then
	find "$corpus" -maxdepth 1 -type f \( -name '*.pcap*' -o -name '*.cap' \) -size -64k \
		-exec cp {} "$work/capture/" \;
fi

status=0
for target in decode capture; do
	echo "fuzz: $target for ${secs}s"
	if ! UBSAN_OPTIONS=halt_on_error=1 ./build-fuzz/fuzz/fuzz_$target \
		-max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/artifacts/" "$work/$target" >"$work/$target.log" 2>&1; then
		echo "fuzz: $target FAILED"
		tail -60 "$work/$target.log"
		mkdir -p fuzz/crashes && cp "$work/artifacts/"* fuzz/crashes/ 2>/dev/null || true
		status=1
	else
		grep -E "stat::number_of_executed_units|Done" "$work/$target.log" | tail -2
	fi
done
exit $status
