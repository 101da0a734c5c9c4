# timeline-merge.awk - the merge step of timeline.sh (POSIX awk; mawk and busybox too).
# Input, in this order (FILENAME tells which):
#   cfg file:  "C run_id|label|dtls" lines, and "S run_id seq size handshake_us resumed" lines
#   timeline CSVs (header run_id,conn,seq,side,proto,dir,type,...)
# Variables: clock = auto|same|rtt, out = prefix of the output files:
#   out.msgs   one line per message of every matched connection (see put_msg)
#   out.flights one line per flight and metric: "cfg<TAB>size<TAB>k<TAB>label<TAB>metric<TAB>value"
#   out.conns  per connection and side: cfg size run seq side handshake (start .. last row)
#              cpu compute (its flights' gaps and spans) waiting (stretches ending in a
#              receive) first-row flights-of-the-connection, and (server) its clock offset
#   out.gaps   per flight with a known start: cfg run seq side from first_tx last_tx (us)
#   out.info   clock mode, counts; errors go to stderr as one line, exit 1.
BEGIN { FS = ","; OFS = "\t" }
FNR == 1 && $1 == "run_id" { next }
/^C / { sub(/^C /, ""); split($0, c, "|"); label[c[1]] = c[2]; next }
/^S / {
	split($0, sp, " ")
	sized[sp[2]] = 1
	size[sp[2] SUBSEP sp[3]] = sp[4]; csvhs[sp[2] SUBSEP sp[3]] = sp[5]; resumed[sp[2] SUBSEP sp[3]] = sp[6] + 0
	next
}
NF >= 19 {
	run = $1; seq = $3; side = $4
	if (seq == "") { noseq[side]++; next }
	if ($17 == 0 && ($16 == 0 || $7 ~ /Alert/)) next # after the handshake: resends only
	k = run SUBSEP seq
	runs[side, run] = 1
	n = ++ne[k, side]
	if (!(k in seen)) { seen[k] = 1; order[++nconn] = k }
	t = $19 + $14 # absolute: the connection's realtime start + its monotonic offset
	ev[k, side, n, "dir"] = $6; ev[k, side, n, "type"] = $7
	ev[k, side, n, "t"] = t; ev[k, side, n, "cpu"] = $15
	ev[k, side, n, "arr"] = $20 != "" ? $19 + $20 : ""
	ev[k, side, n, "re"] = $16; ev[k, side, n, "st"] = $18
	ev[k, side, n, "key"] = key($5, $7, $8, $10, $11)
	if (side == "client") cstart[k] = $19
	else sstart[k] = $19
	proto[k] = $5
	next
}
function key(p, type, epoch, mseq, foff) {
	if (p != "dtls") return type
	sub(/:[0-9]+$/, "", type) # a resent encrypted record has a new number
	return type "/" epoch "/" mseq "/" foff
}
function abbrev(t, st,   a) {
	if (t ~ /^Encrypted:/ && st != "") {
		a = st2abbr[st]
		return a != "" ? "{" a "}" : "Enc"
	}
	sub(/:[0-9.]+$/, "", t)
	return t in ab ? ab[t] : t
}
function init_names() {
	split("ClientHello CH ServerHello SH HelloRetryRequest HRR HelloVerifyRequest HVR " \
	      "Certificate Cert ServerKeyExchange SKE CertificateRequest CR ServerHelloDone SHD " \
	      "ClientKeyExchange CKE CertificateVerify CV Finished Fin NewSessionTicket NST " \
	      "ChangeCipherSpec CCS EncryptedHandshake Fin* Encrypted Enc Alert Alert " \
	      "EncryptedAlert Alert* EncryptedExtensions EE", w, " ")
	for (i = 1; i < 40 && (i + 1) in w; i += 2) ab[w[i]] = w[i + 1]
	# Mbed TLS's state while it reads a record names the message it waits for
	split("ENCRYPTED_EXTENSIONS EE CERTIFICATE_REQUEST CR SERVER_CERTIFICATE Cert " \
	      "CERTIFICATE_VERIFY CV SERVER_FINISHED Fin CLIENT_CERTIFICATE Cert " \
	      "CLIENT_CERTIFICATE_VERIFY CV CLIENT_FINISHED Fin TLS1_3_NEW_SESSION_TICKET NST " \
	      "HANDSHAKE_OVER NST", w, " ")
	for (i = 1; (i + 1) in w; i += 2) st2abbr[w[i]] = w[i + 1]
}
# The clock offset of the server against the client (us), from message order and the round
# trip: the server's first received message and the last one of its first flight, seen
# from both sides. The last: a flight's first small writes can reach the peer late against
# their stamps (seen on veth under load: a ServerHello 500 us after its send call, arriving
# with the ServerHelloDone), its last one goes out at once.
function offset(k,   i, a, b, ka, kb, ca, cb) {
	for (i = 1; i <= ne[k, "server"]; i++) {
		if (a == "" && ev[k, "server", i, "dir"] == "rx") a = i
		if (b != "" && ev[k, "server", i, "dir"] == "rx") break
		if (ev[k, "server", i, "dir"] == "tx") b = i
	}
	if (a == "" || b == "") return ""
	ka = ev[k, "server", a, "key"]; kb = ev[k, "server", b, "key"]
	for (i = 1; i <= ne[k, "client"]; i++) {
		if (cb == "" && ev[k, "client", i, "dir"] == "rx" && ev[k, "client", i, "key"] == kb) cb = i
		if (cb == "" && ev[k, "client", i, "dir"] == "tx" && ev[k, "client", i, "key"] == ka) ca = i
	}
	if (ca == "" || cb == "") return ""
	return ((at(k, "server", a) - ev[k, "client", ca, "t"]) + \
	        (ev[k, "server", b, "t"] - at(k, "client", cb))) / 2
}
# A received row's arrival when stamped (a busy receiver reads later), else its read.
function at(k, side, i) {
	return ev[k, side, i, "arr"] != "" ? ev[k, side, i, "arr"] : ev[k, side, i, "t"]
}
# Messages of connection k: every sent row, each received row matched to the latest
# unmatched send of the same message before it (else a message seen only received).
function messages(k, off,   sd, rd, i, j, best, m, t, x) {
	nm = 0
	for (x = 0; x < 2; x++) {
		sd = x ? "server" : "client"; rd = x ? "client" : "server"
		for (i = 1; i <= ne[k, sd]; i++) {
			if (ev[k, sd, i, "dir"] != "tx") continue
			m = ++nm
			M[m, "from"] = sd; M[m, "type"] = ev[k, sd, i, "type"]; M[m, "key"] = ev[k, sd, i, "key"]
			M[m, "tx"] = ev[k, sd, i, "t"] - (x ? off : 0); M[m, "txcpu"] = ev[k, sd, i, "cpu"]
			M[m, "re"] = ev[k, sd, i, "re"]; M[m, "rx"] = ""; M[m, "rxcpu"] = ""
			# until a receive names it: the sender's state after writing it (Mbed TLS
			# has moved on by then; only its ticket state names the message)
			M[m, "st"] = ev[k, sd, i, "st"] ~ /NEW_SESSION_TICKET_FLUSH/ ? "TLS1_3_NEW_SESSION_TICKET" : ""
			M[m, "arr"] = ""
		}
	}
	for (x = 0; x < 2; x++) {
		rd = x ? "client" : "server"; sd = x ? "server" : "client"
		for (i = 1; i <= ne[k, rd]; i++) {
			if (ev[k, rd, i, "dir"] != "rx") continue
			t = ev[k, rd, i, "t"] - (x ? 0 : off)
			if (ev[k, rd, i, "arr"] != "") t = ev[k, rd, i, "arr"] - (x ? 0 : off)
			best = ""
			for (j = 1; j <= nm; j++)
				if (M[j, "from"] == sd && M[j, "key"] == ev[k, rd, i, "key"] && M[j, "rx"] == "" && \
				    M[j, "tx"] <= t + 2000 && (best == "" || M[j, "tx"] > M[best, "tx"]))
					best = j
			if (best == "") {
				best = ++nm
				M[best, "from"] = sd; M[best, "type"] = ev[k, rd, i, "type"]
				M[best, "key"] = ev[k, rd, i, "key"]; M[best, "tx"] = ""; M[best, "txcpu"] = ""
				M[best, "re"] = ev[k, rd, i, "re"]
			}
			M[best, "rx"] = ev[k, rd, i, "t"] - (x ? 0 : off); M[best, "rxcpu"] = ev[k, rd, i, "cpu"]; M[best, "st"] = ev[k, rd, i, "st"]
			M[best, "arr"] = ev[k, rd, i, "arr"] == "" ? "" : ev[k, rd, i, "arr"] - (x ? 0 : off)
		}
	}
	for (i = 1; i <= nm; i++) { O[i] = i; M[i, "at"] = M[i, "tx"] != "" ? M[i, "tx"] : M[i, "rx"] }
	for (i = 2; i <= nm; i++) # by time (insertion sort: a handshake has tens of messages)
		for (j = i; j > 1 && M[O[j - 1], "at"] > M[O[j], "at"]; j--) { x = O[j]; O[j] = O[j - 1]; O[j - 1] = x }
}
function flights(k, c0,   i, m, f, prev, lbl, inf) {
	nf = 0
	for (i = 1; i <= nm; i++) {
		m = O[i]
		if (nf == 0 || M[m, "from"] != F[nf, "from"] || (M[m, "re"] && !F[nf, "re"]) || \
		    index(F[nf, "keys"], "|" M[m, "key"] "|")) {
			nf++
			F[nf, "from"] = M[m, "from"]; F[nf, "re"] = M[m, "re"] + 0; F[nf, "keys"] = "|"
			F[nf, "first"] = m; F[nf, "lbl"] = ""; F[nf, "n"] = 0
		}
		F[nf, "last"] = m; F[nf, "n"]++
		F[nf, "keys"] = F[nf, "keys"] M[m, "key"] "|"
		lbl = abbrev(M[m, "type"], M[m, "st"])
		F[nf, "lbl"] = F[nf, "lbl"] (F[nf, "lbl"] == "" ? "" : " ") lbl
		M[m, "flight"] = nf
	}
}
function v(x) { return x == "" ? "" : sprintf("%.1f", x) }
function put(cf, sz, f, metric, val) {
	if (val != "") print cf, sz, f, F[f, "name"], metric, val > (out ".flights")
}
END {
	if (nconn == 0) { print "no timeline rows with a sequence number (a run without messages?)" > "/dev/stderr"; exit 1 }
	init_names()
	# every client run needs the server's rows and the other way round
	for (x in runs) {
		split(x, p, SUBSEP)
		other = p[1] == "client" ? "server" : "client"
		if (!((other, p[2]) in runs)) {
			print "run " p[2] " has " p[1] " timeline rows but no " other " rows (give both sides' --timeline files of the same run)" > "/dev/stderr"
			exit 1
		}
	}
	same = 0; tot = 0
	for (i = 1; i <= nconn; i++) {
		k = order[i]
		if (!ne[k, "client"] || !ne[k, "server"]) continue
		tot++
		last = ev[k, "client", ne[k, "client"], "t"]
		if (sstart[k] >= cstart[k] - 1000 && sstart[k] <= last) same++
	}
	mode = clock
	if (mode == "auto") mode = tot && same >= 0.9 * tot ? "same" : "rtt"
	print "clock", mode, same, tot > (out ".info")
	for (i = 1; i <= nconn; i++) {
		k = order[i]
		if (!ne[k, "client"] || !ne[k, "server"]) { unmatched++; continue }
		split(k, p, SUBSEP)
		run = p[1]; sq = p[2]
		cf = run in label ? label[run] : proto[k] " run " run
		if (resumed[k]) cf = cf ", resumed"
		for (i2 = 1; i2 <= ne[k, "client"]; i2++)
			if (ev[k, "client", i2, "type"] == "HelloVerifyRequest") { cf = cf ", cookie"; break }
		if ((run in sized) && !(k in size)) { unsized++; continue } # warm-up, END
		sz = (k in size) ? size[k] : "all"
		off = 0
		if (mode == "rtt") { off = offset(k); if (off == "") { unmatched++; continue } }
		messages(k, off)
		flights(k)
		c0 = cstart[k]
		# names: sender, messages, and "resent" for a flight sent again after its timer
		cnt["client"] = cnt["server"] = 0
		comp["client"] = comp["server"] = 0
		for (f = 1; f <= nf; f++) {
			s = F[f, "from"]
			F[f, "name"] = (s == "client" ? "C" : "S") (++cnt[s]) (F[f, "re"] ? " resent" : "") \
			               (M[F[f, "first"], "tx"] == "" ? " (no rows of its sender)" : "") ": " F[f, "lbl"]
		}
		for (f = 1; f <= nf; f++) {
			s = F[f, "from"]; a = F[f, "first"]; b = F[f, "last"]
			# the flight the sender answers: the last one of the other side before it
			pf = ""
			for (g = f - 1; g >= 1; g--) if (F[g, "from"] != s) { pf = g; break }
			prx = pf != "" ? M[F[pf, "last"], "rx"] : ""
			pcpu = pf != "" ? M[F[pf, "last"], "rxcpu"] : ""
			frx = ""; fcpu = ""
			if (pf != "") for (j = 1; j <= nm; j++) {
				m = O[j]
				if (M[m, "flight"] == pf && M[m, "rx"] != "") { frx = M[m, "rx"]; fcpu = M[m, "rxcpu"]; break }
			}
			if (pf == "" && s == "client") { prx = c0; pcpu = 0 } # from the connection's start
			if (F[f, "re"]) prx = "" # a resend: no compute before it, its wait is the timer
			if (M[a, "tx"] != "" && prx != "") {
				print cf, run, sq, s, v(prx - c0), v(M[a, "tx"] - c0), v(M[b, "tx"] - c0) > (out ".gaps")
				put(cf, sz, f, "gap", M[a, "tx"] - prx)
				comp[s] += M[a, "tx"] - prx
				if (M[a, "txcpu"] != "" && pcpu != "") put(cf, sz, f, "gap_cpu", M[a, "txcpu"] - pcpu)
			}
			if (M[a, "tx"] != "" && M[b, "tx"] != "") {
				put(cf, sz, f, "span", M[b, "tx"] - M[a, "tx"])
				comp[s] += M[b, "tx"] - M[a, "tx"]
				if (M[b, "txcpu"] != "" && M[a, "txcpu"] != "") put(cf, sz, f, "span_cpu", M[b, "txcpu"] - M[a, "txcpu"])
			}
			if (F[f, "re"]) fcpu = ""
			if (M[b, "txcpu"] != "" && fcpu != "") put(cf, sz, f, "work_cpu", M[b, "txcpu"] - fcpu)
			else if (M[b, "txcpu"] != "" && pf == "" && !F[f, "re"]) put(cf, sz, f, "work_cpu", M[b, "txcpu"])
			if (M[a, "tx"] == "" && pf != "" && M[F[pf, "last"], "tx"] != "" && M[b, "rx"] != "") {
				# sent with no row of its sender (the DTLS server's stateless
				# HelloVerifyRequest): the receiver's round trip, under wire
				arr = M[b, "arr"] != "" ? M[b, "arr"] : M[b, "rx"]
				put(cf, sz, f, "wire", arr - M[F[pf, "last"], "tx"])
			}
			if (M[b, "tx"] != "" && M[b, "rx"] != "") {
				arr = M[b, "arr"] != "" ? M[b, "arr"] : M[b, "rx"]
				put(cf, sz, f, "wire", arr - M[b, "tx"])
				if (M[b, "arr"] != "") put(cf, sz, f, "buffered", M[b, "rx"] - arr)
			}
			if (F[f, "re"]) { # the timer: from the same sender's previous flight
				for (g = f - 1; g >= 1 && F[g, "from"] != s; g--) ;
				if (g >= 1 && M[F[g, "last"], "tx"] != "" && M[a, "tx"] != "")
					put(cf, sz, f, "timer", M[a, "tx"] - M[F[g, "last"], "tx"])
			}
		}
		# per side: first to last event, its CPU, and the time it computed (gaps + spans)
		for (x = 0; x < 2; x++) {
			s = x ? "server" : "client"
			n = ne[k, s]
			st0 = x ? sstart[k] - off : c0
			wall = ev[k, s, n, "t"] - (x ? off : 0) - st0
			F[900 + x, "name"] = s " total"
			put(cf, sz, 900 + x, "wall", wall)
			put(cf, sz, 900 + x, "cpu", ev[k, s, n, "cpu"])
			put(cf, sz, 900 + x, "compute", comp[s])
			# waiting, from the side's own rows: every stretch that ends in a receive
			# and the CPU the side spent in them (reading, verifying what came in)
			wt = 0; prev = st0; wc = 0; pc = 0
			for (i2 = 1; i2 <= n; i2++) {
				tt = ev[k, s, i2, "t"] - (x ? off : 0)
				cc = ev[k, s, i2, "cpu"]
				if (ev[k, s, i2, "dir"] == "rx") {
					wt += tt - prev
					if (cc != "" && pc != "") wc += cc - pc
				}
				prev = tt; pc = cc
			}
			put(cf, sz, 900 + x, "wait", wt)
			put(cf, sz, 900 + x, "wait_cpu", wc)
			print cf, sz, run, sq, s, v(wall), ev[k, s, n, "cpu"], v(comp[s]), v(wt), \
			      v(ev[k, s, 1, "t"] - (x ? off : 0) - c0), (k in csvhs ? csvhs[k] : ""), nf, \
			      x ? v(off) : "" > (out ".conns")
		}
		for (j = 1; j <= nm; j++) {
			m = O[j]
			print cf, sz, run, sq, j, M[m, "from"], M[m, "type"], abbrev(M[m, "type"], M[m, "st"]), \
			      v(M[m, "tx"] == "" ? "" : M[m, "tx"] - c0), v(M[m, "rx"] == "" ? "" : M[m, "rx"] - c0), \
			      M[m, "re"], M[m, "flight"], F[M[m, "flight"], "name"], \
			      v(M[m, "arr"] == "" ? "" : M[m, "arr"] - c0) > (out ".msgs")
		}
	}
	print "conns", tot, unmatched + 0, unsized + 0 > (out ".info")
	for (s in noseq) print "noseq", s, noseq[s] > (out ".info")
}
