/*
 * gen_capture — write a large, deterministic, realistic-looking capture for
 * benchmarks.
 *
 * Classic pcap (magic a1b2c3d4, microsecond timestamps, LINKTYPE_ETHERNET),
 * written with plain stdio: no libpcap needed.
 *
 * Model: a fixed number of flow "slots" (the concurrent flows). For every
 * packet, one live slot is picked uniformly at random and emits the next
 * packet of its flow; a flow that has emitted its last packet is replaced by
 * a new one (until the flow budget is spent). So packets of concurrent flows
 * interleave, and each flow's packets are spread over about
 * (flow length x concurrent flows) packets of the capture.
 *
 *   TCP:  SYN, SYN-ACK, ACK, request/response bursts with ACKs both ways,
 *         then FIN/ACK, FIN/ACK, ACK (about 10 % end with a RST instead).
 *   UDP:  request/response pairs (DNS- and NTP-like single pairs, QUIC-like
 *         and other longer exchanges).
 *
 * The local side is 10.0.0.0/8 or fd67:7769:7265::/48 (inside fd00::/8), the
 * remote side public-looking addresses: half from a pool of popular servers,
 * half random. Every flow's 5-tuple is unique in the whole capture. Frames
 * are 60..1514 bytes, timestamps strictly increasing (a base interval plus
 * jitter). IPv4 header checksums are valid; TCP/UDP checksums are not
 * computed. The same options and seed always give the same bytes.
 *
 * A summary line of key=value pairs goes to stderr at the end (or stdout
 * with --stats-stdout) so scripts can read what was written.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ rng */

static uint64_t rs[4];

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256** */
static inline uint64_t rnd(void)
{
	uint64_t r = rotl(rs[1] * 5, 7) * 9;
	uint64_t t = rs[1] << 17;
	rs[2] ^= rs[0];
	rs[3] ^= rs[1];
	rs[1] ^= rs[2];
	rs[0] ^= rs[3];
	rs[2] ^= t;
	rs[3] = rotl(rs[3], 45);
	return r;
}

/* uniform in [0, n), n < 2^32 */
static inline uint32_t below(uint32_t n)
{
	return (uint32_t)(((rnd() >> 32) * (uint64_t)n) >> 32);
}

/* uniform in [lo, hi] */
static inline uint32_t range(uint32_t lo, uint32_t hi)
{
	return lo + below(hi - lo + 1);
}

/* uniform in [0, 1) */
static inline double unif(void)
{
	return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0);
}

/* exponential with the given mean, rounded down */
static uint32_t expo(double mean)
{
	if (mean <= 0)
		return 0;
	double v = -log(1.0 - unif()) * mean;
	if (v > 4e9)
		v = 4e9;
	return (uint32_t)v;
}

/* ---------------------------------------------------------------- flows */

enum {
	CLIENT = 0,
	SERVER = 1
};

enum svc {
	SVC_TCP,  /* request/response over TCP */
	SVC_DNS,  /* one small query, one answer */
	SVC_NTP,  /* 48 / 48 */
	SVC_QUIC, /* big first request, mixed after */
	SVC_UDP,  /* anything */
};

struct flow {
	uint8_t lip[16], rip[16]; /* local / remote address (IPv4: first 4 bytes) */
	uint8_t lmac_lo[3];       /* low bytes of the local host's MAC */
	uint16_t lport, rport;
	uint32_t seq[2];    /* next sequence number, by side */
	uint32_t remaining; /* TCP: data-phase packets left; UDP: packets left */
	uint32_t flowlabel;
	uint32_t name_seed; /* DNS: the name asked for */
	uint16_t ipid[2];
	uint16_t win[2];
	uint16_t burst_left;
	uint8_t v6, udp, local_is_client, svc;
	uint8_t ttl_remote;
	uint8_t phase, started;
	uint8_t rst, closer, burst_dir, unacked;
	uint8_t first_data;
};

/* --------------------------------------------------------------- config */

static uint64_t opt_packets = 1000000;
static uint64_t opt_concurrent = 10000;
static uint64_t opt_flows = 0; /* 0: unlimited */
static double opt_length = 0;  /* mean packets per flow; 0: derive */
static double opt_v6 = 0.3;
static double opt_udp = 0.2;
static uint64_t opt_seed = 1;
static const char *opt_out = NULL;
static uint64_t opt_slice = 0;
static const char *opt_slice_out = NULL;
static uint32_t opt_snaplen = 262144;
static uint64_t opt_start = 1714564800; /* 2024-05-01T12:00:00Z */
static uint32_t opt_interval = 1;       /* µs between packets ... */
static uint32_t opt_jitter = 2;         /* ... plus 0..jitter µs */
static uint32_t opt_hosts = 4096;       /* local hosts */
static int opt_stats_stdout = 0;

