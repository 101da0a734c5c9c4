#!/bin/bash
# build.sh - the Makefile's own bookkeeping, asked with `make -n` on scratch build
# directories (nothing is compiled, no library rebuilt; the real tree's files are only
# touched, and get their modification times back):
#   - a library built from source (Mbed TLS's $(MBT)/.built, wolfSSL's $(WOLF)/.built)
#     depends on a stamp of what its build depends on: touching its makefile, target file
#     or fetch script (as a checkout or rebase does) rebuilds nothing; another configure
#     line or compiler flag rebuilds it; the stamp covers the config headers a config
#     includes;
#   - a program whose object is missing is rebuilt, also when the program is newer than
#     every source (the bare .SECONDARY: that kept make from it is gone);
#   - a header a source includes, when it changes, rebuilds the object.
#   test/build.sh BIN_DIR     (a build of the native target, e.g. build/native/bin)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)

# mk ARGS...: make -n in the tree, outside any calling make; the commands it would run.
mk() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u SAN -u STATIC -u CONFIG -u TARGET -u STACK \
		make -n --no-print-directory -C "$ROOT" "$@" 2>&1
}

# with_touched FILE... -- CMD...: CMD with FILEs' modification times now, then back.
with_touched() {
	local files=() f i=0 rc=0
	while [ "$1" != "--" ]; do
		files+=("$1")
		shift
	done
	shift
	for f in "${files[@]}"; do
		touch -r "$ROOT/$f" "$TMP/mtime.$i"
		touch "$ROOT/$f"
		i=$((i + 1))
	done
	"$@" || rc=$?
	i=0
	for f in "${files[@]}"; do
		touch -r "$TMP/mtime.$i" "$ROOT/$f"
		i=$((i + 1))
	done
	return "$rc"
}

# --- Mbed TLS: $(MBT)/.built and its stamp, on a scratch MBT ---
M=$TMP/mbt
mk MBT="$M" "$M/.built" >"$TMP/m1" || true
check_grep "mbedtls: a new tree is built" "$TMP/m1" 'MBEDTLS'
check "mbedtls: the stamp is written" test -s "$M.stamp"
mkdir -p "$M"
touch "$M/.built"
mk MBT="$M" "$M/.built" >"$TMP/m2" || true
check_nogrep "mbedtls: built: nothing to do" "$TMP/m2" 'MBEDTLS'
with_touched ports/targets/native.mk scripts/fetch-mbedtls.sh ports/config/ackbench_config_full.h \
	src/stack/mbedtls/stack.mk Makefile -- mk MBT="$M" "$M/.built" >"$TMP/m3" || true
check_nogrep "mbedtls: touching its target file, fetch script, config header and makefiles rebuilds nothing" \
	"$TMP/m3" 'MBEDTLS'
mk MBT="$M" TARGET_CFLAGS='  ' "$M/.built" >"$TMP/m3b" || true
check_nogrep "mbedtls: more blanks in its flags rebuild nothing" "$TMP/m3b" 'MBEDTLS'
mk MBT="$M" TARGET_CFLAGS=-DACKBENCH_BUILD_TEST "$M/.built" >"$TMP/m4" || true
check_grep "mbedtls: another compiler flag rebuilds it" "$TMP/m4" 'MBEDTLS'
# CONFIG=mcu-4k includes ackbench_config_mcu.h, which includes ackbench_config_small.h
M4=$TMP/mbt-4k
mk MBT="$M4" CONFIG=mcu-4k "$M4/.built" >"$TMP/m5" || true
for h in ackbench_config_mcu-4k.h ackbench_config_mcu.h ackbench_config_small.h; do
	check_grep "mbedtls: CONFIG=mcu-4k's stamp covers $h" "$M4.stamp" "$h"
done

# --- wolfSSL: $(WOLF)/.built and its stamp, in a scratch WOLF (one library per target,
# build/<target>/wolfssl, whatever BUILD is) ---
W=$TMP/w
WB=$W/wolfssl/.built
mk STACK=wolfssl WOLF="$W/wolfssl" "$WB" >"$TMP/w1" || true
check_grep "wolfssl: a new tree is built" "$TMP/w1" 'WOLFSSL'
mkdir -p "$W/wolfssl"
touch "$WB"
mk STACK=wolfssl WOLF="$W/wolfssl" "$WB" >"$TMP/w2" || true
check_nogrep "wolfssl: built: nothing to do" "$TMP/w2" 'WOLFSSL'
check_nogrep "wolfssl: make knows how to build it" "$TMP/w2" 'No rule to make target'
with_touched src/stack/wolfssl/stack.mk scripts/fetch-wolfssl.sh Makefile -- \
	mk STACK=wolfssl WOLF="$W/wolfssl" "$WB" >"$TMP/w3" || true
check_nogrep "wolfssl: touching stack.mk, the fetch script and the Makefile rebuilds nothing" \
	"$TMP/w3" 'WOLFSSL'
conf=$(make_var STACK=wolfssl print-WOLF_CONFIGURE)
check "wolfssl: its configure line is known" test -n "$conf"
mk STACK=wolfssl WOLF="$W/wolfssl" WOLF_CONFIGURE="$conf --enable-ackbench-test" "$WB" >"$TMP/w4" || true
check_grep "wolfssl: another configure line rebuilds it" "$TMP/w4" 'WOLFSSL'
mk STACK=wolfssl WOLF="$W/wolfssl" "$WB" >"$TMP/w5" || true
check_grep "wolfssl: and back to the first one rebuilds it again" "$TMP/w5" 'WOLFSSL'

# --- objects: a copy of BIN_DIR's build, modification times kept ---
B=$(cd "$BIN/.." && pwd)
P=$TMP/p
mkdir -p "$P"
cp -a "$B/obj" "$B/lib" "$B/bin" "$P/"
# the header dependencies (-MMD) name the objects where they were built
sed -i "s|^${B#"$ROOT"/}/obj/|$P/obj/|" "$P"/obj/*.d
mk BUILD="$P" "$P/bin/tcp_client" >"$TMP/p1" || true
if grep -q 'src/tcp_client.c' "$TMP/p1"; then
	not_ok "objects: BIN_DIR's build is up to date (run make first)" "$(head -n 3 "$TMP/p1")"
else
	ok "objects: BIN_DIR's build is up to date"
fi
rm -f "$P/obj/tcp_client.o"
mk BUILD="$P" "$P/bin/tcp_client" >"$TMP/p2" || true
check_grep "objects: a missing object is compiled again" "$TMP/p2" 'src/tcp_client\.c'
check_grep "objects: and the program linked again" "$TMP/p2" "LD .*bin/tcp_client"
rm -f "$P/obj/opts.o"
mk BUILD="$P" "$P/bin/tcp_client" >"$TMP/p3" || true
check_grep "objects: a missing member of the core archive is compiled again" "$TMP/p3" 'src/opts\.c'
with_touched src/app.h -- mk BUILD="$P" "$P/bin/tcp_server" >"$TMP/p4" || true
check_grep "objects: a changed header rebuilds the objects that include it" "$TMP/p4" 'src/tcp_server\.c'

summary
