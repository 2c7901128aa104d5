/* os/windows/sockview_iphelper.c — the "iphelper" socket view: the host's TCP
 * and UDP sockets, IPv4 and IPv6, as IP Helper's GetExtendedTcpTable and
 * GetExtendedUdpTable (*_OWNER_PID_ALL) list them, each with its owner's pid;
 * owners' details through procinfo. Owns the table buffer (grown on demand up
 * to a ceiling from max_sockets) and every row is bounds-checked against the
 * size the call returned. UDP rows have no remote end: every UDP socket is
 * seen as bound, not connected. */
#include <winsock2.h>
#include <ws2tcpip.h>

#include <iphlpapi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ghostwire/clock.h"
#include "ghostwire/procinfo.h"
#include "ghostwire/sockview.h"
#include "iphelper_internal.h"

struct gw_sockview {
	struct gw_sockview_config cfg;
	struct gw_procinfo *pi; /* when owners */
	uint8_t *buf;           /* the last table read */
	DWORD size;             /* bytes allocated */
	DWORD max_size;         /* ceiling */
	struct gw_sockview_stats stats;
};

/* One table: which call, which family, which row layout. */
enum table {
	TCP4,
	TCP6,
	UDP4,
	UDP6
};

static void iphelper_close(struct gw_sockview *v)
{
	if (!v)
		return;
	gw_procinfo_free(v->pi);
	free(v->buf);
	free(v);
}

static int iphelper_open(const struct gw_sockview_config *cfg, struct gw_sockview **out,
                         struct gw_err *err)
{
	*out = NULL;
	struct gw_sockview *v = calloc(1, sizeof *v);
	if (!v)
		return gw_err_set(err, GW_ENOMEM, "out of memory");
	v->cfg = *cfg;
	v->cfg.proc_root = v->cfg.dpkg_info_dir = NULL; /* not used here, not copied */
	size_t max =
	        (cfg->max_sockets ? cfg->max_sockets : 1000000) * sizeof(MIB_TCP6ROW_OWNER_PID);
	v->max_size = max > (1u << 30) ? (1u << 30) : (DWORD)max;
	if (cfg->owners) {
		int r = gw_procinfo_new(NULL, &v->pi, err);
		if (r < 0) {
			iphelper_close(v);
			return r;
		}
	}
	*out = v;
	return 0;
}

/* Reads table t into v->buf, growing it as the call asks (the table may grow
 * between two calls, hence the retries). */
static int read_table(struct gw_sockview *v, enum table t, DWORD *got, struct gw_err *err)
{
	ULONG af = t == TCP4 || t == UDP4 ? AF_INET : AF_INET6;
	for (int tries = 0; tries < 5; tries++) {
		DWORD size = v->size;
		DWORD r = t == TCP4 || t == TCP6 ? GetExtendedTcpTable(v->buf, &size, FALSE, af,
		                                                       TCP_TABLE_OWNER_PID_ALL, 0)
		                                 : GetExtendedUdpTable(v->buf, &size, FALSE, af,
		                                                       UDP_TABLE_OWNER_PID, 0);
		if (r == NO_ERROR) {
			*got = size < v->size ? size : v->size;
			return 0;
		}
		if (r != ERROR_INSUFFICIENT_BUFFER)
			return gw_err_set(err, GW_EIO, "%s (%s): error %lu",
			                  t == TCP4 || t == TCP6 ? "GetExtendedTcpTable"
			                                         : "GetExtendedUdpTable",
			                  af == AF_INET ? "IPv4" : "IPv6", (unsigned long)r);
		DWORD want = size + size / 4 + 4096; /* room for sockets opened meanwhile */
		if (want > v->max_size)
			return gw_err_set(err, GW_ENOMEM, "socket table above %lu bytes",
			                  (unsigned long)v->max_size);
		uint8_t *grown = realloc(v->buf, want);
		if (!grown)
			return gw_err_set(err, GW_ENOMEM, "out of memory");
		v->buf = grown;
		v->size = want;
	}
	return gw_err_set(err, GW_EIO, "the socket table kept growing while read");
}

