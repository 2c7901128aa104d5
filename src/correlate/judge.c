/* correlate/judge.c — the verdict for one flow against the socket history
 * (DESIGN.md, "Verdicts"): which socket and owner explain it, or why the kernel
 * sent it without one, or what kind of finding it is and who held raw and
 * packet sockets then. Every choice among several sockets or holders follows a
 * fixed order, never hash order, so a replay gives the same verdicts.
 *
 * The window. A socket explains a flow when its alive interval [first_us,
 * gone_us] (history.c: from the record that first showed it to the record that
 * first showed it absent, unbounded while present) meets [first packet − grace,
 * last packet + grace]. Both ends are closed, so a socket created (first_us =
 * gone_us) by a destroy record alone still counts at that instant.
 *
 * What struct gw_flow lets us tell, and what not:
 * - A kernel RST is told by flags: the local side sent RST and never SYN,
 *   SYN-ACK or FIN. That it sent nothing but RSTs is inferred from
 *   packets_out <= packets_in (one RST per offending segment) and frame bytes
 *   (at most RST_FRAME_MAX per packet: no payload); the flow keeps neither
 *   per-direction payload bytes nor a count of RST-only packets.
 * - ICMP types are not kept. Echo flows carry the identifier as both ports,
 *   errors that quote no held flow carry ports 0, so: remote-opened ICMP that
 *   the host answered is the kernel's echo reply or error; ICMP with ports 0
 *   that only one side sent is an error (or an echo with identifier 0, which
 *   cannot be told apart) and needs no socket; ICMP the host opened with an
 *   identifier or an answer is a ping, which needs a raw or ping socket.
 * - icmp_errors does not say which side sent the errors. A remote-opened UDP
 *   flow the host never answered, with errors, is taken as the kernel's port
 *   unreachable (an error about the remote's packets is sent to the remote,
 *   so on this host's capture it is the host's).
 * The opening. A flow still going grace after its first packet is judged on
 * [first − grace, first + grace] alone (gw_correlator_judge_opening): a finding
 * then need not wait for the flow to end. Records past that window cannot
 * change this verdict (they tell of later times only), so live and replay
 * agree on it.
 *
 * crafted-syn comes from the flow (decode/syn_quirks.c); capture-loss from
 * the timeline's capture records: packets were lost in an interval that meets
 * the window, so the flow may lack the packets that would have explained it
 * (a SYN-ACK making a kernel RST look like something else, say). proxy on an
 * explained flow: its owner accepted loopback connections from other
 * processes on its listeners during the window (the clients are named), or
 * holds /dev/net/tun (a VPN or tunnel: its clients cannot be named), or its
 * socket is transparent (IP_TRANSPARENT: a transparent proxy).
 *
 * procfs-hidden on an explained flow whose socket a hidden
 * record named: the view (sock_diag) listed it, /proc/net did not — what a
 * rootkit hooking /proc/net/tcp does to hide from netstat; such a verdict is
 * a finding. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "correlate_internal.h"

/* The largest frame, on average, of a bare RST: 60-byte IPv6 header (with a
 * little to spare) + 20-byte TCP + 20-byte SLL2 or 14-byte Ethernet with two
 * VLAN tags. More per packet means the local side sent payload. */
#define RST_FRAME_MAX 128

struct window {
	int64_t lo, hi;
};

/* A flow's two ends as a socket would name them. */
struct ends {
	uint8_t proto; /* enum gw_sock_proto */
	uint8_t family;
	struct gw_addr local, remote;
	uint16_t local_port, remote_port;
};

static int64_t sat_add(int64_t a, int64_t b)
{
	if (b > 0 && a > INT64_MAX - b)
		return INT64_MAX;
	if (b < 0 && a < INT64_MIN - b)
		return INT64_MIN;
	return a + b;
}

static bool alive_in(const struct gw__hist_entry *e, struct window w)
{
	return e->first_us <= w.hi && e->gone_us >= w.lo;
}

static void map_v4(const struct gw_addr *a, struct gw_addr *out)
{
	memset(out, 0, sizeof *out);
	out->family = GW_AF_INET6;
	out->bytes[10] = out->bytes[11] = 0xff;
	memcpy(out->bytes + 12, a->bytes, 4);
}

