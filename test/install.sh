#!/bin/bash
# install.sh - `make install` into a temporary DESTDIR with a PREFIX, then the installed
# programs and scripts run from there: every program answers --version, the installed
# gen-certs.sh makes certificates, a tcp and a tls pair from the staging tree exchange
# messages, run-all.sh finds its lib.sh and the programs, every manual page is one.
#   test/install.sh BIN_DIR   (build/native/bin or build/native-san/bin: `make install` of
#                             that build; another build dir is installed by scripts/install.sh
#                             directly, which is what make runs)
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STAGE=$TMP/stage
PREFIX=/opt/ackbench-test-$$
R=$STAGE$PREFIX

rc=0
# make as a user types it, not with our caller's make flags (make test runs this script)
mk=(env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -C "$ROOT")
case "$(basename "$(dirname "$BIN")")" in
native) how=("${mk[@]}" install) ;;
native-san) how=("${mk[@]}" install SAN=1) ;;
*) how=("$ROOT/scripts/install.sh" -B "$BIN" -p "$PREFIX" -d "$STAGE") ;;
esac
echo "# ${how[*]} DESTDIR=$STAGE PREFIX=$PREFIX"
"${how[@]}" DESTDIR="$STAGE" PREFIX="$PREFIX" >"$TMP/install.out" 2>&1 || rc=$?
check_rc "install into DESTDIR: exit 0" "$rc" 0 "$TMP/install.out"
docs=(README.md "$ROOT"/docs/*.md ports/README.md src/stack/README.md certs/README.md)
check_grep "install: says what it installed" "$TMP/install.out" \
	"^install: 8 programs, 4 scripts, 8 manual pages, ${#docs[@]} docs under $R$"
check "install: nothing outside DESTDIR" test ! -e "$PREFIX"

want=$("$BIN/tcp_client" --version)
for p in tcp_client tcp_server udp_client udp_server tls_client tls_server dtls_client dtls_server; do
	check_eq "$p installed and runs: --version" "$("$R/bin/$p" --version 2>&1 | cut -d' ' -f2)" \
		"$(cut -d' ' -f2 <<<"$want")"
	check_grep "$p: manual page" "$R/share/man/man1/$p.1" "^\.TH ${p^^} 1 "
	check_grep "$p: manual page holds --help" "$R/share/man/man1/$p.1" "^Usage: $p \[options\]"
	if command -v man >/dev/null; then
		check "$p: man renders it" sh -c "man -l '$R/share/man/man1/$p.1' >/dev/null 2>&1"
	fi
done
for d in "${docs[@]}"; do
	d=${d#"$ROOT"/}
	check "docs: $d installed" cmp -s "$ROOT/$d" "$R/share/doc/ackbench/$d"
done

# The board scripts, from the installed tree.
check "run-all.sh finds the programs beside it (share/ackbench/bin)" \
	test -x "$R/share/ackbench/bin/tcp_client"
rc=0
"$R/share/ackbench/scripts/run-all.sh" --help >"$TMP/ra.out" 2>&1 || rc=$?
check_rc "installed run-all.sh --help (it sources its lib.sh)" "$rc" 0 "$TMP/ra.out"
rc=0
"$R/share/ackbench/scripts/gen-certs.sh" -o "$TMP/certs" >"$TMP/gen.out" 2>&1 || rc=$?
check_rc "installed gen-certs.sh makes certificates" "$rc" 0 "$TMP/gen.out"
# compare.sh runs its Python analysis from the installed tree, on one made-up round.
mkdir -p "$TMP/cmp"
for x in tcp:20 tls:35; do
	printf '{"tool":"ackbench","proto":"%s","mode":"keep","sizes":[{"size":64,"total":{"n":3,"p50":%s,"p99":%s}}]}\n' \
		"${x%:*}" "${x#*:}" "${x#*:}" >"$TMP/cmp/${x%:*}-keep.json"
done
rc=0
"$R/share/ackbench/scripts/compare.sh" "$TMP/cmp" >"$TMP/cmp.out" 2>&1 || rc=$?
check_rc "installed compare.sh runs" "$rc" 0 "$TMP/cmp.out"
check_grep "installed compare.sh: the overhead of one round, without an interval" "$TMP/cmp.out" \
	'^keep +64 +20\.0 +35\.0  \+15\.0 \(no CI\) +1\.75 +20\.0 +35\.0$'

# pair PROTO: the installed server and client exchange 2 x 3 messages (SARGS, CARGS: their
# extra arguments).
pair() {
	local p=$1
	SRV_BIN=$R/bin start_server "inst-$p" "${p}_server" -b 127.0.0.1 "${SARGS[@]}" || return 0
	OUT=$TMP/inst-$p.cli
	rc=0
	timeout -k 5 60 "$R/bin/${p}_client" -p "$SRV_PORT" -s 64,1K -n 3 -w 0 "${CARGS[@]}" \
		>"$OUT" 2>&1 || rc=$?
	check_rc "installed $p pair: client exit 0" "$rc" 0 "$OUT"
	check_grep "installed $p pair: every message acked" "$OUT" \
		"^result proto=$p mode=per-message sizes=2 messages=6 acked=6 lost=0 end=acked$"
	wait_exit "$SRV_PID" 20
	check_rc "installed $p pair: server exit 0" "$EXIT_RC" 0 "$SRV_ERR"
}
SARGS=()
CARGS=()
pair tcp
C=$TMP/certs
SARGS=(--ca "$C/ca.crt" --cert "$C/server.crt" --key "$C/server.key")
CARGS=(--ca "$C/ca.crt" --cert "$C/client.crt" --key "$C/client.key")
pair tls
summary
