/*
 * bare_dump — the floor for listing the host's TCP sockets: one sock_diag
 * (inet_diag) dump of TCP over IPv4 and one over IPv6, all states, no
 * extensions, read with a 64 KiB buffer (as ghostwire reads), walking the
 * nlmsghdr-framed messages and counting them — no parsing beyond that.
 * Whatever lists the table through netlink, ghostwire and ss included, does at
 * least this work.
 *
 *   bare_dump [-n RUNS] [-w WARMUP] [-a]
 *
 *   -n RUNS    timed dumps (default 5); -w WARMUP untimed ones first (default 1)
 *   -a         also what ghostwire's poll asks the kernel for besides TCP: UDP
 *              over IPv4 and IPv6, RAW over IPv4 and IPv6 (skipped when the
 *              kernel has no raw_diag) and PACKET
 *
 * Prints one line:
 *   sockets=N runs=R median_ms=M min_ms=A max_ms=B all_ms=T1,T2,...
 * where sockets counts the messages of the last dump and each time
 * (CLOCK_MONOTONIC) covers every request of one dump, from the first send to
 * the last NLMSG_DONE, in this process (no process start-up).
 *
 * poll_bench links the same dump (bare_dump.h, built with -DBARE_DUMP_NO_MAIN)
 * to time it alternately with ghostwire's polls.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/packet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bare_dump.h"

#define BUF_SIZE   65536
#define ALL_STATES 0x1ffeu /* ESTABLISHED .. NEW_SYN_RECV, as ghostwire asks */

static uint8_t buf[BUF_SIZE] __attribute__((aligned(8)));
static uint32_t seq;

static int send_req(int fd, const void *body, size_t len)
{
	struct {
		struct nlmsghdr h;
		uint8_t body[64];
	} req;
	memset(&req, 0, sizeof req);
	req.h.nlmsg_len = (uint32_t)(sizeof req.h + len);
	req.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = ++seq;
	memcpy(req.body, body, len);
	struct sockaddr_nl k = {.nl_family = AF_NETLINK};
	ssize_t n = sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&k, sizeof k);
	return n == (ssize_t)req.h.nlmsg_len ? 0 : -1;
}

/* Reads one dump's reply: the number of socket messages, or -errno. */
static long walk_reply(int fd)
{
	long count = 0;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof buf, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPROTO;
		/* The messages of the datagram, each within it (NLMSG_OK's bounds). */
		size_t len = (size_t)n, off = 0;
		while (len - off >= sizeof(struct nlmsghdr)) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + off);
			if (h->nlmsg_len < sizeof *h || h->nlmsg_len > len - off)
				break;
			off += NLMSG_ALIGN(h->nlmsg_len);
			if (off > len)
				off = len;
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return count;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);
				return h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) && e->error
				               ? e->error
				               : -EPROTO;
			}
			if (h->nlmsg_type == SOCK_DIAG_BY_FAMILY)
				count++;
		}
	}
}

static long dump_inet(int fd, uint8_t family, uint8_t protocol)
{
	struct inet_diag_req_v2 r;
	memset(&r, 0, sizeof r);
	r.sdiag_family = family;
	r.sdiag_protocol = protocol;
	r.idiag_states = ALL_STATES;
	if (send_req(fd, &r, sizeof r) < 0)
		return -errno;
	return walk_reply(fd);
}

static long dump_packet(int fd)
{
	struct packet_diag_req r;
	memset(&r, 0, sizeof r);
	r.sdiag_family = AF_PACKET;
	if (send_req(fd, &r, sizeof r) < 0)
		return -errno;
	return walk_reply(fd);
}

int bare_dump_socket(void)
{
	return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
}

long bare_dump(int fd, int all)
{
	long total = 0, r;
	static const uint8_t fam[2] = {AF_INET, AF_INET6};
	for (int i = 0; i < 2; i++) {
		if ((r = dump_inet(fd, fam[i], IPPROTO_TCP)) < 0)
			goto fail;
		total += r;
	}
	if (!all)
		return total;
	for (int i = 0; i < 2; i++) {
		if ((r = dump_inet(fd, fam[i], IPPROTO_UDP)) < 0)
			goto fail;
		total += r;
	}
	for (int i = 0; i < 2; i++) {
		r = dump_inet(fd, fam[i], IPPROTO_RAW);
		if (r == -ENOENT)
			continue; /* no raw_diag in this kernel */
		if (r < 0)
			goto fail;
		total += r;
	}
	if ((r = dump_packet(fd)) < 0 && r != -ENOENT)
		goto fail;
	return total + (r > 0 ? r : 0);
fail:
	fprintf(stderr, "bare_dump: sock_diag: %s\n", strerror((int)-r));
	return -1;
}

#ifndef BARE_DUMP_NO_MAIN
static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int runs = 5, warmup = 1, all = 0, opt;
	while ((opt = getopt(argc, argv, "n:w:ah")) != -1) {
		switch (opt) {
		case 'n':
			runs = atoi(optarg);
			break;
		case 'w':
			warmup = atoi(optarg);
			break;
		case 'a':
			all = 1;
			break;
		default:
			fprintf(stderr, "usage: bare_dump [-n RUNS] [-w WARMUP] [-a]\n");
			return opt == 'h' ? 0 : 2;
		}
	}
	if (runs < 1 || warmup < 0 || optind != argc) {
		fprintf(stderr, "usage: bare_dump [-n RUNS] [-w WARMUP] [-a]\n");
		return 2;
	}
	int fd = bare_dump_socket();
	if (fd < 0) {
		perror("bare_dump: socket(NETLINK_SOCK_DIAG)");
		return 1;
	}
	double *t = calloc((size_t)runs, sizeof *t);
	if (!t)
		return 1;
	long n = 0;
	for (int i = 0; i < warmup; i++)
		if ((n = bare_dump(fd, all)) < 0)
			return 1;
	for (int i = 0; i < runs; i++) {
		double t0 = now_ms();
		if ((n = bare_dump(fd, all)) < 0)
			return 1;
		t[i] = now_ms() - t0;
	}
	close(fd);
	printf("sockets=%ld runs=%d", n, runs);
	double *s = malloc((size_t)runs * sizeof *s);
	if (!s)
		return 1;
	memcpy(s, t, (size_t)runs * sizeof *s);
	qsort(s, (size_t)runs, sizeof *s, cmp_double);
	double med = runs % 2 ? s[runs / 2] : (s[runs / 2 - 1] + s[runs / 2]) / 2;
	printf(" median_ms=%.3f min_ms=%.3f max_ms=%.3f all_ms=", med, s[0], s[runs - 1]);
	for (int i = 0; i < runs; i++)
		printf("%s%.3f", i ? "," : "", t[i]);
	printf("\n");
	free(s);
	free(t);
	return 0;
}
#endif
