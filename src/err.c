/* err.c - error text for ACK_ERR_* codes, OS errors and the TLS stack's errors. */
#include "err.h"

#include <stdio.h>

#include "port.h"
#include "stack.h"

static const struct stack *g_stack;

void err_use_stack(const struct stack *st)
{
	g_stack = st;
}

const char *err_str(int code, char *buf, size_t len)
{
	switch (code) {
	case 0: snprintf(buf, len, "no error"); return buf;
	case ACK_ERR_TIMEOUT: snprintf(buf, len, "timed out"); return buf;
	case ACK_ERR_EOF: snprintf(buf, len, "connection closed by peer"); return buf;
	case ACK_ERR_PROTO: snprintf(buf, len, "malformed or unexpected message"); return buf;
	case ACK_ERR_TOO_BIG: snprintf(buf, len, "message too big"); return buf;
	case ACK_ERR_RESOLVE: snprintf(buf, len, "cannot resolve address"); return buf;
	case ACK_ERR_NOMEM: snprintf(buf, len, "out of memory"); return buf;
	case ACK_ERR_REFUSED: snprintf(buf, len, "refused by peer (nak)"); return buf;
	case ACK_ERR_ARG: snprintf(buf, len, "invalid argument"); return buf;
	case ACK_ERR_STOPPED: snprintf(buf, len, "stopped by a signal"); return buf;
	case ACK_ERR_GAVE_WAY:
		snprintf(buf, len,
		         "silent for a handshake timer while a new client waited: gave way");
		return buf;
	case ACK_ERR_PUSHED_OUT:
		snprintf(buf, len,
		         "never answered our first flight while every handshake place was taken: "
		         "pushed out");
		return buf;
	case ACK_ERR_CUT:
		snprintf(buf, len, "connection closed in the middle of a message");
		return buf;
	case ACK_ERR_TRUNCATED:
		snprintf(buf, len, "connection closed without close_notify (truncated)");
		return buf;
	default: break;
	}
	if (ACK_ERR_IS_SYS(code)) {
		snprintf(buf, len, "%s", port_sys_strerror(ACK_ERR_SYS_NUM(code)));
	} else if (g_stack == NULL || g_stack->strerror(code, buf, len) != 0) {
		snprintf(buf, len, "error %d", code);
	}
	return buf;
}
