/* udp_server.c - the plain UDP server: all of its work is in app.c over tp_udp. */
#include "app.h"

int main(int argc, char **argv)
{
	return app_server_main(&tp_udp, argc, argv);
}
