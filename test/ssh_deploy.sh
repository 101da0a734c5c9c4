#!/bin/bash
# ssh_deploy.sh - scripts/deploy.sh against real OpenSSH servers that the test starts on
# 127.0.0.1: two sshd instances (two "boards", each with its own host key, port and
# working directory), and a third "board" that is a closed port on 127.0.0.1. Keys,
# known_hosts and the ssh config (-F) are the test's own; ~/.ssh is not touched. Then the
# deployed programs run on the boards over ssh: run-all.sh -s on one, -c on the other.
#   test/ssh_deploy.sh BIN_DIR      (as root: sshd)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "deploy.sh and run-all.sh over ssh: the scripts are what it tests"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEPLOY=$ROOT/scripts/deploy.sh
S=$TMP/ssh
mkdir -p "$S"

if ! "$ROOT/scripts/deps.sh" ssh >"$TMP/deps.log" 2>&1 || [ ! -x /usr/sbin/sshd ]; then
	not_ok "scripts/deps.sh ssh installs OpenSSH" "$(tail -n 3 "$TMP/deps.log")"
	summary
	exit 1
fi
if [ "$(id -u)" != 0 ]; then
	not_ok "ssh_deploy.sh runs as root (sshd)"
	summary
	exit 1
fi
mkdir -p /run/sshd # sshd's privilege separation directory (made by its service normally)

# free_port: a port no TCP or UDP socket uses (in any state), below the ephemeral range
# (32768..) so that no outgoing connection takes it meanwhile.
USED=" "
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((12000 + RANDOM % 20000))
		case "$USED" in *" $p "*) continue ;; esac
		if [ -z "$(ss -Htuan "sport = :$p" 2>/dev/null)" ]; then
			USED="$USED$p "
			echo "$p"
			return 0
		fi
	done
	: "$i"
	return 1
}

ssh-keygen -q -t ed25519 -N '' -C ackbench-test-client -f "$S/id"
cp "$S/id.pub" "$S/authorized_keys"
: >"$S/known_hosts"

# start_sshd N: board N with its own host key and directory; sets SSHD_PORT.
start_sshd() {
	local n=$1 try port pid
	mkdir -p "$TMP/board$n"
	ssh-keygen -q -t ed25519 -N '' -C "board$n" -f "$S/host$n"
	for try in 1 2 3; do
		port=$(free_port) || break
		cat >"$S/sshd$n.conf" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $S/host$n
PidFile $S/sshd$n.pid
AuthorizedKeysFile $S/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
LogLevel VERBOSE
# Each board works in its own directory, as if it were another machine.
ForceCommand cd $TMP/board$n && exec /bin/sh -c "\$SSH_ORIGINAL_COMMAND"
EOF
		/usr/sbin/sshd -D -e -f "$S/sshd$n.conf" 2>"$S/sshd$n.log" </dev/null &
		pid=$!
		PIDS+=("$pid")
		if wait_lines "$S/sshd$n.log" "Server listening on 127.0.0.1 port $port" 1 10; then
			SSHD_PORT=$port
			echo "[127.0.0.1]:$port $(cut -d ' ' -f 1,2 "$S/host$n.pub")" >>"$S/known_hosts"
			return 0
		fi
		stop_server "$pid"
	done
	: "$try"
	not_ok "sshd for board $n starts" "$(tail -n 3 "$S/sshd$n.log")"
	return 1
}

start_sshd 1 || { summary; exit 1; }
P1=$SSHD_PORT
start_sshd 2 || { summary; exit 1; }
P2=$SSHD_PORT
DEAD=$(free_port)
ok "two sshd boards on 127.0.0.1:$P1 and :$P2, a closed port :$DEAD"

cat >"$S/config" <<EOF
Host board1
	HostName 127.0.0.1
	Port $P1
Host *
	User root
	IdentityFile $S/id
	IdentitiesOnly yes
	UserKnownHostsFile $S/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	PasswordAuthentication no
	LogLevel ERROR
EOF
cat >"$TMP/hosts" <<EOF
# two boards and one that is switched off
board1            # an alias of the ssh config
root@127.0.0.1:$P2
127.0.0.1:$DEAD
EOF

gen_certs ec256 "$TMP/certs"

# deploy NAME ARGS...: runs deploy.sh (bounded); sets RC and OUT.
deploy() {
	local name=$1
	shift
	OUT=$TMP/$name.out
	RC=0
	timeout -k 5 120 "$DEPLOY" -B "$BIN" -C "$TMP/certs" -F "$S/config" -i "$S/id" -T 60 "$@" \
		>"$OUT" 2>"$TMP/$name.err" </dev/null || RC=$?
}

deploy three -f "$TMP/hosts" -d ackbench -j 3
check_rc "deploy to 2 boards + a closed port: exit 1" "$RC" 1 "$TMP/three.err"
check_eq "one result line per host" "$(grep -Ec '^(ok|FAILED) ' "$OUT")" 3
check_grep "board1: ok line" "$OUT" '^ok board1: [0-9]+ programs in ackbench \([a-z]+_(client|server) [0-9.]+ \(stack [a-z]+ [0-9.]+, .*; config [a-z0-9-]+, target [a-z0-9-]+\)\)$'
check_grep "board2: ok line" "$OUT" "^ok root@127.0.0.1:$P2: [0-9]+ programs in ackbench "
check_grep "closed port: FAILED line with the reason" "$OUT" \
	"^FAILED 127.0.0.1:$DEAD: ssh: connect to host 127.0.0.1 port $DEAD: Connection refused$"
