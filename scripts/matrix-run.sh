# shellcheck shell=bash
# shellcheck disable=SC2154 # the variables are matrix.sh's (this file is sourced by it)
# matrix-run.sh - the running half of matrix.sh (sourced by it, not run alone): certificates,
# one probe per cell (negotiated parameters, heap peak, handshake bytes; a cell whose probe
# fails is skipped with the program's own error line), then the rounds in their recorded
# shuffled order, resumable, with a progress line on a terminal, then the report.
# Uses matrix.sh's variables: dir ids bases cargs sargs cbin cproto sizes count rounds
# seed limit resuming default_grid maxheap maxbytes requires.

CPID=""
declare -A link_of=() # link spec -> the name of its link while the matrix runs
links_up=()
matrix_cleanup() {
	local n
	[ -z "$CPID" ] || ! lib_alive "$CPID" || kill -TERM "$CPID" 2>/dev/null || true
	lib_cleanup
	for n in ${links_up[@]+"${links_up[@]}"}; do
		"$LIB_ROOT/scripts/link.sh" -n "$n" down || true
	done
}
trap matrix_cleanup EXIT
trap 'exit 130' INT TERM

first_size=${sizes%%,*}
all=(${ids[@]+"${ids[@]}"} ${bases[@]+"${bases[@]}"})

if [ "$resuming" -eq 0 ]; then
	LIB_BIN=$bin0 lib_record_env "$dir/env.txt" "$0 ${argv[*]-}"
	{
		printf 'seed: %s\nrounds: %s\ncount: %s\nsizes: %s\nlimit_s: %s\n' "$seed" \
			"$rounds" "$count" "$sizes" "$limit"
		printf '%s\n' "$LIB_PIN_NOTE"
		printf 'ci: %s%% distribution-free (sign test) interval from the order statistics of the per-round p50s; overheads from per-round paired differences\n' "$pct"
		printf 'started: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
	} >"$dir/meta.txt"
else
	printf 'continued: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" >>"$dir/meta.txt"
fi
lib_load_record "$dir/meta.txt" before

# The emulated links of the link axis: each built and calibrated once (the calibration in
# DIR/links/N.txt), cells and baselines of a link run in its namespaces on 198.51.100.2.
link_host=127.0.0.1
nl=0
while read -r l; do
	if [ -z "$l" ] || [ "$l" = - ]; then continue; fi
	nl=$((nl + 1))
	n=mx$(($$ % 100000))$nl
	mkdir -p "$dir/links"
	log "link $l: building and calibrating (scripts/link.sh -n $n up)"
	"$LIB_ROOT/scripts/link.sh" -B "$bin0" -n "$n" up "$l" >"$dir/links/$nl.txt" ||
		die "link '$l' refused or failed (above); nothing was run"
	links_up+=("$n")
	link_of[$l]=$n
	printf 'link %s: %s\n' "$nl" "$l" >>"$dir/meta.txt"
	sed "s/^/link $nl: /" "$dir/links/$nl.txt" >>"$dir/meta.txt"
done < <(awk -F '\t' 'NR > 1 && $2 == "run" { print $16 }' "$dir/cells.tsv" | sort -u)
[ "$nl" -eq 0 ] || link_host=198.51.100.2

# Certificates per key type, in the matrix directory (generated once, kept for reruns); over
# links, they name the link's server address too.
awk -F '\t' 'NR > 1 && $2 == "run" && $6 != "-" { print $6 }' "$dir/cells.tsv" | sort -u >"$dir/certs/keys"
while read -r k; do
	if [ ! -r "$dir/certs/$k/ca.crt" ]; then
		log "certificates: $k -> $dir/certs/$k"
		# shellcheck disable=SC2046 # no address, or the link's two
		"$LIB_ROOT/scripts/gen-certs.sh" -o "$dir/certs/$k" -t "$k" \
			$([ "$nl" -eq 0 ] || echo 198.51.100.2 2001:db8:2::2) >"$dir/certs/$k.log" 2>&1 ||
			die "scripts/gen-certs.sh -t $k failed; see $dir/certs/$k.log"
	fi
done <"$dir/certs/keys"

