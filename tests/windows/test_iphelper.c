/* tests/windows/test_iphelper.c — the "iphelper" socket view against sockets
 * this test opens itself: a TCP listener and a connection to it (both ends),
 * a bound UDP socket, over IPv4 and, where the host has it, IPv6. Each must
 * be in a snapshot with its addresses, ports and state, and the exact lookup
 * must find them. Owners are not checked: wine reports pid 0 for every socket
 * (real Windows: see README, "Windows"). Then the table parser alone, on
 * crafted and hostile tables. */
#include <winsock2.h>
#include <ws2tcpip.h>

#include <iphlpapi.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ghostwire/sockview.h"
#include "src/os/windows/iphelper_internal.h"

struct opened {
	SOCKET listener, client, server, udp;
	struct gw_addr addr; /* loopback of the family */
	uint16_t listen_port, client_port, udp_port;
};

static uint16_t port_of(SOCKET s)
{
	struct sockaddr_storage ss;
	int len = sizeof ss;
	getsockname(s, (struct sockaddr *)&ss, &len);
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
	                                     : ((struct sockaddr_in6 *)&ss)->sin6_port);
}

/* Loopback address of family af, port 0 or port. */
static int loopback(int af, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (af == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof *in;
	}
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	in6->sin6_addr.s6_addr[15] = 1;
	return sizeof *in6;
}

/* Opens the four sockets over af; false if the family is unavailable. */
static bool open_all(int af, struct opened *o)
{
	struct sockaddr_storage ss;
	int len = loopback(af, 0, &ss);
	o->listener = socket(af, SOCK_STREAM, IPPROTO_TCP);
	if (o->listener == INVALID_SOCKET || bind(o->listener, (struct sockaddr *)&ss, len) != 0 ||
	    listen(o->listener, 4) != 0)
		return false;
	o->listen_port = port_of(o->listener);
	o->client = socket(af, SOCK_STREAM, IPPROTO_TCP);
	len = loopback(af, o->listen_port, &ss);
	CHECK(connect(o->client, (struct sockaddr *)&ss, len) == 0, "connect: %d",
	      WSAGetLastError());
	o->server = accept(o->listener, NULL, NULL);
	CHECK(o->server != INVALID_SOCKET, "accept: %d", WSAGetLastError());
	o->client_port = port_of(o->client);
	o->udp = socket(af, SOCK_DGRAM, IPPROTO_UDP);
	len = loopback(af, 0, &ss);
	CHECK(bind(o->udp, (struct sockaddr *)&ss, len) == 0, "bind udp: %d", WSAGetLastError());
	o->udp_port = port_of(o->udp);
	uint8_t b[16] = {0};
	if (af == AF_INET) {
		b[0] = 127, b[3] = 1;
		gw_addr_set4(&o->addr, b);
	} else {
		b[15] = 1;
		gw_addr_set6(&o->addr, b);
	}
	return true;
}

static void close_all(struct opened *o)
{
	closesocket(o->client);
	closesocket(o->server);
	closesocket(o->listener);
	closesocket(o->udp);
}

/* The socket of set with this proto, local port and remote port, or NULL. */
static const struct gw_socket *find(const struct gw_sockset *set, uint8_t proto, uint16_t lport,
                                    uint16_t rport)
{
	for (size_t i = 0; i < set->n_socks; i++) {
		const struct gw_socket *s = &set->socks[i];
		if (s->proto == proto && s->local_port == lport && s->remote_port == rport)
			return s;
	}
	return NULL;
}

static void check_snapshot(const struct gw_sockset *set, const struct opened *o, const char *fam)
{
	const struct gw_socket *s = find(set, GW_SOCK_TCP, o->listen_port, 0);
	CHECK(s && s->state == GW_SS_LISTEN && gw_addr_equal(&s->local, &o->addr),
	      "%s listener :%u", fam, o->listen_port);
	s = find(set, GW_SOCK_TCP, o->client_port, o->listen_port);
	CHECK(s && s->state == GW_SS_ESTABLISHED && gw_addr_equal(&s->local, &o->addr) &&
	              gw_addr_equal(&s->remote, &o->addr),
	      "%s client :%u -> :%u", fam, o->client_port, o->listen_port);
	s = find(set, GW_SOCK_TCP, o->listen_port, o->client_port);
	CHECK(s && s->state == GW_SS_ESTABLISHED, "%s accepted :%u <- :%u", fam, o->listen_port,
	      o->client_port);
	s = find(set, GW_SOCK_UDP, o->udp_port, 0);
	CHECK(s && s->state == GW_SS_CLOSE && gw_addr_equal(&s->local, &o->addr), "%s udp :%u", fam,
	      o->udp_port);
}

