/*
 * bare_loop — the physical limit for reading a capture with libpcap:
 * pcap_open_offline, then pcap_next_ex in a loop, touching every packet
 * (first and last captured byte, captured length) and nothing more.
 *
 *   bare_loop FILE
 *
 * Prints one line: packets=N bytes=B caplen_sum=C touch=X seconds=S pps=P
 * where seconds (CLOCK_MONOTONIC) cover opening the file and the loop.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bare_loop FILE\n");
		return 2;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(argv[1], err);
	if (!p) {
		fprintf(stderr, "bare_loop: %s\n", err);
		return 1;
	}

	struct pcap_pkthdr *h;
	const u_char *d;
	uint64_t n = 0, bytes = 0, caps = 0;
	unsigned touch = 0;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		n++;
		bytes += h->len;
		caps += h->caplen;
		if (h->caplen)
			touch ^= d[0] ^ d[h->caplen - 1];
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int status = 0;
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "bare_loop: %s\n", pcap_geterr(p));
		status = 1;
	}
	pcap_close(p);

	double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("packets=%llu bytes=%llu caplen_sum=%llu touch=%u seconds=%.6f pps=%.0f\n",
	       (unsigned long long)n, (unsigned long long)bytes, (unsigned long long)caps, touch, s,
	       s > 0 ? (double)n / s : 0.0);
	return status;
}
