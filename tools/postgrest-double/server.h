/* The HTTP side: libmicrohttpd on 127.0.0.1, a thread per connection (so a
 * delay fault holds only its own request), whole bodies collected up to the
 * size limit, then handed to the router. */
#ifndef PD_SERVER_H
#define PD_SERVER_H

#include "double.h"

typedef struct pd_server pd_server;

/* Listens on 127.0.0.1:port (0: any free port) and reports the bound port.
 * ctx must outlive the server. */
int pd_server_start(pd_server **out, unsigned *bound_port, pd_context *ctx,
                    unsigned port);
void pd_server_stop(pd_server *server);

#endif