/* ---------------------------------------------------------- addressing */

#define NPOP 1024
static uint8_t pop4[NPOP][4];
static uint8_t pop6[NPOP][16];

static const uint8_t GW_MAC[6] = {0x00, 0x1b, 0x21, 0x3a, 0x5c, 0x7e};

static void random_public_v4(uint8_t a[4])
{
	for (;;) {
		uint32_t x = (uint32_t)rnd();
		uint8_t o = (uint8_t)(x >> 24);
		if (o == 0 || o == 10 || o == 100 || o == 127 || o == 169 || o == 172 || o == 192 ||
		    o >= 224)
			continue;
		a[0] = o;
		a[1] = (uint8_t)(x >> 16);
		a[2] = (uint8_t)(x >> 8);
		a[3] = (uint8_t)x;
		if (a[3] == 0 || a[3] == 255)
			a[3] = 1 + (a[3] & 0x7f);
		return;
	}
}

static void random_public_v6(uint8_t a[16])
{
	uint64_t h = rnd(), l = rnd();
	for (int i = 0; i < 8; i++) {
		a[i] = (uint8_t)(h >> (56 - 8 * i));
		a[8 + i] = (uint8_t)(l >> (56 - 8 * i));
	}
	a[0] = 0x20 | (a[0] & 0x1f); /* 2000::/3 */
	if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
		a[1] = 0x02; /* not the documentation prefix */
}

/* A bijection on [0, 2^bits): odd multiply + xorshift rounds. */
static uint64_t perm_bits(uint64_t x, int bits)
{
	uint64_t mask = (bits == 64) ? ~0ULL : ((1ULL << bits) - 1);
	for (int r = 0; r < 3; r++) {
		x = (x * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL) & mask;
		x ^= x >> (bits / 2 + 1);
	}
	return x & mask;
}

/* Bijection on [0, n) by cycle walking. */
static uint64_t perm_n(uint64_t x, uint64_t n, int bits)
{
	do
		x = perm_bits(x, bits);
	while (x >= n);
	return x;
}

static int bits_for(uint64_t n)
{
	int b = 1;
	while (b < 64 && (1ULL << b) < n)
		b++;
	return b;
}

#define EPH_LO 32768u
#define EPH_N  (65536u - EPH_LO)

static uint64_t tuple_space;
static int tuple_bits;

static void local_host(struct flow *f, uint32_t h)
{
	/* IPv4 10.x.y.z, z in 1..250 */
	uint32_t z = 1 + h % 250, rest = h / 250;
	uint8_t y = (uint8_t)(rest & 0xff), x = (uint8_t)((rest >> 8) & 0xff);
	memset(f->lip, 0, 16);
	if (!f->v6) {
		f->lip[0] = 10;
		f->lip[1] = x;
		f->lip[2] = y;
		f->lip[3] = (uint8_t)z;
	} else {
		/* fd67:7769:7265:SSSS::IID, S = host/250, IID from the host number */
		static const uint8_t pfx[6] = {0xfd, 0x67, 0x77, 0x69, 0x72, 0x65};
		memcpy(f->lip, pfx, 6);
		f->lip[6] = x;
		f->lip[7] = y;
		uint64_t iid = perm_bits(h, 64) | 1;
		for (int i = 0; i < 8; i++)
			f->lip[8 + i] = (uint8_t)(iid >> (56 - 8 * i));
	}
	f->lmac_lo[0] = x;
	f->lmac_lo[1] = y;
	f->lmac_lo[2] = (uint8_t)z;
}

/* ------------------------------------------------------------ planning */

static const double tcp_base = 8;

static uint16_t pick_tcp_out_port(void)
{
	uint32_t r = below(100);
	if (r < 58)
		return 443;
	if (r < 72)
		return 80;
	if (r < 76)
		return 22;
	if (r < 79)
		return 993;
	if (r < 82)
		return 8080;
	if (r < 84)
		return 25;
	if (r < 86)
		return 5222;
	if (r < 88)
		return 8443;
	return (uint16_t)range(1024, 32767);
}

static uint16_t pick_tcp_in_port(void)
{
	static const uint16_t p[] = {22, 80, 443, 443, 443, 8443, 25, 3389};
	return p[below(8)];
}