static void tuple_from(const struct ends *x, uint8_t family, const struct gw_addr *local,
                       const struct gw_addr *remote, struct gw__tuple *t)
{
	memset(t, 0, sizeof *t);
	t->proto = x->proto;
	t->family = family;
	t->local_port = x->local_port;
	t->remote_port = x->remote_port;
	memcpy(t->local, local->bytes, 16);
	memcpy(t->remote, remote->bytes, 16);
}

/* ---- choosing among sockets ---- */

struct search {
	const struct gw_correlator *c;
	const struct ends *x;
	struct window w;
	bool host; /* the host's namespace, or any other */
	const struct gw__hist_entry *best;
};

static int cmp_bool(bool a, bool b)
{
	return (int)b - (int)a; /* true first */
}

/* Exact matches: the one with a known owner, then the full socket over its
 * TIME_WAIT remains (inode 0), then the earliest seen. */
static int exact_order(const struct gw__hist_entry *a, const struct gw__hist_entry *b)
{
	int c;
	if ((c = cmp_bool(a->owner_known, b->owner_known)) ||
	    (c = cmp_bool(a->sock.inode != 0, b->sock.inode != 0)))
		return c;
	if (a->first_us != b->first_us)
		return a->first_us < b->first_us ? -1 : 1;
	return gw_socket_compare(&a->sock, &b->sock);
}

static bool netns_wanted(const struct search *s, const struct gw__hist_entry *e)
{
	return gw__correlator_is_host_netns(s->c, e->sock.netns) == s->host;
}

static void on_exact(void *ud, const struct gw__hist_entry *e)
{
	struct search *s = ud;
	if (!netns_wanted(s, e) || !alive_in(e, s->w))
		return;
	if (!s->best || exact_order(e, s->best) < 0)
		s->best = e;
}

/* The connected socket with x's 4-tuple (an IPv4 flow also as ::ffff:a.b.c.d
 * on an IPv6 socket), alive in w, in the host's namespace or another. */
static const struct gw__hist_entry *find_exact(const struct gw_correlator *c, const struct ends *x,
                                               struct window w, bool host)
{
	struct search s = {.c = c, .x = x, .w = w, .host = host};
	struct gw__tuple t;
	tuple_from(x, x->family, &x->local, &x->remote, &t);
	gw__hist_find_tuple(&c->hist, &t, on_exact, &s);
	if (x->family == GW_AF_INET) {
		struct gw_addr l6, r6;
		map_v4(&x->local, &l6);
		map_v4(&x->remote, &r6);
		tuple_from(x, GW_AF_INET6, &l6, &r6, &t);
		gw__hist_find_tuple(&c->hist, &t, on_exact, &s);
	}
	return s.best;
}

/* How well a listener's address takes x's local end: 2 the address itself, 1
 * the wildcard of the family, 0 not at all. For IPv4, an IPv6 socket takes it
 * on ::ffff:a.b.c.d, or on :: unless IPV6_V6ONLY. */
static int listener_fit(const struct gw__hist_entry *e, const struct ends *x)
{
	const struct gw_socket *s = &e->sock;
	if (s->family == x->family) {
		if (memcmp(s->local.bytes, x->local.bytes, 16) == 0)
			return 2;
		return gw_addr_is_unspecified(&s->local) ? 1 : 0;
	}
	if (x->family != GW_AF_INET || s->family != GW_AF_INET6)
		return 0;
	struct gw_addr mapped;
	map_v4(&x->local, &mapped);
	if (memcmp(s->local.bytes, mapped.bytes, 16) == 0)
		return 2;
	return gw_addr_is_unspecified(&s->local) && !s->v6only ? 1 : 0;
}

/* Listeners: the most specific address first (as the kernel picks), then the
 * flow's own family, a known owner, the earliest seen. */
static int listener_order(const struct gw__hist_entry *a, const struct gw__hist_entry *b,
                          const struct ends *x)
{
	int fa = listener_fit(a, x), fb = listener_fit(b, x), c;
	if (fa != fb)
		return fa > fb ? -1 : 1;
	if ((c = cmp_bool(a->sock.family == x->family, b->sock.family == x->family)) ||
	    (c = cmp_bool(a->owner_known, b->owner_known)))
		return c;
	if (a->first_us != b->first_us)
		return a->first_us < b->first_us ? -1 : 1;
	return gw_socket_compare(&a->sock, &b->sock);
}

