#!/bin/sh
# mcu-table.sh - the tables of one bare-metal run (the mcu.json scripts/mcu.sh writes):
# instructions per handshake per side with the estimate at the run's clock, record cost
# per message size, rogue-certificate cases, footprint. Used by mcu.sh and report.sh.
set -eu

usage() {
	cat <<USAGE
Usage: $0 [-f HZ] MCU_JSON
Prints the tables of a run of scripts/mcu.sh. -f HZ: the estimate at another clock
(Hz, e.g. 168000000) instead of the run's own.
USAGE
}

hz=""
case "${1:-}" in --help) usage; exit 0 ;; esac
while getopts f:h opt; do
	case "$opt" in
	f) hz=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ! -f "$1" ]; then
	usage >&2
	exit 2
fi
case "$hz" in *[!0-9]*) echo "mcu-table: -f: '$hz' is not a number of Hz" >&2; exit 2 ;; esac

jq -r --arg hz "$hz" '
	. as $root
	| (if $hz == "" then .estimate_hz else ($hz | tonumber) end) as $f
	| ($f / 1e6 | tostring | sub("\\.0+$"; "")) as $mhz
	| def pad(n): tostring | if length >= n then . else (" " * (n - length)) + . end;
	  def lpad(n): tostring | if length >= n then . else . + (" " * (n - length)) end;
	  def ms: . / $f * 1000 | . * 10 | round / 10;
	"# \(.target) (QEMU \(.machine), \(.cpu)), Mbed TLS \(.mbedtls), config \(.config)",
	"# instructions counted by \(.counted_by); client and server in one image,",
	"# each side measured apart; median of n handshakes. ms@\($mhz)MHz = instructions / clock:",
	"# ONE INSTRUCTION PER CYCLE ASSUMED - an estimate, not a measurement of any chip.",
	"",
	([ "key", "proto", "kind", "side" ] | map(lpad(8)) | join("")) + ("n" | pad(3)) +
	  ("instructions" | pad(14)) + ("ms@\($mhz)MHz" | pad(12)) + ("heap_peak" | pad(11)) +
	  ("stack_peak" | pad(11)) + ("bytes_out" | pad(10)) + ("bytes_in" | pad(9)),
	def order: {"tls1.2": 0, "tls1.3": 1, "dtls1.2": 2}[.] // 9;
	(.handshakes | sort_by(.key, (.proto | order), (.kind != "full"), .side)[]
	  | select(.kind != "records")
	  | ([ .key, .proto, .kind, .side ] | map(lpad(8)) | join("")) + (.n | pad(3)) +
	    (.instr | pad(14)) + (.instr | ms | pad(12)) + (.heap_peak | pad(11)) +
	    (.stack_peak | pad(11)) + (.hs_bytes_out | pad(10)) + (.hs_bytes_in | pad(9))
	    + (if .ok != .n then "  FAILED \(.n - .ok)" else "" end)),
	"",
	"# crypto floor of one side, measured alone (ECDHE P-256 gen + shared, one signature, two",
	"# verifications) and the full handshake over it (median of client and server, all protocols):",
	(.floor[] | .key as $k | .side as $fl
	  | ([$k] | map(lpad(8)) | join("")) + "gen \(.ecdhe_gen)  shared \(.ecdhe_shared)  sign \(.sign)  verify \(.verify)  side \(.side)" +
	    "  full/floor " + ([$root.handshakes[] | select(.key == $k and .kind == "full") | .instr / $fl]
	      | if length == 0 then "-" else (min * 100 | round / 100 | tostring) + ".." + (max * 100 | round / 100 | tostring) end)),
	(if .floor_sym then "# symmetric: SHA-256 \(.floor_sym.sha256_per_kib) and AES-128-GCM \(.floor_sym.aes128gcm_per_kib) instructions per KiB" else empty end),
	"",
	"# record cost over an established session: one request of SIZE bytes and its 24-byte reply",
	([ "key", "proto" ] | map(lpad(8)) | join("")) + ("size" | pad(6)) + ("  side    ") +
	  ("instr/msg" | pad(11)) + ("us@\($mhz)MHz" | pad(12)) + ("bytes_out/msg" | pad(14)),
	(.records | sort_by(.key, (.proto | order), .size, .side)[]
	  | ([ .key, .proto ] | map(lpad(8)) | join("")) + (.size | pad(6)) + "  " + (.side | lpad(8)) +
	    (.instr | pad(11)) + (.instr / $f * 1e7 | round / 10 | pad(12)) + (.bytes_out | pad(14))),
	"",
	"# rogue certificates (another CA): \([.negatives[] | select(.refused == 1)] | length) of \(.negatives | length) refused" +
	  (if ([.negatives[] | select(.refused != 1)] | length) > 0 then
	     ": NOT refused: " + ([.negatives[] | select(.refused != 1) | "\(.key)/\(.proto)/\(.case)"] | join(" "))
	   else "" end),
	"",
	"# footprint (bytes): flash \(.footprint.flash), static RAM \(.footprint.ram_static) (.data + .bss);",
	"# a connection adds its heap peak and stack peak (above); the benchmark itself holds",
	"# \(.footprint.bench_noinit) more (side stacks, link buffers) that a device would not",
	(.footprint | to_entries[] | select(.key | startswith("component_"))
	  | "  " + (.key | sub("component_"; "") | lpad(14)) + (.value | pad(8)) + " flash")
' "$1"
