#!/bin/bash
# cross.sh - cross-built programs under qemu-user against native peers on loopback.
#   test/cross.sh [BIN_DIR]   (native programs; default build/native/bin; see test/lib.sh)
# For every cross build dir build/<target>[-small][-static]/bin (targets: ports/targets/*.mk
# other than native) and every protocol whose programs are in both dirs: the cross server
# under the target's qemu-user ($(QEMU) of its .mk) with the native client, then the native
# server with the cross client under qemu. Small counts, no sanitizers under qemu.
# The other stacks' cross builds, build/<target>-<stack>/bin (make STACK=openssl|wolfssl
# TARGET=aarch64), run their TLS and DTLS programs against the same stack's native ones
# (make STACK=<stack>), and a post-quantum TLS 1.3 handshake (X25519MLKEM768, the lattice
# code's assembly differs per CPU) with the group checked on the server's side; wolfSSL's
# also DTLS 1.3.
# A missing cross build or qemu is a "skip" line, neither passed nor failed.
# Environment: CROSS_TARGETS (comma list, default all; none: skip), CROSS_COUNT (messages per
# size, 3).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
[ "$#" -gt 0 ] || set -- "$root/build/native/bin"
test_init "$@"

count=${CROSS_COUNT:-3}
only=${CROSS_TARGETS:+,$CROSS_TARGETS,}
sizes=64,1K
nsizes=2

skip() { echo "skip - $*"; }

# A make variable of a target (QEMU), as the Makefile sees it (not our caller's make flags).
target_var() {
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS \
		make -s --no-print-directory -C "$root" TARGET="$1" "print-$2"
}


# pair NAME PROTO SRV_RUNNER SRV_DIR CLI_RUNNER CLI_DIR CLI_CONFIG: one server, one client
# run. Checks the client's exit status and result line, that its header names the config
# it was built with, and the server's END line and exit status.
# PAIR_ARGS: more options for both programs; PAIR_FAR: an ERE the server's "# negotiated:"
# line must match (the far side's view).
pair() {
	local name=$1 p=$2 srun=$3 sdir=$4 crun=$5 cdir=$6 cfg=$7 m stmo=20000
	local -a more
	read -r -a more <<<"${PAIR_ARGS:-}"
	m=$((count * nsizes))
	# A datagram server ends a "connection" (and after the client's END, its run) by
	# --timeout of silence: keep that short.
	case "$p" in udp) stmo=2000 ;; dtls) stmo=5000 ;; esac
	SRV_RUNNER=$srun SRV_BIN=$sdir start_server "$name" "${p}_server" --timeout "$stmo" \
		--idle-timeout 120 "${more[@]}" || return 0
	OUT="$TMP/$name.client"
	RC=0
	# shellcheck disable=SC2086
	timeout -k 5 300 $crun "$cdir/${p}_client" -p "$SRV_PORT" -n "$count" -w 1 -s "$sizes" \
		--timeout 30000 "${more[@]}" >"$OUT" 2>&1 </dev/null || RC=$?
	if [ "$RC" -eq 0 ]; then
		wait_exit "$SRV_PID" 60 # after the client's END the server ends by itself
	else
		stop_server "$SRV_PID"
		EXIT_RC=0
	fi
	if [ "$RC" -ne 0 ]; then
		not_ok "$name" "client exit status $RC" "$(tail -n 3 "$OUT")"
	elif ! grep -q "^result proto=$p .* messages=$m acked=$m lost=0 end=acked\$" "$OUT"; then
		not_ok "$name" "client: $(grep '^result' "$OUT" || echo 'no result line')"
	elif ! grep -q "^# build: .* config=$cfg " "$OUT"; then
		not_ok "$name" "client header does not say config=$cfg: $(grep '^# build' "$OUT")"
	elif [ "$EXIT_RC" -ne 0 ]; then
		not_ok "$name" "server exit status $EXIT_RC" "$(tail -n 3 "$SRV_ERR")"
	elif ! grep -Eq '^end run=[0-9a-f]+ sent=([0-9]+) received=\1 valid=\1$' "$SRV_OUT"; then
		not_ok "$name" "server: $(grep '^end' "$SRV_OUT" || echo 'no END line')"
	elif [ -n "${PAIR_FAR:-}" ] && ! grep -Eq "^# negotiated: conn=[0-9]+ $PAIR_FAR" "$SRV_OUT"; then
		not_ok "$name" "server's negotiated line does not match '$PAIR_FAR'" \
			"$(grep '^# negotiated' "$SRV_OUT" | head -n 2)"
	else
		ok "$name ($m messages)"
	fi
}