static void on_listener(void *ud, const struct gw__hist_entry *e)
{
	struct search *s = ud;
	/* UDP entries here are unconnected (no remote end); TCP must listen. */
	if (e->sock.proto == GW_SOCK_TCP && !e->listened)
		return;
	if (!netns_wanted(s, e) || !alive_in(e, s->w) || listener_fit(e, s->x) == 0)
		return;
	if (!s->best || listener_order(e, s->best, s->x) < 0)
		s->best = e;
}

/* A TCP listener or unconnected UDP socket on x's local end, alive in w. */
static const struct gw__hist_entry *find_listener(const struct gw_correlator *c,
                                                  const struct ends *x, struct window w, bool host)
{
	struct search s = {.c = c, .x = x, .w = w, .host = host};
	gw__hist_find_port(&c->hist, x->proto, x->local_port, on_listener, &s);
	return s.best;
}

/* ---- text ---- */

static void fmt_endpoint(const struct gw_addr *a, uint16_t port, bool ports, char *buf, size_t size)
{
	char text[GW_ADDR_STRLEN];
	gw_addr_format(a, text, sizeof text);
	if (!ports)
		snprintf(buf, size, "%s", text);
	else if (a->family == GW_AF_INET6)
		snprintf(buf, size, "[%s]:%u", text, (unsigned)port);
	else
		snprintf(buf, size, "%s:%u", text, (unsigned)port);
}

/* "12:00:14.5": the time of day in UTC, to a tenth of a second (floored). */
static void fmt_time(int64_t us, char *buf, size_t size)
{
	int64_t tenths = us / 100000 - (us % 100000 < 0);
	int64_t secs = tenths / 10 - (tenths % 10 < 0);
	int tenth = (int)(tenths - secs * 10);
	time_t t = (time_t)secs;
	struct tm tm;
	if (!gmtime_r(&t, &tm)) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%02d:%02d:%02d.%d", tm.tm_hour, tm.tm_min, tm.tm_sec, tenth);
}

static bool has_ports(uint8_t proto)
{
	return proto == GW_IPPROTO_TCP || proto == GW_IPPROTO_UDP;
}

/* "tcp 10.0.0.5:4444 -> 45.33.32.156:80" */
static void fmt_flow(const struct gw_flow *f, char *buf, size_t size)
{
	char name[16], l[64], r[64];
	struct gw_addr local, remote;
	gw_flow_local_addr(f, &local);
	gw_flow_remote_addr(f, &remote);
	bool ports = has_ports(f->key.proto);
	fmt_endpoint(&local, f->key.local_port, ports, l, sizeof l);
	fmt_endpoint(&remote, f->key.remote_port, ports, r, sizeof r);
	snprintf(buf, size, "%s %s -> %s", gw_transport_name(f->key.proto, name, sizeof name), l,
	         r);
}

/* "tcp 0.0.0.0:22 (listen)" or "tcp 10.0.0.5:51000 -> 1.2.3.4:443 (established)" */
static void fmt_socket(const struct gw_socket *s, bool listener, char *buf, size_t size)
{
	char l[64], r[64];
	fmt_endpoint(&s->local, s->local_port, true, l, sizeof l);
	if (listener) {
		snprintf(buf, size, "%s %s (%s)", gw_sock_proto_name(s->proto), l,
		         gw_sock_state_name(s->state));
		return;
	}
	fmt_endpoint(&s->remote, s->remote_port, true, r, sizeof r);
	snprintf(buf, size, "%s %s -> %s (%s)", gw_sock_proto_name(s->proto), l, r,
	         gw_sock_state_name(s->state));
}

/* ---- filling the verdict ---- */

/* Writes v's reason, cut to fit: two long IPv6 ends and the window can pass
 * its 128 bytes, and a cut reason still names the flow first. */
static void set_reason(struct gw_verdict *v, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void set_reason(struct gw_verdict *v, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof v->reason, fmt, ap);
	va_end(ap);
}