/* Plan a new flow with serial number `serial` in slot f. */
static void plan_flow(struct flow *f, uint64_t serial, double mean_len)
{
	memset(f, 0, sizeof *f);
	f->v6 = unif() < opt_v6;
	f->udp = unif() < opt_udp;
	f->local_is_client = f->udp ? (below(100) < 90) : (below(100) < 85);

	/* unique (local host, ephemeral port) for every flow of the run */
	uint64_t u = perm_n(serial, tuple_space, tuple_bits);
	uint32_t host = (uint32_t)(u / EPH_N);
	uint16_t eph = (uint16_t)(EPH_LO + u % EPH_N);
	local_host(f, host);

	/* remote: half popular servers, half anything */
	int popular = f->local_is_client && below(2) == 0;
	if (f->v6) {
		if (popular)
			memcpy(f->rip, pop6[below(NPOP)], 16);
		else
			random_public_v6(f->rip);
	} else {
		if (popular)
			memcpy(f->rip, pop4[below(NPOP)], 4);
		else
			random_public_v4(f->rip);
	}
	f->ttl_remote = (uint8_t)(below(3) == 0 ? range(110, 122) : range(45, 60));
	f->flowlabel = (uint32_t)rnd() & 0xfffff;
	f->name_seed = (uint32_t)rnd();

	uint16_t svc_port;
	if (!f->udp) {
		f->svc = SVC_TCP;
		svc_port = f->local_is_client ? pick_tcp_out_port() : pick_tcp_in_port();
		double extra = mean_len - tcp_base;
		if (extra < 0.5)
			extra = 0.5;
		uint32_t d = 2 + expo(extra); /* data-phase packets, >= 2 */
		f->remaining = d;
		f->rst = below(100) < 10;
		f->closer = below(100) < 60 ? CLIENT : SERVER;
		f->seq[0] = (uint32_t)rnd();
		f->seq[1] = (uint32_t)rnd();
		f->win[0] = (uint16_t)range(502, 65535);
		f->win[1] = (uint16_t)range(502, 65535);
		f->first_data = 1;
	} else {
		/* half single-pair (DNS/NTP), half longer exchanges;
		   mean over both halves ~ mean_len */
		uint32_t pairs;
		if (below(2) == 0 || mean_len <= 2.5) {
			pairs = 1;
			f->svc = below(100) < 85 ? SVC_DNS : SVC_NTP;
		} else {
			/* packets = 2 + 2 * expo(mean - 2): with the single
			   pairs, the mean over all UDP flows is mean_len */
			pairs = 1 + expo(mean_len - 2);
			f->svc = below(100) < 65 ? SVC_QUIC : SVC_UDP;
		}
		f->remaining = 2 * pairs;
		if (f->local_is_client) {
			switch (f->svc) {
			case SVC_DNS:
				svc_port = 53;
				break;
			case SVC_NTP:
				svc_port = 123;
				break;
			case SVC_QUIC:
				svc_port = 443;
				break;
			default: {
				static const uint16_t p[] = {51820, 51820, 3478,
				                             19302, 9993,  27015};
				svc_port = below(4) ? p[below(6)] : (uint16_t)range(1024, 32767);
			}
			}
		} else {
			/* a local server: DNS, NTP, or a VPN endpoint */
			switch (f->svc) {
			case SVC_DNS:
				svc_port = 53;
				break;
			case SVC_NTP:
				svc_port = 123;
				break;
			default:
				f->svc = SVC_UDP;
				svc_port = below(2) ? 51820 : 9993;
			}
		}
	}
	f->ipid[0] = (uint16_t)rnd();
	f->ipid[1] = (uint16_t)rnd();
	if (f->local_is_client) {
		f->lport = eph;
		f->rport = svc_port;
	} else {
		f->lport = svc_port;
		f->rport = eph;
	}
}

/* -------------------------------------------------------------- output */

struct pcap_rec {
	uint32_t ts_sec, ts_usec, caplen, len;
};

static FILE *out, *slice;
static uint64_t n_written, bytes_written;
static uint64_t ts_sec, ts_usec, last_sec, last_usec;
static uint8_t payload_pool[4096];
static uint8_t pkt[16 + 65536];

/* stats */
static uint64_t st_flows_started, st_flows_done, st_active, st_max_active;
static uint64_t st_tcp, st_udp, st_v4, st_v6, st_rst, st_fin;
static uint64_t st_slice_flows, st_slice_tcp;

_Noreturn static void die(const char *msg)
{
	fprintf(stderr, "gen_capture: %s: %s\n", msg, strerror(errno));
	exit(1);
}

