#!/bin/bash
# deploy.sh - copy the built programs, certificates and run scripts to many hosts over ssh.
set -eu -o pipefail

script_dir=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$script_dir/.." && pwd)

usage() {
	cat <<USAGE
Usage: $(basename "$0") -f HOSTS -d DEST [-t TARGET] [-c CONFIG] [-B BINDIR] [-C CERTDIR]
                 [-j N] [-T SECONDS] [-F SSH_CONFIG] [-i KEY] [-o SSH_OPTION]...
Copies to every host listed in HOSTS, in parallel:
  DEST/bin/      the programs built for TARGET (build/TARGET/bin)
  DEST/certs/    ca.crt, server.crt/.key, client.crt/.key
  DEST/scripts/  run-all.sh, lib.sh (to start the servers or the clients there) and
                 fleet-board.sh (scripts/stage.sh puts the tree together)
then runs each program with --version on the host (this catches a wrong target).
Prints one line per host as it finishes: "ok HOST: ..." or "FAILED HOST: reason".

  -f HOSTS    file with one [user@]host[:port] per line ('#' starts a comment;
              IPv6 literals in brackets: [2001:db8::1]:22)
  -d DEST     directory on the hosts (relative to the login's home unless absolute)
  -t TARGET   build target whose programs to copy (native); see scripts/build.sh -l
  -c CONFIG   Mbed TLS configuration of that build (full)
  -B BINDIR   copy the programs from BINDIR instead (overrides -t/-c)
  -C CERTDIR  certificates to copy (certs/; make them with scripts/gen-certs.sh,
              naming the servers' addresses so clients can verify them by IP)
  -j N        hosts at a time (8)
  -T SECONDS  give up on a host after this long (120); ssh ConnectTimeout is 10 s
  -F FILE, -i KEY, -o OPTION   passed to ssh (your ~/.ssh/config and keys are used
              otherwise). ssh runs with BatchMode=yes: it never asks for a password
              or a host key confirmation, a host that would ask fails instead.
Exit status: 0 every host ok, 1 some host failed, 2 usage error.
USAGE
}

die() {
	echo "deploy: $*" >&2
	exit 2
}

# shquote STR: STR quoted for a POSIX shell on the remote side.
shquote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

case "${1:-}" in --help) usage; exit 0 ;; esac
hosts_file=
dest=
target=native
config=full
bindir=
certdir=$repo/certs
jobs=8
limit=120
ssh_opts=(-o BatchMode=yes -o ConnectTimeout=10 -o ServerAliveInterval=5 -o ServerAliveCountMax=3)
while getopts 'f:d:t:c:B:C:j:T:F:i:o:h' opt; do
	case $opt in
	f) hosts_file=$OPTARG ;;
	d) dest=$OPTARG ;;
	t) target=$OPTARG ;;
	c) config=$OPTARG ;;
	B) bindir=$OPTARG ;;
	C) certdir=$OPTARG ;;
	j) jobs=$OPTARG ;;
	T) limit=$OPTARG ;;
	F) ssh_opts+=(-F "$OPTARG") ;;
	i) ssh_opts+=(-i "$OPTARG") ;;
	o) ssh_opts+=(-o "$OPTARG") ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || die "unexpected argument '$1' (see --help)"
[ -n "$hosts_file" ] || die "-f HOSTS is required (see --help)"
[ -n "$dest" ] || die "-d DEST is required (see --help)"
[ -r "$hosts_file" ] || die "-f: cannot read '$hosts_file'"
[[ $jobs =~ ^[1-9][0-9]{0,2}$ ]] || die "-j: '$jobs' is not a number of hosts"
[[ $limit =~ ^[1-9][0-9]{0,4}$ ]] || die "-T: '$limit' is not a number of seconds"
if [ -z "$bindir" ]; then
	bindir=$repo/build/$target
	[ "$config" = full ] || bindir=$bindir-$config
	bindir=$bindir/bin