/* e's socket (its owner as the history knows it) and owner into v. */
static void take_socket(const struct gw_correlator *c, const struct gw__hist_entry *e,
                        struct gw_verdict *v)
{
	v->has_socket = true;
	v->socket = e->sock;
	if (!e->owner_known)
		return;
	v->socket.owner_status = GW_OWNER_KNOWN;
	v->socket.pid = e->owner_pid;
	v->has_owner = true;
	const struct gw_process *p = gw__procmap_get(&c->procs, e->owner_pid, NULL);
	if (p)
		v->owner = *p;
	else
		v->owner.pid = e->owner_pid; /* the pid is known, its details are not */
}

static void explain(const struct gw_correlator *c, const struct gw__hist_entry *e,
                    enum gw_match match, struct gw_verdict *v)
{
	v->kind = GW_VERDICT_EXPLAINED;
	v->match = (uint8_t)match;
	take_socket(c, e, v);
	char sock[160];
	fmt_socket(&e->sock, match == GW_MATCH_LISTENER, sock, sizeof sock);
	if (!v->has_owner)
		set_reason(v, "%s, owner unknown: %s", sock,
		           gw_owner_status_name(e->sock.owner_status));
	else if (v->owner.comm[0])
		set_reason(v, "%s of pid %d %s", sock, (int)v->owner.pid, v->owner.comm);
	else
		set_reason(v, "%s of pid %d", sock, (int)v->owner.pid);
}

/* ---- raw and packet socket holders ---- */

struct holders {
	const struct gw_correlator *c;
	struct window w;
	uint8_t family;
	uint32_t hints;
	bool truncated;
	struct gw_holder h[GW_VERDICT_MAX_HOLDERS];
	unsigned n;
};

static int holder_order(const struct gw_holder *a, const struct gw_holder *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	return (int)a->packet_filter - (int)b->packet_filter;
}

/* Keeps the GW_VERDICT_MAX_HOLDERS first holders in holder_order, each once. */
static void on_raw(void *ud, const struct gw__hist_entry *e)
{
	struct holders *hs = ud;
	const struct gw_socket *s = &e->sock;
	if (!alive_in(e, hs->w))
		return;
	if (s->proto == GW_SOCK_RAW && s->family != hs->family)
		return; /* an IPv4 raw socket cannot send IPv6, and the reverse */
	if (hs->c->self_pid && e->owner_known && e->owner_pid == hs->c->self_pid)
		return; /* ghostwire's own capture socket is no evidence */
	hs->hints |= s->proto == GW_SOCK_RAW ? GW_HINT_RAW_SOCKET : GW_HINT_PACKET_SOCKET;
	struct gw_holder cand = {.proto = s->proto,
	                         .packet_filter = s->proto == GW_SOCK_PACKET && s->packet_filter,
	                         .pid = e->owner_known ? e->owner_pid : 0};
	unsigned i = 0;
	while (i < hs->n && holder_order(&hs->h[i], &cand) < 0)
		i++;
	if (i < hs->n && holder_order(&hs->h[i], &cand) == 0)
		return;
	if (i == GW_VERDICT_MAX_HOLDERS) {
		hs->truncated = true;
		return;
	}
	if (hs->n == GW_VERDICT_MAX_HOLDERS)
		hs->truncated = true; /* the last one falls off */
	else
		hs->n++;
	memmove(&hs->h[i + 1], &hs->h[i], (hs->n - 1 - i) * sizeof hs->h[0]);
	hs->h[i] = cand;
}

/* A named process's details (p may be NULL: unknown) into h. */
static void holder_details(struct gw_holder *h, const struct gw_process *p)
{
	if (!p)
		return;
	memcpy(h->comm, p->comm, sizeof h->comm);
	memcpy(h->exe, p->exe, sizeof h->exe);
	h->marks = p->marks;
	h->exe_deleted = p->exe_deleted;
	h->comm[sizeof h->comm - 1] = '\0';
	h->exe[sizeof h->exe - 1] = '\0';
}

/* Raw sockets of the flow's family and packet sockets alive in w, in every
 * namespace (a container's raw socket sends through the host's NAT). Holders
 * whose owner is unknown have pid 0. */
