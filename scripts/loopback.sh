#!/usr/bin/env bash
# loopback.sh - the main job: every program pair in the bin directory, on loopback, with
# each protocol's default sweep of sizes, one message per connection and --keep, in rounds
# (every run once per round, in a shuffled order, client and server pinned to different
# CPUs), then one comparison table with 95% intervals (scripts/compare.sh).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-d DIR] [-n COUNT] [-r ROUNDS] [-c C,S] [-S SEED] [-P PROTOS]
          [-s SIZES] [-t SECS] [-v] [-q] [--link SPEC]
Runs, for every protocol whose NAME_client and NAME_server are in BINDIR (tcp, tls, udp,
dtls), its server on 127.0.0.1 (-p 0; over --link, 198.51.100.2) and its client, per message and --keep, ROUNDS times:
each round runs every one of them once, in an order shuffled per round (the seed is in
DIR/env.txt), the client and the server pinned to different CPUs (when there are two).
Writes each client's table, CSV (-o) and JSON summary (--json) as TAG-rN.*, and each
server's log and CSV, into DIR; then prints the comparison table of scripts/compare.sh
(also DIR/comparison.txt): p50s over the rounds, overheads with their 95% interval.
  -B BINDIR  programs (default: build/native/bin)
  -d DIR     run directory (default: results/loopback-<UTC time>); must hold no results
  -n COUNT   timed messages per size and round (default: 100)
  -r ROUNDS  rounds (default: 6, the fewest that give a 95% interval)
  -c C,S     client and server CPUs (default: 0,1 when there are two)
  -S SEED    seed of the run order (default: random)
  -P PROTOS  comma list of protocols to run (default: every pair found)
  -s SIZES   sizes for every client (default: each protocol's own sweep)
  -t SECS    kill a client still running after SECS (default: 3600)
  -v         the clients' tables on stdout as they come (default: in DIR only)
  -q         (the default; kept for old command lines)
  --link SPEC, -L SPEC  run over an emulated link (scripts/link.sh, docs/links.md): the
             server in the link's server namespace on 198.51.100.2, the client in its
             client namespace; the link is calibrated first (its figures go to env.txt and
             DIR/link.txt), TLS/DTLS use certificates made for the link's addresses
             (DIR/certs), the shaper's counters after each run go to TAG-rN.link, and the
             link is removed at the end, also on failure or SIGTERM
  -h         this text
TLS and DTLS programs run from the top of the tree and read certs/ (make certs).
Progress goes to stderr, one line per run. Exit status: 0 when every client run passed,
1 when one failed (each is named), 2 usage error.
USAGE
}

bin="$LIB_ROOT/build/native/bin"
dir=""
count=100
rounds=6
cpus=""
seed=""
protos=""
sizes=""
limit=3600
quiet=1
link=""
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
# --link SPEC (and --link=SPEC) is -L SPEC for getopts
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--link) [ $# -ge 2 ] || { log "--link needs a SPEC"; exit 2; }
		args+=(-L "$2"); shift 2 ;;
	--link=*) args+=(-L "${1#--link=}"); shift ;;
	*) args+=("$1"); shift ;;
	esac
done
set -- "${args[@]+"${args[@]}"}"
while getopts B:d:n:r:c:S:P:s:t:L:vqh opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	d) dir=$OPTARG ;;
	n) count=$OPTARG ;;
	r) rounds=$OPTARG ;;
	c) cpus=$OPTARG ;;
	S) seed=$OPTARG ;;
	v) quiet=0 ;;
	P) protos=$OPTARG ;;
	s) sizes=$OPTARG ;;
	t) limit=$OPTARG ;;
	L) link=$OPTARG ;;
	q) quiet=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }
lib_is_count "$count" || { log "-n: '$count' is not a positive number"; exit 2; }
lib_is_count "$rounds" || { log "-r: '$rounds' is not a positive number"; exit 2; }
lib_is_count "$limit" || { log "-t: '$limit' is not a positive number of seconds"; exit 2; }

