/* tls_sniff.c - see tls_sniff.h. */
#include "tls_sniff.h"

#include <string.h>
#include <strings.h>

enum {
	REC_CCS = 20,
	REC_ALERT = 21,
	REC_HANDSHAKE = 22,
	REC_APP = 23,
	HS_SERVER_HELLO = 2,
	HS_CERTIFICATE = 11,
	HS_SERVER_KEY_EXCHANGE = 12,
	HS_SERVER_HELLO_DONE = 14,
	EXT_PRE_SHARED_KEY = 41,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_KEY_SHARE = 51,
	EC_NAMED_CURVE = 3, /* RFC 8422 5.4 ECCurveType */
};

/* RFC 8446 4.1.3: a HelloRetryRequest is a ServerHello with this random. */
static const uint8_t hrr_random[32] = {
	0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
	0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
	0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

static const struct {
	uint16_t id;
	const char *name;
} groups[] = {
	{ 0x0017, "secp256r1" },
	{ 0x0018, "secp384r1" },
	{ 0x0019, "secp521r1" },
	{ 0x001D, "x25519" },
	{ 0x001E, "x448" },
	{ 0x001A, "brainpoolP256r1" },
	{ 0x001B, "brainpoolP384r1" },
	{ 0x001C, "brainpoolP512r1" },
	{ 0x0016, "secp256k1" },
	{ 0x0100, "ffdhe2048" },
	{ 0x0101, "ffdhe3072" },
	{ 0x0102, "ffdhe4096" },
	{ 0x0103, "ffdhe6144" },
	{ 0x0104, "ffdhe8192" },
	/* ML-KEM (FIPS 203) alone and the hybrids (draft-ietf-tls-ecdhe-mlkem) */
	{ 0x0200, "MLKEM512" },
	{ 0x0201, "MLKEM768" },
	{ 0x0202, "MLKEM1024" },
	{ 0x11EB, "SecP256r1MLKEM768" },
	{ 0x11EC, "X25519MLKEM768" },
	{ 0x11ED, "SecP384r1MLKEM1024" },
	/* aliases, for parsing only (after the canonical names): OpenSSL's and wolfSSL's own
	 * spellings (docs/stacks.md) */
	{ 0x0017, "P-256" },
	{ 0x0017, "prime256v1" },
	{ 0x0018, "P-384" },
	{ 0x0019, "P-521" },
	{ 0x0200, "ML_KEM_512" },
	{ 0x0201, "ML_KEM_768" },
	{ 0x0202, "ML_KEM_1024" },
	{ 0x0200, "ML-KEM-512" },
	{ 0x0201, "ML-KEM-768" },
	{ 0x0202, "ML-KEM-1024" },
};

const char *tls_group_name(uint16_t id)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return groups[i].name;
	return NULL;
}

uint16_t tls_group_id(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (strlen(groups[i].name) == len && strncasecmp(groups[i].name, name, len) == 0)
			return groups[i].id;
	return 0;
}

void tls_sniff_init(struct tls_sniff *s)
{
	memset(s, 0, sizeof(*s));
}

void tls_sniff_walk(struct tls_sniff *s, tls_sniff_walk_fn fn, void *arg)
{
	tls_sniff_init(s);
	s->walk = fn;
	s->walk_arg = arg;
}

void tls_sniff_learn(struct tls_sniff *s, const struct tls_sniff *from)
{
	if (s->version == 0)
		s->version = from->version;
	s->hrr |= from->hrr;
}

static void emit(struct tls_sniff *s, uint8_t ctype, uint8_t hs_type, uint8_t enc, uint8_t hrr,
                 uint32_t bytes)
{
	struct tls_sniff_unit u = { ctype, hs_type, enc, hrr, { 0, 0 }, bytes };

	if (ctype == REC_ALERT && !enc && s->alert_have == 2)
		memcpy(u.alert, s->alert, 2);
	s->walk(s->walk_arg, &u);
}

static uint16_t u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ServerHello (RFC 8446 4.1.3 / RFC 5246 7.4.1.3): version, random, session id, suite,
 * compression, then the extensions. Truncated input is read as far as it goes. */