static void raw_hints(struct gw_correlator *c, const struct gw_flow *f, struct window w,
                      struct gw_verdict *v)
{
	struct holders hs = {.c = c, .w = w, .family = f->key.family};
	gw__hist_each_raw(&c->hist, on_raw, &hs);
	if (hs.truncated)
		c->stats.holders_truncated++;
	v->hints |= hs.hints;
	for (unsigned i = 0; i < hs.n; i++) {
		struct gw_holder *h = &v->holders[i];
		*h = hs.h[i];
		const struct gw_process *p =
		        h->pid ? gw__procmap_get(&c->procs, h->pid, NULL) : NULL;
		holder_details(h, p);
	}
	v->n_holders = hs.n;
}

/* ---- proxies ---- */

#define PROXY_MAX_PORTS 16
#define PROXY_MAX_OWNED 4096 /* sockets of one owner looked at */

static bool is_loopback(const struct gw_addr *a, uint8_t family)
{
	static const uint8_t v6_loopback[16] = {[15] = 1};
	if (family == GW_AF_INET)
		return a->bytes[0] == 127;
	if (memcmp(a->bytes, v6_loopback, 16) == 0)
		return true;
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	return memcmp(a->bytes, mapped, 12) == 0 && a->bytes[12] == 127;
}

struct proxy_scan {
	struct gw_correlator *c;
	struct window w;
	int32_t owner;
	uint16_t ports[PROXY_MAX_PORTS]; /* the owner's TCP listening ports */
	unsigned n_ports;
	struct gw_verdict *v;
	bool truncated;
};

static void on_owned_listener(void *ud, const struct gw__hist_entry *e)
{
	struct proxy_scan *ps = ud;
	if (e->sock.proto != GW_SOCK_TCP || !e->listened || !alive_in(e, ps->w))
		return;
	for (unsigned i = 0; i < ps->n_ports; i++)
		if (ps->ports[i] == e->sock.local_port)
			return;
	if (ps->n_ports < PROXY_MAX_PORTS)
		ps->ports[ps->n_ports++] = e->sock.local_port;
}

/* Adds client pid to v->clients (pid order, each once, bounded). */
static void add_client(struct proxy_scan *ps, int32_t pid)
{
	struct gw_verdict *v = ps->v;
	unsigned i = 0;
	while (i < v->n_clients && v->clients[i].pid < pid)
		i++;
	if (i < v->n_clients && v->clients[i].pid == pid)
		return;
	if (v->n_clients == GW_VERDICT_MAX_HOLDERS) {
		ps->truncated = true;
		if (i == GW_VERDICT_MAX_HOLDERS)
			return;
	} else {
		v->n_clients++;
	}
	memmove(&v->clients[i + 1], &v->clients[i], (v->n_clients - 1 - i) * sizeof v->clients[0]);
	struct gw_holder *h = &v->clients[i];
	memset(h, 0, sizeof *h);
	h->proto = GW_SOCK_TCP;
	h->pid = pid;
	const struct gw_process *p = gw__procmap_get(&ps->c->procs, pid, NULL);
	holder_details(h, p);
}

static void on_client_end(void *ud, const struct gw__hist_entry *e)
{
	struct proxy_scan *ps = ud;
	if (e->owner_known && e->owner_pid != ps->owner && alive_in(e, ps->w))
		add_client(ps, e->owner_pid);
}

/* An accepted loopback connection of the owner on one of its listening
 * ports: the other end's socket, if another process owns it, is a client. */
static void on_owned_connection(void *ud, const struct gw__hist_entry *e)
{
	struct proxy_scan *ps = ud;
	const struct gw_socket *s = &e->sock;
	if (s->proto != GW_SOCK_TCP || e->listened || s->remote_port == 0 || !alive_in(e, ps->w) ||
	    !is_loopback(&s->local, s->family) || !is_loopback(&s->remote, s->family))
		return;
	bool on_listener = false;
	for (unsigned i = 0; i < ps->n_ports && !on_listener; i++)
		on_listener = ps->ports[i] == s->local_port;
	if (!on_listener)
		return;
	struct gw__tuple t;
	memset(&t, 0, sizeof t);
	t.proto = s->proto;
	t.family = s->family;
	t.local_port = s->remote_port;
	t.remote_port = s->local_port;
	memcpy(t.local, s->remote.bytes, 16);
	memcpy(t.remote, s->local.bytes, 16);
	gw__hist_find_tuple(&ps->c->hist, &t, on_client_end, ps);
}

