/* udp_client.c - the plain UDP client: all of its work is in app.c over tp_udp. */
#include "app.h"

int main(int argc, char **argv)
{
	return app_client_main(&tp_udp, argc, argv);
}
