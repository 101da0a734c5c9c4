#!/bin/bash
# two_hosts.sh - two "PCs" on one machine: two network namespaces joined by a veth pair,
# 192.0.2.1 and 192.0.2.2 (RFC 5737). Every pair in BIN_DIR runs its server in one and its
# client in the other, by IP (TLS/DTLS verify the server certificate's IP SAN, made with
# gen-certs.sh 192.0.2.1); then scripts/run-all.sh does the same for all pairs at once,
# the client side started first so that it has to wait for the servers. The namespaces
# are deleted whatever happens.
#   test/two_hosts.sh BIN_DIR      (as root)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
A=ackb$$a # namespace and veth names: unique per run (15 characters at most)
B=ackb$$b
IPA=192.0.2.1
IPB=192.0.2.2
NS_MADE=()
PIDS_NS=()

cleanup_ns() {
	local p n
	for p in "${PIDS_NS[@]+"${PIDS_NS[@]}"}"; do
		signal TERM "$p" || true
	done
	for p in "${PIDS_NS[@]+"${PIDS_NS[@]}"}"; do
		wait_exit "$p" 5 2>/dev/null || true
	done
	for n in "${NS_MADE[@]+"${NS_MADE[@]}"}"; do
		ip netns del "$n" 2>/dev/null || true
	done
	tlib_cleanup
}
trap cleanup_ns EXIT

if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	not_ok "two_hosts.sh runs as root with iproute2 (scripts/deps.sh test)"
	summary
	exit 1
fi
setup() {
	ip netns add "$A" && NS_MADE+=("$A") &&
		ip netns add "$B" && NS_MADE+=("$B") &&
		ip link add "$A" type veth peer name "$B" &&
		ip link set "$A" netns "$A" && ip link set "$B" netns "$B" &&
		ip -n "$A" addr add "$IPA/24" dev "$A" && ip -n "$B" addr add "$IPB/24" dev "$B" &&
		ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
		ip -n "$A" link set "$A" up && ip -n "$B" link set "$B" up
}
if ! setup 2>"$TMP/setup.err"; then
	not_ok "two namespaces joined by a veth pair" "$(cat "$TMP/setup.err")"
	summary
	exit 1
fi
# The veth pair is up once both ends are (bounded wait).
link_up() { ip -n "$B" -o link show "$B" 2>/dev/null | grep -q 'state UP'; }
i=0
until link_up || [ "$i" -ge 50 ]; do
	i=$((i + 1))
	sleep 0.1
done
check "the veth pair between $A ($IPA) and $B ($IPB) is up" link_up
check "$A's address is not in the root namespace" test -z "$(ip -o addr show to "$IPA" 2>/dev/null)"

gen_certs ec256 "$TMP/certs" "$IPA"
check_grep "the server certificate holds IP:$IPA" "$TMP/certs/certs.info" "sans=.*IP:$IPA"