/* The proxy hint: the owner accepted loopback connections from other
 * processes on its listeners during the flow (a SOCKS or HTTP proxy, ssh -D,
 * a tunnel's local end), so the flow was made on their behalf: they are named. */
static void proxy_hint(struct gw_correlator *c, struct window w, struct gw_verdict *v)
{
	if (!v->has_owner)
		return;
	if ((v->owner.marks & GW_MARK_TUN_DEVICE) || v->socket.transparent)
		v->hints |= GW_HINT_PROXY; /* a tunnel, or a transparent proxy: others' traffic */
	struct proxy_scan ps = {.c = c, .w = w, .owner = v->owner.pid, .v = v};
	bool whole =
	        gw__hist_each_owned(&c->hist, ps.owner, PROXY_MAX_OWNED, on_owned_listener, &ps);
	if (ps.n_ports)
		whole &= gw__hist_each_owned(&c->hist, ps.owner, PROXY_MAX_OWNED,
		                             on_owned_connection, &ps);
	if (!whole || ps.truncated)
		c->stats.proxy_scans_truncated++;
	if (v->n_clients)
		v->hints |= GW_HINT_PROXY;
}

/* ---- the kernel's own answers ---- */

static bool kernel_reset(const struct gw_flow *f)
{
	uint8_t out = f->tcp_flags[GW_DIR_OUT];
	uint64_t n_out = f->packets[GW_DIR_OUT], n_in = f->packets[GW_DIR_IN];
	return (out & GW_SEEN_RST) && !(out & (GW_SEEN_SYN | GW_SEEN_SYNACK | GW_SEEN_FIN)) &&
	       n_in > 0 && n_out > 0 && n_out <= n_in &&
	       f->bytes[GW_DIR_OUT] <= n_out * (uint64_t)RST_FRAME_MAX;
}

/* The reason, if the kernel sent (or took) f without any socket; NULL if not. */
static const char *kernel_response(const struct gw_flow *f)
{
	uint8_t proto = f->key.proto;
	bool in_opened = f->opener == GW_DIR_IN;
	uint64_t n_out = f->packets[GW_DIR_OUT], n_in = f->packets[GW_DIR_IN];
	bool no_id = f->key.local_port == 0 && f->key.remote_port == 0;
	if (proto == GW_IPPROTO_TCP && kernel_reset(f))
		return "the kernel reset";
	if (proto == GW_IPPROTO_ICMPV6) {
		/* Router and neighbour discovery is the kernel's own business. (A
		 * raw ICMPv6 socket could forge it: such flows are not findings.) */
		uint8_t seen = f->tcp_flags[GW_DIR_OUT] | f->tcp_flags[GW_DIR_IN];
		if (seen == GW_SEEN_NEIGHBOUR)
			return "neighbour discovery: the kernel's";
	}
	if (proto == GW_IPPROTO_ICMP || proto == GW_IPPROTO_ICMPV6) {
		if (in_opened && n_out > 0)
			return "the kernel answered (echo reply or error)";
		if (no_id && (n_out == 0 || n_in == 0))
			return in_opened ? "an error or message for the kernel"
			                 : "an error from the kernel";
	}
	if (proto == GW_IPPROTO_UDP && in_opened && n_out == 0 && f->icmp_errors > 0)
		return "the kernel answered port unreachable";
	return NULL;
}

static enum gw_unexplained_kind unexplained_kind(const struct gw_flow *f)
{
	if (f->key.proto == GW_IPPROTO_TCP && (f->tcp_flags[GW_DIR_OUT] & GW_SEEN_SYNACK))
		return GW_UNX_HIDDEN_LISTENER;
	if (f->key.proto == GW_IPPROTO_UDP && f->opener == GW_DIR_IN && f->packets[GW_DIR_OUT] > 0)
		return GW_UNX_HIDDEN_LISTENER;
	return f->opener == GW_DIR_OUT ? GW_UNX_NO_SOCKET_OUTBOUND : GW_UNX_NO_SOCKET_INBOUND;
}

/* ---- the verdict ---- */

static void ends_of(const struct gw_flow *f, struct ends *x)
{
	memset(x, 0, sizeof *x);
	x->proto = f->key.proto == GW_IPPROTO_TCP ? GW_SOCK_TCP : GW_SOCK_UDP;
	x->family = f->key.family;
	gw_flow_local_addr(f, &x->local);
	gw_flow_remote_addr(f, &x->remote);
	x->local_port = f->key.local_port;
	x->remote_port = f->key.remote_port;
}