static void parse_hello(struct tls_sniff *s, const uint8_t *b, size_t len)
{
	size_t off, end;
	int hrr;

	if (len < 35)
		return;
	hrr = memcmp(b + 2, hrr_random, sizeof(hrr_random)) == 0;
	off = 35 + (size_t)b[34] + 3;
	if (!hrr)
		s->version = u16(b);
	if (off + 2 > len)
		goto out;
	end = off + 2 + u16(b + off);
	if (end > len)
		end = len;
	for (off += 2; off + 4 <= end;) {
		uint16_t type = u16(b + off), elen = u16(b + off + 2);
		const uint8_t *d = b + off + 4;

		if (off + 4 + elen > end) {
			/* a key share cut short (a DTLS 1.3 ServerHello's first fragment): its
			 * group comes first */
			if (type == EXT_KEY_SHARE && elen >= 2 && off + 6 <= end)
				s->group = u16(d);
			break;
		}
		if (type == EXT_SUPPORTED_VERSIONS && elen == 2 && !hrr)
			s->version = u16(d);
		else if (type == EXT_KEY_SHARE && elen >= 2)
			s->group = u16(d); /* HRR: the group asked for; SH: the one used */
		else if (type == EXT_PRE_SHARED_KEY && !hrr) {
			s->resumed = 1;
			if (elen == 2) /* selected_identity (RFC 8446 4.2.11) */
				s->psk_sel = u16(d);
		}
		off += 4 + (size_t)elen;
	}
out:
	if (hrr)
		s->hrr = 1;
	else
		s->saw_hello = 1;
}

int tls_sniff_is_hrr(const uint8_t *b, size_t len)
{
	return len >= 34 && memcmp(b + 2, hrr_random, sizeof(hrr_random)) == 0;
}

void tls_sniff_hello(struct tls_sniff *s, const uint8_t *b, size_t len)
{
	parse_hello(s, b, len);
}

uint16_t tls_ske_group(const uint8_t *b, size_t n)
{
	size_t hint;

	if (n >= 3 && b[0] == EC_NAMED_CURVE)
		return u16(b + 1);
	/* ECDHE_PSK (RFC 5489 2): a psk_identity_hint (2-byte length) first; a hint of 768
	 * bytes or more would read as the line above, none is that long */
	if (n < 2)
		return 0;
	hint = u16(b);
	if (n >= 2 + hint + 3 && b[2 + hint] == EC_NAMED_CURVE)
		return u16(b + 2 + hint + 1);
	return 0;
}

static void message_done(struct tls_sniff *s)
{
	size_t n = s->body_have;
	uint8_t hrr = 0;

	if (s->msg_type == HS_SERVER_HELLO) {
		parse_hello(s, s->body, n);
		hrr = n >= 34 && memcmp(s->body + 2, hrr_random, sizeof(hrr_random)) == 0;
	} else if (s->msg_type == HS_SERVER_KEY_EXCHANGE) {
		s->group = tls_ske_group(s->body, n);
	}
	if (s->walk != NULL)
		emit(s, REC_HANDSHAKE, s->msg_type, 0, hrr, 4u + (uint32_t)n + s->body_skipped);
}

/* Handshake messages may span records and records may hold several messages. */
static void feed_handshake(struct tls_sniff *s, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t take;

		if (s->hs_have < sizeof(s->hs)) {
			s->hs[s->hs_have++] = *p++;
			n--;
			if (s->hs_have < sizeof(s->hs))
				continue;
			s->msg_type = s->hs[0];
			s->msg_left = (uint32_t)s->hs[1] << 16 | (uint32_t)s->hs[2] << 8 | s->hs[3];
			s->body_have = 0;
			s->body_skipped = 0;
			/* a full TLS 1.2 handshake: a PSK one has no Certificate but always a
			 * ServerHelloDone */
			if (s->msg_type == HS_CERTIFICATE || s->msg_type == HS_SERVER_HELLO_DONE)
				s->saw_cert = 1;
		} else {
			take = n < s->msg_left ? n : s->msg_left;
			if (s->msg_type == HS_SERVER_HELLO ||
			    s->msg_type == HS_SERVER_KEY_EXCHANGE) {
				size_t room = sizeof(s->body) - s->body_have;
				size_t c = take < room ? take : room;

				memcpy(s->body + s->body_have, p, c);
				s->body_have += (uint32_t)c;
				s->body_skipped += (uint32_t)(take - c);
			} else {
				s->body_skipped += (uint32_t)take;
			}
			p += take;
			n -= take;
			s->msg_left -= (uint32_t)take;
		}
		if (s->msg_left == 0) {
			message_done(s);
			s->hs_have = 0;
		}
	}
}

