/* timeline.c - see timeline.h. */
#include "timeline.h"

#include <inttypes.h>
#include <string.h>

#include "dtls_wire.h"
#include "port.h"

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APP = 23 };

static const char *const hs_names[] = {
	[0] = "HelloRequest",        [1] = "ClientHello",      [2] = "ServerHello",
	[3] = "HelloVerifyRequest",  [4] = "NewSessionTicket", [5] = "EndOfEarlyData",
	[8] = "EncryptedExtensions", [11] = "Certificate",     [12] = "ServerKeyExchange",
	[13] = "CertificateRequest", [14] = "ServerHelloDone", [15] = "CertificateVerify",
	[16] = "ClientKeyExchange",  [20] = "Finished",        [24] = "KeyUpdate",
};

const char *timeline_hs_name(uint8_t t)
{
	return t < sizeof(hs_names) / sizeof(hs_names[0]) ? hs_names[t] : NULL;
}

static struct timeline_event *next_event(struct timeline *tl)
{
	struct timeline_event *e;

	if (tl->n == TIMELINE_EVENTS) {
		tl->lost++;
		return NULL;
	}
	if (tl->now_cpu_ns == 0) /* the first row of this I/O call reads the CPU clock */
		tl->now_cpu_ns = !tl->in_hs      ? UINT64_MAX
		                 : tl->cpu_clock ? tl->cpu_clock()
		                                 : port_cpu_ns();
	e = &tl->ev[tl->n++];
	memset(e, 0, sizeof(*e));
	e->t_ns = tl->now_ns - tl->start_ns;
	e->cpu_ns = tl->now_cpu_ns == UINT64_MAX || tl->now_cpu_ns < tl->start_cpu_ns
	                    ? UINT64_MAX
	                    : tl->now_cpu_ns - tl->start_cpu_ns;
	e->has_arr = !tl->tx && tl->arr_ns != 0;
	e->arr_ns = e->has_arr ? (int64_t)(tl->arr_ns - tl->start_ns) : 0;
	e->tx = tl->tx;
	e->in_hs = tl->in_hs;
	e->state = tl->state;
	return e;
}

static void stream_unit(void *arg, const struct tls_sniff_unit *u)
{
	struct timeline *tl = arg;
	struct timeline_event *e = next_event(tl);

	if (e == NULL)
		return;
	e->ctype = u->ctype;
	e->hs_type = u->hs_type;
	e->bytes = u->bytes;
	e->hrr = u->hrr;
	memcpy(e->alert, u->alert, sizeof(e->alert));
	if (u->enc)
		e->enc = ++tl->enc[tl->tx];
}

static void dgram_unit(void *arg, const struct dtls_wire_unit *u)
{
	struct timeline *tl = arg;
	struct timeline_event *e;

	/* after the handshake only what belongs to it (a resent flight), not the data (nor
	 * DTLS 1.3's encrypted records, data and ACKs alike to the wire) */
	if (!tl->in_hs && (u->ctype == CT_APP || u->ctype == DTLS_CT_UNIFIED))
		return;
	e = next_event(tl);
	if (e == NULL)
		return;
	e->ctype = u->ctype;
	e->hs_type = u->hs_type;
	e->bytes = u->bytes;
	e->epoch = u->epoch;
	e->rseq = u->rseq;
	e->msg_seq = u->msg_seq;
	e->frag_off = u->frag_off;
	e->frag_len = u->ctype == CT_HANDSHAKE && u->epoch == 0 ? u->frag_len : 0;
	e->hrr = u->ctype == CT_HANDSHAKE && u->epoch == 0 && u->hs_type == 2 && u->frag_off == 0 &&
	         tls_sniff_is_hrr(u->body, u->frag_len); /* DTLS 1.3 */
	if (u->epoch == 0 && u->ctype == CT_ALERT && u->frag_len >= 2)
		memcpy(e->alert, u->body, 2);
	if (u->epoch != 0)
		e->enc = ++tl->enc[tl->tx];
}

void timeline_begin(struct timeline *tl, int datagram, uint64_t start_ns, uint64_t start_cpu_ns,
                    uint64_t start_rt_us)
{
	tl->datagram = datagram;
	tl->start_ns = start_ns;
	tl->start_cpu_ns = start_cpu_ns;
	tl->start_rt_us = start_rt_us;
	tl->n = tl->lost = 0;
	tl->enc[0] = tl->enc[1] = 0;
	tls_sniff_walk(&tl->walk[0], stream_unit, tl);
	tls_sniff_walk(&tl->walk[1], stream_unit, tl);
}

void timeline_rx_arrival(struct timeline *tl, uint64_t arrival_ns)
{
	tl->arr_ns = arrival_ns;
}