# run_cell ID OUT N SIZES EXTRA...: one pinned server and client run of cell ID, the
# client's files OUT.json (renamed from OUT.part.json only when it passed), OUT.csv, OUT.out.
run_cell() {
	local id=$1 out=$2 n=$3 sz=$4 rc=0 scmd ccmd host=127.0.0.1 on_s=$LIB_ON_SERVER on_c=$LIB_ON_CLIENT
	shift 4
	local p=${cproto[$id]} bin=${cbin[$id]} l=${clink[$id]:-none}
	mkdir -p "$dir/cells/$id"
	rm -f "$out.part.json" "$out.csv" "$out.out" # what an interrupted try of this run left
	if [ "$l" != none ]; then
		host=$link_host
		on_s="$LIB_ROOT/scripts/link.sh -n ${link_of[$l]} exec server $on_s"
		on_c="$LIB_ROOT/scripts/link.sh -n ${link_of[$l]} exec client $on_c"
	fi
	scmd="$on_s $bin/${p}_server -b $host -p 0 ${sargs[$id]}"
	# shellcheck disable=SC2086 # the commands are lists of words (no spaces in paths)
	lib_server_start "$out.server.log" $scmd || return 1
	ccmd="$on_c $bin/${p}_client -a $host -p $LIB_SERVER_PORT -n $n -s $sz ${cargs[$id]} $* --json $out.part.json -o $out.csv"
	printf 'server: %s\nclient: %s\n' "$scmd" "$ccmd" >>"$dir/cells/$id/commands.txt"
	# shellcheck disable=SC2086
	timeout -k 5 "$limit" $ccmd >"$out.out" 2>&1 &
	CPID=$!
	wait "$CPID" || rc=$?
	CPID=""
	lib_server_stop "$LIB_SERVER_PID" 10 || true
	[ "$rc" -eq 0 ] && [ -s "$out.part.json" ] || return 1
	mv "$out.part.json" "$out.json"
	[ "$l" = none ] || "$LIB_ROOT/scripts/link.sh" -n "${link_of[$l]}" stats >"$out.link" 2>&1 || true
}

# write_rerun ID: the script that reruns cell ID alone (one pinned server and client, as in
# round runs; "$@" goes to the client). A cell over a link builds and calibrates the same
# link first under a name of its own (rr and the script's pid), runs in its namespaces,
# and removes it at exit, on failure and on SIGINT/SIGTERM.
write_rerun() {
	local id=$1 bdir=${cbin[$1]} proto=${cproto[$1]} l=${clink[$1]:-none} host=127.0.0.1
	local on_s=$LIB_ON_SERVER on_c=$LIB_ON_CLIENT
	printf '#!/bin/sh\n# Reruns cell %s alone (one pinned server and client, as in round runs)' "$id"
	[ "$l" = none ] || printf ' over its link, %s, built and removed here' "$l"
	printf '.\nset -eu\ncd %s\nLIB_ROOT=%s\n. scripts/lib.sh\n' "$LIB_ROOT" "$LIB_ROOT"
	if [ "$l" != none ]; then
		host=198.51.100.2
		on_s="scripts/link.sh -n \"\$name\" exec server $on_s"
		on_c="scripts/link.sh -n \"\$name\" exec client $on_c"
		# shellcheck disable=SC2016 # the $ words are for the rerun script
		printf 'name=rr$$\nrerun_cleanup() {\n\tlib_cleanup\n\tscripts/link.sh -n "$name" down 2>/dev/null || true\n}\n'
		printf 'trap rerun_cleanup EXIT\ntrap '"'"'exit 130'"'"' INT\ntrap '"'"'exit 143'"'"' TERM\n'
		printf "scripts/link.sh -B %s -n \"\$name\" up '%s' >/dev/null\n" "$bin0" "$l"
	fi
	# shellcheck disable=SC2016 # the $ words are for the rerun script
	printf 'lib_server_start "${TMPDIR:-/tmp}/%s.server.log" %s %s/%s_server -b %s -p 0 %s\n' \
		"$id" "$on_s" "$bdir" "$proto" "$host" "${sargs[$id]}"
	# shellcheck disable=SC2016
	printf '%s %s/%s_client -a %s -p "$LIB_SERVER_PORT" -n %s -s %s %s "$@"\n' \
		"$on_c" "$bdir" "$proto" "$host" "$count" "$sizes" "${cargs[$id]}"
	# shellcheck disable=SC2016
	printf 'lib_server_stop "$LIB_SERVER_PID" 10 || true\n'
}

# The reason a probe failed: the first error line of the client, else of the server.
probe_reason() {
	local l
	l=$(grep -v -e '^#' -e '^result ' -e '^size ' -e '^[0-9]' "$1.out" 2>/dev/null | head -n 1)
	[ -n "$l" ] || l=$(grep -v -e '^ready' -e '^#' "$1.server.log" 2>/dev/null | head -n 1)
	printf '%s\n' "${l:-probe run failed (no message)}"
}

# --- probes: one short run per cell with --mem (heap peak) before any timed round ---
for id in ${ids[@]+"${ids[@]}"}; do
	pr=$dir/cells/$id/probe
	if [ -f "$pr.json" ] || [ -f "$pr.fail" ]; then continue; fi
	if run_cell "$id" "$pr" 3 "$first_size" -w 0 --mem; then
		neg=$(jq -r '.negotiated // ""' "$pr.json")
		for w in ${cwant[$id]}; do
			case " $neg " in
			*" $w "*) ;;
			*)
				printf 'negotiated "%s", not %s (the build lacks it?)\n' "$neg" "$w" >"$pr.fail"
				log "skipped: $id: $(cat "$pr.fail")"
				continue 2
				;;
			esac
		done
		write_rerun "$id" >"$dir/cells/$id/rerun.sh"
		chmod +x "$dir/cells/$id/rerun.sh"
	else
		probe_reason "$pr" >"$pr.fail"
		log "skipped: $id: $(cat "$pr.fail")"
	fi
