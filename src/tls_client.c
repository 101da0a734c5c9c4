/* tls_client.c - the TLS client: all of its work is in app.c over tp_tls. */
#include "app.h"

int main(int argc, char **argv)
{
	return app_client_main(&tp_tls, argc, argv);
}
