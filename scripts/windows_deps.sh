#!/bin/sh
# scripts/windows_deps.sh DIR — the third-party libraries of the Windows build,
# cross-built with mingw-w64 into DIR (a cache: done once, skipped after). Debian
# ships no mingw builds of them, so their Debian source tarballs are fetched from
# the archive, checked against the SHA-256 sums pinned below (bookworm's), and
# built as static libraries with a pkg-config file each. Nothing here is
# committed: DIR lives under the build directory (git-ignored).
#
#   libpcap      headers only: wpcap.dll (Npcap) is loaded at run time
#   jansson      JSON (timeline, reports)
#   libmaxminddb GeoIP lookups
#   libcsv       --csv quoting
#   inih         only its header, from Debian's libinih-dev (the source tarball
#                is not in the archive mirror here): src/os/windows/ini.c
#                provides ini_parse
set -eu
dir=$(realpath -m "${1:?usage: windows_deps.sh DIR}")
cc=${CC_WIN:-x86_64-w64-mingw32-gcc}
ar=${AR_WIN:-x86_64-w64-mingw32-ar}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
stamp="$dir/.done-v1"
[ -f "$stamp" ] && exit 0

mkdir -p "$dir/src" "$dir/include" "$dir/lib/pkgconfig"
cd "$dir/src"

fetch() { # POOL_PATH SHA256: downloads once, then checks the digest
	f=$(basename "$1")
	if [ ! -f "$f" ]; then
		curl -sfL --retry 2 -o "$f.part" "$mirror/pool/main/$1" ||
			{ echo "windows_deps: cannot fetch $mirror/pool/main/$1" >&2; exit 1; }
		mv "$f.part" "$f"
	fi
	echo "$2  $f" | sha256sum -c --quiet - || { rm -f "$f"; exit 1; }
	tar xzf "$f"
}

pc() { # NAME VERSION LIBS: a pkg-config file for a library installed in DIR
	cat >"$dir/lib/pkgconfig/$1.pc" <<EOF
prefix=$dir
includedir=\${prefix}/include
libdir=\${prefix}/lib
Name: $1
Description: $1 (cross-built by scripts/windows_deps.sh)
Version: $2
Cflags: -I\${includedir}
Libs: -L\${libdir} $3
EOF
}

build() { # LIBNAME CFLAGS FILES...: compiles FILES into DIR/lib/libLIBNAME.a
	name=$1 flags=$2
	shift 2
	objs=""
	for c in "$@"; do
		o="$dir/src/$name-$(basename "$c" .c).o"
		# shellcheck disable=SC2086
		$cc -O2 -w $flags -c "$c" -o "$o"
		objs="$objs $o"
	done
	# shellcheck disable=SC2086
	$ar rcs "$dir/lib/lib$name.a" $objs
}

# libpcap: the API headers only.
fetch libp/libpcap/libpcap_1.10.3.orig.tar.gz \
	2a8885c403516cf7b0933ed4b14d6caa30e02052489ebd414dc75ac52e7559e6
cp -r libpcap-1.10.3/pcap "$dir/include/"
cp libpcap-1.10.3/pcap.h "$dir/include/"
# The program's pcap_* calls are thunks into wpcap.dll (src/os/windows/wpcap.c).
# For the tests under wine, where there is no Npcap, the same source built as a
# DLL without capture (PCAP_TYPE=null: files only) stands in for Npcap's
# wpcap.dll: scripts/windows.sh puts it where Npcap would be.
if [ ! -f "$dir/test-npcap/wpcap.dll" ]; then
	rm -rf pcap-build
	mkdir -p pcap-build "$dir/test-npcap"
	cat >pcap-build/toolchain.cmake <<EOF
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_C_COMPILER $cc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
EOF
	(cd pcap-build && cmake ../libpcap-1.10.3 -DCMAKE_TOOLCHAIN_FILE=toolchain.cmake \
		-DPCAP_TYPE=null -DENABLE_REMOTE=OFF -DBUILD_SHARED_LIBS=ON -DDISABLE_DPDK=ON \
		-DDISABLE_RDMA=ON -DDISABLE_DBUS=ON -DDISABLE_BLUETOOTH=ON -DDISABLE_USB=ON \
		-DDISABLE_NETMAP=ON -DBUILD_WITH_LIBNL=OFF \
		-DCMAKE_BUILD_TYPE=Release -DUSE_STATIC_RT=OFF >cmake.log 2>&1 &&
		make -j2 pcap >make.log 2>&1) ||
		{ echo "windows_deps: libpcap (test wpcap.dll) failed: see $dir/src/pcap-build" >&2; exit 1; }
	cp pcap-build/run/pcap.dll "$dir/test-npcap/wpcap.dll"
