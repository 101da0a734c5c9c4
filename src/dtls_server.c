/* dtls_server.c - the DTLS server: all of its work is in app.c over tp_dtls. */
#include "app.h"

int main(int argc, char **argv)
{
	return app_server_main(&tp_dtls, argc, argv);
}
