#!/bin/bash
# fleet.sh - scripts/fleet.sh over three "boards" on this machine, in a star around the
# controller: four network namespaces (the controller's holds a bridge, 203.0.113.1; the
# boards are 203.0.113.11..13 behind veth pairs), each board with its own ssh server and
# login user (its own home under TMP):
#   b1  OpenSSH, /bin/sh, architecture not declared (probed)
#   b2  dropbear in a mount namespace whose /usr/bin is busybox's applets only (no Python,
#       no bash) and without sftp-server; its login shell is busybox sh (added to
#       /etc/shells for the run)
#   b3  OpenSSH, declared aarch64: its programs are the aarch64 build, run by wrappers
#       through qemu-aarch64 (ackbench_runner; no binfmt handler is registered)
# Then: a fleet run with tiny counts ends with every pair measured and one report; a run
# during which b2's link goes down reports b2 and completes the others; --resume finishes
# it; a bad inventory or plan is one line and exit 2. Namespaces, processes, users, the
# /etc/shells line and the keys are removed whatever happens.
#   test/fleet.sh BIN_DIR      (as root)
set -eu
# shellcheck source=test/lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"
first_pass_only "a fleet of three namespaced boards driven over ssh by Ansible"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FLEET=$ROOT/scripts/fleet.sh
P=ackb$$ # namespaces, interfaces (15 characters at most) and users: unique per run
NSC=${P}c
NS=("${P}1" "${P}2" "${P}3")
USERS=("${P}u1" "${P}u2" "${P}u3")
IPS=(203.0.113.11 203.0.113.12 203.0.113.13)
S=$TMP/ssh
BB=$TMP/bb
NS_MADE=()
USERS_MADE=()
SHELLS_LINE=""
BOARD_PIDS=()
export ANSIBLE_HOME=$TMP/ansible ANSIBLE_LOCAL_TEMP=$TMP/ansible/tmp # not root's ~/.ansible

# user_pids USER: the pids of USER's processes (the test's own users only).
user_pids() { ps -o pid= -u "$1" 2>/dev/null | tr -d ' ' || true; }

cleanup_fleet() {
	local p n u
	for p in "${BOARD_PIDS[@]+"${BOARD_PIDS[@]}"}"; do
		signal TERM "$p" || true
	done
	for p in "${BOARD_PIDS[@]+"${BOARD_PIDS[@]}"}"; do
		wait_exit "$p" 5 2>/dev/null || true
	done
	for u in "${USERS_MADE[@]+"${USERS_MADE[@]}"}"; do
		kill_user "$u"
	done
	for n in "${NS_MADE[@]+"${NS_MADE[@]}"}"; do
		kill_ns "$n"
		ip netns del "$n" 2>/dev/null || true
	done
	for u in "${USERS_MADE[@]+"${USERS_MADE[@]}"}"; do
		userdel "$u" 2>/dev/null || true
	done
	if [ -n "$SHELLS_LINE" ]; then
		grep -vxF -- "$SHELLS_LINE" /etc/shells >"$TMP/shells.new" || true
		cat "$TMP/shells.new" >/etc/shells
	fi
	tlib_cleanup
}
trap cleanup_fleet EXIT

fatal() { # fatal DESC DETAIL: a setup step failed; nothing after it can run
	not_ok "$1" "${2:-}"
	summary || true
	exit 1
}

[ "$(id -u)" = 0 ] || fatal "test/fleet.sh runs as root (namespaces, users, sshd)"
"$ROOT/scripts/deps.sh" fleet fleet-test cross-aarch64 >"$TMP/deps.log" 2>&1 ||
	fatal "scripts/deps.sh fleet fleet-test cross-aarch64" "$(tail -n 3 "$TMP/deps.log")"
for t in ip sshd dropbear dropbearkey busybox qemu-aarch64 ansible-playbook useradd; do
	command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || fatal "$t is installed"
done
mkdir -p /run/sshd "$S" "$ANSIBLE_LOCAL_TEMP"
chmod 711 "$TMP" # the boards' users reach their homes under it

