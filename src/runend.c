/* runend.c - see runend.h. */
#include "runend.h"

#include <stdio.h>

#include "err.h"
#include "port.h"

void runend_answered(struct runend *e)
{
	e->answered = 1;
	e->silent = 0;
}

int runend_after(struct runend *e, struct run_info *info, int err)
{
	char eb[96];

	if (info->stopped == 0)
		info->stopped = port_stop_requested();
	if (info->stopped != 0)
		return 1;
	if (err == 0)
		runend_answered(e);
	if (e->answered || err != ACK_ERR_TIMEOUT || ++e->silent < RUNEND_SILENT_TRIES)
		return 0;
	e->gave_up = 1;
	fprintf(stderr,
	        "%s: %s never answered (%u messages in a row: %s, nothing acknowledged): giving "
	        "up\n",
	        info->prog, info->peer, (unsigned)e->silent, err_str(err, eb, sizeof(eb)));
	return 1;
}