fi
printf 'prefix=%s\nName: libpcap\nDescription: headers (wpcap.dll at run time)\nVersion: 1.10.3\nCflags: -I%s/include\nLibs:\n' \
	"$dir" "$dir" >"$dir/lib/pkgconfig/libpcap.pc"

fetch j/jansson/jansson_2.14.orig.tar.gz \
	c739578bf6b764aa0752db9a2fdadcfe921c78f1228c7ec0bb47fa804c55d17b
sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
	-e 's/@json_have_localeconv@/1/' -e 's/@json_have_atomic_builtins@/1/' \
	-e 's/@json_have_sync_builtins@/1/' \
	jansson-2.14/src/jansson_config.h.in >jansson-2.14/src/jansson_config.h
{
	echo '#define HAVE_STDINT_H 1'
	echo '#define HAVE_FCNTL_H 1'
	echo '#define HAVE_UNISTD_H 1'
	echo '#define HAVE_SYS_STAT_H 1'
	echo '#define HAVE_SYS_TYPES_H 1'
	echo '#define HAVE_GETPID 1'
	echo '#define HAVE_ATOMIC_BUILTINS 1'
	echo '#define HAVE_SYNC_BUILTINS 1'
	echo '#define HAVE_LOCALE_H 1'
	echo '#define HAVE_SETLOCALE 1'
	echo '#define HAVE_INT32_T 1'
	echo '#define HAVE_UINT32_T 1'
	echo '#define HAVE_UINT16_T 1'
	echo '#define HAVE_UINT8_T 1'
	echo '#define HAVE_SSIZE_T 1'
	echo '#define USE_WINDOWS_CRYPTOAPI 1'
	echo '#define INITIAL_HASHTABLE_ORDER 3'
} >jansson-2.14/src/jansson_private_config.h
build jansson "-DHAVE_CONFIG_H=1 -Ijansson-2.14/src" jansson-2.14/src/*.c
cp jansson-2.14/src/jansson.h jansson-2.14/src/jansson_config.h "$dir/include/"
pc jansson 2.14 -ljansson

fetch libm/libmaxminddb/libmaxminddb_1.7.1.orig.tar.gz \
	fae04c5b681e7fcadb8443635a7ca01f6ebf921fbb2bd7babda0fdc6dac7c711
sed -e 's/#undef MMDB_UINT128_IS_BYTE_ARRAY/#define MMDB_UINT128_IS_BYTE_ARRAY 0/' \
	libmaxminddb-1.7.1/include/maxminddb_config.h.in \
	>libmaxminddb-1.7.1/include/maxminddb_config.h
build maxminddb "-DPACKAGE_VERSION=\"1.7.1\" -Ilibmaxminddb-1.7.1/include" \
	libmaxminddb-1.7.1/src/maxminddb.c libmaxminddb-1.7.1/src/data-pool.c
cp libmaxminddb-1.7.1/include/maxminddb.h libmaxminddb-1.7.1/include/maxminddb_config.h \
	"$dir/include/"
pc libmaxminddb 1.7.1 "-lmaxminddb -lws2_32"

fetch libc/libcsv/libcsv_3.0.3+dfsg.orig.tar.gz \
	06fddfaca720a4be7603bad63eb1833bca5b6c5a69b42b1c518a02cda2a73aef
build csv "-Ilibcsv-3.0.3" libcsv-3.0.3/libcsv.c
cp libcsv-3.0.3/csv.h "$dir/include/"

# inih: Debian's header (libinih-dev, installed by scripts/setup.sh).
cp /usr/include/ini.h "$dir/include/"
printf 'prefix=%s\nName: inih\nDescription: header (ini_parse: src/os/windows/ini.c)\nVersion: 55\nCflags: -I%s/include\nLibs:\n' \
	"$dir" "$dir" >"$dir/lib/pkgconfig/inih.pc"

touch "$stamp"
