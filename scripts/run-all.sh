#!/bin/sh
# run-all.sh - every protocol between two hosts: -s starts all the servers on one, -c runs
# all the clients on the other and collects the results and the environment in one
# run directory. POSIX sh, so that it also runs on a board (scripts/deploy.sh copies it).
set -eu

LIB_PROG="run-all"
# The deployed layout (scripts/deploy.sh) is DEST/{bin,certs,scripts}; the tree's is
# build/native/bin, certs/, scripts/.
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 -s [-b ADDR] [-I SECS] [options]          start every server, wait for them
       $0 -c ADDR [-n N] [-S SIZES] [options] [-- CLIENT_ARGS]
                                                  run every client against ADDR
Servers (-s): each protocol's server at once on its own port (tcp BASE, udp BASE+1,
tls BASE+2, dtls BASE+3), serving clients one after another (--forever) until none
came for SECS; prints "ready proto=P port=N" for each, then waits for them to end.
Clients (-c): for each protocol, waits until its server answers (a one-message probe,
retried), then runs the client per message and with --keep, each writing its table
(P-MODE.txt), raw samples (P-MODE.csv), summary (P-MODE.json) and stderr (P-MODE.err)
into the run directory, with env.txt (hosts, kernel, CPU, Mbed TLS, git revision,
options); then prints the comparison table (scripts/compare.sh, needs Python 3; a
board without it gets one line saying where to run it).
  -b ADDR    servers listen on ADDR (0.0.0.0)
  -I SECS    servers exit after SECS without a client; 0 = never (1800)
  -n N       timed messages per size (the clients' default, 1000)
  -S SIZES   sizes for every client (default: each protocol's own sweep)
  -m MODES   per-message, keep or per-message,keep (per-message,keep)
  -N NAME    TLS/DTLS: name expected in the server certificate (default: ADDR; the
             certificate must then hold it: scripts/gen-certs.sh ADDR)
  -r N       probe a server up to N times, 1 s apart, before giving up (30)
  -t SECS    stop a client still running after SECS (3600)
  -x P:ARGS  options for both of protocol P's programs (repeatable; ARGS split at spaces),
             e.g. -x 'dtls:--hs-timeout 2000,16000' -x 'tls:--tls 1.2'
  -P PROTOS  comma list of protocols (default: every pair in BINDIR)
  -p BASE    first port (5001)
  -d DIR     run directory (results/<side>-<UTC time>-<host>)
  -B BINDIR  programs (DEST/bin when deployed, else build/native/bin)
  -C CERTDIR ca.crt, server.crt/.key, client.crt/.key (certs/)
  -q         no client tables on stdout (they are in DIR)
Arguments after -- go to every client (e.g. -- --reply-size 1K).
Exit status: 0 all ran and every message was acked, 1 something failed, 2 usage error.
USAGE
}

side=""
addr=""
bind=0.0.0.0
idle=1800
count=""
sizes=""
modes=per-message,keep
server_name=""
retries=30
limit=3600
protos=""
base=5001
dir=""
bin=""
certs=$LIB_ROOT/certs
quiet=0
per_proto="" # "PROTO ARGS" lines from -x
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts sc:b:I:n:S:m:N:r:t:x:P:p:d:B:C:qh opt; do
	case "$opt" in
	s) side=server ;;
	c) side=client; addr=$OPTARG ;;
	b) bind=$OPTARG ;;
	I) idle=$OPTARG ;;
	n) count=$OPTARG ;;
	S) sizes=$OPTARG ;;
	m) modes=$OPTARG ;;
	N) server_name=$OPTARG ;;
	r) retries=$OPTARG ;;
	t) limit=$OPTARG ;;
	x)
		case "$OPTARG" in
		[a-z]*:*) per_proto="$per_proto${OPTARG%%:*} ${OPTARG#*:}
" ;;
		*) echo "run-all: -x: '$OPTARG' is not PROTO:ARGS" >&2; exit 2 ;;
		esac
		;;
	P) protos=$OPTARG ;;
	p) base=$OPTARG ;;
	d) dir=$OPTARG ;;
	B) bin=$OPTARG ;;
	C) certs=$OPTARG ;;
	q) quiet=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