# --- the network: a bridge in the controller's namespace, a veth to each board ---
net() {
	local i
	ip netns add "$NSC" && NS_MADE+=("$NSC") || return 1
	ip -n "$NSC" link add "${P}br" type bridge &&
		ip -n "$NSC" addr add 203.0.113.1/24 dev "${P}br" &&
		ip -n "$NSC" link set "${P}br" up && ip -n "$NSC" link set lo up || return 1
	for i in 0 1 2; do
		ip netns add "${NS[i]}" && NS_MADE+=("${NS[i]}") || return 1
		ip link add "${P}h$((i + 1))" netns "$NSC" type veth peer name "${P}b$((i + 1))" netns "${NS[i]}" &&
			ip -n "$NSC" link set "${P}h$((i + 1))" master "${P}br" up &&
			ip -n "${NS[i]}" addr add "${IPS[i]}/24" dev "${P}b$((i + 1))" &&
			ip -n "${NS[i]}" link set "${P}b$((i + 1))" up && ip -n "${NS[i]}" link set lo up || return 1
	done
}
net 2>"$TMP/net.err" || fatal "namespaces, bridge and veths" "$(cat "$TMP/net.err")"
reach() { ip netns exec "$NSC" ping -c 1 -W 1 "$1" >/dev/null 2>&1; }
for i in 0 1 2; do
	n=0
	until reach "${IPS[i]}" || [ "$n" -ge 50 ]; do n=$((n + 1)); sleep 0.1; done
done
check "the controller reaches the three boards over the bridge" \
	sh -c "ip netns exec $NSC ping -c 1 -W 1 ${IPS[0]} && ip netns exec $NSC ping -c 1 -W 1 ${IPS[1]} && ip netns exec $NSC ping -c 1 -W 1 ${IPS[2]}" \
	>/dev/null

# --- busybox for b2: its /usr/bin, and its login shell ---
mkdir -p "$BB"
cp "$(command -v busybox)" "$BB/busybox"
for a in $("$BB/busybox" --list); do
	[ "$a" = busybox ] || ln -s busybox "$BB/$a"
done
chmod 755 "$BB"
SHELLS_LINE=$BB/sh
echo "$SHELLS_LINE" >>/etc/shells

# --- users, keys ---
ssh-keygen -q -t ed25519 -N '' -C ackbench-fleet-test -f "$S/id"
: >"$S/known_hosts"
for i in 0 1 2; do
	home=$TMP/home$((i + 1))
	sh_=/bin/sh
	[ "$i" != 1 ] || sh_=$BB/sh
	useradd -M -d "$home" -s "$sh_" "${USERS[i]}" 2>"$TMP/useradd.err" ||
		fatal "useradd ${USERS[i]}" "$(cat "$TMP/useradd.err")"
	USERS_MADE+=("${USERS[i]}")
	usermod -p '*' "${USERS[i]}" # no password, but not locked (sshd refuses a locked one)
	mkdir -p "$home/.ssh"
	cp "$S/id.pub" "$home/.ssh/authorized_keys"
	chown -R "${USERS[i]}:" "$home"
	chmod 700 "$home" "$home/.ssh"
done

# --- the ssh servers ---
for i in 0 2; do
	b=$((i + 1))
	ssh-keygen -q -t ed25519 -N '' -C "board$b" -f "$S/host$b"
	cat >"$S/sshd$b.conf" <<EOF
Port 22
ListenAddress ${IPS[i]}
HostKey $S/host$b
PidFile $S/sshd$b.pid
AuthorizedKeysFile .ssh/authorized_keys
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
LogLevel VERBOSE
EOF
	ip netns exec "${NS[i]}" /usr/sbin/sshd -D -e -f "$S/sshd$b.conf" 2>"$S/sshd$b.log" </dev/null &
	BOARD_PIDS+=("$!")
	PIDS+=("$!")
	wait_lines "$S/sshd$b.log" "Server listening on ${IPS[i]} port 22" 1 10 ||
		fatal "sshd of b$b listens on ${IPS[i]}:22" "$(tail -n 3 "$S/sshd$b.log")"
	echo "${IPS[i]} $(cut -d ' ' -f 1,2 "$S/host$b.pub")" >>"$S/known_hosts"
