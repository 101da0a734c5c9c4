/* tcp_client.c - the plain TCP client: all of its work is in app.c over tp_tcp. */
#include "app.h"

int main(int argc, char **argv)
{
	return app_client_main(&tp_tcp, argc, argv);
}
