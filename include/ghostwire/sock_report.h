/* sock_report.h — printing the OS view for people (`ghostwire sockets`): a table
 * like `ss -tanpuw` plus packet sockets, namespaces and owners' executables. */
#ifndef GHOSTWIRE_SOCK_REPORT_H
#define GHOSTWIRE_SOCK_REPORT_H

#include <stdio.h>

#include "ghostwire/err.h"
#include "ghostwire/socket.h"

/* Writes every socket of the finished set s, one per line, under a header. A
 * non-NULL note is printed at the end of each line (e.g. "procfs-hidden"). */
void gw_sockets_print_header(FILE *out);
void gw_sockets_print_row(FILE *out, const struct gw_sockset *s, const struct gw_socket *sock,
                          const char *note);

/* The same as one JSON line: the socket's fields as in docs/timeline.md, its
 * owner under "process", and the note (if any) under "note". */
int gw_sockets_print_json(FILE *out, const struct gw_sockset *s, const struct gw_socket *sock,
                          const char *note, struct gw_err *err);

#endif