done
dropbearkey -t ed25519 -f "$S/host2.db" >/dev/null 2>&1 || fatal "dropbearkey"
echo "${IPS[1]} $(dropbearkey -y -f "$S/host2.db" | grep '^ssh-ed25519' | cut -d ' ' -f 1,2)" >>"$S/known_hosts"
# b2's mount namespace: busybox's applets over /usr/bin (so /bin too), nothing in
# /usr/local/bin, no sftp-server; then dropbear (foreground, log on stderr, no passwords).
# shellcheck disable=SC2016 # expanded by the inner sh
ip netns exec "${NS[1]}" unshare -m --propagation private sh -c '
	mount --bind "$1" /usr/bin &&
	mount -t tmpfs -o size=1m,mode=755 none /usr/local/bin &&
	mount -t tmpfs -o size=1m,mode=755 none /usr/lib/openssh &&
	exec /usr/sbin/dropbear -F -E -s -p "$2:22" -r "$3" -P "$4"' sh \
	"$BB" "${IPS[1]}" "$S/host2.db" "$S/dropbear.pid" 2>"$S/dropbear.log" </dev/null &
BOARD_PIDS+=("$!")
PIDS+=("$!")
wait_lines "$S/dropbear.log" "Not backgrounding|[Ll]istening" 1 10 ||
	fatal "dropbear of b2 starts" "$(tail -n 3 "$S/dropbear.log")"

cat >"$S/config" <<EOF
Host *
	IdentityFile $S/id
	IdentitiesOnly yes
	UserKnownHostsFile $S/known_hosts
	GlobalKnownHostsFile /dev/null
	StrictHostKeyChecking yes
	BatchMode yes
	ConnectTimeout 10
	LogLevel ERROR
EOF
on() { # on BOARD(1..3) COMMAND: ssh from the controller's namespace, bounded
	timeout -k 5 60 ip netns exec "$NSC" ssh -F "$S/config" "${USERS[$1 - 1]}@${IPS[$1 - 1]}" "$2" </dev/null
}
i=0
until on 2 true 2>/dev/null || [ "$i" -ge 20 ]; do i=$((i + 1)); sleep 0.5; done
check_grep "b2 (dropbear) runs busybox sh" <(on 2 'readlink /proc/$$/exe' 2>&1) "/busybox$"
check_eq "b2 has no Python" "$(on 2 'command -v python3 python; echo none' 2>&1)" "none"
check "b2 has no sftp server" sh -c "! timeout 30 ip netns exec $NSC sftp -F $S/config -b /dev/null ${USERS[1]}@${IPS[1]} >/dev/null 2>&1"
check_eq "b1 (OpenSSH) answers as its own user" "$(on 1 'id -un' 2>&1)" "${USERS[0]}"

# --- the inventory (INI) and the plans ---
SSHARGS="-F $S/config"
cat >"$TMP/fleet.ini" <<EOF
# three boards in a star around the controller
[native]
b1 ansible_host=${IPS[0]} ansible_user=${USERS[0]}
b2 ansible_host=${IPS[1]} ansible_user=${USERS[1]} ackbench_dir=ab

[emulated]
b3 ansible_host=${IPS[2]} ansible_user=${USERS[2]} ackbench_arch=aarch64 ackbench_runner="qemu-aarch64 -L /usr/aarch64-linux-gnu"

[lab:children]
native
emulated

[lab:vars]
ansible_ssh_common_args="$SSHARGS"
EOF
cat >"$TMP/plan-a" <<EOF
# each board a client once and a server once
boards: lab
pairs: [b1->b2, b2->b3, b3->b1]
protocols: [tcp, tls, udp, dtls]
modes: per-message
sizes: 64
count: 5
rounds: 2
client_timeout: 300
EOF

