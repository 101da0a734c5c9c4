/* app.h - what every program's main() does: defaults, parse, validate, run, exit code.
 * Exit status: 0 success, 1 run failure (messages lost or failed), 2 usage error. */
#ifndef ACKBENCH_APP_H
#define ACKBENCH_APP_H

#include "transport.h"

int app_client_main(const struct transport *tp, int argc, char **argv);
int app_server_main(const struct transport *tp, int argc, char **argv);

#endif
