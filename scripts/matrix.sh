#!/usr/bin/env bash
# matrix.sh - a grid of TLS/DTLS configurations on loopback, interleaved and pinned: every
# cell and the plain TCP/UDP baseline once per round, rounds in a shuffled order, then the
# ranked summary and the report (scripts/matrix-report.sh). Resumable (-C DIR).
set -eu

# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	cat <<USAGE
Usage: $0 [-x AXIS=V1,V2...]... [-B BINDIR] [-s SIZES] [-n COUNT] [-r ROUNDS] [-d DIR] [-c C,S]
          [-S SEED] [-t SECS] [-b] [-l] [-L LEVEL] [--rank wall|cpu] [--max-heap N] [--max-bytes N]
          [--require AXIS=V]...
       $0 -C DIR        continue an interrupted matrix (its recorded options; finished runs kept)
Runs every combination of the axes' values (a cell) on 127.0.0.1, each cell and the plain
baseline (tcp for tls, udp for dtls, per mode) once per round, in a shuffled order per round
(seed recorded), client and server pinned to different CPUs. Writes DIR and prints the
ranked summary (DIR/summary.md; DIR/report.html, DIR/cells.csv beside it).
Axes (default value when the axis is not given):
  proto   tls dtls (tls)                 tls     1.2 1.3 (1.3; dtls: 1.2; dtls 1.3: wolfssl)
  key     ec256 ec384 rsa2048 rsa3072    group   secp256r1 secp384r1 secp521r1 x25519 x448
          mldsa44 mldsa65 (ec256)                X25519MLKEM768 SecP256r1MLKEM768
                                                 SecP384r1MLKEM1024 MLKEM768 (secp256r1)
  suite   aes128gcm aes256gcm chacha20   resume  0 1 (0; 1 = --resume, per-message only)
          (aes128gcm)
  config  full small (full)              stack   mbedtls, or one of: make -s print-STACKS
  mode    per-message keep (per-message) rep     1..9 (1): repeats of every cell (A/A check)
  link    none, or link specs with ':' between pairs (docs/links.md), e.g.
          -x link=none,lte,rtt=80ms:loss=1% (none): each cell and its baseline over that
          emulated link (scripts/link.sh), built and calibrated before the runs
  auth    cert psk psk-dhe (cert): certificates (the key axis), or a pre-shared key
          (DIR/psk.hex, random per run directory) with --psk-mode psk or psk-dhe; a PSK
          cell takes the first key and group given, the stack's PSK suite
  chain   single inter (single): each side's certificate alone, or issued by an intermediate
          CA and sent with it (gen-certs.sh's chain-*.crt: one certificate more each way);
          auth=cert only (a PSK cell takes the first chain value given)
With no -x at all, the default grid: -x tls=1.2,1.3 -x key=ec256,rsa2048
  -x group=secp256r1,x25519 -x mode=per-message,keep (16 cells, about 10 minutes on 2 cores).
  -B BINDIR  programs of config=full stack=mbedtls, also the baselines' (default:
             build/native/bin); other configs and stacks: build/native-CONFIG-STACK/bin (its
             -san/-static suffix kept)
  -s SIZES   message sizes of every run (default: 64,1K,16K)
  -n COUNT   timed messages per size per run (default: 100)
  -r ROUNDS  rounds (default: 8; 6 or more for a 95% interval)
  -d DIR     run directory (default: results/matrix-<UTC time>)
  -c C,S     client and server CPUs (default: 0,1 when there are two)
  -S SEED    seed of the run order (default: random; recorded in DIR/meta.txt)
  -t SECS    kill a client still running after SECS (default: 600)
  -b         build a missing CONFIG/STACK build with make instead of skipping its cells
  -l         list the cells (and the skipped ones with the reason), run nothing
  -L LEVEL   confidence level of the intervals: 90, 95 (default), 99 or 99.9
  --rank cpu rank by the client's CPU time per message, not wall time (for a busy machine)
  --max-heap N, --max-bytes N, --require AXIS=V   "the cheapest that fits" constraints
     (heap peak, handshake bytes on the wire; K suffix = x1024)
  -h         this text
Cells a build cannot run are listed as skipped with the reason. Exit status: 0 when every
run passed, 1 when one failed, 2 usage error.
USAGE
}

