/* bare_dump.h — the bare sock_diag dump of bench/bare_dump.c, for poll_bench to
 * time alternately with ghostwire's polls. */
#ifndef GHOSTWIRE_BENCH_BARE_DUMP_H
#define GHOSTWIRE_BENCH_BARE_DUMP_H

/* A NETLINK_SOCK_DIAG socket, or -1 (errno set). */
int bare_dump_socket(void);

/* One dump on fd: TCP over IPv4 and IPv6 (and with all, UDP, RAW and PACKET
 * too), messages walked and counted, nothing parsed. The number of sockets, or
 * -1 (with a message on stderr). */
long bare_dump(int fd, int all);

#endif
