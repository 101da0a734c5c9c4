/* ossl_state.c - names of OpenSSL 3.0's handshake states (OSSL_HANDSHAKE_STATE, from
 * SSL_get_state), which the timeline prints beside each row: the state of the library at
 * the moment it moved the record (CW/SW: the message the client/server writes, CR/SR: the
 * one it reads). */
#include "ossl.h"

#define S(x) [x] = #x

static const char *const names[] = {
	S(TLS_ST_BEFORE),
	S(TLS_ST_OK),
	S(DTLS_ST_CR_HELLO_VERIFY_REQUEST),
	S(TLS_ST_CR_SRVR_HELLO),
	S(TLS_ST_CR_CERT),
	S(TLS_ST_CR_CERT_STATUS),
	S(TLS_ST_CR_KEY_EXCH),
	S(TLS_ST_CR_CERT_REQ),
	S(TLS_ST_CR_SRVR_DONE),
	S(TLS_ST_CR_SESSION_TICKET),
	S(TLS_ST_CR_CHANGE),
	S(TLS_ST_CR_FINISHED),
	S(TLS_ST_CW_CLNT_HELLO),
	S(TLS_ST_CW_CERT),
	S(TLS_ST_CW_KEY_EXCH),
	S(TLS_ST_CW_CERT_VRFY),
	S(TLS_ST_CW_CHANGE),
	S(TLS_ST_CW_NEXT_PROTO),
	S(TLS_ST_CW_FINISHED),
	S(TLS_ST_SW_HELLO_REQ),
	S(TLS_ST_SR_CLNT_HELLO),
	S(DTLS_ST_SW_HELLO_VERIFY_REQUEST),
	S(TLS_ST_SW_SRVR_HELLO),
	S(TLS_ST_SW_CERT),
	S(TLS_ST_SW_KEY_EXCH),
	S(TLS_ST_SW_CERT_REQ),
	S(TLS_ST_SW_SRVR_DONE),
	S(TLS_ST_SR_CERT),
	S(TLS_ST_SR_KEY_EXCH),
	S(TLS_ST_SR_CERT_VRFY),
	S(TLS_ST_SR_NEXT_PROTO),
	S(TLS_ST_SR_CHANGE),
	S(TLS_ST_SR_FINISHED),
	S(TLS_ST_SW_SESSION_TICKET),
	S(TLS_ST_SW_CERT_STATUS),
	S(TLS_ST_SW_CHANGE),
	S(TLS_ST_SW_FINISHED),
	S(TLS_ST_SW_ENCRYPTED_EXTENSIONS),
	S(TLS_ST_CR_ENCRYPTED_EXTENSIONS),
	S(TLS_ST_CR_CERT_VRFY),
	S(TLS_ST_SW_CERT_VRFY),
	S(TLS_ST_CR_HELLO_REQ),
	S(TLS_ST_SW_KEY_UPDATE),
	S(TLS_ST_CW_KEY_UPDATE),
	S(TLS_ST_SR_KEY_UPDATE),
	S(TLS_ST_CR_KEY_UPDATE),
	S(TLS_ST_EARLY_DATA),
	S(TLS_ST_PENDING_EARLY_DATA_END),
	S(TLS_ST_CW_END_OF_EARLY_DATA),
	S(TLS_ST_SR_END_OF_EARLY_DATA),
};

const char *ossl_state_name(int state)
{
	if (state < 0 || (size_t)state >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[state];
}

int ossl_state_of(void *conn)
{
	const struct ossl_conn *c = conn;

	return (int)SSL_get_state(c->ssl);
}