AXES="proto tls key group suite resume config stack mode rep link auth chain"
axis_values() {
	case "$1" in
	proto) echo "tls dtls" ;;
	tls) echo "1.2 1.3" ;;
	key) echo "ec256 ec384 rsa2048 rsa3072 mldsa44 mldsa65" ;;
	group) echo "secp256r1 secp384r1 secp521r1 x25519 x448 X25519MLKEM768 SecP256r1MLKEM768 SecP384r1MLKEM1024 MLKEM768" ;;
	suite) echo "aes128gcm aes256gcm chacha20" ;;
	resume) echo "0 1" ;;
	config) echo "full small" ;;
	stack) echo "mbedtls $(stacks_known)" ;;
	mode) echo "per-message keep" ;;
	rep) echo "1 2 3 4 5 6 7 8 9" ;;
	link) echo "none SPEC" ;;
	auth) echo "cert psk psk-dhe" ;;
	chain) echo "single inter" ;;
	*) return 1 ;;
	esac
}
axis_default() {
	case "$1" in
	proto) echo tls ;; tls) echo 1.3 ;; key) echo ec256 ;; group) echo secp256r1 ;;
	suite) echo aes128gcm ;; resume) echo 0 ;; config) echo full ;; stack) echo mbedtls ;;
	mode) echo per-message ;; rep) echo 1 ;; link) echo none ;; auth) echo cert ;;
	chain) echo single ;;
	esac
}
stacks_known() {
	[ -n "${STACKS_CACHE+x}" ] ||
		STACKS_CACHE=$(make -C "$LIB_ROOT" -s print-STACKS 2>/dev/null | tr ' ' '\n' |
			grep -vx mbedtls | tr '\n' ' ' || true)
	echo "$STACKS_CACHE openssl wolfssl" | tr ' ' '\n' | awk 'NF && !s[$0]++' | tr '\n' ' '
}
bad() { log "$*"; exit 2; }

argv=("$@")
declare -A ax=()
bin0=build/native/bin pct=95 sizes=64,1K,16K count=100 rounds=8 dir="" cpus="" seed="" limit=600 build=0 list=0
cont="" maxheap="" maxbytes="" requires=() rank=wall
add_axis() {
	local name=${1%%=*} vals=${1#*=} v
	case "$1" in *=?*) ;; *) bad "-x: '$1' is not AXIS=V1,V2 (axes: $AXES)" ;; esac
	axis_values "$name" >/dev/null || bad "-x: unknown axis '$name' (axes: $AXES)"
	[ -z "${ax[$name]+x}" ] || bad "-x: axis '$name' given twice"
	for v in ${vals//,/ }; do
		if [ "$name" = link ]; then
			[ "$v" = none ] || "$LIB_ROOT/scripts/link.sh" parse "$v" >/dev/null 2>"${TMPDIR:-/tmp}/matrix-link.$$" ||
				bad "-x link: $(sed 's/^link: //' "${TMPDIR:-/tmp}/matrix-link.$$"; rm -f "${TMPDIR:-/tmp}/matrix-link.$$")"
		else
			case " $(axis_values "$name") " in
			*" $v "*) ;;
			*) bad "-x $name: unknown value '$v' (one of: $(axis_values "$name"))" ;;
			esac
		fi
		case " ${ax[$name]:-} " in *" $v "*) bad "-x $name: value '$v' given twice" ;; esac
		ax[$name]="${ax[$name]:-}${ax[$name]:+ }$v"
	done
}
parse_args() {
	local OPTIND=1 opt a
	local -a rest=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--help) usage; exit 0 ;;
		--rank)
			[ $# -ge 2 ] || bad "--rank needs wall or cpu"
			case "$2" in wall | cpu) rank=$2 ;; *) bad "--rank: '$2' is not wall or cpu" ;; esac
			shift 2 ;;
		--max-heap) [ $# -ge 2 ] || bad "--max-heap needs a value"; maxheap=$(lib_bytes --max-heap "$2"); shift 2 ;;
		--max-bytes) [ $# -ge 2 ] || bad "--max-bytes needs a value"; maxbytes=$(lib_bytes --max-bytes "$2"); shift 2 ;;
		--require)
			[ $# -ge 2 ] || bad "--require needs AXIS=V"
			a=${2%%=*}
			axis_values "$a" >/dev/null || bad "--require: unknown axis '$a' (axes: $AXES)"
			[ "$a" = link ] || case " $(axis_values "$a") " in *" ${2#*=} "*) ;; *) bad "--require $a: unknown value '${2#*=}'" ;; esac
			requires+=("$2"); shift 2 ;;
		--*) bad "unknown option '$1' (see --help)" ;;
		*) rest+=("$1"); shift ;;
		esac
	done
	set -- "${rest[@]+"${rest[@]}"}"
	while getopts x:B:s:n:r:d:c:S:t:blL:C:h opt; do
		case "$opt" in
		x) add_axis "$OPTARG" ;;
		B) bin0=$OPTARG ;;
		s) sizes=$OPTARG ;;
		n) count=$OPTARG ;;
		r) rounds=$OPTARG ;;
		d) dir=$OPTARG ;;
		c) cpus=$OPTARG ;;
		S) seed=$OPTARG ;;
		t) limit=$OPTARG ;;
		b) build=1 ;;
		l) list=1 ;;
		L) pct=$OPTARG; lib_ci_level "$pct" >/dev/null ;;
		C) cont=$OPTARG ;;
		h) usage; exit 0 ;;
		*) usage >&2; exit 2 ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -eq 0 ] || bad "unexpected argument '$1' (see --help)"
}
parse_args "$@"
if [ -n "$cont" ]; then
	[ -r "$cont/args" ] || bad "-C: '$cont' holds no matrix (no $cont/args)"
	contdir=$(lib_abs "$cont")
	mapfile -t argv <"$contdir/args"
	ax=() requires=() cont=""
	parse_args "${argv[@]+"${argv[@]}"}"
	dir=$contdir
	seed=$(sed -n 's/^seed: //p' "$dir/meta.txt")
	resuming=1