static void write_header(FILE *fp)
{
	struct {
		uint32_t magic;
		uint16_t vmaj, vmin;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} h = {0xa1b2c3d4, 2, 4, 0, 0, opt_snaplen, 1};
	if (fwrite(&h, sizeof h, 1, fp) != 1)
		die("write");
}

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t ip4_csum(const uint8_t *h)
{
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)h[i] << 8 | h[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

#define F_FIN 0x01
#define F_SYN 0x02
#define F_RST 0x04
#define F_PSH 0x08
#define F_ACK 0x10

/* Emit one packet of flow f sent by `side` (CLIENT/SERVER). */
static void emit(struct flow *f, int side, uint8_t flags, uint32_t plen, int synopts,
                 const uint8_t *data)
{
	int from_local = (side == CLIENT) == (f->local_is_client != 0);
	uint8_t *e = pkt + sizeof(struct pcap_rec);
	uint8_t *p = e;

	/* Ethernet */
	uint8_t lmac[6] = {0x02, 0x00, 0x0a, f->lmac_lo[0], f->lmac_lo[1], f->lmac_lo[2]};
	memcpy(p, from_local ? GW_MAC : lmac, 6);
	memcpy(p + 6, from_local ? lmac : GW_MAC, 6);
	put16(p + 12, f->v6 ? 0x86dd : 0x0800);
	p += 14;

	const uint8_t *sip = from_local ? f->lip : f->rip;
	const uint8_t *dip = from_local ? f->rip : f->lip;
	uint16_t sport = from_local ? f->lport : f->rport;
	uint16_t dport = from_local ? f->rport : f->lport;
	uint8_t ttl = from_local ? 64 : f->ttl_remote;

	uint32_t l4hdr = f->udp ? 8 : (synopts ? 40 : 20);
	uint32_t l4len = l4hdr + plen;
	uint8_t *ip = p;
	if (!f->v6) {
		ip[0] = 0x45;
		ip[1] = 0;
		put16(ip + 2, (uint16_t)(20 + l4len));
		put16(ip + 4, f->ipid[side]++);
		put16(ip + 6, f->udp ? 0 : 0x4000);
		ip[8] = ttl;
		ip[9] = f->udp ? 17 : 6;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, sip, 4);
		memcpy(ip + 16, dip, 4);
		put16(ip + 10, ip4_csum(ip));
		p += 20;
	} else {
		put32(ip, 0x60000000u | f->flowlabel);
		put16(ip + 4, (uint16_t)l4len);
		ip[6] = f->udp ? 17 : 6;
		ip[7] = ttl;
		memcpy(ip + 8, sip, 16);
		memcpy(ip + 24, dip, 16);
		p += 40;
	}

	uint8_t *l4 = p;
	if (f->udp) {
		put16(l4, sport);
		put16(l4 + 2, dport);
		put16(l4 + 4, (uint16_t)l4len);
		put16(l4 + 6, f->v6 ? (uint16_t)(rnd() | 1) : 0);
	} else {
		int other = side ^ 1;
		put16(l4, sport);
		put16(l4 + 2, dport);
		put32(l4 + 4, f->seq[side]);
		put32(l4 + 8, (flags & F_ACK) ? f->seq[other] : 0);
		l4[12] = (uint8_t)((l4hdr / 4) << 4);
		l4[13] = flags;
		put16(l4 + 14, f->win[side]);
		put16(l4 + 16, (uint16_t)rnd()); /* checksum: not computed */
		put16(l4 + 18, 0);
		if (synopts) {
			uint8_t *o = l4 + 20;
			o[0] = 2;
			o[1] = 4;
			put16(o + 2, f->v6 ? 1440 : 1460); /* MSS */
			o[4] = 4;
			o[5] = 2; /* SACK permitted */
			o[6] = 8;
			o[7] = 10;
			put32(o + 8, (uint32_t)rnd()); /* timestamps */
			put32(o + 12, side == SERVER ? (uint32_t)rnd() : 0);
			o[16] = 1; /* NOP */
			o[17] = 3;
			o[18] = 3;
			o[19] = 7; /* window scale */
		}
		uint32_t adv = plen + ((flags & (F_SYN | F_FIN)) ? 1 : 0);
		f->seq[side] += adv;
	}
	p += l4hdr;

	if (plen) {
		if (data) {
			memcpy(p, data, plen);
		} else {
			/* payload: a slice of a random pool, shifted per packet */
			uint32_t off = below(sizeof payload_pool - 1600);
			memcpy(p, payload_pool + off, plen);
		}
		p += plen;
	}
	uint32_t len = (uint32_t)(p - e);
	if (len < 60) {
		memset(p, 0, 60 - len); /* Ethernet padding */
		len = 60;
	}

	struct pcap_rec r;
	r.ts_sec = (uint32_t)ts_sec;
	r.ts_usec = (uint32_t)ts_usec;
	r.len = len;
	r.caplen = len < opt_snaplen ? len : opt_snaplen;
	memcpy(pkt, &r, sizeof r);
	size_t tot = sizeof r + r.caplen;
	if (fwrite(pkt, 1, tot, out) != tot)
		die("write");
	if (slice && n_written < opt_slice) {
		if (fwrite(pkt, 1, tot, slice) != tot)
			die("write slice");
	}
	n_written++;
	bytes_written += len;
	last_sec = ts_sec;
	last_usec = ts_usec;

	ts_usec += opt_interval + (opt_jitter ? below(opt_jitter + 1) : 0);
	if (ts_usec >= 1000000) {
		ts_sec += ts_usec / 1000000;
		ts_usec %= 1000000;
	}
}

