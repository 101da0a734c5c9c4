/* tcp_server.c - the plain TCP server: all of its work is in app.c over tp_tcp. */
#include "app.h"

int main(int argc, char **argv)
{
	return app_server_main(&tp_tcp, argc, argv);
}