bin=$(lib_abs "$bin")
[ -d "$bin" ] || { log "-B: '$bin' is not a directory (run make first)"; exit 2; }
[ -n "$dir" ] || dir="$LIB_ROOT/results/loopback-$(lib_utc_stamp)"
dir=$(lib_abs "$dir")
command -v jq >/dev/null || die "jq not found (scripts/deps.sh build installs it)"

mapfile -t found < <(lib_pairs "$bin")
run=()
if [ -z "$protos" ]; then
	run=("${found[@]}")
else
	IFS=, read -r -a want <<<"$protos"
	for p in "${want[@]}"; do
		case " ${found[*]} " in
		*" $p "*) run+=("$p") ;;
		*) log "-P: no ${p}_client/${p}_server pair in $bin"; exit 2 ;;
		esac
	done
fi
[ ${#run[@]} -gt 0 ] || { log "no NAME_client/NAME_server pair in $bin (run make first)"; exit 2; }

if [ -n "$link" ]; then
	"$LIB_ROOT/scripts/link.sh" parse "$link" >/dev/null || exit 2
fi
cd "$LIB_ROOT"
for p in "${run[@]}"; do
	case "$p" in
	tls | dtls) [ -r certs/ca.crt ] || die "$p needs certs/ (run: make certs)" ;;
	esac
done
if [ -d "$dir" ] && compgen -G "$dir/*.json" >/dev/null; then
	log "-d: '$dir' already holds results; name another directory"
	exit 2
fi
mkdir -p "$dir"

link_name=""
cleanup() {
	lib_cleanup
	[ -z "$link_name" ] || "$LIB_ROOT/scripts/link.sh" -n "$link_name" down || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

lib_pin_init "$cpus"
seed=$(lib_seed "$seed")
LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"
host=127.0.0.1
if [ -n "$link" ]; then
	link_name=lb$$
	log "link $link: building and calibrating (scripts/link.sh -n $link_name up)"
	if ! "$LIB_ROOT/scripts/link.sh" -B "$bin" -n "$link_name" up "$link" >"$dir/link.txt"; then
		link_name=""
		die "link '$link' refused or failed (above); nothing was run"
	fi
	host=198.51.100.2
	# verification stays on: the server certificate names the link's server addresses
	"$LIB_ROOT/scripts/gen-certs.sh" -o "$dir/certs" "$host" 2001:db8:2::2 >/dev/null 2>&1 ||
		die "gen-certs.sh -o $dir/certs $host failed"
	sed 's/^/link: /' "$dir/link.txt" >>"$dir/env.txt"
	LIB_ON_SERVER="$LIB_ROOT/scripts/link.sh -n $link_name exec server${LIB_ON_SERVER:+ }$LIB_ON_SERVER"
	LIB_ON_CLIENT="$LIB_ROOT/scripts/link.sh -n $link_name exec client${LIB_ON_CLIENT:+ }$LIB_ON_CLIENT"
fi
printf 'seed: %s\nrounds: %s\ncount: %s\n%s\n' "$seed" "$rounds" "$count" "$LIB_PIN_NOTE" >>"$dir/env.txt"
log "$LIB_PIN_NOTE; $rounds rounds of $count messages per size, seed $seed"
lib_load_record "$dir/env.txt" before

failed=()
total=$((${#run[@]} * 2 * rounds))
i=0

# run_one ROUND PROTO-MODE: one pinned server, one pinned client run; appends to failed on
# failure.
run_one() {
	local p=${2%%-*} mode=${2#*-} tag=$2-r$1 rc=0 args
	local -a cargs sargs=()

	i=$((i + 1))
	log "[$i/$total] round $1: $2: $count messages per size -> $dir/$tag.*"
	if [ -n "$link" ]; then
		case "$p" in
		tls | dtls)
			sargs=(--ca "$dir/certs/ca.crt" --cert "$dir/certs/server.crt" --key "$dir/certs/server.key")
			cargs=(--ca "$dir/certs/ca.crt" --cert "$dir/certs/client.crt" --key "$dir/certs/client.key") ;;
		esac
	fi
	# shellcheck disable=SC2086 # LIB_ON_SERVER is a command prefix (words)
	if ! lib_server_start "$dir/server-$tag.log" $LIB_ON_SERVER "$bin/${p}_server" -b "$host" -p 0 \
		-o "$dir/server-$tag.csv" "${sargs[@]+"${sargs[@]}"}"; then
		failed+=("$tag (server did not start)")
		return 0
	fi
	cargs+=(-a "$host" -p "$LIB_SERVER_PORT" --json "$dir/$tag.json" -o "$dir/$tag.csv")
	cargs+=(-n "$count")
	[ -z "$sizes" ] || cargs+=(-s "$sizes")
	[ "$mode" = per-message ] || cargs+=(--keep)
	args="${cargs[*]}"
	printf '%s\n' "$LIB_ON_SERVER${LIB_ON_SERVER:+ }$bin/${p}_server -b $host -p 0 -o $dir/server-$tag.csv ${sargs[*]+"${sargs[*]}"}" >>"$dir/commands.txt"
	printf '%s\n' "$LIB_ON_CLIENT${LIB_ON_CLIENT:+ }$bin/${p}_client $args" >>"$dir/commands.txt"
	# shellcheck disable=SC2086 # LIB_ON_CLIENT is a command prefix (words)
	if [ "$quiet" -eq 1 ]; then
		timeout --foreground -k 10 "$limit" $LIB_ON_CLIENT "$bin/${p}_client" "${cargs[@]}" \
			>"$dir/$tag.txt" 2>"$dir/$tag.err" || rc=$?
	else
		timeout --foreground -k 10 "$limit" $LIB_ON_CLIENT "$bin/${p}_client" "${cargs[@]}" \
			2>"$dir/$tag.err" | tee "$dir/$tag.txt"
		rc=${PIPESTATUS[0]}
	fi
	[ -z "$link_name" ] || "$LIB_ROOT/scripts/link.sh" -n "$link_name" stats >"$dir/$tag.link" 2>&1 || true
	if [ -s "$dir/$tag.err" ]; then
		cat "$dir/$tag.err" >&2
	else
		rm -f "$dir/$tag.err"
	fi
	# The server exits after the client's END; one still up was not told the end (or the
	# client stopped at its options, status 2, before any traffic).
	if [ "$rc" -eq 2 ]; then
		lib_server_stop "$LIB_SERVER_PID" 0 || true
	elif ! lib_server_stop "$LIB_SERVER_PID" 10; then
		warn "$tag: ${p}_server did not exit after the run; stopped it (see server-$tag.log)"
	fi
	case "$rc" in
	0) ;;
	124 | 137) failed+=("$tag (client still running after $limit s, killed)") ;;
	*) failed+=("$tag (client exit $rc, see $tag.txt$([ ! -f "$dir/$tag.err" ] || echo " and $tag.err"))") ;;
	esac
	return 0
}

jobs=()
for p in "${run[@]}"; do
	jobs+=("$p-per-message" "$p-keep")
done
for r in $(seq 1 "$rounds"); do
	while read -r job; do
		run_one "$r" "$job" </dev/null
	done < <(printf '%s\n' "${jobs[@]}" | lib_shuffle "$seed" "$r")
done
lib_load_record "$dir/env.txt" after

echo
echo "# comparison ($dir)"
"$LIB_ROOT/scripts/compare.sh" "$dir" | tee "$dir/comparison.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed+=("comparison table")
if [ ${#failed[@]} -gt 0 ]; then
	for f in "${failed[@]}"; do
		log "FAILED: $f"
	done
	log "${#failed[@]} failure(s) in $total runs; results in $dir"
	exit 1
fi
log "all $total runs passed; results in $dir"
