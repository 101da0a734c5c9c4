#!/usr/bin/env bash
# loopback.sh - the main job: every program pair in the bin directory, on loopback, with
# each protocol's default sweep of sizes, one message per connection and then --keep;
# the clients' own tables as they come, then one comparison table (scripts/compare.sh).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-d DIR] [-n COUNT] [-P PROTOS] [-s SIZES] [-t SECS] [-q]
Runs, for every protocol whose NAME_client and NAME_server are in BINDIR (tcp, tls, udp,
dtls), its server on 127.0.0.1 (-p 0) and its client, per message and then --keep,
writing each client's CSV (-o) and JSON summary (--json), and each server's log and CSV,
into DIR; then prints the comparison table of scripts/compare.sh (also DIR/comparison.txt).
  -B BINDIR  programs (default: build/native/bin)
  -d DIR     run directory (default: results/loopback-<UTC time>); must hold no results
  -n COUNT   timed messages per size (default: the clients' own, 1000)
  -P PROTOS  comma list of protocols to run (default: every pair found)
  -s SIZES   sizes for every client (default: each protocol's own sweep)
  -t SECS    kill a client still running after SECS (default: 3600)
  -q         keep the clients' tables in DIR only (not on stdout)
  -h         this text
TLS and DTLS programs run from the top of the tree and read certs/ (make certs).
Progress goes to stderr, one line per run. Exit status: 0 when every client run passed,
1 when one failed (each is named), 2 usage error.
USAGE
}

bin="$LIB_ROOT/build/native/bin"
dir=""
count=""
protos=""
sizes=""
limit=3600
quiet=0
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:d:n:P:s:t:qh opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	d) dir=$OPTARG ;;
	n) count=$OPTARG ;;
	P) protos=$OPTARG ;;
	s) sizes=$OPTARG ;;
	t) limit=$OPTARG ;;
	q) quiet=1 ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }
if [ -n "$count" ] && ! lib_is_count "$count"; then
	log "-n: '$count' is not a positive number"
	exit 2
fi
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

cleanup() { lib_cleanup; }
trap cleanup EXIT
trap 'exit 130' INT TERM

LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"

failed=()
total=$((${#run[@]} * 2))
i=0

# run_one PROTO MODE: one server, one client run; appends to failed on failure.
run_one() {
	local p=$1 mode=$2 tag=$1-$2 rc=0 args
	local -a cargs

	i=$((i + 1))
	log "[$i/$total] $tag: ${count:-the default} messages per size -> $dir/$tag.*"
	if ! lib_server_start "$dir/server-$tag.log" "$bin/${p}_server" -b 127.0.0.1 -p 0 \
		-o "$dir/server-$tag.csv"; then
		failed+=("$tag (server did not start)")
		return 0
	fi
	cargs=(-a 127.0.0.1 -p "$LIB_SERVER_PORT" --json "$dir/$tag.json" -o "$dir/$tag.csv")
	[ -z "$count" ] || cargs+=(-n "$count")
	[ -z "$sizes" ] || cargs+=(-s "$sizes")
	[ "$mode" = per-message ] || cargs+=(--keep)
	args="${cargs[*]}"
	printf '%s\n' "$bin/${p}_client $args" >>"$dir/commands.txt"
	if [ "$quiet" -eq 1 ]; then
		timeout --foreground -k 10 "$limit" "$bin/${p}_client" "${cargs[@]}" \
			>"$dir/$tag.txt" 2>"$dir/$tag.err" || rc=$?
	else
		timeout --foreground -k 10 "$limit" "$bin/${p}_client" "${cargs[@]}" \
			2>"$dir/$tag.err" | tee "$dir/$tag.txt"
		rc=${PIPESTATUS[0]}
	fi
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

for p in "${run[@]}"; do
	run_one "$p" per-message
	run_one "$p" keep
done

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