else
	resuming=0
fi
lib_is_count "$count" || bad "-n: '$count' is not a positive number"
lib_is_count "$rounds" || bad "-r: '$rounds' is not a positive number"
lib_is_count "$limit" || bad "-t: '$limit' is not a positive number of seconds"
case "$sizes" in "" | *[!0-9Kk,]* | ,* | *, | *,,*) bad "-s: '$sizes' is not a list like 64,1K,16K" ;; esac
default_grid=0
if [ ${#ax[@]} -eq 0 ]; then
	default_grid=1
	add_axis tls=1.2,1.3; add_axis key=ec256,rsa2048
	add_axis group=secp256r1,x25519; add_axis mode=per-message,keep
fi
[ "$rounds" -ge 6 ] || warn "-r $rounds: fewer than 6 rounds give no 95% interval (overheads print as n/a)"
command -v jq >/dev/null || die "jq not found (scripts/deps.sh build installs it)"
lib_need_cmds "scripts/deps.sh build" openssl

bin0=$(realpath -m -s --relative-to="$LIB_ROOT" "$(lib_abs "$bin0")")
cd "$LIB_ROOT"
if [ "$list" -eq 1 ]; then
	dir=$(mktemp -d) # -l writes nothing: the cell list is made in a scratch directory
	trap 'rm -rf "$dir"' EXIT
elif [ "$resuming" -eq 0 ]; then
	dir=$(lib_abs "${dir:-$LIB_ROOT/results/matrix-$(lib_utc_stamp)}")
	[ ! -e "$dir/args" ] || bad "-d: '$dir' already holds a matrix; continue it with -C $dir"
	mkdir -p "$dir/cells" "$dir/certs"
	printf '%s\n' "${argv[@]+"${argv[@]}"}" >"$dir/args"
	seed=$(lib_seed "$seed")
fi
lib_pin_init "$cpus"
log "$LIB_PIN_NOTE"

# --- the cells: the product of the axes, each with its build, arguments or skip reason ---
combos=("")
for a in $AXES; do
	vals=${ax[$a]:-$(axis_default "$a")}
	next=()
	for c in "${combos[@]}"; do
		for v in $vals; do next+=("$c$a=$v "); done
	done
	combos=("${next[@]}")
done
get() { local w; for w in $1; do [ "${w%%=*}" != "$2" ] || { echo "${w#*=}"; return; }; done; }
# bindir_of CONFIG STACK: -B's directory with CONFIG and STACK in its build name
# (build/<target>[-config][-stack][-san][-static], full and mbedtls left out).
bindir_of() {
	local top=${bin0%/bin} name rest
	name=${top##*/} top=${top%/*}
	rest=${name#native}
	[ "$rest" != "$name" ] || rest=""
	name=native
	[ "$1" = full ] || name="$name-$1"
	[ "$2" = mbedtls ] || name="$name-$2"
	echo "$top/$name$rest/bin"
}
suite_name() { # SUITE VERSION KEY STACK: the stack's own name of the suite
	local kx=ECDSA
	case "$3" in rsa*) kx=RSA ;; esac
	if [ "$4" != mbedtls ]; then # OpenSSL-style names (wolfSSL's; OpenSSL's 1.3 ones differ)
		local t13=TLS13-
		[ "$4" != openssl ] || t13=TLS_
		case "$1.$2" in
		aes128gcm.1.3) echo "${t13}AES128-GCM-SHA256" | sed 's/^TLS_AES128-GCM-SHA256$/TLS_AES_128_GCM_SHA256/' ;;
		aes256gcm.1.3) echo "${t13}AES256-GCM-SHA384" | sed 's/^TLS_AES256-GCM-SHA384$/TLS_AES_256_GCM_SHA384/' ;;
		chacha20.1.3) echo "${t13}CHACHA20-POLY1305-SHA256" | sed 's/^TLS_CHACHA20-POLY1305-SHA256$/TLS_CHACHA20_POLY1305_SHA256/' ;;
		aes128gcm.1.2) echo "ECDHE-$kx-AES128-GCM-SHA256" ;;
		aes256gcm.1.2) echo "ECDHE-$kx-AES256-GCM-SHA384" ;;
		chacha20.1.2) echo "ECDHE-$kx-CHACHA20-POLY1305" ;;
		esac
		return 0
	fi
	case "$1.$2" in
	aes128gcm.1.3) echo TLS1-3-AES-128-GCM-SHA256 ;;
	aes256gcm.1.3) echo TLS1-3-AES-256-GCM-SHA384 ;;
	chacha20.1.3) echo TLS1-3-CHACHA20-POLY1305-SHA256 ;;
	aes128gcm.1.2) echo "TLS-ECDHE-$kx-WITH-AES-128-GCM-SHA256" ;;
	aes256gcm.1.2) echo "TLS-ECDHE-$kx-WITH-AES-256-GCM-SHA384" ;;
	chacha20.1.2) echo "TLS-ECDHE-$kx-WITH-CHACHA20-POLY1305-SHA256" ;;
	esac
}
link_slug() { # SPEC: a link spec as a file name part (lte, rtt80ms-loss1pct)
	echo "$1" | sed 's/%/pct/g; s/[:,]/-/g; s/=//g; s/[^A-Za-z0-9.+-]/_/g'
}
cell_id() { # SPEC: the values that vary (always proto and mode), joined by '_'
	local id="" a v
	for a in $AXES; do
		v=$(get "$1" "$a")
		case "$a" in
		proto | mode) id="$id${id:+_}$v" ;;
		link) [ -z "${ax[$a]+x}" ] || id="$id${id:+_}link-$(link_slug "$v")" ;;
		*) [ -z "${ax[$a]+x}" ] || id="$id${id:+_}$a-$v" ;;
		esac
	done
	echo "$id"
}
# auth=psk/psk-dhe cells: one random key per run directory, never printed (a file, as
# --psk-file keeps it out of the process list)
if [ -n "${ax[auth]+x}" ] && [ ! -s "$dir/psk.hex" ]; then
	(umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$dir/psk.hex")
fi
first_of() { local v=${ax[$1]:-$(axis_default "$1")}; echo "${v%% *}"; }
: >"$dir/cells.tsv.new"
printf 'cell\tstatus\treason\tproto\ttls\tkey\tgroup\tsuite\tresume\tconfig\tstack\tmode\trep\tbin\tbaseline\tlink\tauth\tchain\n' >"$dir/cells.tsv.new"
ids=() bases=()
declare -A cargs=() sargs=() cbin=() cproto=() cwant=() clink=() bmode=()
built_tried=" "
stacks_built=" $(make -s print-STACKS 2>/dev/null | tr '\n' ' ') "
for spec in "${combos[@]}"; do
	proto=$(get "$spec" proto) tls=$(get "$spec" tls) key=$(get "$spec" key)
	group=$(get "$spec" group) suite=$(get "$spec" suite) res=$(get "$spec" resume)
	config=$(get "$spec" config) stack=$(get "$spec" stack) mode=$(get "$spec" mode)
	lnk=$(get "$spec" link) auth=$(get "$spec" auth)
	chain=$(get "$spec" chain)
	[ "$proto" = tls ] || [ -n "${ax[tls]+x}" ] || { tls=1.2; spec=${spec/tls=1.3/tls=1.2}; }
	id=$(cell_id "$spec") reason="" bin=$(bindir_of "$config" "$stack")
	base=base-$([ "$proto" = tls ] && echo tcp || echo udp)-$mode
	[ "$lnk" = none ] || base="$base-link-$(link_slug "$lnk")"
	if [ "$proto" = dtls ] && [ "$tls" = 1.3 ] && [ "$stack" != wolfssl ]; then
		reason="DTLS 1.3: not in the $stack stack (wolfssl only)"
	elif [ "$tls" = 1.2 ] && [ "${group#*MLKEM}" != "$group" ]; then
		reason="$group: ML-KEM groups are TLS 1.3's (and DTLS 1.3's)"
	elif [ "$tls" = 1.2 ] && [ "${key#mldsa}" != "$key" ]; then
		reason="$key: ML-DSA certificates are TLS 1.3's"
	elif [ "$stack" = mbedtls ] && [ "${group#*MLKEM}" != "$group" ]; then
		reason="$group: Mbed TLS 3.6 has no ML-KEM"
	elif [ "$stack" = mbedtls ] && [ "${key#mldsa}" != "$key" ]; then
		reason="$key: Mbed TLS 3.6 has no ML-DSA"
	elif [ "$mode" = keep ] && [ "$res" = 1 ]; then
		reason="resume=1 changes per-message runs only (keep has one handshake)"
	elif [ "$auth" != cert ] && [ "$res" = 1 ] && [ "$proto$tls" = dtls1.3 ]; then
		reason="auth=$auth with resume=1 on DTLS 1.3: not built (docs/tls-dtls.md)"
	elif [ "$auth" != cert ] && [ "$key" != "$(first_of key)" ]; then
		reason="auth=$auth: no certificate, so no key axis (the cell with key=$(first_of key) runs)"
	elif [ "$auth" != cert ] && [ "$chain" != "$(first_of chain)" ]; then
		reason="auth=$auth: no certificate, so no chain axis (the cell with chain=$(first_of chain) runs)"
	elif [ "$auth" != cert ] && [ "$suite" != aes128gcm ]; then
		reason="auth=$auth: the stack's PSK suite, no suite axis (docs/tls-dtls.md)"
	elif [ "$auth" = psk ] && [ "$group" != "$(first_of group)" ]; then
		reason="auth=psk: no key exchange group (the cell with group=$(first_of group) runs)"
	elif [ "$stack" != mbedtls ] && [ "${stacks_built#* "$stack" }" = "$stacks_built" ]; then
		reason="stack $stack: not in this tree yet (make -s print-STACKS lists none such)"
	elif [ ! -x "$bin/${proto}_client" ] || [ ! -x "$bin/${proto}_server" ]; then
		mk="CONFIG=$config$([ "$stack" = mbedtls ] || echo " STACK=$stack")"
		if [ "$build" -eq 1 ] && [ "${built_tried#* "$bin" }" = "$built_tried" ]; then
			built_tried="$built_tried$bin "
			log "building $bin: make $mk"
			# shellcheck disable=SC2086 # $mk is a list of make variables
			nice make -s -j2 $mk all >"$dir/build-${bin//\//_}.log" 2>&1 ||
				warn "make $mk failed; see $dir/build-${bin//\//_}.log"
		fi
		[ -x "$bin/${proto}_client" ] || reason="no build $bin (make $mk, or matrix.sh -b)"
	fi
	c=() s=()
	if [ -z "$reason" ] && [ "$auth" != cert ]; then
		c+=(--psk-file "$dir/psk.hex" --psk-mode "$auth" --groups "$group")
		s+=(--psk-file "$dir/psk.hex" --psk-mode "$auth" --groups "$group")
		[ "$proto" = dtls ] || { c+=(--tls "$tls"); s+=(--tls "$tls"); }
		[ "$res" = 0 ] || c+=(--resume)
		[ "$mode" = per-message ] || c+=(--keep)
		cargs[$id]="${c[*]}" sargs[$id]="${s[*]}" cbin[$id]=$bin cproto[$id]=$proto clink[$id]=$lnk
		g=$group
		[ "$auth" = psk-dhe ] || g=no-group
		cwant[$id]="$([ "$proto" = dtls ] && echo DTLS || echo TLS)v$tls $g $auth"
		ids+=("$id")
		case " ${bases[*]-} " in
		*" $base "*) ;;
		*) bases+=("$base")
			cproto[$base]=$([ "$proto" = tls ] && echo tcp || echo udp) bmode[$base]=$mode
			clink[$base]=$lnk ;;
		esac
	elif [ -z "$reason" ]; then
		crt=$dir/certs/$key pre=""
		[ "$chain" = single ] || pre=chain-
		c+=(--ca "$crt/ca.crt" --cert "$crt/${pre}client.crt" --key "$crt/${pre}client.key")
		s+=(--ca "$crt/ca.crt" --cert "$crt/${pre}server.crt" --key "$crt/${pre}server.key")
		c+=(--tls "$tls")
		s+=(--tls "$tls")
		sn=$(suite_name "$suite" "$tls" "$key" "$stack")
		# TLS 1.2: the groups also name the curves an ECDSA certificate may use.
		g=$group
		case "$tls.$key" in
		1.2.ec256) [ "$g" = secp256r1 ] || g="$g,secp256r1" ;;
		1.2.ec384) [ "$g" = secp384r1 ] || g="$g,secp384r1" ;;
		esac
		c+=(--ciphersuite "$sn" --groups "$g")
		s+=(--ciphersuite "$sn" --groups "$g")
		[ "$res" = 0 ] || c+=(--resume)
		[ "$mode" = per-message ] || c+=(--keep)
		cargs[$id]="${c[*]}" sargs[$id]="${s[*]}" cbin[$id]=$bin cproto[$id]=$proto clink[$id]=$lnk
		# What the probe's "negotiated" must show (else the build ran something else).
		kt=$(echo "$key" | sed 's/^ec/EC-/; s/^rsa/RSA-/; s/^mldsa/ML-DSA-/')
		cwant[$id]="$([ "$proto" = dtls ] && echo DTLS || echo TLS)v$tls $sn $group $kt"
		ids+=("$id")
		case " ${bases[*]-} " in
		*" $base "*) ;;
		*) bases+=("$base")
			cproto[$base]=$([ "$proto" = tls ] && echo tcp || echo udp) bmode[$base]=$mode
			clink[$base]=$lnk ;;
		esac
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" \
		"$([ -z "$reason" ] && echo run || echo skipped)" "${reason:--}" "$proto" "$tls" \
		"$key" "$group" "$suite" "$res" "$config" "$stack" "$mode" "$(get "$spec" rep)" \
		"$bin" "$base" "$([ "$lnk" = none ] && echo - || echo "$lnk")" "$auth" "$chain" >>"$dir/cells.tsv.new"