# fleet NAME ARGS...: scripts/fleet.sh in the controller's namespace (bounded); RC, OUT, ERR.
fleet() {
	local name=$1
	shift
	OUT=$TMP/$name.out
	ERR=$TMP/$name.err
	RC=0
	timeout -k 10 900 ip netns exec "$NSC" "$FLEET" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$?
}
leftovers() { # processes of the boards' users, and any in the controller's namespace
	local p u
	for p in $(ip netns pids "$NSC"); do
		echo "$NSC: $(ps -o pid=,user=,args= -p "$p" 2>/dev/null)"
	done
	for u in "${USERS[@]}"; do
		for p in $(user_pids "$u"); do echo "$u: $(ps -o pid=,args= -p "$p" 2>/dev/null)"; done
	done
}
# settled_leftovers: leftovers once the boards' sshd have ended the sessions fleet.sh closed
# on its way out (ssh -O exit returns before the board's session process has exited and
# been reaped: it shows for a moment as '[sshd] <defunct>'); at most 10 s.
settled_leftovers() {
	local i left
	for i in $(seq 50); do
		left=$(leftovers)
		[ -n "$left" ] || break
		sleep 0.2
	done
	printf '%s' "$left"
}

# --- 1. a whole run ---
t0=$(date +%s)
fleet a -i "$TMP/fleet.ini" --plan "$TMP/plan-a" -d "$TMP/run-a" -q
check_rc "fleet run: exit 0" "$RC" 0 "$ERR"
R=$TMP/run-a
check_grep "b1: probed x86_64, deployed" "$R/summary.txt" "^ok board b1: x86_64, "
check_grep "b2 (dropbear, busybox, no Python, no sftp): deployed" "$R/summary.txt" "^ok board b2: x86_64, "
check_grep "b3: aarch64 under qemu, deployed" "$R/summary.txt" "^ok board b3: aarch64, "
check_grep "6 of 6 measurements (3 pairs x 2 rounds)" "$R/summary.txt" "^6 of 6 measurements ok$"
check_grep "b3's programs are the aarch64 build" "$R/boards/b3/deploy.txt" "^version=.*target aarch64"
for pr in b1--b2 b2--b3 b3--b1; do
	for r in 1 2; do
		d=$R/pairs/$pr/mbedtls/r$r
		for p in tcp tls udp dtls; do
			check_grep "$pr r$r: $p acked" "$d/client/client.out" \
				"^ok $p-per-message: result proto=$p mode=per-message sizes=1 messages=5 acked=5 lost=0 end=acked$"
		done
		check "$pr r$r: both sides' env.txt" test -s "$d/client/run/env.txt" -a -s "$d/server/run/env.txt"
		check_grep "$pr r$r: the server saw the dtls run end" "$d/server/run/server-dtls.log" '^end run='
	done
done
check_grep "b3 as client ran its aarch64 programs" "$R/pairs/b3--b1/mbedtls/r1/client/run/tls-per-message.json" '"build": ".*target=aarch64'
check_grep "the certificate names every server's address" "$R/certs/certs.info" "IP:${IPS[0]}.*IP:${IPS[1]}.*IP:${IPS[2]}|IP:${IPS[0]}"
check "the run keeps the inventory, the plan and the playbook's log" \
	test -s "$R/inventory.ini" -a -s "$R/plan" -a -s "$R/playbook.log" -a -s "$R/schedule.tsv"
# rounds interleaved: round 2 starts after every pair's round 1
check_eq "rounds interleaved across the pairs" "$(cut -f 1 "$R/schedule.tsv" | uniq | tr '\n' ' ')" "1 2 "
check "one report holding every pair" test -s "$R/report/index.html"
for pr in "b1 -> b2" "b2 -> b3" "b3 -> b1"; do
	check_grep "the report names $pr" "$R/report/report.txt" "$pr"
done
check_eq "no process left on the boards or the controller" "$(settled_leftovers)" ""
echo "# whole run: $(($(date +%s) - t0)) s"

# --- 2. b2's link goes down during a run; --resume finishes it ---
cat >"$TMP/plan-b" <<EOF
boards: b1, b2, b3
pairs: star b1
protocols: tcp, tls
modes: per-message
sizes: 64
count: 5
rounds: 1
EOF
t0=$(date +%s)
timeout -k 10 900 ip netns exec "$NSC" "$FLEET" -i "$TMP/fleet.ini" --plan "$TMP/plan-b" -d "$TMP/run-b" -q \
	>"$TMP/b.out" 2>"$TMP/b.err" </dev/null &
