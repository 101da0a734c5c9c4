#!/bin/bash
# shellcheck disable=SC2016 # the awk programs given to check() are in single quotes
# timeline.sh - the handshake timeline (--timeline) and scripts/timeline.sh, on the real
# programs:
#   - each client connection's rows lie inside the handshake phase it reports, cover it
#     within a few percent, and the per-side compute and waiting add up to the handshake;
#   - the client's rows agree with a tshark capture of the same run (frame times, TLS 1.2
#     plaintext messages), on loopback and between two network namespaces, within 10% of
#     the handshake at p50 per message;
#   - message order: TLS 1.2, TLS 1.3 with a HelloRetryRequest forced by the groups,
#     resumed (no Certificate), DTLS with and without cookie, DTLS with its flight
#     dropped once by nftables (a retransmission row; the merged table shows the timer);
#   - timeline.sh on two run directories: tables, valid PNG/SVG with the legend; bad input
#     (a directory without timelines, runs without the other side) gets one line.
# Every stack built beside BIN_DIR (build/native-<stack>/bin, STACKS of the Makefile) gets
# the order checks too. About a minute; the namespace parts need root, ip, nft, tshark.
#   test/timeline.sh BIN_DIR
set -eu
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "$0")/lib.sh"
test_init "$@"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
T=90
N=20
NS_MADE=()
ns_cleanup() {
	local n
	tlib_cleanup
	for n in "${NS_MADE[@]+"${NS_MADE[@]}"}"; do ip netns del "$n" 2>/dev/null || true; done
}
trap ns_cleanup EXIT

if ! "$ROOT/scripts/deps.sh" capture analysis >"$TMP/deps.log" 2>&1; then
	not_ok "scripts/deps.sh capture analysis installs tshark and the Python analysis" "$(tail -n 3 "$TMP/deps.log")"
	summary
	exit 1
fi
for p in tls dtls; do
	if [ ! -x "$BIN/${p}_client" ] || [ ! -x "$BIN/${p}_server" ]; then
		not_ok "${p}_client and ${p}_server are in $BIN"
		summary
		exit 1
	fi
done
EC=$TMP/ec
gen_certs ec256 "$EC" 127.0.0.1 192.0.2.1
srv_creds=(--ca "$EC/ca.crt" --cert "$EC/server.crt" --key "$EC/server.key")
cli_creds=(--ca "$EC/ca.crt" --cert "$EC/client.crt" --key "$EC/client.key")

# pair BIN DIR NAME PROTO "SERVER ARGS" CLIENT ARGS...: one run on loopback, both sides with
# --timeline (DIR/NAME.{client,server}-tl.csv), client -o DIR/NAME.csv --json DIR/NAME.json.
# RC: the client's exit status.
pair() {
	local bin=$1 d=$2 name=$3 p=$4 sargs=$5 spid port
	shift 5
	mkdir -p "$d"
	# shellcheck disable=SC2086 # sargs: words
	"$bin/${p}_server" -b 127.0.0.1 -p 0 "${srv_creds[@]}" $sargs --timeline "$d/$name.server-tl.csv" \
		>"$d/$name.srv" 2>"$d/$name.srv.err" </dev/null &
	spid=$!
	PIDS+=("$spid")
	RC=1
	if ! wait_lines "$d/$name.srv" '^ready port=[0-9]+$' 1 10; then
		if grep -q "not supported by the .* stack" "$d/$name.srv.err"; then
			RC=refused # the stack says why, in one line: nothing to time
			echo "# $name: $(head -n 1 "$d/$name.srv.err")"
			return 0
		fi
		not_ok "$name: server ready" "$(cat "$d/$name.srv.err")"
		return 0
	fi
	port=$(sed -n 's/^ready port=//p' "$d/$name.srv")
	RC=0
	timeout -k 5 "$T" "$bin/${p}_client" -a 127.0.0.1 -p "$port" "${cli_creds[@]}" -q \
		--timeline "$d/$name.client-tl.csv" -o "$d/$name.csv" --json "$d/$name.json" "$@" \
		>"$d/$name.out" 2>"$d/$name.err" </dev/null || RC=$?
	wait_exit "$spid" 10
}

# order FILE SEQ: "dir:type ..." of the handshake rows of connection SEQ (its first message).
order() {
	awk -F, -v s="$2" 'NR > 1 && $3 == s && ($17 == 1 || $16 == 1) { printf "%s%s:%s", n++ ? " " : "", $6, $7 }
		END { print "" }' "$1"
}