done
for b in ${bases[@]+"${bases[@]}"}; do
	p=${cproto[$b]} m=${bmode[$b]}
	cbin[$b]=$bin0 sargs[$b]=""
	cargs[$b]=""
	[ "$m" != keep ] || cargs[$b]=--keep
	printf '%s\trun\t-\t%s\t-\t-\t-\t-\t-\tfull\t-\t%s\t-\t%s\t-\t%s\t-\t-\n' "$b" "$p" "$m" "$bin0" \
		"$([ "${clink[$b]}" = none ] && echo - || echo "${clink[$b]}")" >>"$dir/cells.tsv.new"
done
mv "$dir/cells.tsv.new" "$dir/cells.tsv"
nskip=$(awk -F '\t' '$2 == "skipped"' "$dir/cells.tsv" | wc -l)
awk -F '\t' -v p="$LIB_PROG" '$2 == "skipped" { printf "%s: skipped: %s: %s\n", p, $1, $3 }' "$dir/cells.tsv" >&2
if [ "$list" -eq 1 ]; then
	awk -F '\t' 'NR > 1 && $2 == "run" { print "cell: " $1 }' "$dir/cells.tsv"
	exit 0
fi
[ ${#ids[@]} -gt 0 ] || die "every cell was skipped (see above); nothing to run"
# shellcheck source-path=SCRIPTDIR source=matrix-run.sh
. "$LIB_ROOT/scripts/matrix-run.sh"