usage_error() {
	log "$*"
	exit 2
}
# proto_args PROTO: the -x options of PROTO, as words.
proto_args() {
	printf '%s' "$per_proto" | sed -n "s/^$1 //p" | tr '\n' ' '
}
[ -n "$side" ] || usage_error "say -s (servers) or -c ADDR (clients); see --help"
[ "$side" = client ] || [ $# -eq 0 ] || usage_error "unexpected argument '$1' (see --help)"
case "$idle" in 0) ;; *) lib_is_count "$idle" || usage_error "-I: '$idle' is not a number of seconds" ;; esac
[ -z "$count" ] || lib_is_count "$count" || usage_error "-n: '$count' is not a positive number"
lib_is_count "$retries" || usage_error "-r: '$retries' is not a positive number"
lib_is_count "$limit" || usage_error "-t: '$limit' is not a positive number of seconds"
{ lib_is_count "$base" && [ "$base" -le 65532 ]; } || usage_error "-p: '$base' is not a port (1..65532)"
for m in $(echo "$modes" | tr , ' '); do
	case "$m" in per-message | keep) ;; *) usage_error "-m: unknown mode '$m' (per-message, keep)" ;; esac
done

if [ -z "$bin" ]; then
	bin=$LIB_ROOT/build/native/bin
	[ -d "$LIB_ROOT/bin" ] && bin=$LIB_ROOT/bin
fi
bin=$(lib_abs "$bin")
certs=$(lib_abs "$certs")
found=$(lib_pairs "$bin" | tr '\n' ' ')
run=""
for p in $(if [ -n "$protos" ]; then echo "$protos" | tr , ' '; else echo "$found"; fi); do
	case " $found " in
	*" $p "*) run="$run $p" ;;
	*) usage_error "-P: no ${p}_client/${p}_server pair in $bin" ;;
	esac
done
[ -n "$run" ] || usage_error "no NAME_client/NAME_server pair in $bin (build first)"
for p in $run; do
	case "$p" in
	tls | dtls)
		for f in ca.crt server.crt server.key client.crt client.key; do
			[ -r "$certs/$f" ] || usage_error "$p needs $certs/$f (scripts/gen-certs.sh)"
		done
		;;
	esac
done
[ -n "$dir" ] || dir="$LIB_ROOT/results/$side-$(lib_utc_stamp)-$(uname -n)"
dir=$(lib_abs "$dir")
mkdir -p "$dir" || die "-d: cannot create $dir"

CLIENT_PID=""
cleanup() {
	[ -z "$CLIENT_PID" ] || ! lib_alive "$CLIENT_PID" || kill -TERM "$CLIENT_PID" 2>/dev/null || true
	lib_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- servers ----
if [ "$side" = server ]; then
	LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"
	pids=""
	for p in $run; do
		port=$(lib_proto_port "$p" "$base")
		set -- "$bin/${p}_server" -b "$bind" -p "$port" --forever --idle-timeout "$idle" \
			-o "$dir/server-$p.csv"
		case "$p" in
		tls | dtls) set -- "$@" --ca "$certs/ca.crt" --cert "$certs/server.crt" --key "$certs/server.key" ;;
		esac
		# shellcheck disable=SC2046  # proto_args gives words
		set -- "$@" $(proto_args "$p")
		echo "$*" >>"$dir/commands.txt"
		lib_server_start "$dir/server-$p.log" "$@" || die "$p server did not start (see $dir/server-$p.log)"
		pids="$pids $p:$LIB_SERVER_PID"
		echo "ready proto=$p addr=$bind port=$LIB_SERVER_PORT"
	done
	log "serving$run until no client came for ${idle} s (0: until stopped); logs in $dir"
	status=0
	for pp in $pids; do
		rc=0
		wait "${pp#*:}" || rc=$?
		lib_forget_pid "${pp#*:}"
		last=$(grep '^done ' "$dir/server-${pp%%:*}.log" | tail -n 1 || true)
		echo "server proto=${pp%%:*} exit=$rc ${last:-(no done line)}"
		[ "$rc" = 0 ] || status=1
	done
	exit "$status"
fi

# ---- clients ----
# Arguments after --, quoted for eval (POSIX sh has no arrays).
extra=""
for a in "$@"; do
	extra="$extra '$(printf '%s' "$a" | sed "s/'/'\\\\''/g")'"
done
[ -n "$server_name" ] || server_name=$addr
if [ -n "$(ls "$dir"/*.json 2>/dev/null)" ]; then
	usage_error "-d: $dir already holds results; name another directory"