static void record_start(struct tls_sniff *s)
{
	uint8_t type = s->rec[0];

	s->rec_enc = s->done || type == REC_APP;
	s->alert_have = 0;
	if (type == REC_HANDSHAKE || s->done)
		return;
	/* TLS 1.2: the server's CCS ends its plaintext flight; without a Certificate before it
	 * the handshake was abbreviated. TLS 1.3 sends a dummy CCS (RFC 8446 D.4), also after
	 * a HelloRetryRequest (whose version field says 1.2): go on. */
	if (type == REC_CCS && (s->version == 0x0304 || s->hrr))
		return;
	if (type == REC_ALERT)
		return; /* a plaintext alert ends the handshake, and is read as one */
	if (type == REC_CCS && s->saw_hello)
		s->resumed = !s->saw_cert;
	s->done = 1; /* CCS, alert, or application data: the rest is encrypted */
}

void tls_sniff_feed(struct tls_sniff *s, const uint8_t *p, size_t n)
{
	while (n > 0 && (!s->done || s->walk != NULL)) {
		size_t take, i;

		if (s->rec_have < sizeof(s->rec)) {
			s->rec[s->rec_have++] = *p++;
			n--;
			if (s->rec_have < sizeof(s->rec))
				continue;
			s->rec_left = u16(s->rec + 3);
			record_start(s);
		} else {
			take = n < s->rec_left ? n : s->rec_left;
			if (s->rec[0] == REC_HANDSHAKE && !s->rec_enc)
				feed_handshake(s, p, take);
			else if (s->rec[0] == REC_ALERT && !s->rec_enc)
				for (i = 0; i < take && s->alert_have < 2; i++)
					s->alert[s->alert_have++] = p[i];
			p += take;
			n -= take;
			s->rec_left -= (uint32_t)take;
		}
		if (s->rec_left != 0)
			continue;
		s->rec_have = 0;
		if (s->rec[0] == REC_ALERT && !s->rec_enc)
			s->done = 1;
		if (s->walk != NULL && (s->rec[0] != REC_HANDSHAKE || s->rec_enc))
			emit(s, s->rec[0], 0, s->rec_enc, 0, 5u + u16(s->rec + 3));
	}
}

uint32_t tls_sniff_first_need(const uint8_t *head, size_t n)
{
	if (n < 5)
		return 5;  /* a whole header first: the stack judges that at once */
	if (head[0] != 22) /* RFC 8446 5.1: handshake(22) */
		return 0;
	return 5u + ((uint32_t)head[3] << 8 | head[4]);
}

static size_t be16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

int tls_hello_groups(const uint8_t *rec, size_t n, uint16_t *out, int max)
{
	size_t off = 5 + 4 + 2 + 32, end, ext_end; /* headers, version, random */
	int k = 0;

	if (n < off || rec[0] != 22 || rec[5] != 1) /* handshake record, ClientHello */
		return -1;
	end = 5 + be16(rec + 3);
	if (end > n || off + 1 > end)
		return -1;
	off += 1 + rec[off]; /* session_id */
	if (off + 2 > end)
		return -1;
	off += 2 + be16(rec + off); /* cipher_suites */
	if (off + 1 > end)
		return -1;
	off += 1 + rec[off]; /* compression_methods */
	if (off + 2 > end)
		return -1;
	ext_end = off + 2 + be16(rec + off);
	off += 2;
	if (ext_end > end)
		return -1;
	while (off + 4 <= ext_end) {
		size_t type = be16(rec + off), len = be16(rec + off + 2), l, i;

		off += 4;
		if (off + len > ext_end)
			return -1;
		if (type == 10 && len >= 2) { /* supported_groups (RFC 8446 4.2.7) */
			l = be16(rec + off);
			if (2 + l > len)
				return -1;
			for (i = 0; i + 1 < l && k < max; i += 2)
				out[k++] = (uint16_t)be16(rec + off + 2 + i);
			return k;
		}
		off += len;
	}
	return -1;
}