/* MIB_TCP_STATE to the Linux-numbered states of socket.h. */
static uint8_t tcp_state(DWORD s)
{
	switch (s) {
	case MIB_TCP_STATE_CLOSED:
		return GW_SS_CLOSE;
	case MIB_TCP_STATE_LISTEN:
		return GW_SS_LISTEN;
	case MIB_TCP_STATE_SYN_SENT:
		return GW_SS_SYN_SENT;
	case MIB_TCP_STATE_SYN_RCVD:
		return GW_SS_SYN_RECV;
	case MIB_TCP_STATE_ESTAB:
		return GW_SS_ESTABLISHED;
	case MIB_TCP_STATE_FIN_WAIT1:
		return GW_SS_FIN_WAIT1;
	case MIB_TCP_STATE_FIN_WAIT2:
		return GW_SS_FIN_WAIT2;
	case MIB_TCP_STATE_CLOSE_WAIT:
		return GW_SS_CLOSE_WAIT;
	case MIB_TCP_STATE_CLOSING:
		return GW_SS_CLOSING;
	case MIB_TCP_STATE_LAST_ACK:
		return GW_SS_LAST_ACK;
	case MIB_TCP_STATE_TIME_WAIT:
		return GW_SS_TIME_WAIT;
	case MIB_TCP_STATE_DELETE_TCB:
		return GW_SS_CLOSE;
	default:
		return GW_SS_UNKNOWN;
	}
}

/* A port as IP Helper stores it: network order in the low 16 bits. */
static uint16_t port_of(DWORD p)
{
	return (uint16_t)(((p & 0xff) << 8) | ((p >> 8) & 0xff));
}

/* A row of table t (known to lie within the buffer) as a socket, its owner's
 * pid set and its owner status left to the caller. */
static void row_to_socket(enum table t, const uint8_t *row, struct gw_socket *s)
{
	memset(s, 0, sizeof *s);
	if (t == TCP4) {
		MIB_TCPROW_OWNER_PID r;
		memcpy(&r, row, sizeof r);
		s->proto = GW_SOCK_TCP;
		gw_addr_set4(&s->local, (const uint8_t *)&r.dwLocalAddr);
		gw_addr_set4(&s->remote, (const uint8_t *)&r.dwRemoteAddr);
		s->local_port = port_of(r.dwLocalPort);
		s->remote_port = port_of(r.dwRemotePort);
		s->state = tcp_state(r.dwState);
		s->pid = (int32_t)r.dwOwningPid;
	} else if (t == TCP6) {
		MIB_TCP6ROW_OWNER_PID r;
		memcpy(&r, row, sizeof r);
		s->proto = GW_SOCK_TCP;
		gw_addr_set6(&s->local, r.ucLocalAddr);
		gw_addr_set6(&s->remote, r.ucRemoteAddr);
		s->local_port = port_of(r.dwLocalPort);
		s->remote_port = port_of(r.dwRemotePort);
		s->state = tcp_state(r.dwState);
		s->pid = (int32_t)r.dwOwningPid;
	} else if (t == UDP4) {
		MIB_UDPROW_OWNER_PID r;
		memcpy(&r, row, sizeof r);
		static const uint8_t any4[4];
		s->proto = GW_SOCK_UDP;
		gw_addr_set4(&s->local, (const uint8_t *)&r.dwLocalAddr);
		gw_addr_set4(&s->remote, any4);
		s->local_port = port_of(r.dwLocalPort);
		s->state = GW_SS_CLOSE;
		s->pid = (int32_t)r.dwOwningPid;
	} else {
		MIB_UDP6ROW_OWNER_PID r;
		memcpy(&r, row, sizeof r);
		static const uint8_t any6[16];
		s->proto = GW_SOCK_UDP;
		gw_addr_set6(&s->local, r.ucLocalAddr);
		gw_addr_set6(&s->remote, any6);
		s->local_port = port_of(r.dwLocalPort);
		s->state = GW_SS_CLOSE;
		s->pid = (int32_t)r.dwOwningPid;
	}
	s->family = s->local.family;
}