static void check_lookups(const struct gw_sockview_ops *ops, struct gw_sockview *v,
                          const struct opened *o, const char *fam)
{
	struct gw_err err = {0};
	struct gw_socket got;
	struct gw_sock_query q = {.proto = GW_SOCK_TCP,
	                          .local = o->addr,
	                          .remote = o->addr,
	                          .local_port = o->client_port,
	                          .remote_port = o->listen_port};
	int r = ops->lookup(v, &q, &got, &err);
	CHECK(r == 1 && got.state == GW_SS_ESTABLISHED && got.remote_port == o->listen_port,
	      "%s exact lookup: %d %s", fam, r, err.msg);
	/* A new peer's SYN to the listener: the kernel would hand it to the listener. */
	q.local_port = o->listen_port;
	q.remote_port = 1;
	r = ops->lookup(v, &q, &got, &err);
	CHECK(r == 1 && got.state == GW_SS_LISTEN, "%s listener lookup: %d", fam, r);
	q = (struct gw_sock_query){.proto = GW_SOCK_UDP,
	                           .local = o->addr,
	                           .remote = o->addr,
	                           .local_port = o->udp_port,
	                           .remote_port = 9};
	r = ops->lookup(v, &q, &got, &err);
	CHECK(r == 1 && got.proto == GW_SOCK_UDP && got.local_port == o->udp_port,
	      "%s udp lookup: %d", fam, r);
	q.local_port = 1; /* nothing there (port 1 is privileged and unused) */
	r = ops->lookup(v, &q, &got, &err);
	CHECK(r == 0, "%s lookup of nothing: %d", fam, r);
}

struct rows {
	struct gw_socket got[64];
	size_t n;
};

static int collect(void *ctx, struct gw_socket *s)
{
	struct rows *r = ctx;
	if (r->n < 64)
		r->got[r->n] = *s;
	r->n++;
	return 0;
}

/* Crafted rows come out with the right ends, ports (network order in the low
 * 16 bits of a DWORD), state and pid. */
static void check_parse_rows(void)
{
	struct {
		DWORD n;
		MIB_TCPROW_OWNER_PID row[2];
	} t4 = {2, {{0}}};
	t4.row[0] = (MIB_TCPROW_OWNER_PID){.dwState = MIB_TCP_STATE_ESTAB,
	                                   .dwLocalAddr = htonl(0x0a000001),
	                                   .dwLocalPort = htons(443),
	                                   .dwRemoteAddr = htonl(0x0a000002),
	                                   .dwRemotePort = htons(51000),
	                                   .dwOwningPid = 1234};
	t4.row[1] = (MIB_TCPROW_OWNER_PID){
	        .dwState = MIB_TCP_STATE_TIME_WAIT, .dwLocalPort = htons(80), .dwOwningPid = 0};
	struct rows r = {0};
	uint64_t bad = 0;
	gw__iphelper_parse(GW__IPH_TCP4, (const uint8_t *)&t4, sizeof t4, collect, &r, &bad);
	const struct gw_socket *s = &r.got[0];
	CHECK(r.n == 2 && bad == 0, "%zu rows, %llu malformed", r.n, (unsigned long long)bad);
	CHECK(s->proto == GW_SOCK_TCP && s->family == GW_AF_INET && s->local.bytes[0] == 10 &&
	              s->local.bytes[3] == 1 && s->remote.bytes[3] == 2,
	      "tcp4 addresses");
	CHECK(s->local_port == 443 && s->remote_port == 51000, "tcp4 ports %u %u", s->local_port,
	      s->remote_port);
	CHECK(s->state == GW_SS_ESTABLISHED && s->pid == 1234, "state %u pid %d", s->state, s->pid);
	CHECK(r.got[1].state == GW_SS_TIME_WAIT && r.got[1].local_port == 80, "time-wait row");

	struct {
		DWORD n;
		MIB_UDP6ROW_OWNER_PID row[1];
	} u6;
	memset(&u6, 0, sizeof u6);
	u6.n = 1;
	u6.row[0].ucLocalAddr[15] = 1;
	u6.row[0].dwLocalPort = htons(5353);
	u6.row[0].dwOwningPid = 77;
	r.n = 0;
	gw__iphelper_parse(GW__IPH_UDP6, (const uint8_t *)&u6, sizeof u6, collect, &r, &bad);
	s = &r.got[0];
	CHECK(r.n == 1 && s->proto == GW_SOCK_UDP && s->family == GW_AF_INET6 &&
	              s->local.bytes[15] == 1 && s->local_port == 5353 && s->state == GW_SS_CLOSE &&
	              s->remote.family == GW_AF_INET6 && s->pid == 77,
	      "udp6 row");
}