static uint32_t mss(const struct flow *f)
{
	return f->v6 ? 1440 : 1460;
}

/* payload size for a data segment */
static uint32_t tcp_data_len(struct flow *f, int side, int last_of_burst)
{
	if (side == CLIENT && f->burst_dir == CLIENT && f->first_data)
		return range(60, 700); /* a request */
	if (!last_of_burst)
		return mss(f);
	if (side == CLIENT)
		return range(20, 900);
	return below(4) == 0 ? range(1, 200) : range(200, mss(f));
}

static uint32_t udp_len(struct flow *f, int side, int first)
{
	switch (f->svc) {
	case SVC_QUIC:
		if (first && side == CLIENT)
			return range(1200, 1350);
		return below(2) ? range(1000, 1350) : range(25, 400);
	default:
		return range(20, 1400);
	}
}

/* A plausible DNS query (client) or answer (server) for the flow's name. */
static uint32_t dns_msg(const struct flow *f, int side, uint8_t *m)
{
	static const char *const first[] = {"www",    "api",   "cdn",    "mail", "img",
	                                    "static", "login", "update", "time", "edge"};
	static const char *const tld[] = {"com", "net", "org", "io", "de", "cloud"};
	uint64_t x = f->name_seed;
	uint64_t r1 = splitmix64(&x), r2 = splitmix64(&x);
	uint16_t id = (uint16_t)r1;
	uint16_t qtype = f->v6 ? 28 : 1;
	uint32_t answers = side == SERVER ? 1 + (uint32_t)((r1 >> 16) % 3) : 0;

	put16(m, id);
	put16(m + 2, side == SERVER ? 0x8180 : 0x0100);
	put16(m + 4, 1);
	put16(m + 6, (uint16_t)answers);
	put16(m + 8, 0);
	put16(m + 10, 0);
	uint8_t *q = m + 12;
	/* name: <first>.<5..12 letters>.<tld> */
	const char *l1 = first[(r1 >> 24) % 10];
	size_t n1 = strlen(l1);
	*q++ = (uint8_t)n1;
	memcpy(q, l1, n1);
	q += n1;
	uint32_t n2 = 5 + (uint32_t)((r1 >> 32) % 8);
	*q++ = (uint8_t)n2;
	for (uint32_t i = 0; i < n2; i++) {
		*q++ = (uint8_t)('a' + (r2 % 26));
		r2 /= 26;
	}
	const char *l3 = tld[(r1 >> 40) % 6];
	size_t n3 = strlen(l3);
	*q++ = (uint8_t)n3;
	memcpy(q, l3, n3);
	q += n3;
	*q++ = 0;
	put16(q, qtype);
	put16(q + 2, 1);
	q += 4;
	for (uint32_t a = 0; a < answers; a++) {
		put16(q, 0xc00c); /* the name in the question */
		put16(q + 2, qtype);
		put16(q + 4, 1);
		put32(q + 6, 60 + (uint32_t)(r1 >> 48) % 3600);
		uint16_t rdlen = f->v6 ? 16 : 4;
		put16(q + 10, rdlen);
		q += 12;
		if (a == 0) {
			memcpy(q, f->rip, rdlen); /* not the resolver, but plausible */
			if (!f->v6)
				q[3] ^= 0x5a;
		} else {
			uint64_t v = splitmix64(&x);
			for (uint16_t i = 0; i < rdlen; i++)
				q[i] = (uint8_t)(v >> (8 * (i & 7))) ^ (uint8_t)i;
			q[0] = f->v6 ? 0x26 : 0x68;
		}
		q += rdlen;
	}
	return (uint32_t)(q - m);
}

/* An NTPv4 client request (mode 3) or server reply (mode 4). */
static uint32_t ntp_msg(int side, uint8_t *m)
{
	memset(m, 0, 48);
	m[0] = side == CLIENT ? 0x23 : 0x24;
	if (side == SERVER) {
		m[1] = 2;    /* stratum */
		m[2] = 3;    /* poll */
		m[3] = 0xe9; /* precision */
		for (int i = 12; i < 48; i += 8) {
			uint64_t v = rnd();
			memcpy(m + i, &v, 8);
		}
	} else {
		uint64_t v = rnd();
		memcpy(m + 40, &v, 8); /* transmit timestamp */
	}
	return 48;
}