fpid=$!
PIDS+=("$fpid")
i=0
until [ -n "$(ls "$TMP"/run-b/pairs/*/mbedtls/r*/status 2>/dev/null)" ] || [ "$i" -ge 3000 ] || ! running "$fpid"; do
	i=$((i + 1))
	sleep 0.1
done
ip -n "$NSC" link set "${P}h2" down
wait_exit "$fpid" 900
check_rc "a run that loses b2: exit 1" "$EXIT_RC" 1 "$TMP/b.err"
R=$TMP/run-b
check_grep "b2 is reported" "$R/summary.txt" "^FAILED board b2: stopped answering"
check_nogrep "no other board is" "$R/summary.txt" "^FAILED board b[13]"
check_grep "a measurement with b2 after the link went down is reported" "$R/summary.txt" \
	"^FAILED r1 b[12]->b[12] mbedtls: (skipped: b2 out|failed: b2 unreachable)"
for pr in b3--b1 b1--b3; do
	check_grep "$pr: ok" "$R/pairs/$pr/mbedtls/r1/status" '^ok$'
done
ip -n "$NSC" link set "${P}h2" up
before=$(stat -c %Y "$R/pairs/b3--b1/mbedtls/r1/status")
fleet resume --resume "$R" -q
check_rc "--resume: exit 0" "$RC" 0 "$ERR"
check_grep "--resume skipped what was done" "$ERR" "^fleet: resuming: [23] of 4 measurements done, [12] to go$"
check_grep "--resume: 4 of 4 measurements" "$R/summary.txt" "^4 of 4 measurements ok$"
check_eq "--resume left the finished measurements alone" "$(stat -c %Y "$R/pairs/b3--b1/mbedtls/r1/status")" "$before"
echo "# lost board and resume: $(($(date +%s) - t0)) s"

# --- 3. usage errors: one line, exit 2 ---
printf '[lab\nb1 ansible_host=%s = x\n' "${IPS[0]}" >"$TMP/bad.ini"
printf 'pairs: all\nround: 2\n' >"$TMP/plan-badkey"
printf 'boards: lab\npairs: b1->b9\n' >"$TMP/plan-badpair"
# the YAML form: its host variables are read (b3's architecture is refused)
cat >"$TMP/fleet.yml" <<EOF
all:
  children:
    lab:
      hosts:
        b1: {ansible_host: ${IPS[0]}, ansible_user: ${USERS[0]}}
        b3: {ansible_host: ${IPS[2]}, ansible_user: ${USERS[2]}, ackbench_arch: sparc}
EOF
usage_case() { # usage_case NAME ERE ARGS...: exit 2 and one line on stderr matching ERE
	local name=$1 ere=$2
	shift 2
	fleet "$name" "$@" -d "$TMP/run-$name"
	check_rc "$name: exit 2" "$RC" 2 "$ERR"
	check_eq "$name: one line" "$(wc -l <"$ERR")" 1
	check_grep "$name: names the problem" "$ERR" "$ere"
}
usage_case badinv "^fleet: -i .*bad.ini: not an Ansible inventory" -i "$TMP/bad.ini"
usage_case badkey "^fleet: .*plan-badkey:2: unknown key 'round'" -i "$TMP/fleet.ini" --plan "$TMP/plan-badkey"
usage_case badpair "^fleet: plan: pairs: 'b1->b9': b9 is not one of the boards" -i "$TMP/fleet.ini" --plan "$TMP/plan-badpair"
usage_case badproto "^fleet: -P: unknown protocol 'sctp'" -i "$TMP/fleet.ini" -P tcp,sctp
usage_case badarch "^fleet: -i .*fleet.yml: b3: ackbench_arch 'sparc' is not aarch64, armhf, riscv64 or x86_64$" \
	-i "$TMP/fleet.yml"
check "usage errors leave no run directory" test ! -e "$TMP/run-badinv/schedule.tsv"
check_eq "no process left on the boards or the controller" "$(settled_leftovers)" ""
summary