nprog=0
for b in 1 2; do
	d=$TMP/board$b/ackbench
	same=1
	for p in "$BIN"/*_client "$BIN"/*_server; do
		[ -x "$p" ] || continue
		[ "$b" = 2 ] || nprog=$((nprog + 1))
		cmp -s "$p" "$d/bin/$(basename "$p")" && [ -x "$d/bin/$(basename "$p")" ] || same=0
	done
	check_eq "board$b: every program copied, executable, byte for byte" "$same" 1
	for f in ca.crt server.crt server.key client.crt client.key; do
		cmp -s "$TMP/certs/$f" "$d/certs/$f" || not_ok "board$b: certs/$f copied"
	done
	check_eq "board$b: private keys stay 0600" "$(stat -c %a "$d/certs/server.key") $(stat -c %a "$d/certs/client.key")" "600 600"
	check "board$b: run scripts copied" test -x "$d/scripts/run-all.sh" -a -f "$d/scripts/lib.sh"
	check_grep "board$b: REVISION recorded" "$d/REVISION" '^revision=.'
done
check_grep "the ok line counts the programs" "$OUT" "^ok board1: $nprog programs "

# Idempotent, and exit 0 when every host is fine.
grep -v "$DEAD" "$TMP/hosts" >"$TMP/hosts2"
deploy two -f "$TMP/hosts2" -d ackbench -j 1
check_rc "deploy again to the two boards: exit 0" "$RC" 0 "$TMP/two.err"
check_eq "two ok lines" "$(grep -c '^ok ' "$OUT")" 2

# BatchMode: an unknown host key fails at once instead of asking.
deploy unknown -f "$TMP/hosts2" -d ackbench -o UserKnownHostsFile=/dev/null
check_rc "unknown host keys: exit 1, no prompt" "$RC" 1 "$TMP/unknown.err"
check_grep "unknown host key: FAILED line" "$OUT" '^FAILED board1: Host key verification failed\.$'

# Usage errors name the problem.
printf 'bad host name\n' >"$TMP/hosts-bad"
deploy bad -f "$TMP/hosts-bad" -d x
check_rc "a malformed hosts line: usage error" "$RC" 2 "$TMP/bad.err"
check_grep "the malformed line is named" "$TMP/bad.err" "hosts-bad:1: 'bad host name' is not"

# Run the deployed programs on the boards over ssh.
sshb() { # sshb BOARD COMMAND: ssh to board 1 or 2, bounded
	local -a to=(board1)
	[ "$1" = 1 ] || to=(-p "$P2" root@127.0.0.1)
	timeout -k 5 "${SSH_SECS:-60}" ssh -F "$S/config" -o BatchMode=yes "${to[@]}" "$2" </dev/null
}
check_eq "board1 runs its tcp_server --version over ssh" "$(sshb 1 'ackbench/bin/tcp_server --version' 2>&1)" \
	"$("$BIN/tcp_server" --version)"
base=$(free_port)
for i in 1 2 3; do # run-all.sh uses BASE..BASE+3
	free=1
	for o in 1 2 3; do
		[ -z "$(ss -Htuan "sport = :$((base + o))")" ] || free=0
	done
	[ "$free" = 0 ] || break
	base=$(free_port)
done
: "$i"
sshb 1 "ackbench/scripts/run-all.sh -s -b 127.0.0.1 -p $base -I 10 -d srv" \
	>"$TMP/board-srv.out" 2>"$TMP/board-srv.err" &
spid=$!
PIDS+=("$spid")
SSH_SECS=300 sshb 2 "ackbench/scripts/run-all.sh -c 127.0.0.1 -p $base -n 5 -S 64 -m per-message -q -d cli" \
	>"$TMP/board-cli.out" 2>"$TMP/board-cli.err" && rc=0 || rc=$?
check_rc "board2 runs every client against board1's servers: exit 0" "$rc" 0 "$TMP/board-cli.err"
for p in $(LIB_ROOT=$ROOT sh -c '. "$1/scripts/lib.sh"; lib_pairs "$2"' sh "$ROOT" "$BIN"); do
	check_grep "board2: $p run acked" "$TMP/board-cli.out" \
		"^ok $p-per-message: result proto=$p mode=per-message sizes=1 messages=5 acked=5 lost=0 end=acked$"
	check "board2: $p results in its own directory" test -s "$TMP/board2/cli/$p-per-message.json"
done
check_grep "board2: env.txt records the deployed revision" "$TMP/board2/cli/env.txt" '^deployed revision: '
wait_exit "$spid" 60
check_rc "board1: run-all.sh -s ends after its idle time, exit 0" "$EXIT_RC" 0 "$TMP/board-srv.err"
check_grep "board1: servers ended cleanly" "$TMP/board-srv.out" '^server proto=tcp exit=0 done '
summary