/* Emit the next packet of flow f. Returns 1 when the flow has finished. */
static int step(struct flow *f)
{
	if (!f->started) {
		f->started = 1;
		st_flows_started++;
		st_active++;
		if (st_active > st_max_active)
			st_max_active = st_active;
		if (f->udp)
			st_udp++;
		else
			st_tcp++;
		if (f->v6)
			st_v6++;
		else
			st_v4++;
		if (n_written < opt_slice) {
			st_slice_flows++;
			if (!f->udp)
				st_slice_tcp++;
		}
	}

	if (f->udp) {
		int side = (f->remaining & 1) ? SERVER : CLIENT; /* even: request */
		int first = f->phase == 0;
		if (f->svc == SVC_DNS || f->svc == SVC_NTP) {
			uint8_t msg[512];
			uint32_t n = f->svc == SVC_DNS ? dns_msg(f, side, msg) : ntp_msg(side, msg);
			emit(f, side, 0, n, 0, msg);
		} else {
			emit(f, side, 0, udp_len(f, side, first), 0, NULL);
		}
		f->phase = 1;
		return --f->remaining == 0;
	}

	switch (f->phase) {
	case 0:
		emit(f, CLIENT, F_SYN, 0, 1, NULL);
		f->phase = 1;
		return 0;
	case 1:
		emit(f, SERVER, F_SYN | F_ACK, 0, 1, NULL);
		f->phase = 2;
		return 0;
	case 2:
		emit(f, CLIENT, F_ACK, 0, 0, NULL);
		f->phase = 3;
		f->burst_dir = CLIENT;
		f->burst_left = (f->remaining >= 6 && below(5) == 0) ? (uint16_t)range(2, 3) : 1;
		f->unacked = 0;
		return 0;
	case 3:
		if (f->remaining > 0) {
			f->remaining--;
			if (f->unacked >= 2) {
				/* delayed ACK from the receiver */
				emit(f, f->burst_dir ^ 1, F_ACK, 0, 0, NULL);
				f->unacked = 0;
				return 0;
			}
			if (f->burst_left == 0) {
				/* the other side answers; its data acks what it got */
				f->burst_dir ^= 1;
				f->first_data = 0;
				f->unacked = 0;
				if (f->burst_dir == SERVER) {
					uint32_t m = f->remaining + 1;
					f->burst_left = (uint16_t)(1 + below(m < 24 ? m : 24));
				} else {
					f->burst_left = below(4) == 0 ? (uint16_t)range(2, 3) : 1;
				}
			}
			int side = f->burst_dir;
			int last = f->burst_left == 1;
			uint32_t len = tcp_data_len(f, side, last);
			emit(f, side, F_ACK | (last ? F_PSH : 0), len, 0, NULL);
			f->burst_left--;
			f->unacked++;
			return 0;
		}
		if (f->rst) {
			emit(f, below(2) ? CLIENT : SERVER, F_RST | F_ACK, 0, 0, NULL);
			st_rst++;
			return 1;
		}
		emit(f, f->closer, F_FIN | F_ACK, 0, 0, NULL);
		f->phase = 4;
		return 0;
	case 4:
		emit(f, f->closer ^ 1, F_FIN | F_ACK, 0, 0, NULL);
		f->phase = 5;
		return 0;
	default:
		emit(f, f->closer, F_ACK, 0, 0, NULL);
		st_fin++;
		return 1;
	}
}

/* ---------------------------------------------------------------- main */

static uint64_t parse_count(const char *s, const char *what)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || v < 0)
		goto bad;
	switch (*end) {
	case 'k':
	case 'K':
		v *= 1e3;
		end++;
		break;
	case 'm':
	case 'M':
		v *= 1e6;
		end++;
		break;
	case 'g':
	case 'G':
		v *= 1e9;
		end++;
		break;
	}
	if (*end)
		goto bad;
	return (uint64_t)(v + 0.5);
bad:
	fprintf(stderr, "gen_capture: bad %s: %s\n", what, s);
	exit(2);
}

static double parse_share(const char *s, const char *what)
{
	char *end;
	double v = strtod(s, &end);
	if (end != s && *end == '%') {
		v /= 100;
		end++;
	}
	if (end == s || *end || v < 0 || v > 1) {
		fprintf(stderr, "gen_capture: bad %s (a fraction 0..1 or a percentage): %s\n", what,
		        s);
		exit(2);
	}
	return v;
}