fi
LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"
{
	echo "role: client"
	echo "server: $addr"
	echo "protocols:$run"
	echo "modes: $modes"
	echo "ports: base $base"
	[ ! -r "$LIB_ROOT/REVISION" ] || sed -n 's/^revision=/deployed revision: /p' "$LIB_ROOT/REVISION"
	echo "probe: one message per protocol (-s 32 -n 1) before its runs"
} >>"$dir/env.txt"

# client_args PROTO: the certificate options and the -x options of PROTO's client, as words.
client_args() {
	case "$1" in
	tls | dtls)
		printf '%s ' "--ca $certs/ca.crt --cert $certs/client.crt --key $certs/client.key --server-name $server_name"
		;;
	esac
	proto_args "$1"
}

# probe PROTO PORT: succeeds once the server answers one message (bounded retries).
probe() {
	_pr_i=1
	while :; do
		# shellcheck disable=SC2046  # client_args gives words (paths without spaces)
		if timeout -k 5 30 "$bin/$1_client" -a "$addr" -p "$2" -s 32 -n 1 -w 0 --max-loss 1 \
			-q $(client_args "$1") >"$dir/probe-$1.txt" 2>"$dir/probe-$1.err" </dev/null; then
			return 0
		fi
		[ "$_pr_i" -lt "$retries" ] || return 1
		log "$1: no answer from $addr:$2 yet, retry $_pr_i/$retries"
		_pr_i=$((_pr_i + 1))
		sleep 1
	done
}

failed=""
nrun=0
for p in $run; do
	port=$(lib_proto_port "$p" "$base")
	if ! probe "$p" "$port"; then
		why=$(tail -n 1 "$dir/probe-$p.err" 2>/dev/null || true)
		log "FAILED $p: no answer from $addr:$port after $retries tries: ${why:-no message}"
		failed="$failed $p"
		continue
	fi
	for m in $(echo "$modes" | tr , ' '); do
		tag=$p-$m
		nrun=$((nrun + 1))
		# shellcheck disable=SC2046  # client_args gives words (paths without spaces)
		set -- "$bin/${p}_client" -a "$addr" -p "$port" -o "$dir/$tag.csv" --json "$dir/$tag.json" \
			$(client_args "$p")
		[ -z "$count" ] || set -- "$@" -n "$count"
		[ -z "$sizes" ] || set -- "$@" -s "$sizes"
		[ "$m" = per-message ] || set -- "$@" --keep
		eval "set -- \"\$@\" $extra"
		echo "$*" >>"$dir/commands.txt"
		[ "$quiet" = 1 ] || log "$tag: running against $addr:$port"
		rc=0
		timeout -k 10 "$limit" "$@" >"$dir/$tag.txt" 2>"$dir/$tag.err" </dev/null &
		CLIENT_PID=$!
		wait "$CLIENT_PID" || rc=$?
		CLIENT_PID=""
		[ "$quiet" = 1 ] || cat "$dir/$tag.txt"
		result=$(grep '^result ' "$dir/$tag.txt" || true)
		if [ "$rc" = 0 ]; then
			echo "ok $tag: $result"
		else
			echo "FAILED $tag: exit $rc ${result:-$(tail -n 1 "$dir/$tag.err")}"
			failed="$failed $tag"
		fi
	done
done

# The build facts every client wrote into its summary, once per protocol.
for p in $run; do
	for j in "$dir/$p"-*.json; do break; done
	[ -f "$j" ] || continue
	for k in build negotiated system host; do
		v=$(sed -n "s/^  \"$k\": \"\\(.*\\)\",\$/\\1/p" "$j" | head -n 1)
		[ -z "$v" ] || echo "$p $k: $v" | sed 's/\\"/"/g'
	done
done >>"$dir/env.txt"

if [ "$nrun" -gt 0 ] && [ "$quiet" = 0 ]; then
	echo
	if lib_has_analysis && [ -x "$LIB_ROOT/scripts/compare.sh" ]; then
		echo "# comparison ($dir)"
		"$LIB_ROOT/scripts/compare.sh" "$dir" >"$dir/comparison.txt" && cat "$dir/comparison.txt"
	else
		echo "# comparison: no Python analysis here; copy $dir to a host with the tree and run scripts/compare.sh on it"
	fi
fi
if [ -n "$failed" ]; then
	log "failed:$failed; results in $dir"
	exit 1
fi
log "$nrun runs passed; results in $dir"