static size_t row_size(enum table t)
{
	switch (t) {
	case TCP4:
		return sizeof(MIB_TCPROW_OWNER_PID);
	case TCP6:
		return sizeof(MIB_TCP6ROW_OWNER_PID);
	case UDP4:
		return sizeof(MIB_UDPROW_OWNER_PID);
	default:
		return sizeof(MIB_UDP6ROW_OWNER_PID);
	}
}

/* Every table's layout: a DWORD count, then rows aligned as the row type is. */
static size_t rows_offset(enum table t)
{
	switch (t) {
	case TCP4:
		return offsetof(MIB_TCPTABLE_OWNER_PID, table);
	case TCP6:
		return offsetof(MIB_TCP6TABLE_OWNER_PID, table);
	case UDP4:
		return offsetof(MIB_UDPTABLE_OWNER_PID, table);
	default:
		return offsetof(MIB_UDP6TABLE_OWNER_PID, table);
	}
}

int gw__iphelper_parse(enum gw__iph_table table, const uint8_t *buf, size_t got, gw__iph_sink sink,
                       void *ctx, uint64_t *malformed)
{
	enum table t = (enum table)table;
	uint32_t n;
	if (got < sizeof n) {
		++*malformed;
		return 0;
	}
	memcpy(&n, buf, sizeof n);
	size_t off = rows_offset(t), rs = row_size(t);
	size_t fit = got > off ? (got - off) / rs : 0;
	if (n > fit) {
		++*malformed;
		n = (uint32_t)fit;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct gw_socket s;
		row_to_socket(t, buf + off + i * rs, &s);
		if (sink(ctx, &s))
			return 1;
	}
	return 0;
}

/* What a walk hands each socket to, after the owner is settled. */
struct walk {
	struct gw_sockview *v;
	gw__iph_sink sink;
	void *ctx;
};

static int with_owner(void *ctx, struct gw_socket *s)
{
	struct walk *w = ctx;
	if (w->v->cfg.owners)
		gw_procinfo_attribute(w->v->pi, s);
	else
		s->pid = 0;
	return w->sink(w->ctx, s);
}

/* Reads table t and hands each row to sink (which returns nonzero to stop):
 * 1 if stopped, 0 at the end, negative on error. */
static int walk_table(struct gw_sockview *v, enum table t, gw__iph_sink sink, void *ctx,
                      struct gw_err *err)
{
	DWORD got = 0;
	int r = read_table(v, t, &got, err);
	if (r < 0)
		return r;
	struct walk w = {v, sink, ctx};
	return gw__iphelper_parse((enum gw__iph_table)t, v->buf, got, with_owner, &w,
	                          &v->stats.malformed);
}

static int add_to_set(void *ctx, struct gw_socket *s)
{
	/* Past the ceiling the set counts the socket in `dropped`; go on counting. */
	(void)!gw_sockset_add(ctx, s);
	return 0;
}

/* Adds the details of every owner in out to out's process list. */
static void add_owners(struct gw_sockview *v, struct gw_sockset *out)
{
	for (size_t i = 0; i < out->n_socks; i++) {
		const struct gw_socket *s = &out->socks[i];
		if (s->owner_status != GW_OWNER_KNOWN)
			continue;
		bool seen = false;
		for (size_t j = 0; j < out->n_procs && !seen; j++)
			seen = out->procs[j].pid == s->pid;
		const struct gw_process *p = seen ? NULL : gw_procinfo_process(v->pi, s->pid);
		if (p)
			(void)!gw_sockset_add_process(out, p);
	}
}