static void reversed(const struct ends *x, struct ends *r)
{
	*r = *x;
	r->local = x->remote;
	r->remote = x->local;
	r->local_port = x->remote_port;
	r->remote_port = x->local_port;
}

/* A listener may explain f: the remote opened it (or, midstream, who opened it
 * is a guess), or it is UDP (a bound socket both receives and sends, as
 * resolvers sendto() from unconnected sockets). */
static bool listener_may_explain(const struct gw_flow *f)
{
	return f->key.proto == GW_IPPROTO_UDP || f->opener == GW_DIR_IN ||
	       f->tcp_state == GW_TCP_MIDSTREAM;
}

/* The socket in namespace `host` (the host's, or another) that matches f: an
 * exact one, else a listener where one may explain it. For traffic between two
 * local addresses, the other end's socket counts too. */
static const struct gw__hist_entry *find_match(const struct gw_correlator *c,
                                               const struct gw_flow *f, struct window w, bool host,
                                               bool both_ends, enum gw_match *match)
{
	struct ends x, r;
	ends_of(f, &x);
	reversed(&x, &r);
	const struct gw__hist_entry *e = find_exact(c, &x, w, host);
	if (!e && both_ends)
		e = find_exact(c, &r, w, host);
	if (e) {
		*match = GW_MATCH_EXACT;
		return e;
	}
	if (listener_may_explain(f))
		e = find_listener(c, &x, w, host);
	/* The other end answered: its listener (self-traffic, or transit where
	 * the key's local end is the opener). */
	if (!e && both_ends && (f->key.proto == GW_IPPROTO_UDP || f->opener == GW_DIR_OUT))
		e = find_listener(c, &r, w, host);
	*match = e ? GW_MATCH_LISTENER : GW_MATCH_NONE;
	return e;
}

static void on_nat_unconnected(void *ud, const struct gw__hist_entry *e)
{
	struct search *s = ud;
	if (e->sock.proto != GW_SOCK_UDP || !netns_wanted(s, e) || !alive_in(e, s->w))
		return;
	if (!s->best || exact_order(e, s->best) < 0)
		s->best = e;
}

/* Behind NAT: the host's capture shows the container's flow with the host's
 * address, but the masquerade keeps the source port when it can. So a socket
 * in another namespace connected to the same remote end from the same local
 * port (or, for UDP, an unconnected one bound to that port) is taken as the
 * flow's origin. A heuristic, said as such in the reason: conntrack's mapping
 * would be exact. */
static const struct gw__hist_entry *find_nat_origin(const struct gw_correlator *c,
                                                    const struct gw_flow *f, struct window w)
{
	struct ends x;
	ends_of(f, &x);
	struct search s = {.c = c, .x = &x, .w = w, .host = false};
	struct gw_socket as_socket = {.proto = x.proto,
	                              .family = x.family,
	                              .remote = x.remote,
	                              .remote_port = x.remote_port,
	                              .local_port = x.local_port};
	struct gw__peer k;
	gw__peer_of(&as_socket, &k);
	gw__hist_find_peer(&c->hist, &k, on_exact, &s); /* as an exact match picks */
	if (!s.best && x.proto == GW_SOCK_UDP)
		gw__hist_find_port(&c->hist, x.proto, x.local_port, on_nat_unconnected, &s);
	return s.best;
}

static void append_reason(struct gw_verdict *v, const char *text)
{
	size_t n = strlen(v->reason);
	if (n < sizeof v->reason)
		snprintf(v->reason + n, sizeof v->reason - n, "%s", text);
}

/* The other-netns hint: a match in a namespace other than the host's. */
static void other_netns(const struct gw_correlator *c, const struct gw_flow *f, struct window w,
                        bool both_ends, struct gw_verdict *v)
{
	if (!has_ports(f->key.proto))
		return;
	enum gw_match m;
	const struct gw__hist_entry *e = find_match(c, f, w, false, both_ends, &m);
	if (!e && f->opener == GW_DIR_OUT && (e = find_nat_origin(c, f, w)))
		append_reason(v, "; via NAT (same remote end and port)");
	if (!e)
		return;
	v->hints |= GW_HINT_OTHER_NETNS;
	v->owner_netns = e->sock.netns;
	take_socket(c, e, v);
}