fi
progs=()
for p in "$bindir"/*_client "$bindir"/*_server; do
	[ -x "$p" ] && progs+=("$p")
done
[ ${#progs[@]} -gt 0 ] || die "no programs in $bindir (build them: scripts/build.sh -t $target)"
for f in ca.crt server.crt server.key client.crt client.key; do
	[ -r "$certdir/$f" ] || die "-C: $certdir/$f missing (make them: scripts/gen-certs.sh [SERVER_IP...])"
done

# Hosts: "[user@]host[:port]" -> login (user@host) and port.
logins=()
ports=()
names=()
n=0
while IFS= read -r line || [ -n "$line" ]; do
	n=$((n + 1))
	line=${line%%#*}
	line=${line#"${line%%[![:space:]]*}"}
	line=${line%"${line##*[![:space:]]}"}
	[ -n "$line" ] || continue
	entry=$line
	user=
	case $line in *@*) user=${line%%@*}@ && line=${line#*@} ;; esac
	port=
	if [[ $line =~ ^\[([0-9A-Fa-f:.]+)\](:([0-9]+))?$ ]]; then
		host=${BASH_REMATCH[1]}
		port=${BASH_REMATCH[3]}
	elif [[ $line =~ ^([A-Za-z0-9._-]+)(:([0-9]+))?$ ]]; then
		host=${BASH_REMATCH[1]}
		port=${BASH_REMATCH[3]}
	else
		die "$hosts_file:$n: '$line' is not [user@]host[:port]"
	fi
	if [ -n "$port" ] && ! { [ "$port" -ge 1 ] && [ "$port" -le 65535 ]; } 2>/dev/null; then
		die "$hosts_file:$n: port '$port' is not 1..65535"
	fi
	names+=("$entry")
	logins+=("$user$host")
	ports+=("$port")
done <"$hosts_file"
[ ${#names[@]} -gt 0 ] || die "$hosts_file lists no host"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/deploy.XXXXXX")
cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null || :; done
	wait 2>/dev/null || :
	rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One staging tree (scripts/stage.sh, shared with the fleet playbook), sent to every host
# as a tar stream: a single ssh connection per host, and only sh + tar needed there (boards
# often lack scp's sftp-server).
stage=$tmp/stage
"$script_dir/stage.sh" -o "$stage" -C "$certdir" "$bindir" || die "cannot stage $bindir"

case $dest in
\~/*) rdest=$(shquote "${dest#\~/}") ;; # the remote shell starts in the home directory
*) rdest=$(shquote "$dest") ;;
esac
# On the host: unpack, then run every program once; print the first one's version.
remote="mkdir -p $rdest && tar -xf - -C $rdest && cd $rdest && v= &&
for p in bin/*; do o=\$(\"\$p\" --version) || { echo \"cannot run \$p on \$(uname -m)\" >&2; exit 3; };
[ -n \"\$v\" ] || v=\$o; done && echo \"\$v\""

# deploy_one I: copy to host I, print its result line, leave its status in tmp/I.rc.
deploy_one() {
	local i=$1 rc=0 out err reason
	local -a opts=("${ssh_opts[@]}")
	[ -z "${ports[i]}" ] || opts+=(-p "${ports[i]}")
	out=$tmp/$i.out
	err=$tmp/$i.err
	tar -C "$stage" -cf - . |
		timeout -k 5 "$limit" ssh "${opts[@]}" "${logins[i]}" "$remote" >"$out" 2>"$err" ||
		rc=$?
	if [ "$rc" = 0 ]; then
		echo "ok ${names[i]}: ${#progs[@]} programs in $dest ($(tail -n 1 "$out"))"
	else
		reason=$(tr -d '\r' <"$err" | grep -v '^Warning: Permanently added' | tail -n 1 || :)
		[ "$rc" != 124 ] || reason="no answer within $limit s"
		echo "FAILED ${names[i]}: ${reason:-ssh exited $rc}"
	fi
	echo "$rc" >"$tmp/$i.rc"
}

running=0
for i in "${!names[@]}"; do
	if [ "$running" -ge "$jobs" ]; then
		wait -n || :
		running=$((running - 1))
	fi
	deploy_one "$i" &
	running=$((running + 1))
done
wait || :

failed=0
for i in "${!names[@]}"; do
	[ "$(cat "$tmp/$i.rc" 2>/dev/null || echo 1)" = 0 ] || failed=$((failed + 1))
done
[ "$failed" = 0 ] || echo "deploy: $failed of ${#names[@]} hosts failed" >&2
[ "$failed" = 0 ]
