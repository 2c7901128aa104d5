#!/bin/sh
# scripts/format.sh [--check] — formats every C file with the repository's
# .clang-format, or with --check fails on any file that is not formatted.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find src include tests fuzz bench -name '*.[ch]')
if [ "${1:-}" = "--check" ]; then
	clang-format --dry-run --Werror $files && echo "format: ok"
else
	clang-format -i $files
fi
