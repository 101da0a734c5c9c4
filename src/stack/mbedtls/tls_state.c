/* tls_state.c - names of Mbed TLS 3.6's handshake states (mbedtls_ssl_states in
 * mbedtls/ssl.h), which the timeline prints beside each row: the state of the library at
 * the moment it moved the record, i.e. the message it was writing or waiting for. */
#include "tls_common.h"

#define S(x) [MBEDTLS_SSL_##x] = #x

static const char *const names[] = {
	S(HELLO_REQUEST),
	S(CLIENT_HELLO),
	S(SERVER_HELLO),
	S(SERVER_CERTIFICATE),
	S(SERVER_KEY_EXCHANGE),
	S(CERTIFICATE_REQUEST),
	S(SERVER_HELLO_DONE),
	S(CLIENT_CERTIFICATE),
	S(CLIENT_KEY_EXCHANGE),
	S(CERTIFICATE_VERIFY),
	S(CLIENT_CHANGE_CIPHER_SPEC),
	S(CLIENT_FINISHED),
	S(SERVER_CHANGE_CIPHER_SPEC),
	S(SERVER_FINISHED),
	S(FLUSH_BUFFERS),
	S(HANDSHAKE_WRAPUP),
	S(NEW_SESSION_TICKET),
	S(SERVER_HELLO_VERIFY_REQUEST_SENT),
	S(HELLO_RETRY_REQUEST),
	S(ENCRYPTED_EXTENSIONS),
	S(END_OF_EARLY_DATA),
	S(CLIENT_CERTIFICATE_VERIFY),
	S(CLIENT_CCS_AFTER_SERVER_FINISHED),
	S(CLIENT_CCS_BEFORE_2ND_CLIENT_HELLO),
	S(SERVER_CCS_AFTER_SERVER_HELLO),
	S(CLIENT_CCS_AFTER_CLIENT_HELLO),
	S(SERVER_CCS_AFTER_HELLO_RETRY_REQUEST),
	S(HANDSHAKE_OVER),
	S(TLS1_3_NEW_SESSION_TICKET),
	S(TLS1_3_NEW_SESSION_TICKET_FLUSH),
};

const char *tls_state_name(int state)
{
	if (state < 0 || (size_t)state >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[state];
}
