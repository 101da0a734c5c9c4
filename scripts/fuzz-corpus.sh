#!/bin/bash
# fuzz-corpus.sh - record the seed corpus of the fuzz targets (test/fuzz/corpus/) from
# real traffic: the real client/server pairs on loopback, captured by scripts/capture.sh
# (dumpcap), the payloads taken out of the pcaps with tshark.
set -eu

usage() {
	cat <<USAGE
Usage: $0 [-B BINDIR] [-o DIR] [-h]
Runs the tcp, udp, tls (1.2 and 1.3, with --resume) and dtls (with and without --resume)
pairs of BINDIR on loopback under scripts/capture.sh and writes, per fuzz target:
  server/     tcp and udp: everything each client sent, as the target's records (a new
              connection or source port where the capture shows one; per message and
              --keep runs)
  client/     the same runs: everything the server answered
  msg/        single requests (64 and 1K bytes, END) and replies, as captured
  dtls_wire/  every DTLS datagram of both directions (ClientHello with and without
              cookie, HelloVerifyRequest, the server's flights, full and resumed)
  tls_sniff/  the server's byte stream of TLS 1.2 and 1.3 handshakes, full and resumed
              (first byte: how the target cuts it into pieces)
  opts/       the clients' command lines (argv, NUL-separated)
into DIR (test/fuzz/corpus), replacing what was there. Needs tshark (scripts/deps.sh
capture), root or the wireshark group, and built programs and certificates (make all certs).
  -B BINDIR  programs (build/native/bin)
  -o DIR     corpus directory (test/fuzz/corpus)
Exit status: 0 written, 1 a capture or an extraction failed, 2 usage error.
USAGE
}

root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/build/native/bin
out=$root/test/fuzz/corpus
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts B:o:h opt; do
	case "$opt" in
	B) bin=$OPTARG ;;
	o) out=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "$#" -eq 0 ] || { usage >&2; exit 2; }
command -v tshark >/dev/null || { echo "fuzz-corpus: tshark not found (scripts/deps.sh capture)" >&2; exit 2; }

tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

die() {
	echo "fuzz-corpus: $*" >&2
	exit 1
}

# capture NAME PROTOS COUNT SIZES ARGS...: one scripts/capture.sh run into $tmp/NAME;
# prints the "PROTO PORT" of each capture.
capture() {
	local name=$1 protos=$2 count=$3 sizes=$4
	shift 4
	"$root/scripts/capture.sh" -B "$bin" -C "$root/certs" -P "$protos" -n "$count" -s "$sizes" \
		-d "$tmp/$name" -- "$@" >"$tmp/$name.log" 2>&1 ||
		die "capture $name failed: $(tail -n 3 "$tmp/$name.log")"
	sed -n 's/^capture \([a-z]*\): [^ ]* port \([0-9]*\) .*/\1 \2/p' "$tmp/$name.log"
}

# fields PCAP FILTER FIELD...: tshark fields of the packets matching FILTER, tab-separated.
fields() {
	local pcap=$1 filter=$2
	shift 2
	local f=() x
	for x in "$@"; do f+=(-e "$x"); done
	tshark -n -r "$pcap" -Y "$filter" -T fields "${f[@]}" 2>/dev/null
}

unhex() {
	perl -ne 'chomp; print pack("H*", $_)'
}

# records PCAP PROTO PORT DIR FIRST FILE: what was sent to PORT (DIR server) or from it
# (DIR client) as the records of fuzz_server / fuzz_client: FIRST (the target's first
# byte, hex), then [ctl][len:2][bytes] per packet. fuzz_server's ctl: 1 = on a new
# connection / source port, 4 = then close it (tcp); fuzz_client's: 1 = then close.
records() {
	local pcap=$1 proto=$2 port=$3 dir=$4 first=$5 file=$6 new=1 close=4 end=dst conn
	[ "$dir" = server ] || new=0 close=1 end=src
	[ "$proto" = tcp ] || close=0
	conn=tcp.stream
	[ "$proto" = tcp ] || conn=udp.srcport
	local filter="$proto.${end}port==$port"
	[ "$proto" = udp ] || filter="$filter && tcp.len>0"
	fields "$pcap" "$filter" "$conn" "$proto.payload" |
		awk -v first="$first" -v newbit="$new" -v closebit="$close" '
		function emit(ctl, hex) { printf "%02x%04x%s", ctl, length(hex) / 2, hex }
		BEGIN { printf "%s", first }
		{ if (NR > 1) emit(pctl + ($1 != prev ? closebit : 0), phex)
		  pctl = ($1 != prev) ? newbit : 0; prev = $1; phex = $2 }
		END { if (NR > 0) emit(pctl + closebit, phex); print "" }' | unhex >"$file"
	[ "$(wc -c <"$file")" -gt 4 ] || die "no payload $dir port $port in $pcap"
}