/* A count the bytes cannot hold reads only the whole rows there; fewer bytes
 * than the count itself read nothing; both are counted. Then random tables. */
static void check_parse_hostile(void)
{
	uint8_t buf[4096];
	struct rows r = {0};
	uint64_t bad = 0;
	gw__iphelper_parse(GW__IPH_TCP6, buf, 3, collect, &r, &bad);
	CHECK(r.n == 0 && bad == 1, "3-byte table: %zu rows, %llu malformed", r.n,
	      (unsigned long long)bad);
	memset(buf, 0, sizeof buf);
	DWORD huge = 0xffffffffu;
	memcpy(buf, &huge, sizeof huge);
	size_t got =
	        offsetof(MIB_TCP6TABLE_OWNER_PID, table) + 2 * sizeof(MIB_TCP6ROW_OWNER_PID) + 5;
	bad = 0;
	gw__iphelper_parse(GW__IPH_TCP6, buf, got, collect, &r, &bad);
	CHECK(r.n == 2 && bad == 1, "count 2^32-1 in 2.1 rows: %zu rows, %llu malformed", r.n,
	      (unsigned long long)bad);
	srand(8);
	size_t rows_seen = 0, max_fit_ok = 1;
	for (int i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % sizeof buf;
		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rand();
		enum gw__iph_table t = (enum gw__iph_table)(rand() % 4);
		r.n = 0;
		gw__iphelper_parse(t, buf, len, collect, &r, &bad);
		rows_seen += r.n;
		max_fit_ok &= r.n <= len / sizeof(MIB_UDPROW_OWNER_PID);
	}
	CHECK(max_fit_ok, "a random table gave more rows than its bytes hold");
	printf("random tables: 20000 parsed, %zu rows, no crash\n", rows_seen);
}

int main(void)
{
	WSADATA wsa;
	WSAStartup(MAKEWORD(2, 2), &wsa);
	const struct gw_sockview_ops *ops = gw_sockview_find(gw_sockview_default());
	CHECK(ops && strcmp(ops->name, "iphelper") == 0, "default view %s", gw_sockview_default());
	if (!ops)
		return check_done();
	struct gw_sockview_config cfg;
	gw_sockview_config_init(&cfg);
	struct gw_sockview *v;
	struct gw_err err = {0};
	CHECK(ops->open(&cfg, &v, &err) == 0, "open: %s", err.msg);

	struct opened o4 = {0}, o6 = {0};
	CHECK(open_all(AF_INET, &o4), "IPv4 loopback sockets");
	bool have6 = open_all(AF_INET6, &o6);
	if (!have6)
		printf("skip IPv6: no IPv6 loopback here\n");

	struct gw_sockset set;
	gw_sockset_init(&set, cfg.max_sockets, cfg.max_processes);
	CHECK(ops->snapshot(v, &set, &err) == 0, "snapshot: %s", err.msg);
	printf("snapshot: %zu sockets\n", set.n_socks);
	check_snapshot(&set, &o4, "IPv4");
	if (have6)
		check_snapshot(&set, &o6, "IPv6");
	check_lookups(ops, v, &o4, "IPv4");
	if (have6)
		check_lookups(ops, v, &o6, "IPv6");

	/* Gone once closed (or lingering in TIME_WAIT, never still listening). */
	uint16_t gone = o4.listen_port;
	close_all(&o4);
	CHECK(ops->snapshot(v, &set, &err) == 0, "snapshot: %s", err.msg);
	const struct gw_socket *s = find(&set, GW_SOCK_TCP, gone, 0);
	CHECK(!s || s->state != GW_SS_LISTEN, "closed listener :%u still listed", gone);
	const struct gw_sockview_stats *st = ops->stats(v);
	CHECK(st->snapshots == 2 && st->malformed == 0 && st->errors == 0,
	      "stats: %llu snapshots, %llu malformed, %llu errors",
	      (unsigned long long)st->snapshots, (unsigned long long)st->malformed,
	      (unsigned long long)st->errors);
	if (have6)
		close_all(&o6);
	gw_sockset_fini(&set);
	ops->close(v);
	check_parse_rows();
	check_parse_hostile();
	return check_done();
}