static int iphelper_snapshot(struct gw_sockview *v, struct gw_sockset *out, struct gw_err *err)
{
	int64_t t0 = gw_clock_monotonic_us();
	gw_sockset_clear(out);
	out->ts_us = gw_clock_realtime_us();
	int r = v->pi ? gw_procinfo_refresh(v->pi, err) : 0;
	static const enum table all[] = {TCP4, TCP6, UDP4, UDP6};
	for (size_t i = 0; i < 4 && r >= 0; i++)
		r = walk_table(v, all[i], add_to_set, out, err);
	if (r < 0) {
		v->stats.errors++;
		return r;
	}
	if (v->cfg.owners)
		add_owners(v, out);
	gw_sockset_finish(out);
	v->stats.snapshots++;
	v->stats.snapshot_us += (uint64_t)(gw_clock_monotonic_us() - t0);
	return 0;
}

struct lookup_ctx {
	const struct gw_sock_query *q;
	struct gw_socket exact, owner_of_port; /* connected match; listener / bound UDP */
	bool have_exact, have_port;
};

/* The kernel's choice: the connected socket with the exact 4-tuple, else the
 * listener (TCP) or bound socket (UDP) on the local address or a wildcard,
 * preferring the specific address. Stops at an exact match. */
static int lookup_sink(void *ctx, struct gw_socket *s)
{
	struct lookup_ctx *l = ctx;
	const struct gw_sock_query *q = l->q;
	if (s->proto != q->proto || s->local_port != q->local_port)
		return 0;
	bool connected = s->proto == GW_SOCK_TCP ? s->state != GW_SS_LISTEN : false;
	if (connected) {
		if (s->remote_port == q->remote_port && gw_addr_socket_is(&s->local, &q->local) &&
		    gw_addr_socket_is(&s->remote, &q->remote)) {
			l->exact = *s;
			l->have_exact = true;
			return 1;
		}
		return 0;
	}
	bool listener = s->proto == GW_SOCK_UDP || s->state == GW_SS_LISTEN;
	bool local_ok = gw_addr_socket_is(&s->local, &q->local) ||
	                (gw_addr_is_unspecified(&s->local) &&
	                 (s->family == q->local.family || s->family == GW_AF_INET6));
	if (listener && local_ok && (!l->have_port || !gw_addr_is_unspecified(&s->local))) {
		l->owner_of_port = *s;
		l->have_port = true;
	}
	return 0;
}

static int iphelper_lookup(struct gw_sockview *v, const struct gw_sock_query *q,
                           struct gw_socket *out, struct gw_err *err)
{
	v->stats.lookups++;
	if (q->proto != GW_SOCK_TCP && q->proto != GW_SOCK_UDP) {
		v->stats.errors++;
		return gw_err_set(err, GW_EINVAL, "lookup: protocol %u is not TCP or UDP",
		                  q->proto);
	}
	struct lookup_ctx l = {.q = q};
	enum table tables[2] = {TCP4, TCP6};
	if (q->proto == GW_SOCK_UDP)
		tables[0] = UDP4, tables[1] = UDP6;
	int r = 0;
	for (int i = 0; i < 2 && r == 0; i++)
		r = walk_table(v, tables[i], lookup_sink, &l, err);
	if (r < 0) {
		v->stats.errors++;
		return r;
	}
	if (!l.have_exact && !l.have_port)
		return 0;
	*out = l.have_exact ? l.exact : l.owner_of_port;
	v->stats.lookup_hits++;
	return 1;
}

static const struct gw_sockview_stats *iphelper_stats(const struct gw_sockview *v)
{
	return &v->stats;
}

const struct gw_sockview_ops gw_sockview_iphelper = {
        .name = "iphelper",
        .summary = "IP Helper's TCP and UDP tables (GetExtendedTcpTable/GetExtendedUdpTable) "
                   "with owning pids",
        .open = iphelper_open,
        .snapshot = iphelper_snapshot,
        .lookup = iphelper_lookup,
        .stats = iphelper_stats,
        .close = iphelper_close,
};