static void usage(FILE *fp)
{
	fprintf(fp,
	        "usage: gen_capture -o FILE [options]\n"
	        "Write a deterministic synthetic capture (classic pcap, Ethernet, µs timestamps).\n"
	        "\n"
	        "  -o, --output FILE          output file ('-' for stdout)\n"
	        "  -n, --packets N            total packets (default 1M; k/M/G suffixes)\n"
	        "  -c, --concurrent N         concurrent flows (default 10k)\n"
	        "  -f, --flows N              total flows: at most N are created, and the mean\n"
	        "                             flow length is chosen so that about N are\n"
	        "  -l, --flow-length L        mean packets per flow (instead of deriving it\n"
	        "                             from --flows; default 20 when neither is given)\n"
	        "  -6, --ipv6 SHARE           share of IPv6 flows, 0..1 or N%% (default 0.3)\n"
	        "  -u, --udp SHARE            share of UDP flows (default 0.2)\n"
	        "  -s, --seed N               random seed (default 1)\n"
	        "  -k, --slice-packets N      also write the first N packets ...\n"
	        "  -K, --slice-output FILE    ... to this file\n"
	        "      --snaplen N            snap length (default 262144; longer frames "
	        "truncated)\n"
	        "      --start SECONDS        first timestamp, Unix time (default 1714564800)\n"
	        "      --interval US          base µs between packets (default 1)\n"
	        "      --jitter US            plus 0..US µs (default 2)\n"
	        "      --local-hosts N        local hosts the flows are spread over (default "
	        "4096)\n"
	        "      --stats-stdout         print the summary line on stdout, not stderr\n"
	        "  -h, --help\n"
	        "\n"
	        "At the end a line of key=value pairs describes what was written.\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	        {"output", required_argument, 0, 'o'},
	        {"packets", required_argument, 0, 'n'},
	        {"concurrent", required_argument, 0, 'c'},
	        {"flows", required_argument, 0, 'f'},
	        {"flow-length", required_argument, 0, 'l'},
	        {"ipv6", required_argument, 0, '6'},
	        {"udp", required_argument, 0, 'u'},
	        {"seed", required_argument, 0, 's'},
	        {"slice-packets", required_argument, 0, 'k'},
	        {"slice-output", required_argument, 0, 'K'},
	        {"snaplen", required_argument, 0, 1},
	        {"start", required_argument, 0, 2},
	        {"interval", required_argument, 0, 3},
	        {"jitter", required_argument, 0, 4},
	        {"local-hosts", required_argument, 0, 5},
	        {"stats-stdout", no_argument, 0, 6},
	        {"help", no_argument, 0, 'h'},
	        {0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "o:n:c:f:l:6:u:s:k:K:h", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt_out = optarg;
			break;
		case 'n':
			opt_packets = parse_count(optarg, "packet count");
			break;
		case 'c':
			opt_concurrent = parse_count(optarg, "concurrent flows");
			break;
		case 'f':
			opt_flows = parse_count(optarg, "flow count");
			break;
		case 'l': {
			char *end;
			opt_length = strtod(optarg, &end);
			if (end == optarg || *end || opt_length < 1) {
				fprintf(stderr, "gen_capture: bad flow length: %s\n", optarg);
				return 2;
			}
			break;
		}
		case '6':
			opt_v6 = parse_share(optarg, "IPv6 share");
			break;
		case 'u':
			opt_udp = parse_share(optarg, "UDP share");
			break;
		case 's':
			opt_seed = parse_count(optarg, "seed");
			break;
		case 'k':
			opt_slice = parse_count(optarg, "slice packets");
			break;
		case 'K':
			opt_slice_out = optarg;
			break;
		case 1:
			opt_snaplen = (uint32_t)parse_count(optarg, "snaplen");
			break;
		case 2:
			opt_start = parse_count(optarg, "start");
			break;
		case 3:
			opt_interval = (uint32_t)parse_count(optarg, "interval");
			break;
		case 4:
			opt_jitter = (uint32_t)parse_count(optarg, "jitter");
			break;
		case 5:
			opt_hosts = (uint32_t)parse_count(optarg, "local hosts");
			break;
		case 6:
			opt_stats_stdout = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !opt_out) {
		usage(stderr);
		return 2;
	}
	if (opt_concurrent < 1 || opt_packets < 1 || opt_hosts < 1 || opt_snaplen < 60 ||
	    opt_snaplen > 262144 || opt_interval + opt_jitter < 1 || opt_hosts > 16000000 ||
	    opt_concurrent > 100000000) {
		fprintf(stderr,
		        "gen_capture: need packets >= 1, 1 <= concurrent <= 100M, "
		        "1 <= local-hosts <= 16M, 60 <= snaplen <= 262144, interval+jitter >= 1\n");
		return 2;
	}
	if ((opt_slice > 0) != (opt_slice_out != NULL)) {
		fprintf(stderr, "gen_capture: --slice-packets and --slice-output go together\n");
		return 2;
	}
	if (opt_flows && opt_concurrent > opt_flows)
		opt_concurrent = opt_flows;

	/* mean flow length */
	double L = opt_length;
	if (L <= 0) {
		if (opt_flows) {
			/* created ~ packets/L + concurrent/2 (flows still open at the end
			   have emitted about half their packets) */
			double denom = (double)opt_flows - (double)opt_concurrent / 2;
			if (denom < 1)
				denom = 1;
			L = (double)opt_packets / denom;
		} else {
			L = 20;
		}
	}
	if (L < 3)
		L = 3;

	tuple_space = (uint64_t)opt_hosts * EPH_N;
	tuple_bits = bits_for(tuple_space);
	if (opt_flows && opt_flows > tuple_space) {
		fprintf(stderr, "gen_capture: %llu flows need more local hosts (--local-hosts)\n",
		        (unsigned long long)opt_flows);
		return 2;
	}

	uint64_t sm = opt_seed ^ 0x67686f7374776972ULL; /* "ghostwir" */
	for (int i = 0; i < 4; i++)
		rs[i] = splitmix64(&sm);
	for (size_t i = 0; i < sizeof payload_pool; i += 8) {
		uint64_t v = rnd();
		memcpy(payload_pool + i, &v, 8);
	}
	for (int i = 0; i < NPOP; i++) {
		random_public_v4(pop4[i]);
		random_public_v6(pop6[i]);
	}

	if (strcmp(opt_out, "-") == 0) {
		out = stdout;
	} else {
		out = fopen(opt_out, "wb");
		if (!out)
			die(opt_out);
	}
	static char obuf[1 << 20], sbuf[1 << 20];
	setvbuf(out, obuf, _IOFBF, sizeof obuf);
	write_header(out);
	if (opt_slice_out) {
		slice = fopen(opt_slice_out, "wb");
		if (!slice)
			die(opt_slice_out);
		setvbuf(slice, sbuf, _IOFBF, sizeof sbuf);
		write_header(slice);
	}

	struct flow *fl = calloc(opt_concurrent, sizeof *fl);
	if (!fl)
		die("calloc");
	uint64_t planned = 0;
	size_t nlive = 0;
	for (uint64_t i = 0; i < opt_concurrent; i++) {
		if (tuple_space && planned >= tuple_space)
			break;
		plan_flow(&fl[nlive++], planned++, L);
	}

	ts_sec = opt_start;
	ts_usec = 0;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);

	while (n_written < opt_packets && nlive > 0) {
		size_t i = below((uint32_t)nlive);
		if (step(&fl[i])) {
			st_flows_done++;
			st_active--;
			if ((!opt_flows || planned < opt_flows) && planned < tuple_space)
				plan_flow(&fl[i], planned++, L);
			else
				fl[i] = fl[--nlive];
		}
	}

	if (fflush(out) != 0 || (out != stdout && fclose(out) != 0))
		die("write");
	if (slice && (fflush(slice) != 0 || fclose(slice) != 0))
		die("write slice");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	uint64_t slice_pk = opt_slice < n_written ? opt_slice : n_written;
	FILE *so = opt_stats_stdout ? stdout : stderr;
	fprintf(so,
	        "gen_capture: packets=%llu bytes=%llu flows=%llu flows_done=%llu open_at_end=%llu "
	        "max_concurrent=%llu tcp=%llu udp=%llu ipv4=%llu ipv6=%llu tcp_fin=%llu "
	        "tcp_rst=%llu "
	        "mean_len=%.2f first_ts=%llu.000000 last_ts=%llu.%06llu slice_packets=%llu "
	        "slice_flows=%llu slice_tcp_flows=%llu seed=%llu seconds=%.3f\n",
	        (unsigned long long)n_written, (unsigned long long)bytes_written,
	        (unsigned long long)st_flows_started, (unsigned long long)st_flows_done,
	        (unsigned long long)st_active, (unsigned long long)st_max_active,
	        (unsigned long long)st_tcp, (unsigned long long)st_udp, (unsigned long long)st_v4,
	        (unsigned long long)st_v6, (unsigned long long)st_fin, (unsigned long long)st_rst,
	        L, (unsigned long long)opt_start, (unsigned long long)last_sec,
	        (unsigned long long)last_usec, (unsigned long long)(slice ? slice_pk : 0),
	        (unsigned long long)(slice ? st_slice_flows : 0),
	        (unsigned long long)(slice ? st_slice_tcp : 0), (unsigned long long)opt_seed, secs);
	free(fl);
	return 0;
}