static void finish(struct gw_correlator *c, struct gw_verdict *v)
{
	if (v->kind < sizeof c->stats.verdicts / sizeof c->stats.verdicts[0])
		c->stats.verdicts[v->kind]++;
}

/* The verdict for f against the sockets alive in w. */
static void judge_in(struct gw_correlator *c, const struct gw_flow *f, struct window w,
                     struct gw_verdict *v)
{
	memset(v, 0, sizeof *v);
	char flow[160], t0[16], t1[16];

	if (f->orientation == GW_ORIENT_TRANSIT) {
		struct gw_addr a, b;
		char ta[GW_ADDR_STRLEN], tb[GW_ADDR_STRLEN];
		gw_flow_local_addr(f, &a);
		gw_flow_remote_addr(f, &b);
		v->kind = GW_VERDICT_TRANSIT;
		set_reason(v, "transit: neither %s nor %s is local",
		           gw_addr_format(&a, ta, sizeof ta), gw_addr_format(&b, tb, sizeof tb));
		other_netns(c, f, w, true, v); /* a container's traffic, seen on its bridge */
		return;
	}

	struct gw_addr remote;
	gw_flow_remote_addr(f, &remote);
	bool self = gw_correlator_is_local(c, &remote);
	if (has_ports(f->key.proto)) {
		enum gw_match m;
		const struct gw__hist_entry *e = find_match(c, f, w, true, self, &m);
		if (e) {
			explain(c, e, m, v);
			proxy_hint(c, w, v);
			if (e->procfs_hidden) {
				v->hints |= GW_HINT_PROCFS_HIDDEN;
				append_reason(v, "; hidden from /proc/net");
			}
			return;
		}
	}

	fmt_flow(f, flow, sizeof flow);
	const char *why = kernel_response(f);
	if (why) {
		v->kind = GW_VERDICT_KERNEL_RESPONSE;
		set_reason(v, "%s: no socket on %s", why, flow);
		return;
	}

	v->kind = GW_VERDICT_UNEXPLAINED;
	v->unexplained = (uint8_t)unexplained_kind(f);
	fmt_time(w.lo, t0, sizeof t0);
	fmt_time(w.hi, t1, sizeof t1);
	bool unanswered = f->opener == GW_DIR_IN && f->packets[GW_DIR_OUT] == 0;
	set_reason(v, "no socket on %s between %s and %s%s", flow, t0, t1,
	           unanswered ? ", unanswered" : "");
	raw_hints(c, f, w, v);
	other_netns(c, f, w, self, v);
	if (f->syn_quirks)
		v->hints |= GW_HINT_CRAFTED_SYN;
	if (gw__correlator_losses(c, w.lo, w.hi))
		v->hints |= GW_HINT_CAPTURE_LOSS;
}

void gw_correlator_judge(struct gw_correlator *c, const struct gw_flow *f, struct gw_verdict *v)
{
	struct window w = {sat_add(f->first_us, -c->cfg.grace_us),
	                   sat_add(f->last_us, c->cfg.grace_us)};
	judge_in(c, f, w, v);
	finish(c, v);
}

void gw_correlator_peek(struct gw_correlator *c, const struct gw_flow *f, struct gw_verdict *v)
{
	struct window w = {sat_add(f->first_us, -c->cfg.grace_us),
	                   sat_add(f->last_us, c->cfg.grace_us)};
	judge_in(c, f, w, v);
}

int64_t gw_correlator_opening_delay_us(const struct gw_correlator *c)
{
	return sat_add(c->cfg.grace_us, c->cfg.opening_slack_us);
}

void gw_correlator_judge_opening(struct gw_correlator *c, const struct gw_flow *f,
                                 struct gw_verdict *v)
{
	struct window w = {sat_add(f->first_us, -c->cfg.grace_us),
	                   sat_add(f->first_us, c->cfg.grace_us)};
	judge_in(c, f, w, v);
	c->stats.openings_judged++;
	if (v->kind == GW_VERDICT_UNEXPLAINED)
		c->stats.openings_unexplained++;
}
