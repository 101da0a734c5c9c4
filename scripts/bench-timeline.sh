#!/usr/bin/env bash
# bench-timeline.sh - what --timeline costs: per-message runs (a new handshake per message,
# 64 B) of TLS 1.2, TLS 1.3 and DTLS 1.2 with and without --timeline on both sides,
# alternated within each round (which goes first changes per round), client and server
# pinned to different CPUs. Prints per configuration the medians over the rounds of the
# client's handshake p50, its CPU per connection p50 and the server's, and the ratios
# with/without (a benchmark: it never fails on them).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-r ROUNDS] [-n COUNT] [-c CPU,CPU] [-d DIR]
  -B BINDIR  programs (default: build/native/bin)
  -r ROUNDS  rounds (default: 3)
  -n COUNT   connections per run (default: 200)
  -c C,S     CPUs of the client and of the server (default: 0,1)
  -d DIR     where the raw outputs go (default: results/bench-timeline-<UTC time>)
Needs taskset, and Python 3 for the table (scripts/deps.sh analysis). Exit status: 0 when every run gave a figure, 1 when one failed, 2 usage.
USAGE
}

bin="$LIB_ROOT/build/native/bin"
rounds=3
count=200
cpus="0,1"
dir=""
cmdline="$0 $*"
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:r:n:c:d:h opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	r) rounds=$OPTARG ;;
	n) count=$OPTARG ;;
	c) cpus=$OPTARG ;;
	d) dir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { log "unexpected argument '$1' (see --help)"; exit 2; }
for v in "r:$rounds" "n:$count"; do
	lib_is_count "${v#*:}" || { log "-${v%%:*}: '${v#*:}' is not a positive number"; exit 2; }
done
lib_cpu_pair "$cpus" || { log "-c: '$cpus' is not two different CPU numbers"; exit 2; }
bin=$(lib_abs "$bin")
lib_need_pairs "$bin" tls dtls || exit 2
lib_need_cmds "scripts/deps.sh bench" taskset
lib_cpu_range "$cpus"
dir=$(lib_run_dir "$dir" bench-timeline)
on_client=(taskset -c "$LIB_CCPU")
on_server=(taskset -c "$LIB_SCPU")
trap lib_cleanup EXIT
trap 'exit 130' INT TERM
LIB_BIN=$bin lib_record_env "$dir/env.txt" "$cmdline"
load0=$(lib_loadavg)
failed=()

certs="$dir/certs"
"$LIB_ROOT/scripts/gen-certs.sh" -t ec256 -o "$certs" 2>"$dir/gen-certs.log" ||
	die "gen-certs.sh failed; see $dir/gen-certs.log"
srv=(--ca "$certs/ca.crt" --cert "$certs/server.crt" --key "$certs/server.key")
cli=(--ca "$certs/ca.crt" --cert "$certs/client.crt" --key "$certs/client.key")

raw=$dir/runs.txt
: >"$raw"
# one ROUND CONF: CONF = "tls12|tls13|dtls" + "-tl" with --timeline; a line of runs.txt
# "CONF ROUND CLIENT_JSON SERVER_CSV" (files in $dir: bench-summary timeline reads them).
one() {
	local r=$1 c=$2 p=tls tag=$2-r$1 extra=() sx=() cx=()
	case "$c" in dtls*) p=dtls ;; esac
	case "$c" in tls12*) extra=(--tls 1.2) ;; tls13*) extra=(--tls 1.3) ;; esac
	case "$c" in *-tl) sx=(--timeline "$dir/$tag.server-tl.csv") cx=(--timeline "$dir/$tag.client-tl.csv") ;; esac
	if ! lib_server_start "$dir/$tag.server" "${on_server[@]}" "$bin/${p}_server" -b 127.0.0.1 -p 0 -q \
		-o "$dir/$tag.server.csv" "${srv[@]}" "${sx[@]+"${sx[@]}"}" ||
		! lib_client_run "$dir/$tag" 3600 "${on_client[@]}" "$bin/${p}_client" -a 127.0.0.1 \
			-p "$LIB_SERVER_PORT" "${cli[@]}" "${extra[@]+"${extra[@]}"}" "${cx[@]+"${cx[@]}"}" -s 64 \
			-n "$count" -w 10 -q --json "$dir/$tag.json" -o "$dir/$tag.csv"; then
		failed+=("$tag")
		return 0
	fi
	printf '%s %s %s %s\n' "$c" "$r" "$tag.json" "$tag.server.csv" >>"$raw"
}
pair_round() { # pair_round ROUND CONF: with and without, in turn
	lib_in_turn "$1" one "$2" "$2-tl"
}
for ((r = 1; r <= rounds; r++)); do
	for c in tls12 tls13 dtls; do
		log "round $r/$rounds: $c with and without --timeline"
		pair_round "$r" "$c"
	done
done
load1=$(lib_loadavg)
{
	printf '# --timeline cost: medians over %s rounds of per-run p50s, %s connections each, 64 B,\n' "$rounds" "$count"
	printf '# client on CPU %s, server on CPU %s; load average %s before, %s after\n' "$LIB_CCPU" "$LIB_SCPU" "$load0" "$load1"
	(lib_analysis bench-summary timeline "$dir")
} | tee "$dir/summary.txt"
lib_failed "${failed[@]+"${failed[@]}"}"
