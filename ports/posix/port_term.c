/* port_term.c - terminal facts for ports/port.h (progress lines only on a terminal). */
#include "port.h"

#include <unistd.h>

int port_stderr_is_tty(void)
{
	return isatty(STDERR_FILENO) == 1;
}
