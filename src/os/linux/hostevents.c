/* os/linux/hostevents.c — the kernel's event sources on Linux: the process
 * connector (fork/exec/exit), rtnetlink address groups, and sock_diag's
 * socket-destroy groups. Owns their netlink sockets and turns each message,
 * read through a bounded cursor, into struct gw_host_event. */
#include <errno.h>
#include <fcntl.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ghostwire/clock.h"
#include "ghostwire/cursor.h"
#include "ghostwire/hostevents.h"
#include "hostevents_internal.h"

#define RECV_BUF 65536

struct gw_host_events {
	int proc_fd, addr_fd, sock_fd; /* -1 when not subscribed */
	struct gw_host_events_stats stats;
	uint8_t buf[RECV_BUF];
};

static int open_netlink(int protocol, unsigned groups)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, protocol);
	if (fd < 0)
		return -1;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = groups, .nl_pid = 0};
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	int size = 4 << 20; /* room for bursts: a fork storm is thousands of events */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	return fd;
}

/* The process connector needs a PROC_CN_MCAST_LISTEN message after bind. */
static int open_proc_connector(void)
{
	int fd = open_netlink(NETLINK_CONNECTOR, CN_IDX_PROC);
	if (fd < 0)
		return -1;
	/* nlmsghdr, then cn_msg (whose data is variable), then the operation. */
	enum proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
	uint8_t msg[NLMSG_LENGTH(sizeof(struct cn_msg) + sizeof op)];
	struct nlmsghdr nl = {
	        .nlmsg_len = sizeof msg, .nlmsg_type = NLMSG_DONE, .nlmsg_pid = (unsigned)getpid()};
	struct cn_msg cn = {.id = {.idx = CN_IDX_PROC, .val = CN_VAL_PROC}, .len = sizeof op};
	memset(msg, 0, sizeof msg);
	memcpy(msg, &nl, sizeof nl);
	memcpy(msg + NLMSG_HDRLEN, &cn, sizeof cn);
	memcpy(msg + NLMSG_HDRLEN + sizeof cn, &op, sizeof op);
	if (send(fd, &msg, sizeof msg, 0) != (ssize_t)sizeof msg) {
		close(fd);
		return -1;
	}
	return fd;
}

static int open_sock_destroy(void)
{
	int fd = open_netlink(NETLINK_SOCK_DIAG, 0);
	if (fd < 0)
		return -1;
	int groups[] = {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY,
	                SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET6_UDP_DESTROY};
	for (size_t i = 0; i < sizeof groups / sizeof *groups; i++)
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
		               sizeof groups[i]) < 0) {
			close(fd);
			return -1;
		}
	return fd;
}

static void note_unavailable(char *buf, size_t size, const char *what)
{
	size_t len = strlen(buf);
	snprintf(buf + len, size - len, "%s%s (%s)", len ? "; " : "", what, strerror(errno));
}

int gw_host_events_open(unsigned sources, struct gw_host_events **out, char *unavailable,
                        size_t unavailable_size, struct gw_err *err)
{
	*out = NULL;
	unavailable[0] = '\0';
	struct gw_host_events *e = calloc(1, sizeof *e);
	if (!e)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	e->proc_fd = e->addr_fd = e->sock_fd = -1;
	if ((sources & GW_HEV_SRC_PROC) && (e->proc_fd = open_proc_connector()) < 0)
		note_unavailable(unavailable, unavailable_size, "process events");
	if ((sources & GW_HEV_SRC_ADDR) &&
	    (e->addr_fd = open_netlink(NETLINK_ROUTE, RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR)) < 0)
		note_unavailable(unavailable, unavailable_size, "address events");
	if ((sources & GW_HEV_SRC_SOCK) && (e->sock_fd = open_sock_destroy()) < 0)
		note_unavailable(unavailable, unavailable_size, "socket-destroy events");
	if (e->proc_fd < 0 && e->addr_fd < 0 && e->sock_fd < 0 && sources) {
		free(e);
		return gw_err_set(err, GW_EPERM, "no kernel event source could be opened: %s",
		                  unavailable);
	}
	*out = e;
	return 0;
}

size_t gw_host_events_fds(const struct gw_host_events *e, int *fds, size_t max)
{
	size_t n = 0;
	int all[] = {e->proc_fd, e->addr_fd, e->sock_fd};
	for (size_t i = 0; i < 3 && n < max; i++)
		if (all[i] >= 0)
			fds[n++] = all[i];
	return n;
}

/* Drains one socket into out[*n..max); stops early when out is full. */
static int drain(struct gw_host_events *e, int fd, gw__hev_parse_fn parse,
                 struct gw_host_event *out, size_t max, size_t *n, struct gw_err *err)
{
	while (*n < max) {
		ssize_t got = recv(fd, e->buf, sizeof e->buf, MSG_DONTWAIT);
		if (got < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return 0;
			if (errno == ENOBUFS) { /* the kernel dropped events: say so, go on */
				e->stats.overruns++;
				continue;
			}
			return gw_err_set(err, GW_EIO, "reading kernel events: %s",
			                  strerror(errno));
		}
		int64_t now = gw_clock_realtime_us();
		size_t before = *n;
		e->stats.malformed += parse(e->buf, (size_t)got, out, max, n);
		for (size_t i = before; i < *n; i++)
			out[i].ts_us = now;
		e->stats.received += *n - before;
	}
	return 0;
}

int gw_host_events_read(struct gw_host_events *e, struct gw_host_event *out, size_t max,
                        struct gw_err *err)
{
	size_t n = 0;
	if (e->proc_fd >= 0 && drain(e, e->proc_fd, gw__hev_parse_proc, out, max, &n, err) < 0)
		return err ? err->code : GW_EIO;
	if (e->addr_fd >= 0 && drain(e, e->addr_fd, gw__hev_parse_addr, out, max, &n, err) < 0)
		return err ? err->code : GW_EIO;
	if (e->sock_fd >= 0 && drain(e, e->sock_fd, gw__hev_parse_destroy, out, max, &n, err) < 0)
		return err ? err->code : GW_EIO;
	return (int)n;
}

const struct gw_host_events_stats *gw_host_events_stats(const struct gw_host_events *e)
{
	return &e->stats;
}

void gw_host_events_close(struct gw_host_events *e)
{
	if (!e)
		return;
	int all[] = {e->proc_fd, e->addr_fd, e->sock_fd};
	for (size_t i = 0; i < 3; i++)
		if (all[i] >= 0)
			close(all[i]);
	free(e);
}