# each_payload PCAP FILTER FIELD DIR PREFIX: one file per packet matching FILTER.
each_payload() {
	local pcap=$1 filter=$2 field=$3 dir=$4 prefix=$5 n=0 hex
	while IFS= read -r hex; do
		[ -n "$hex" ] || continue
		n=$((n + 1))
		printf '%s\n' "$hex" | unhex >"$dir/$prefix-$n"
	done < <(fields "$pcap" "$filter" "$field")
	[ "$n" -gt 0 ] || die "no packet matching '$filter' in $pcap"
}

[ -x "$bin/tcp_client" ] || die "no programs in $bin (make all)"
[ -r "$root/certs/ca.crt" ] || die "no certificates in $root/certs (make certs)"
new=$tmp/corpus
mkdir -p "$new"/{server,client,msg,dtls_wire,tls_sniff,opts}

# tcp and udp, a connection per message and --keep (with a padded reply)
# first bytes: fuzz_server tcp 04 / udp 05 (--max-size 64K); fuzz_client --count 2 (08),
# udp +1, --keep +2, --reply-size 100 +4
while read -r p port; do
	u=0
	[ "$p" = tcp ] || u=1
	records "$tmp/plain/$p.pcap" "$p" "$port" server "$(printf %02x $((4 + u)))" "$new/server/$p-per-message"
	records "$tmp/plain/$p.pcap" "$p" "$port" client "$(printf %02x $((8 + u)))" "$new/client/$p-per-message"
	if [ "$p" = tcp ]; then
		each_payload "$tmp/plain/$p.pcap" "tcp.dstport==$port && tcp.len>0" tcp.payload \
			"$new/msg" "tcp-request"
		each_payload "$tmp/plain/$p.pcap" "tcp.srcport==$port && tcp.len>0" tcp.payload \
			"$new/msg" "tcp-reply"
	fi
done < <(capture plain tcp,udp 2 64,1K)
while read -r p port; do
	u=0
	[ "$p" = tcp ] || u=1
	records "$tmp/keep/$p.pcap" "$p" "$port" server "$(printf %02x $((4 + u)))" "$new/server/$p-keep"
	records "$tmp/keep/$p.pcap" "$p" "$port" client "$(printf %02x $((14 + u)))" "$new/client/$p-keep"
done < <(capture keep tcp,udp 2 64,1K --keep --reply-size 100)

# dtls, full and resumed: every datagram of both directions
for r in full resume; do
	args=()
	[ "$r" = full ] || args=(--resume)
	while read -r p port; do
		each_payload "$tmp/dtls-$r/dtls.pcap" "udp.dstport==$port" udp.payload \
			"$new/dtls_wire" "$r-to-server"
		each_payload "$tmp/dtls-$r/dtls.pcap" "udp.srcport==$port" udp.payload \
			"$new/dtls_wire" "$r-to-client"
	done < <(capture "dtls-$r" dtls 1 64 "${args[@]}")
done

# tls 1.2 and 1.3 with --resume: the server's stream of each connection
for v in 1.2 1.3; do
	while read -r p port; do
		pcap=$tmp/tls$v/tls.pcap
		for s in $(fields "$pcap" "tcp.srcport==$port && tcp.len>0" tcp.stream | sort -un | head -n 3); do
			{
				printf '\000'
				fields "$pcap" "tcp.stream==$s && tcp.srcport==$port && tcp.len>0" tcp.payload |
					tr -d '\n' | unhex | head -c 4096
			} >"$new/tls_sniff/tls$v-conn$((s + 1))"
		done
	done < <(capture "tls$v" tls 1 64 --tls "$v" --resume)
done
[ -n "$(ls "$new/tls_sniff")" ] || die "no TLS stream captured"

# the command lines the captures ran, argv[1..] NUL-separated
n=0
for c in "$tmp"/*/commands.txt; do
	while IFS= read -r line; do
		n=$((n + 1))
		line=${line//$tmp/\/tmp\/corpus}
		line=${line//$root\//}
		# shellcheck disable=SC2086 # split the recorded command line into its words
		set -- $line
		shift
		printf '%s\0' "$@" | head -c -1 >"$new/opts/client-$n"
	done <"$c"
done

rm -rf "$out"
mkdir -p "$(dirname "$out")"
cp -R "$new" "$out"
for d in "$out"/*; do
	echo "$(basename "$d"): $(find "$d" -type f | wc -l) files, $(du -sk "$d" | cut -f1) KB"
done