void timeline_io(struct timeline *tl, int tx, const uint8_t *buf, size_t n, uint64_t now_ns,
                 int in_hs, int state)
{
	if (!in_hs && !tl->datagram) {
		tl->arr_ns = 0;
		return;
	}
	tl->now_ns = now_ns;
	tl->now_cpu_ns = 0;
	tl->tx = tx != 0;
	tl->in_hs = in_hs != 0;
	tl->state = (int16_t)state;
	if (tl->datagram)
		dtls_wire_walk(buf, n, dgram_unit, tl);
	else
		tls_sniff_feed(&tl->walk[tl->tx], buf, n);
	tl->arr_ns = 0; /* each stamp belongs to one read */
	if (tl->datagram)
		return;
	/* the client's direction learns the version from the server's (and the other way) */
	tls_sniff_learn(&tl->walk[!tl->tx], &tl->walk[tl->tx]);
}

void timeline_header(FILE *f)
{
	fputs("run_id,conn,seq,side,proto,dir,type,epoch,record_seq,msg_seq,frag_off,frag_len,"
	      "bytes,t_us,cpu_us,retrans,in_hs,state,start_rt_us,arrival_us\n",
	      f);
}

/* The same unit earlier in the same direction: a resend (DTLS). */
static int resent(const struct timeline *tl, unsigned i)
{
	const struct timeline_event *e = &tl->ev[i], *o;
	unsigned j;

	/* DTLS 1.3 resends a record under a new sequence number, with its content type
	 * hidden: only its plaintext resends (ClientHello, ServerHello) show on the wire */
	if (!tl->datagram || e->ctype == CT_APP || e->ctype == DTLS_CT_UNIFIED)
		return 0;
	for (j = 0; j < i; j++) {
		o = &tl->ev[j];
		if (o->tx != e->tx || o->ctype != e->ctype || o->epoch != e->epoch)
			continue;
		if (e->epoch == 0 && e->ctype == CT_HANDSHAKE) {
			if (o->hs_type == e->hs_type && o->msg_seq == e->msg_seq &&
			    o->frag_off == e->frag_off)
				return 1;
		} else if (e->ctype != CT_ALERT) {
			return 1; /* a second CCS, or encrypted Finished, of that epoch */
		}
	}
	return 0;
}

static void type_name(const struct timeline_event *e, char *buf, size_t len)
{
	const char *n = e->hs_type ? timeline_hs_name(e->hs_type) : NULL;

	if (e->enc)
		snprintf(buf, len, "%s:%u",
		         e->ctype == CT_ALERT       ? "EncryptedAlert"
		         : e->ctype == CT_HANDSHAKE ? "EncryptedHandshake"
		                                    : "Encrypted",
		         (unsigned)e->enc);
	else if (e->ctype == CT_CCS)
		snprintf(buf, len, "ChangeCipherSpec");
	else if (e->ctype == CT_ALERT)
		snprintf(buf, len, "Alert:%u.%u", e->alert[0], e->alert[1]);
	else if (e->ctype != CT_HANDSHAKE)
		snprintf(buf, len, "Record%u", e->ctype);
	else if (e->hrr)
		snprintf(buf, len, "HelloRetryRequest");
	else if (n != NULL)
		snprintf(buf, len, "%s", n);
	else
		snprintf(buf, len, "Handshake%u", e->hs_type);
}

int timeline_write(const struct timeline *tl, FILE *f, const struct timeline_id *id,
                   const char *(*state_name)(int state))
{
	unsigned i;
	char type[40], seq[24];

	if (id->seq >= 0)
		snprintf(seq, sizeof(seq), "%" PRId64, id->seq);
	else
		seq[0] = '\0';
	for (i = 0; i < tl->n; i++) {
		const struct timeline_event *e = &tl->ev[i];
		const char *st = e->state >= 0 && state_name ? state_name(e->state) : NULL;

		type_name(e, type, sizeof(type));
		fprintf(f, "%08" PRIx32 ",%" PRIu32 ",%s,%s,%s,%s,%s,", id->run_id, id->conn, seq,
		        id->side, id->proto, e->tx ? "tx" : "rx", type);
		if (tl->datagram)
			fprintf(f, "%u,%" PRIu64 ",%u,%" PRIu32 ",%" PRIu32 ",", (unsigned)e->epoch,
			        e->rseq, (unsigned)e->msg_seq, e->frag_off, e->frag_len);
		else
			fputs(",,,,,", f);
		fprintf(f, "%" PRIu32 ",%.3f,", e->bytes, (double)e->t_ns / 1e3);
		if (e->cpu_ns != UINT64_MAX)
			fprintf(f, "%.3f", (double)e->cpu_ns / 1e3);
		fprintf(f, ",%d,%u,%s,%" PRIu64 ",", resent(tl, i), (unsigned)e->in_hs,
		        st ? st : "", tl->start_rt_us);
		if (e->has_arr)
			fprintf(f, "%.3f", (double)e->arr_ns / 1e3);
		fputc('\n', f);
	}
	if (tl->lost != 0)
		fprintf(stderr,
		        "timeline: run %08" PRIx32 " conn %" PRIu32
		        ": %u events past %d not kept\n",
		        id->run_id, id->conn, tl->lost, TIMELINE_EVENTS);
	return ferror(f) ? -1 : 0;
}