# --- 1. the rows bound the client's handshake phase; the phases add up ---
D1=$TMP/run1
pair "$BIN" "$D1" tls12 tls "" --tls 1.2 -s 64,1K -n "$N" -w 1
check_eq "TLS 1.2 run with --timeline on both sides: exit 0" "$RC" 0
rows=$(awk -F, 'NR > 1' "$D1/tls12.client-tl.csv" | wc -l)
check_eq "TLS 1.2: 13 client rows per connection (2 sizes x ($N + 1 warm-up) + END)" "$rows" $((13 * (2 * (N + 1) + 1)))
# per connection of the client's CSV: its rows lie inside its handshake phase (first >=
# connect, last <= connect + handshake), and at p50 they cover 95% of it (the ClientHello is
# built before it is sent, the wrap-up follows the last record; a preempted client stretches
# those on this shared machine, hence the median)
bounds=$(awk -F, 'FNR == 1 { f++; next }
	f == 1 && $17 == 1 { s = $3; if (!(s in a)) a[s] = $14; b[s] = $14 }
	f == 2 { n++; c = $5; h = $6; s = $4
		if (!(s in a) || a[s] < c - 1 || b[s] > c + h + 1) {
			bad++; printf "seq %s: connect %s hs %s, rows %s..%s\n", s, c, h, a[s], b[s] > "/dev/stderr" }
		cov[n] = h > 0 ? (b[s] - a[s]) / h : 0 }
	END { for (i = 2; i <= n; i++) for (j = i; j > 1 && cov[j-1] > cov[j]; j--) { t = cov[j]; cov[j] = cov[j-1]; cov[j-1] = t }
		m = cov[int((n + 1) / 2)]
		printf "%d %d %s\n", n, bad, (m >= 0.95 ? "covered" : "short:" m) }' \
	"$D1/tls12.client-tl.csv" "$D1/tls12.csv" 2>"$TMP/bounds.err")
check_eq "every connection's rows lie in its handshake phase, covering 95% of it at p50 ($N x 2)" \
	"$bounds" "$((2 * N)) 0 covered"
[ ! -s "$TMP/bounds.err" ] || head -n 3 "$TMP/bounds.err" | sed 's/^/#   /'
check_eq "TLS 1.2 order" "$(order "$D1/tls12.client-tl.csv" 1)" \
	"tx:ClientHello rx:ServerHello rx:Certificate rx:ServerKeyExchange rx:CertificateRequest rx:ServerHelloDone tx:Certificate tx:ClientKeyExchange tx:CertificateVerify tx:ChangeCipherSpec tx:EncryptedHandshake:1 rx:ChangeCipherSpec rx:EncryptedHandshake:1"
check_eq "TLS 1.2 order, server side" "$(order "$D1/tls12.server-tl.csv" 1)" \
	"rx:ClientHello tx:ServerHello tx:Certificate tx:ServerKeyExchange tx:CertificateRequest tx:ServerHelloDone rx:Certificate rx:ClientKeyExchange rx:CertificateVerify rx:ChangeCipherSpec rx:EncryptedHandshake:1 tx:ChangeCipherSpec tx:EncryptedHandshake:1"
check "the server's rows carry the client's run id" \
	grep -q "^$(jq -r .run_id "$D1/tls12.json")," "$D1/tls12.server-tl.csv"
check "cpu_us never decreases along a connection, and stays below its time + 1 ms" \
	awk -F, 'NR > 1 { k = $1 $3 $4; if ($15 != "" && ((k in c) && $15 + 0 < c[k] || $15 > $14 + 1000)) exit 1; c[k] = $15 }' \
	"$D1/tls12.client-tl.csv"
check "received rows: 90% carry their arrival (a kernel stamp), none after its read" \
	awk -F, 'NR > 1 && $6 == "rx" && $17 == 1 { n++; if ($20 != "") { k++; if ($20 > $14 + 0.01) bad++ } }
		END { exit !(n > 0 && k >= 0.9 * n && bad + 0 == 0) }' "$D1/tls12.client-tl.csv"

nofloor=$TMP/empty-bench.txt
: >"$nofloor"
if "$ROOT/scripts/timeline.sh" -N -F "$nofloor" "$D1" >"$TMP/t1.out" 2>"$TMP/t1.err"; then rc=0; else rc=$?; fi
check_rc "timeline.sh RUNDIR: exit 0" "$rc" 0 "$TMP/t1.err"
check_grep "table per size: 64" "$TMP/t1.out" "^## tls [a-z]+ TLSv1.2 .* secp256r1 EC-256, size 64$"
check_grep "table per size: 1024" "$TMP/t1.out" "^## tls [a-z]+ TLSv1.2 .* size 1024$"
check_grep "one host: the clocks are taken as they are" "$TMP/t1.out" "clocks: one host"
for f in "C1: CH " "S1: SH Cert SKE CR SHD " "C2: Cert CKE CV CCS Fin\* " "S2: CCS Fin\* "; do
	check_grep "flight '$f' over all $N connections of size 64" "$TMP/t1.out" "^$f +$N "
done
check_grep "the server flight holds key generation and a signature" "$TMP/t1.out" "^S1: .* keygen\+sign "
check_grep "the client flight: 2 verifications, keygen, ECDH, signature" "$TMP/t1.out" \
	"^C2: .* 2 verify\+keygen\+ECDH\+sign "
# per connection and side: compute (its flights' gaps and spans) and waiting (stretches of
# its own rows that end in a receive) add up to its handshake (start .. last row)
check "per connection and side, compute + waiting = handshake (within 1% + 2 us)" awk -F '\t' '
	NR > 1 { n++; d = $8 + $9 - $6; if (d < 0) d = -d; if (d > 0.01 * $6 + 2) bad++ }
	END { exit !(n == 4 * '"$N"' && bad + 0 == 0) }' "$D1/timeline/connections.tsv"
want=$(awk -F, '$3 == 64 { print $5 + $6 }' "$D1/tls12.csv" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
check "the client's handshake p50 in the table is within 5% of its CSV's connect + handshake ($want us)" \
	awk -v want="$want" '$1 == "client" && $2 == "total" {
		split($4, h, "/"); exit !(h[1] > 0.95 * want && h[1] < 1.05 * want) }' "$TMP/t1.out"

# --- 2. agreement with a tshark capture of the same run ---
# cap_compare PCAP PORT CLIENT_TIMELINE CLIENT_CSV: per plaintext message type and direction,
# the median over connections of |timeline - frame time|; prints "type med_us" lines and
# a last line "hs HANDSHAKE_P50". A received row is compared by its arrival time.
cap_compare() {
	tshark -n -r "$1" -d "tcp.port==$2,tls" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
		-e frame.time_epoch -e tcp.srcport -e tcp.dstport -e tls.record.content_type \
		-e tls.handshake.type 2>/dev/null >"$TMP/frames.txt" || true
	awk -F '\t' -v P="$2" -v tl="$3" -v csv="$4" '
		BEGIN {
			split("1 ClientHello 2 ServerHello 11 Certificate 12 ServerKeyExchange 13 CertificateRequest 14 ServerHelloDone 15 CertificateVerify 16 ClientKeyExchange", w, " ")
			for (i = 1; i in w; i += 2) name[w[i]] = w[i + 1]
		}
		FILENAME != tl && FILENAME != csv {
			cp = $2 == P ? $3 : $2; dir = $3 == P ? "tx" : "rx"
			if (!(cp in conn)) conn[cp] = ++nc
			c = conn[cp]; t = $1 * 1e6
			n = split($5, h, ",")
			for (i = 1; i <= n; i++) if (h[i] in name) fr[c, dir, name[h[i]], ++occ[c, dir, name[h[i]]]] = t
			n = split($4, r, ",")
			for (i = 1; i <= n; i++) if (r[i] == 20) fr[c, dir, "ChangeCipherSpec", ++occ[c, dir, "ChangeCipherSpec"]] = t
			next
		}
		FILENAME == tl && FNR > 1 {
			split($0, f, ",")
			if (f[17] != 1) next
			c = f[2]; dir = f[6]; ty = f[7]
			t = f[19] + (dir == "rx" && f[20] != "" ? f[20] : f[14])
			k = c SUBSEP dir SUBSEP ty SUBSEP (++o[c, dir, ty])
			tlt[k] = t; keys[++nk] = k
			next
		}
		FILENAME == csv && FNR > 1 { split($0, f, ","); if (f[3] == 64) hs[++nh] = f[6] }
		function med(a, n,   i, j, t) {
			for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
			return n ? a[int((n + 1) / 2)] : -1
		}
		END {
			for (i = 1; i <= nk; i++) {
				k = keys[i]
				if (!(k in fr)) continue
				split(k, p, SUBSEP)
				ty = p[2] ":" p[3]
				d = tlt[k] - fr[k]; if (d < 0) d = -d
				if (!(ty in cnt)) order[++nt] = ty
				dl[ty, ++cnt[ty]] = d
			}
			for (i = 1; i <= nt; i++) {
				ty = order[i]; n = cnt[ty]
				for (j = 1; j <= n; j++) a[j] = dl[ty, j]
				printf "%s %.1f %d\n", ty, med(a, n), n
			}
			printf "hs %.1f\n", med(hs, nh)
		}' "$TMP/frames.txt" "$3" "$4"
}

# cap_check WHAT RESULT: every message type's median within 10% of the handshake p50.
cap_check() {
	local what=$1 res=$2 hs types
	hs=$(awk '$1 == "hs" { print $2 }' "$res")
	types=$(awk '$1 != "hs"' "$res" | wc -l)
	check "$what: the 11 plaintext message kinds matched to frames ($types), handshake p50 $hs us" [ "$types" -ge 11 ]
	check "$what: every message within 10% of the handshake at p50 ($(awk '$1 != "hs" { printf "%s %s; ", $1, $2 }' "$res"))" \
		awk -v hs="$hs" '$1 != "hs" && ($2 < 0 || $2 > 0.1 * hs) { bad++ } END { exit !(hs > 0 && bad + 0 == 0) }' "$res"
}

# dumpcap_start NSCMD IFACE PORT PCAP: DUMP_PID; waits (bounded) until it captures.
dumpcap_start() {
	local i
	$1 dumpcap -q -i "$2" -f "tcp port $3" -w "$4" >"$TMP/dumpcap.log" 2>&1 </dev/null &
	DUMP_PID=$!
	PIDS+=("$DUMP_PID")
	for ((i = 0; i < 100; i++)); do
		grep -q "^Capturing on" "$TMP/dumpcap.log" 2>/dev/null && break
		sleep 0.1
	done
	sleep 0.5 # the ring buffer is open once the line is out; give it a moment
}

# dumpcap_stop PCAP: stops it once PCAP has not grown for a second (at most 6 s): the
# capture ring hands a partly filled block over only on its timeout, and an interrupt
# before that loses a short run's packets.
dumpcap_stop() {
	local i last=-1 size still=0
	for ((i = 0; i < 24 && still < 4; i++)); do
		sleep 0.25
		size=$(stat -c %s "$1" 2>/dev/null || echo 0)
		if [ "$size" = "$last" ]; then still=$((still + 1)); else still=0; fi
		last=$size
	done
	signal INT "$DUMP_PID" || true
	wait_exit "$DUMP_PID" 10
}

if [ "$(id -u)" != 0 ] || ! command -v dumpcap >/dev/null || ! command -v tshark >/dev/null; then
	not_ok "capture parts need root and tshark/dumpcap (scripts/deps.sh capture)"
else
	# loopback
	D2=$TMP/cap-lo
	mkdir -p "$D2"
	"$BIN/tls_server" -b 127.0.0.1 -p 0 "${srv_creds[@]}" --timeline "$D2/lo.server-tl.csv" \
		>"$D2/srv.out" 2>"$D2/srv.err" </dev/null &
	spid=$!
	PIDS+=("$spid")
	if wait_lines "$D2/srv.out" '^ready port=[0-9]+$' 1 10; then
		port=$(sed -n 's/^ready port=//p' "$D2/srv.out")
		dumpcap_start "" lo "$port" "$D2/lo.pcap"
		rc=0
		timeout -k 5 "$T" "$BIN/tls_client" -a 127.0.0.1 -p "$port" "${cli_creds[@]}" -q --tls 1.2 \
			-s 64 -n "$N" -w 1 --timeline "$D2/lo.client-tl.csv" -o "$D2/lo.csv" --json "$D2/lo.json" \
			>"$D2/cli.out" 2>"$D2/cli.err" </dev/null || rc=$?
		dumpcap_stop "$D2/lo.pcap"
		wait_exit "$spid" 10
		check_rc "loopback capture run: exit 0" "$rc" 0 "$D2/cli.err"
		cap_compare "$D2/lo.pcap" "$port" "$D2/lo.client-tl.csv" "$D2/lo.csv" >"$D2/cmp.txt"
		cap_check "tshark on lo" "$D2/cmp.txt"
	else
		not_ok "loopback capture: server ready" "$(cat "$D2/srv.err")"
	fi
fi

# --- 3. the same between two network namespaces (veth, 192.0.2.0/24), by IP ---
A=acktl$$a
B=acktl$$b
IPA=192.0.2.1
ns_setup() {
	ip netns add "$A" && NS_MADE+=("$A") && ip netns add "$B" && NS_MADE+=("$B") &&
		ip link add "$A" type veth peer name "$B" &&
		ip link set "$A" netns "$A" && ip link set "$B" netns "$B" &&
		ip -n "$A" addr add "$IPA/24" dev "$A" && ip -n "$B" addr add 192.0.2.2/24 dev "$B" &&
		ip -n "$A" link set lo up && ip -n "$B" link set lo up &&
		ip -n "$A" link set "$A" up && ip -n "$B" link set "$B" up
}
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null || ! command -v dumpcap >/dev/null; then
	not_ok "the two-namespace capture needs root, ip and dumpcap"
elif ! ns_setup 2>"$TMP/ns.err"; then
	not_ok "two namespaces joined by a veth pair" "$(cat "$TMP/ns.err")"
else
	for ((i = 0; i < 50; i++)); do
		ip -n "$B" -o link show "$B" 2>/dev/null | grep -q 'state UP' && break
		sleep 0.1
	done
	D3=$TMP/cap-ns
	mkdir -p "$D3"
	ip netns exec "$A" "$BIN/tls_server" -b "$IPA" -p 0 "${srv_creds[@]}" \
		--timeline "$D3/ns.server-tl.csv" >"$D3/srv.out" 2>"$D3/srv.err" </dev/null &
	spid=$!
	PIDS+=("$spid")
	if wait_lines "$D3/srv.out" '^ready port=[0-9]+$' 1 10; then
		port=$(sed -n 's/^ready port=//p' "$D3/srv.out")
		dumpcap_start "ip netns exec $B" "$B" "$port" "$D3/ns.pcap"
		rc=0
		timeout -k 5 "$T" ip netns exec "$B" "$BIN/tls_client" -a "$IPA" -p "$port" "${cli_creds[@]}" \
			-q --tls 1.2 -s 64 -n "$N" -w 1 --timeline "$D3/ns.client-tl.csv" -o "$D3/ns.csv" \
			--json "$D3/ns.json" >"$D3/cli.out" 2>"$D3/cli.err" </dev/null || rc=$?
		dumpcap_stop "$D3/ns.pcap"
		wait_exit "$spid" 10
		check_rc "two namespaces: client in $B -> server $IPA in $A: exit 0" "$rc" 0 "$D3/cli.err"
		cap_compare "$D3/ns.pcap" "$port" "$D3/ns.client-tl.csv" "$D3/ns.csv" >"$D3/cmp.txt"
		cap_check "tshark on the veth in $B" "$D3/cmp.txt"
		# the two-host merge (message order and the round trip) finds the same clock here
		if "$ROOT/scripts/timeline.sh" -N -F "$nofloor" -c rtt -o "$D3/rtt" "$D3" >"$D3/rtt.out" 2>"$D3/rtt.err"; then
			rc=0
		else
			rc=$?
		fi
		check_rc "timeline.sh -c rtt on the namespace run: exit 0" "$rc" 0 "$D3/rtt.err"
		check_grep "... says how it set the clocks" "$D3/rtt.out" "clocks: two hosts"
		check "... the server's clock offset it finds is under 10% of the handshake at p50" awk -F '\t' '
			NR > 1 && $5 == "server" { o = $13 < 0 ? -$13 : $13; v[++n] = o }
			NR > 1 && $5 == "client" { h[++m] = $6 }
			END { for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
				for (i = 2; i <= m; i++) for (j = i; j > 1 && h[j-1] > h[j]; j--) { t = h[j]; h[j] = h[j-1]; h[j-1] = t }
				exit !(n > 0 && v[int((n + 1) / 2)] < 0.1 * h[int((m + 1) / 2)]) }' "$D3/rtt/connections.tsv"
	else
		not_ok "two namespaces: server ready on $IPA" "$(cat "$D3/srv.err")"
	fi
fi

# --- 4. message order, per stack ---
# order_checks BIN TAG: TLS 1.3 with HelloRetryRequest, resumed TLS 1.2 and 1.3, DTLS with
# and without cookie, through the programs in BIN.
order_checks() {
	local bin=$1 tag=$2 d=$TMP/order-$2 o full res
	pair "$bin" "$d" hrr tls "--groups secp256r1" --tls 1.3 --groups x25519,secp256r1 -s 64 -n 2 -w 0
	check_eq "$tag: TLS 1.3 run, key share refused by the server's groups: exit 0" "$RC" 0
	o=$(order "$d/hrr.client-tl.csv" 0)
	check "$tag: TLS 1.3 with HelloRetryRequest: CH, HRR, CH again, SH, then encrypted records ($o)" \
		grep -Eq '^tx:ClientHello rx:HelloRetryRequest( tx:ChangeCipherSpec)? tx:ClientHello( rx:ChangeCipherSpec)? rx:ServerHello( rx:ChangeCipherSpec)?( rx:Encrypted:[0-9]+)+( tx:ChangeCipherSpec)?( tx:Encrypted:[0-9]+)+$' <<<"$o"
	o=$(order "$d/hrr.server-tl.csv" 0)
	check "$tag: ... and as the server saw it ($o)" \
		grep -Eq '^rx:ClientHello tx:HelloRetryRequest( tx:ChangeCipherSpec)?( rx:ChangeCipherSpec)? rx:ClientHello tx:ServerHello' <<<"$o"

	pair "$bin" "$d" res12 tls "" --tls 1.2 --resume -s 64 -n 3 -w 0
	check_eq "$tag: TLS 1.2 --resume: exit 0" "$RC" 0
	check "$tag: TLS 1.2 first connection: full, with Certificate" grep -q "rx:Certificate" <<<"$(order "$d/res12.client-tl.csv" 0)"
	o=$(order "$d/res12.client-tl.csv" 1)
	check "$tag: TLS 1.2 resumed: no Certificate, the server's CCS and Finished first ($o)" \
		grep -Eq '^tx:ClientHello rx:ServerHello( rx:NewSessionTicket)? rx:ChangeCipherSpec rx:EncryptedHandshake:1 tx:ChangeCipherSpec tx:EncryptedHandshake:1$' <<<"$o"

	pair "$bin" "$d" res13 tls "" --tls 1.3 --resume -s 64 -n 3 -w 0
	check_eq "$tag: TLS 1.3 --resume: exit 0" "$RC" 0
	full=$(order "$d/res13.client-tl.csv" 0 | grep -o 'rx:Encrypted' | wc -l)
	res=$(order "$d/res13.client-tl.csv" 1 | grep -o 'rx:Encrypted' | wc -l)
	check "$tag: TLS 1.3 resumed: fewer encrypted server records than the full handshake ($res < $full: no Certificate, CertificateVerify)" \
		[ "$res" -ge 1 ] && [ "$res" -lt "$full" ]
	check_eq "$tag: ... the client's CSV says it was resumed" \
		"$(awk -F, 'NR > 1 && $4 == 1 { print $16 }' "$d/res13.csv")" 1

	local dtls_full="rx:ServerHello rx:Certificate rx:ServerKeyExchange rx:CertificateRequest rx:ServerHelloDone tx:Certificate tx:ClientKeyExchange tx:CertificateVerify tx:ChangeCipherSpec tx:EncryptedHandshake:1 rx:ChangeCipherSpec rx:EncryptedHandshake:1"
	pair "$bin" "$d" cookie dtls "" -s 64 -n 2 -w 0
	check_eq "$tag: DTLS with cookie: exit 0" "$RC" 0
	check_eq "$tag: DTLS with cookie: HelloVerifyRequest round trip first" "$(order "$d/cookie.client-tl.csv" 0)" \
		"tx:ClientHello rx:HelloVerifyRequest tx:ClientHello $dtls_full"
	pair "$bin" "$d" nocookie dtls "--no-cookie" -s 64 -n 2 -w 0
	if [ "$RC" != refused ]; then
		check_eq "$tag: DTLS --no-cookie: exit 0" "$RC" 0
		check_eq "$tag: DTLS without cookie: straight to the ServerHello" "$(order "$d/nocookie.client-tl.csv" 0)" \
			"tx:ClientHello $dtls_full"
	fi
	check_eq "$tag: DTLS rows carry epoch and message_seq (the second ClientHello: epoch 0, message_seq 1)" \
		"$(awk -F, 'NR > 1 && $3 == 0 && $7 == "ClientHello" { print $8 "/" $10 }' "$d/cookie.client-tl.csv" | tr '\n' ' ')" "0/0 0/1 "
}
order_checks "$BIN" "$(basename "$(dirname "$BIN")")"

# --- 5. DTLS with a dropped flight: nftables drops the client's first big datagram ---
if [ "${#NS_MADE[@]}" -gt 0 ] && command -v nft >/dev/null; then
	D5=$TMP/drop
	mkdir -p "$D5"
	# the server's timer (1 s) far above the client's (100 ms): the client resends by its timer
	ip netns exec "$A" "$BIN/dtls_server" -b 127.0.0.1 -p 0 "${srv_creds[@]}" --hs-timeout 1000,8000 \
		--timeline "$D5/drop.server-tl.csv" >"$D5/srv.out" 2>"$D5/srv.err" </dev/null &
	spid=$!
	PIDS+=("$spid")
	if wait_lines "$D5/srv.out" '^ready port=[0-9]+$' 1 10; then
		port=$(sed -n 's/^ready port=//p' "$D5/srv.out")
		# the client's flight 3 (Certificate .. Finished, ~750 bytes) is its first datagram
		# above 400 bytes; numgen counts only the datagrams that got that far: one drop
		cat >"$D5/rules.nft" <<NFT
flush ruleset
table inet acktl {
	chain input {
		type filter hook input priority 0; policy accept;
		udp dport $port udp length > 400 numgen inc mod 100000 == 0 counter drop
	}
}
NFT
		if ip netns exec "$A" nft -f "$D5/rules.nft" 2>"$D5/nft.err"; then
			rc=0
			timeout -k 5 "$T" ip netns exec "$A" "$BIN/dtls_client" -a 127.0.0.1 -p "$port" \
				"${cli_creds[@]}" -q --hs-timeout 100,3200 -s 64 -n 3 -w 0 \
				--timeline "$D5/drop.client-tl.csv" -o "$D5/drop.csv" --json "$D5/drop.json" \
				>"$D5/cli.out" 2>"$D5/cli.err" </dev/null || rc=$?
			wait_exit "$spid" 10
			check_rc "DTLS with the client's flight dropped once: exit 0" "$rc" 0 "$D5/cli.err"
			check "... nftables dropped exactly one datagram" \
				grep -Eq 'counter packets 1 bytes' <<<"$(ip netns exec "$A" nft list ruleset 2>&1)"
			o=$(order "$D5/drop.client-tl.csv" 0)
			check "... the client's timeline has its flight again ($o)" \
				grep -Eq 'tx:EncryptedHandshake:1 .*tx:Certificate .*tx:EncryptedHandshake:2' <<<"$o"
			check "... retransmission rows (retrans 1) in the client's timeline" \
				awk -F, 'NR > 1 && $16 == 1 && $6 == "tx" { n++ } END { exit !(n >= 5) }' "$D5/drop.client-tl.csv"
			if "$ROOT/scripts/timeline.sh" -N -F "$nofloor" "$D5" >"$D5/t.out" 2>"$D5/t.err"; then rc=0; else rc=$?; fi
			check_rc "timeline.sh on the lossy run: exit 0" "$rc" 0 "$D5/t.err"
			check "... the merged table shows the resent flight with its timer wait (>= the 100 ms timer)" \
				awk '$0 ~ /resent: / && $0 ~ /Cert CKE CV CCS/ { split($NF, t, "/"); if (t[1] >= 99000 && t[1] < 3300000) ok = 1 }
					END { exit !ok }' "$D5/t.out"
		else
			not_ok "nftables rules in $A" "$(cat "$D5/nft.err")"
		fi
	else
		not_ok "DTLS drop: server ready" "$(cat "$D5/srv.err")"
	fi
else
	not_ok "the DTLS drop test needs the namespaces above and nft"
fi

# --- 6. timeline.sh on two run directories: tables, floors, plots; bad input ---
bench=$BIN/../mbedtls/programs/test/benchmark
fl=()
[ -x "$bench" ] || fl=(-F "$nofloor") # no benchmark built: tables without floors
if "$ROOT/scripts/timeline.sh" -B "$BIN" "${fl[@]+"${fl[@]}"}" -o "$TMP/two" "$D1" "$TMP/order-$(basename "$(dirname "$BIN")")" \
	>"$TMP/two.out" 2>"$TMP/two.err"; then rc=0; else rc=$?; fi
check_rc "timeline.sh on two run directories: exit 0" "$rc" 0 "$TMP/two.err"
check_grep "... tables of the first (TLS 1.2)" "$TMP/two.out" "^## tls [a-z]+ TLSv1.2 .*, size 64$"
check_grep "... and the second (TLS 1.3 after HelloRetryRequest)" "$TMP/two.out" "^## tls [a-z]+ TLSv1.3 .*HelloRetryRequest.*, size 64$"
check_grep "... and DTLS with cookie" "$TMP/two.out" "^## dtls [a-z]+ DTLSv1.2 .*, cookie, size 64$"
check_grep "... resumed connections apart" "$TMP/two.out" "^## tls [a-z]+ TLSv1.2 .*, resumed, size 64$"
if [ -x "$bench" ]; then
	check "... floors from the stack's benchmark beside the crypto (TLS 1.2 server flight: keygen+sign, > 0 us)" \
		awk '$1 == "S1:" && / keygen\+sign / { for (i = 1; i <= NF; i++) if ($i == "keygen+sign") f = $(i + 1) } END { exit !(f > 0) }' "$TMP/two.out"
fi
n=$(grep -c '^swimlane-[0-9]*: ' "$TMP/two.out" || true)
check "... a swimlane per configuration ($n)" [ "$n" -ge 6 ]
pngs=0
svgs=0
for ((i = 1; i <= n; i++)); do
	[ "$(head -c 8 "$TMP/two/swimlane-$i.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && pngs=$((pngs + 1))
	if grep -q '<svg' "$TMP/two/swimlane-$i.svg" && grep -q '</svg>' "$TMP/two/swimlane-$i.svg" &&
		grep -q 'compute: last received .. first sent' "$TMP/two/swimlane-$i.svg" &&
		grep -q 'server -&gt; client\|server -> client' "$TMP/two/swimlane-$i.svg"; then
		svgs=$((svgs + 1))
	fi
done
check_eq "... every PNG is a PNG" "$pngs" "$n"
check_eq "... every SVG is whole and has the legend" "$svgs" "$n"

mkdir -p "$TMP/none"
cp "$D1/tls12.csv" "$D1/tls12.json" "$TMP/none/"
if "$ROOT/scripts/timeline.sh" -N "$TMP/none" >"$TMP/bad1.out" 2>"$TMP/bad1.err"; then rc=0; else rc=$?; fi
check_rc "a directory without timelines: exit 1" "$rc" 1
check_eq "... one line on stderr" "$(wc -l <"$TMP/bad1.err")" 1
check_grep "... naming it and what is missing" "$TMP/bad1.err" "$TMP/none: no timeline CSV in it"
mkdir -p "$TMP/mism"
cp "$D1/tls12.client-tl.csv" "$TMP/mism/"
cp "$TMP/order-$(basename "$(dirname "$BIN")")/hrr.server-tl.csv" "$TMP/mism/"
if "$ROOT/scripts/timeline.sh" -N -F "$nofloor" "$TMP/mism" >"$TMP/bad2.out" 2>"$TMP/bad2.err"; then rc=0; else rc=$?; fi
check_rc "client and server timelines of different runs: exit 1" "$rc" 1
check_eq "... one line on stderr" "$(wc -l <"$TMP/bad2.err")" 1
check_grep "... naming the run without its other side" "$TMP/bad2.err" "run [0-9a-f]{8} has (client|server) timeline rows but no (server|client) rows"
if "$ROOT/scripts/timeline.sh" -c sometimes "$D1" >/dev/null 2>"$TMP/bad3.err"; then rc=0; else rc=$?; fi
check_rc "timeline.sh -c sometimes: usage error 2" "$rc" 2
check_grep "... naming the option" "$TMP/bad3.err" "-c: 'sometimes'"
if "$BIN/tls_client" --timeline /nonexistent/dir/x.csv -n 1 >/dev/null 2>"$TMP/bad4.err"; then rc=0; else rc=$?; fi
check_rc "tls_client --timeline in a missing directory: exit 1" "$rc" 1
check_grep "... one line naming it" "$TMP/bad4.err" "^tls_client: --timeline: cannot write '/nonexistent/dir/x.csv'$"
if "$BIN/tcp_client" --timeline "$TMP/x.csv" -n 1 >/dev/null 2>"$TMP/bad5.err"; then rc=0; else rc=$?; fi
check_rc "tcp_client --timeline: usage error (no handshake to time)" "$rc" 2

# --- 7. the other stacks built beside this one (the same target and variant) ---
stacks=$(make -s -C "$ROOT" print-STACKS 2>/dev/null || true)
this=$(basename "$(dirname "$BIN")") # build/<target>[-<config>][-<stack>][-san][-static]
variant=""
case "$this" in *-static) variant=-static this=${this%-static} ;; esac
case "$this" in *-san) variant=-san$variant this=${this%-san} ;; esac
for s in $stacks; do this=${this%-"$s"}; done
for s in $stacks; do
	[ "$s" = mbedtls ] && sb=$ROOT/build/$this$variant/bin || sb=$ROOT/build/$this-$s$variant/bin
	[ "$(cd "$sb" 2>/dev/null && pwd)" = "$BIN" ] && continue
	if [ -x "$sb/tls_client" ] && [ -x "$sb/dtls_client" ]; then
		order_checks "$sb" "$s"
	else
		echo "# stack $s: not built in $sb (make STACK=$s), its order checks skipped"
	fi
done
summary