done
# Cells whose probe failed become skipped cells, with the reason, in cells.tsv.
awk -F '\t' -v OFS='\t' -v d="$dir/cells" 'NR > 1 && $2 == "run" && $1 !~ /^base-/ {
	f = d "/" $1 "/probe.fail"
	if ((getline r < f) > 0) { $2 = "skipped"; $3 = "probe: " r }
	close(f)
} { print }' "$dir/cells.tsv" >"$dir/cells.tsv.new" && mv "$dir/cells.tsv.new" "$dir/cells.tsv"
runnable=()
for id in "${all[@]}"; do
	[ -f "$dir/cells/$id/probe.fail" ] || runnable+=("$id")
done
[ ${#runnable[@]} -gt ${#bases[@]} ] || die "every cell was skipped (see above); nothing to run"

# --- the order: every round shuffles all cells and baselines (seed and round decide it) ---
if [ ! -f "$dir/order.tsv" ]; then
	for r in $(seq 1 "$rounds"); do
		printf '%s\n' "${runnable[@]}" | lib_shuffle "$seed" "$r" | awk -v r="$r" '{ print r "\t" $0 }'
	done >"$dir/order.tsv.new"
	mv "$dir/order.tsv.new" "$dir/order.tsv"
fi
total=$(wc -l <"$dir/order.tsv")
todo=0
while IFS=$'\t' read -r r id; do
	[ -f "$dir/cells/$id/r$r.json" ] || todo=$((todo + 1))
done <"$dir/order.tsv"
if [ "$resuming" -eq 1 ]; then
	log "continuing $dir: $((total - todo)) of $total runs done, $todo to go"
fi
if [ "$default_grid" -eq 1 ]; then
	log "default grid: ${#runnable[@]} cells and baselines x $rounds rounds = $total runs, about 10 minutes on 2 cores"
else
	log "$total runs (${#runnable[@]} cells and baselines x $rounds rounds); the progress line estimates the time left"
fi

fmt_s() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }
t0=$(date +%s) done=0 failed=() k=$((total - todo))
while IFS=$'\t' read -r r id; do
	out=$dir/cells/$id/r$r
	[ ! -f "$out.json" ] || continue
	k=$((k + 1))
	if [ -t 2 ]; then
		el=$(($(date +%s) - t0)) left="?"
		[ "$done" -eq 0 ] || left=$(fmt_s $((el * (todo - done) / done)))
		printf '\r\033[K[%d/%d] round %d/%d %s  %s elapsed, about %s left' "$k" "$total" \
			"$r" "$rounds" "$id" "$(fmt_s "$el")" "$left" >&2
	fi
	if ! run_cell "$id" "$out" "$count" "$sizes" </dev/null; then
		[ ! -t 2 ] || printf '\r\033[K' >&2
		failed+=("$id round $r (see $out.out)")
		log "FAILED: $id round $r; see $out.out"
	fi
	done=$((done + 1))
	if [ ! -t 2 ] && [ "$(awk -F '\t' -v r="$r" '$1 == r' "$dir/order.tsv" | tail -n 1 | cut -f 2)" = "$id" ]; then
		log "round $r/$rounds done ($k/$total runs, $(fmt_s $(($(date +%s) - t0))) elapsed)"
	fi
done < <(cat "$dir/order.tsv")
[ ! -t 2 ] || printf '\r\033[K' >&2
lib_load_record "$dir/meta.txt" after
printf 'finished: %s\nrun_seconds: %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')" \
	"$(($(date +%s) - t0))" >>"$dir/meta.txt"

rep=(-o "$dir" -L "$pct" --rank "$rank")
[ -z "$maxheap" ] || rep+=(--max-heap "$maxheap")
[ -z "$maxbytes" ] || rep+=(--max-bytes "$maxbytes")
for q in ${requires[@]+"${requires[@]}"}; do rep+=(--require "$q"); done
"$LIB_ROOT/scripts/matrix-report.sh" "${rep[@]}" "$dir" || failed+=("the report")
cat "$dir/summary.md"
if [ ${#failed[@]} -gt 0 ]; then
	lib_failed "${failed[@]}" || true
	log "${#failed[@]} failure(s); continue with: $0 -C $dir"
	exit 1
fi
nskip=$(awk -F '\t' '$2 == "skipped"' "$dir/cells.tsv" | wc -l)
log "matrix done in $(fmt_s $(($(date +%s) - t0))): $dir ($nskip skipped cells listed in summary.md)"
