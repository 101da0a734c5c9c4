/* tls_server.c - the TLS server: all of its work is in app.c over tp_tls. */
#include "app.h"

int main(int argc, char **argv)
{
	return app_server_main(&tp_tls, argc, argv);
}