dirs=()
for mk in "$root"/ports/targets/*.mk; do
	t=$(basename "$mk" .mk)
	[ "$t" != native ] || continue
	[ -z "$only" ] || [ "${only#*,"$t",}" != "$only" ] || continue
	for d in "$root/build/$t" "$root/build/$t-small" "$root/build/$t-static" \
		"$root/build/$t-small-static"; do
		[ ! -d "$d/bin" ] || dirs+=("$d")
	done
	for s in $(make_var print-STACKS); do
		[ "$s" = mbedtls ] || [ ! -d "$root/build/$t-$s/bin" ] || dirs+=("$root/build/$t-$s")
	done
done
if [ "${CROSS_TARGETS:-}" = none ]; then
	skip "CROSS_TARGETS=none (make test runs the cross pairs once, in its first pass)"
elif [ ${#dirs[@]} -eq 0 ]; then
	skip "no cross build (make TARGET=aarch64 [CONFIG=small] [STATIC=1])"
fi

# stack_pairs LABEL STACK DIR QEMU: another stack's cross build against its native one: TLS
# and DTLS as they are by default, TLS 1.3 with X25519MLKEM768 (the server says so), and on
# wolfSSL DTLS 1.3 with it too.
stack_pairs() {
	local label=$1 s=$2 d=$3 qemu=$4 nat p
	nat=$(stack_bin "$s")
	if [ "$(stack_of "$nat")" != "$s" ]; then
		skip "$label: no native $s programs to meet (make STACK=$s)"
		return 0
	fi
	for p in tls dtls; do
		if [ ! -x "$d/bin/${p}_server" ] || [ ! -x "$d/bin/${p}_client" ]; then
			not_ok "$label: ${p}_server and ${p}_client built in $d/bin (make STACK=$s TARGET=${label%%-*})"
			return 0
		fi
	done
	for p in tls dtls; do
		pair "$label $p: qemu server, native client" "$p" "$qemu" "$d/bin" "" "$nat" full
		pair "$label $p: native server, qemu client" "$p" "" "$nat" "$qemu" "$d/bin" full
	done
	PAIR_ARGS="--tls 1.3 --groups X25519MLKEM768" PAIR_FAR="TLSv1\.3 [^ ]+ X25519MLKEM768 " \
		pair "$label tls 1.3 X25519MLKEM768: qemu server, native client" tls "$qemu" "$d/bin" "" \
		"$nat" full
	PAIR_ARGS="--tls 1.3 --groups X25519MLKEM768" PAIR_FAR="TLSv1\.3 [^ ]+ X25519MLKEM768 " \
		pair "$label tls 1.3 X25519MLKEM768: native server, qemu client" tls "" "$nat" "$qemu" \
		"$d/bin" full
	[ "$s" = wolfssl ] || return 0
	PAIR_ARGS="--tls 1.3 --groups X25519MLKEM768" PAIR_FAR="DTLSv1\.3 [^ ]+ X25519MLKEM768 " \
		pair "$label dtls 1.3 X25519MLKEM768: qemu server, native client" dtls "$qemu" "$d/bin" \
		"" "$nat" full
	PAIR_ARGS="--tls 1.3 --groups X25519MLKEM768" PAIR_FAR="DTLSv1\.3 [^ ]+ X25519MLKEM768 " \
		pair "$label dtls 1.3 X25519MLKEM768: native server, qemu client" dtls "" "$nat" \
		"$qemu" "$d/bin" full
}

# The native peers' config, from their build dir's name: build/native[-small][-san]/bin.
native_cfg=full
case "$(basename "$(dirname "$BIN")")" in *-small*) native_cfg=small ;; esac
cd "$root" # the TLS/DTLS programs find ./certs/ by default
for d in "${dirs[@]}"; do
	label=$(basename "$d")
	t=${label%%-*}
	cfg=full
	case "$label" in *-small*) cfg=small ;; esac
	qemu=$(target_var "$t" QEMU)
	if [ -z "$qemu" ] || ! command -v "${qemu%% *}" >/dev/null 2>&1; then
		skip "$label: '${qemu%% *}' not installed (scripts/deps.sh cross)"
		continue
	fi
	case "$label" in
	*-openssl | *-wolfssl)
		stack_pairs "$label" "${label#*-}" "$d" "$qemu"
		continue
		;;
	esac
	for p in tcp udp tls dtls; do
		if [ ! -x "$d/bin/${p}_server" ] || [ ! -x "$BIN/${p}_client" ]; then
			continue
		fi
		if [ "$p" != tcp ] && [ "$p" != udp ] && [ ! -s "$root/certs/ca.crt" ]; then
			skip "$label $p: no certs (make certs)"
			continue
		fi
		pair "$label $p: qemu server, native client" "$p" "$qemu" "$d/bin" "" "$BIN" \
			"$native_cfg"
		pair "$label $p: native server, qemu client" "$p" "" "$BIN" "$qemu" "$d/bin" "$cfg"
	done
done
summary
