/* dtls_client.c - the DTLS client: all of its work is in app.c over tp_dtls. */
#include "app.h"

int main(int argc, char **argv)
{
	return app_client_main(&tp_dtls, argc, argv);
}