mapfile -t pairs < <(LIB_ROOT=$ROOT sh -c '. "$1/scripts/lib.sh"; lib_pairs "$2"' sh "$ROOT" "$BIN")
echo "# pairs in $BIN: ${pairs[*]}"
[ ${#pairs[@]} -gt 0 ] || not_ok "program pairs in $BIN"

tls_args() { # tls_args PROTO SIDE: certificate options of a tls/dtls program
	case "$1" in
	tls | dtls) echo "--ca $TMP/certs/ca.crt --cert $TMP/certs/$2.crt --key $TMP/certs/$2.key" ;;
	esac
}

# --- each pair by hand: server in A, client in B, by IP ---
N=20
for p in "${pairs[@]}"; do
	for mode in per-message keep; do
		tag=$p-$mode
		# shellcheck disable=SC2046  # tls_args gives words (paths without spaces)
		ip netns exec "$A" "$BIN/${p}_server" -b "$IPA" -p 0 $(tls_args "$p" server) \
			>"$TMP/$tag.srv" 2>"$TMP/$tag.srv.err" </dev/null &
		spid=$!
		PIDS_NS+=("$spid")
		if ! wait_lines "$TMP/$tag.srv" '^ready port=[0-9]+$' 1 10; then
			not_ok "$tag: ${p}_server ready on $IPA" "$(cat "$TMP/$tag.srv.err")"
			continue
		fi
		port=$(sed -n 's/^ready port=//p' "$TMP/$tag.srv")
		kargs=()
		[ "$mode" = per-message ] || kargs=(--keep)
		rc=0
		# shellcheck disable=SC2046
		timeout -k 5 120 ip netns exec "$B" "$BIN/${p}_client" -a "$IPA" -p "$port" -n "$N" \
			-s 64,1K --json "$TMP/$tag.json" "${kargs[@]+"${kargs[@]}"}" $(tls_args "$p" client) \
			>"$TMP/$tag.cli" 2>"$TMP/$tag.cli.err" </dev/null || rc=$?
		check_rc "$tag: client in $B -> server in $A by IP: exit 0" "$rc" 0 "$TMP/$tag.cli.err"
		check_grep "$tag: every message acked" "$TMP/$tag.cli" \
			"^result proto=$p mode=$mode sizes=2 messages=$((2 * N)) acked=$((2 * N)) lost=0 end=acked$"
		check_eq "$tag: the client talked to $IPA" "$(jq -r .peer "$TMP/$tag.json" 2>/dev/null)" "$IPA:$port"
		wait_exit "$spid" 10
		check_rc "$tag: the server exits 0 after the client's END" "$EXIT_RC" 0 "$TMP/$tag.srv.err"
		run=$(sed -n 's/^# ackbench .* run=\([0-9a-f]*\)$/\1/p' "$TMP/$tag.cli")
		sent=$((2 * (N + 10))) # 2 sizes x (count + 10 warm-up)
		check_grep "$tag: the server's end line matches the client's run" "$TMP/$tag.srv" \
			"^end run=$run sent=$sent received=$sent valid=$sent$"
		check_grep "$tag: the server's done line" "$TMP/$tag.srv" "^done conns=[0-9]+ messages=$sent valid=$sent invalid=0 dropped=0$"
	done
done

# --- run-all.sh: the client side first (it waits for the servers), then the servers ---
rc=0
timeout -k 5 600 ip netns exec "$B" "$ROOT/scripts/run-all.sh" -c "$IPA" -n 10 -S 64,1K -q \
	-B "$BIN" -C "$TMP/certs" -d "$TMP/ra-cli" >"$TMP/ra-cli.out" 2>"$TMP/ra-cli.err" </dev/null &
cpid=$!
PIDS_NS+=("$cpid")
sleep 1
ip netns exec "$A" "$ROOT/scripts/run-all.sh" -s -b "$IPA" -I 15 -B "$BIN" -C "$TMP/certs" \
	-d "$TMP/ra-srv" >"$TMP/ra-srv.out" 2>"$TMP/ra-srv.err" </dev/null &
spid=$!
PIDS_NS+=("$spid")
wait_exit "$cpid" 300
check_rc "run-all.sh -c $IPA (in $B): exit 0" "$EXIT_RC" 0 "$TMP/ra-cli.err"
check_grep "run-all.sh -c waited for the servers" "$TMP/ra-cli.err" "no answer from $IPA:[0-9]+ yet, retry 1/"
for p in "${pairs[@]}"; do
	for mode in per-message keep; do
		check_grep "run-all: $p $mode" "$TMP/ra-cli.out" \
			"^ok $p-$mode: result proto=$p mode=$mode sizes=2 messages=20 acked=20 lost=0 end=acked$"
		check_grep "run-all: $p-$mode.json talks to $IPA" "$TMP/ra-cli/$p-$mode.json" "\"peer\": \"$IPA:"
		check "run-all: $p-$mode.csv written" test -s "$TMP/ra-cli/$p-$mode.csv"
	done
done
for k in "host: " "uname: Linux" "cpu: " "mbedtls: version=" "git: " "server: $IPA" "tcp build: "; do
	check_grep "run-all env.txt records '$k'" "$TMP/ra-cli/env.txt" "^$k"
done
wait_exit "$spid" 60
check_rc "run-all.sh -s (in $A) ends by itself after the idle time, exit 0" "$EXIT_RC" 0 "$TMP/ra-srv.err"
for p in "${pairs[@]}"; do
	check_grep "run-all -s: $p server was ready" "$TMP/ra-srv.out" "^ready proto=$p addr=$IPA port=[0-9]+$"
	check_grep "run-all -s: $p server ended cleanly" "$TMP/ra-srv.out" "^server proto=$p exit=0 done conns="
	for mode in per-message keep; do
		run=$(jq -r .run_id "$TMP/ra-cli/$p-$mode.json" 2>/dev/null || echo none)
		check_grep "run-all -s: $p server saw the $mode run's END" "$TMP/ra-srv/server-$p.log" \
			"^end run=$run sent=40 received=40 valid=40$"  # 2 sizes x (10 + 10 warm-up)
	done
done
summary
