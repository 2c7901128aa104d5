/* os/linux/netlink.c — the NETLINK_SOCK_DIAG transport of the netlink view: owns
 * the socket (entering another network namespace to create it), the request /
 * reply exchange with its timeout, the bounded walk over nlmsghdr-framed replies
 * and its malformed counters, and the recording of replies and their replay. */
#define _GNU_SOURCE /* setns */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "netlink_internal.h"

_Static_assert(sizeof(struct nlmsghdr) == 16, "nlmsghdr is 16 bytes on the wire");

/* How long the kernel may take to send the next datagram of a reply. */
#define REPLY_TIMEOUT_S 2

static const char *const malformed_names[GW__NL_MALFORMED_MAX] = {
        [GW__NL_WELL_FORMED] = "well formed",
        [GW__NL_BAD_HEADER] = "short or undersized nlmsghdr",
        [GW__NL_BAD_LENGTH] = "nlmsg_len past the end of the datagram",
        [GW__NL_BAD_ERROR] = "NLMSG_ERROR too short for its error code",
        [GW__NL_BAD_TYPE] = "unexpected netlink message type",
        [GW__NL_SHORT_MSG] = "sock_diag message cut short",
        [GW__NL_BAD_FAMILY] = "unexpected address family",
        [GW__NL_BAD_ATTR] = "attribute length out of bounds",
        [GW__NL_SHORT_ATTR] = "attribute shorter than its type",
        [GW__NL_BAD_TRUNCATED] = "datagram larger than the receive buffer",
        [GW__NL_BAD_SENDER] = "datagram not from the kernel",
        [GW__NL_BAD_RECORD] = "bad recording record",
        [GW__NL_BAD_PROCLINE] = "unparsable /proc/PID/net/raw line",
};

uint64_t gw__nl_malformed_total(const struct gw__nl_counts *c)
{
	uint64_t n = 0;
	for (int i = GW__NL_WELL_FORMED + 1; i < GW__NL_MALFORMED_MAX; i++)
		n += c->malformed[i];
	return n;
}

const char *gw__nl_malformed_name(enum gw__nl_malformed why)
{
	return (unsigned)why < GW__NL_MALFORMED_MAX ? malformed_names[why] : "?";
}

/* ---- walking replies ---- */

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

int gw__nl_attr_next(struct gw_cursor *c, uint16_t *type, struct gw_cursor *payload)
{
	if (gw_cursor_left(c) == 0)
		return 0;
	struct gw_cursor at = *c;
	uint16_t len;
	if (!gw__cursor_ne16(&at, &len) || !gw__cursor_ne16(&at, type) || len < 4 ||
	    !gw_cursor_sub(&at, len - 4u, payload))
		return -GW__NL_BAD_ATTR;
	*type &= NLA_TYPE_MASK;
	/* The last attribute's padding may be missing; never skip past the end. */
	size_t pad = align4(len) - len;
	if (!gw_cursor_skip(&at, pad))
		at.p = at.end;
	*c = at;
	return 1;
}

/* One SOCK_DIAG_BY_FAMILY message to the sink, or its malformed reason counted. */
static void deliver(struct gw__diag_kind kind, struct gw_cursor msg,
                    const struct gw__diag_sink *sink, struct gw__nl_counts *c)
{
	struct gw_socket s;
	int why = kind.family == AF_PACKET ? gw__packet_diag_parse(msg, &s)
	                                   : gw__inet_diag_parse(kind.protocol, msg, &s);
	if (why) {
		c->malformed[why]++;
		return;
	}
	c->messages++;
	if (sink && sink->add)
		sink->add(sink->ud, &s);
}

/* The errno an NLMSG_ERROR or NLMSG_DONE payload carries (an int, <= 0). */
static int carried_errno(struct gw_cursor payload, bool *ok)
{
	uint32_t raw;
	*ok = gw__cursor_ne32(&payload, &raw);
	if (!*ok)
		return 0;
	int32_t e;
	memcpy(&e, &raw, sizeof e);
	if (e > 0 || e == INT32_MIN) {
		*ok = false; /* not an errno the kernel could send */
		return 0;
	}
	return -e;
}

int gw__nl_next_msg(struct gw_cursor *cur, struct gw__nlmsg *m)
{
	struct gw_cursor h = *cur;
	uint32_t len, pid;
	if (!gw__cursor_ne32(&h, &len) || !gw__cursor_ne16(&h, &m->type) ||
	    !gw__cursor_ne16(&h, &m->flags) || !gw__cursor_ne32(&h, &m->seq) ||
	    !gw__cursor_ne32(&h, &pid) || len < 16)
		return GW__NL_BAD_HEADER;
	if (!gw_cursor_sub(&h, len - 16, &m->payload))
		return GW__NL_BAD_LENGTH;
	if (!gw_cursor_skip(cur, align4(len))) /* the last message may lack its padding */
		cur->p = cur->end;
	return 0;
}

/* NLMSG_DONE, NLMSG_ERROR and NLMSG_OVERRUN end a reply; the errno they carry. */
static int end_of_reply(const struct gw__nlmsg *m, struct gw__nl_counts *c)
{
	bool ok;
	int e;
	switch (m->type) {
	case NLMSG_DONE:
		/* Dumps end with an int: 0, or the error that cut the dump short. */
		if (gw_cursor_left(&m->payload) < 4)
			return 0;
		e = carried_errno(m->payload, &ok);
		if (!ok)
			c->malformed[GW__NL_BAD_ERROR]++;
		return e;
	case NLMSG_ERROR:
		e = carried_errno(m->payload, &ok);
		if (ok)
			return e;
		c->malformed[GW__NL_BAD_ERROR]++;
		return EPROTO;
	default: /* NLMSG_OVERRUN */
		return ENOBUFS;
	}
}

int gw__diag_parse_batch(struct gw__diag_kind kind, const uint8_t *buf, size_t len, uint32_t seq,
                         const struct gw__diag_sink *sink, struct gw__nl_counts *c, int *nl_errno)
{
	struct gw_cursor cur = gw_cursor_make(buf, len);
	*nl_errno = 0;
	while (gw_cursor_left(&cur) > 0) {
		struct gw__nlmsg m;
		int why = gw__nl_next_msg(&cur, &m);
		if (why) {
			c->malformed[why]++;
			return GW__NL_MORE;
		}
		if (seq && m.seq != seq) {
			c->stale++;
			continue;
		}
		switch (m.type) {
		case NLMSG_NOOP:
			continue;
		case NLMSG_DONE:
		case NLMSG_ERROR:
		case NLMSG_OVERRUN:
			*nl_errno = end_of_reply(&m, c);
			return GW__NL_DONE;
		case SOCK_DIAG_BY_FAMILY:
			deliver(kind, m.payload, sink, c);
			if (!(m.flags & NLM_F_MULTI))
				return GW__NL_DONE; /* the one answer to an exact request */
			continue;
		default:
			c->malformed[GW__NL_BAD_TYPE]++;
			return GW__NL_MORE;
		}
	}
	return GW__NL_MORE;
}

/* ---- the socket ---- */

int gw__nl_io_init(struct gw__nl_io *io, struct gw_err *err)
{
	memset(io, 0, sizeof *io);
	io->buf = malloc(GW__NL_BUF_SIZE);
	return io->buf ? 0 : gw_err_set(err, GW_ENOMEM, "netlink: out of memory");
}

void gw__nl_io_fini(struct gw__nl_io *io)
{
	free(io->buf);
	io->buf = NULL;
}

static int gw_code_of(int e)
{
	switch (e) {
	case ENOENT:
	case ESRCH:
		return GW_ENOENT;
	case EPERM:
	case EACCES:
		return GW_EPERM;
	case EOPNOTSUPP:
	case EPROTONOSUPPORT:
	case EAFNOSUPPORT:
		return GW_ENOTSUP;
	case ENOMEM:
	case ENOBUFS:
		return GW_ENOMEM;
	case EINVAL:
		return GW_EINVAL;
	default:
		return GW_EIO;
	}
}

static void ns_path(char *buf, size_t size, const char *proc_root, int32_t pid)
{
	if (pid > 0)
		snprintf(buf, size, "%s/%d/ns/net", proc_root, (int)pid);
	else
		snprintf(buf, size, "%s/thread-self/ns/net", proc_root);
}

uint64_t gw__netns_of(const char *proc_root, int32_t pid)
{
	char path[PATH_MAX];
	ns_path(path, sizeof path, proc_root, pid);
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* A sock_diag socket in the calling thread's namespace, with a reply timeout. */
static int diag_socket(void)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Creates the socket inside the namespace open at target, then returns to home. */
static int socket_in(int target, int home, const char *path, int *fd, bool *stranded,
                     struct gw_err *err)
{
	if (setns(target, CLONE_NEWNET) < 0)
		return gw_err_set(err, gw_code_of(errno), "%s: cannot enter the namespace: %s",
		                  path, strerror(errno));
	*fd = diag_socket();
	int create_errno = errno;
	if (setns(home, CLONE_NEWNET) < 0) {
		int e = errno;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
		*stranded = true;
		return gw_err_set(err, GW_EPERM,
		                  "%s: cannot return to our own network namespace: %s", path,
		                  strerror(e));
	}
	if (*fd < 0)
		return gw_err_set(err, gw_code_of(create_errno),
		                  "%s: cannot create a sock_diag socket inside: %s", path,
		                  strerror(create_errno));
	return 0;
}

static int open_other(struct gw__nl *nl, bool *stranded, struct gw_err *err)
{
	char path[PATH_MAX], home_path[PATH_MAX];
	ns_path(path, sizeof path, nl->proc_root, nl->pid);
	ns_path(home_path, sizeof home_path, nl->proc_root, 0);
	int target = open(path, O_RDONLY | O_CLOEXEC);
	if (target < 0)
		return gw_err_set(err, gw_code_of(errno), "%s: %s", path, strerror(errno));
	struct stat st;
	int home = open(home_path, O_RDONLY | O_CLOEXEC);
	if (home < 0 || fstat(target, &st) < 0) {
		int e = errno;
		if (home >= 0)
			close(home);
		close(target);
		return gw_err_set(err, gw_code_of(e), "%s: %s", home < 0 ? home_path : path,
		                  strerror(e));
	}
	nl->netns = (uint64_t)st.st_ino;
	int rc = socket_in(target, home, path, &nl->fd, stranded, err);
	close(home);
	close(target);
	return rc;
}

int gw__nl_open(struct gw__nl *nl, const char *proc_root, int32_t pid, bool *stranded,
                struct gw_err *err)
{
	memset(nl, 0, sizeof *nl);
	nl->fd = -1;
	nl->pid = pid;
	nl->proc_root = proc_root;
	*stranded = false;
	if (pid > 0)
		return open_other(nl, stranded, err);
	nl->netns = gw__netns_of(proc_root, 0);
	nl->fd = diag_socket();
	if (nl->fd < 0)
		return gw_err_set(err, gw_code_of(errno),
		                  "cannot open a NETLINK_SOCK_DIAG socket: %s", strerror(errno));
	return 0;
}

void gw__nl_close(struct gw__nl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

/* Reopens a socket reset by a failed dump (in the same namespace). */
static int reopen(struct gw__nl *nl, struct gw__nl_io *io, struct gw_err *err)
{
	if (nl->fd >= 0)
		return 0;
	uint64_t netns = nl->netns;
	struct gw__nl fresh;
	int rc = gw__nl_open(&fresh, nl->proc_root, nl->pid, &io->stranded, err);
	if (rc < 0)
		return rc;
	if (netns && fresh.netns != netns) {
		gw__nl_close(&fresh);
		return gw_err_set(err, GW_ENOENT, "process %d left network namespace %llu",
		                  (int)nl->pid, (unsigned long long)netns);
	}
	fresh.seq = nl->seq;
	*nl = fresh;
	return 0;
}

static int send_req(struct gw__nl *nl, bool dump, uint8_t *req, size_t req_len, struct gw_err *err)
{
	uint16_t flags = NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0);
	uint32_t len32 = (uint32_t)req_len;
	nl->seq = nl->seq + 1 ? nl->seq + 1 : 1;
	memcpy(req, &len32, 4);
	memcpy(req + 6, &flags, 2);
	memcpy(req + 8, &nl->seq, 4);
	memset(req + 12, 0, 4);
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	ssize_t n;
	do
		n = sendto(nl->fd, req, req_len, 0, (struct sockaddr *)&kernel, sizeof kernel);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)req_len)
		return gw_err_set(err, GW_EIO, "sock_diag request: %s",
		                  n < 0 ? strerror(errno) : "short send");
	return 0;
}

/* One datagram of the reply into io->buf; its length, or a negative GW code. */
static ssize_t recv_datagram(struct gw__nl *nl, struct gw__nl_io *io, bool *from_kernel,
                             struct gw_err *err)
{
	struct sockaddr_nl from;
	struct iovec iov = {.iov_base = io->buf, .iov_len = GW__NL_BUF_SIZE};
	struct msghdr mh = {
	        .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;
	do
		n = recvmsg(nl->fd, &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return gw_err_set(err, GW_EIO, "sock_diag reply: %s",
		                  errno == EAGAIN || errno == EWOULDBLOCK ? "timed out"
		                                                          : strerror(errno));
	if (mh.msg_flags & MSG_TRUNC)
		io->counts.malformed[GW__NL_BAD_TRUNCATED]++;
	*from_kernel = mh.msg_namelen >= sizeof from && from.nl_pid == 0;
	return n;
}

int gw__nl_request(struct gw__nl *nl, struct gw__nl_io *io, struct gw__diag_kind kind, bool dump,
                   uint8_t *req, size_t req_len, const struct gw__diag_sink *sink, int *nl_errno,
                   struct gw_err *err)
{
	*nl_errno = 0;
	if (io->stranded)
		return gw_err_set(err, GW_EPERM, "stranded in another network namespace");
	int rc = reopen(nl, io, err);
	if (rc < 0 || (rc = send_req(nl, dump, req, req_len, err)) < 0)
		goto fail;
	for (;;) {
		bool from_kernel = false;
		ssize_t n = recv_datagram(nl, io, &from_kernel, err);
		if (n < 0) {
			rc = (int)n;
			goto fail;
		}
		if (!from_kernel) {
			io->counts.malformed[GW__NL_BAD_SENDER]++;
			continue;
		}
		if (io->record && !gw__nl_record_write(io->record, kind, io->buf, (size_t)n))
			io->record = NULL; /* the recording failed; the live view goes on */
		int r = gw__diag_parse_batch(kind, io->buf, (size_t)n, nl->seq, sink, &io->counts,
		                             nl_errno);
		if (r == GW__NL_DONE || !dump)
			break;
	}
	if (*nl_errno)
		return gw_err_set(err, gw_code_of(*nl_errno),
		                  "sock_diag (family %d, protocol %d): %s", kind.family,
		                  kind.protocol, strerror(*nl_errno));
	return 0;
fail:
	gw__nl_close(nl); /* a half-read dump would make the next one fail with EBUSY */
	return rc;
}

/* ---- recording ---- */

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint8_t host_order_flag(void)
{
	const uint16_t one = 1;
	uint8_t first;
	memcpy(&first, &one, 1);
	return first ? 0 : 1;
}

bool gw__nl_record_write(FILE *f, struct gw__diag_kind kind, const uint8_t *buf, size_t len)
{
	uint8_t h[GW__NL_RECORD_HDR] = {'G', 'W', 'N', 'L'};
	put_le32(h + 4, (uint32_t)len);
	h[8] = GW__NL_RECORD_VERSION;
	h[9] = host_order_flag();
	h[10] = kind.family;
	h[11] = kind.protocol;
	return len <= GW__NL_BUF_SIZE && fwrite(h, 1, sizeof h, f) == sizeof h &&
	       fwrite(buf, 1, len, f) == len && fflush(f) == 0;
}

/* Checks a record header; its kind and length, or a negative GW code. */
static int record_header(struct gw_cursor *c, struct gw__diag_kind *kind, uint32_t *len)
{
	uint8_t magic[4], version, flags;
	uint32_t reserved;
	if (!gw_cursor_has(c, GW__NL_RECORD_HDR))
		return GW_ETRUNC;
	if (!gw_cursor_bytes(c, magic, 4) || !gw_cursor_le32(c, len) ||
	    !gw_cursor_u8(c, &version) || !gw_cursor_u8(c, &flags) ||
	    !gw_cursor_u8(c, &kind->family) || !gw_cursor_u8(c, &kind->protocol) ||
	    !gw_cursor_le32(c, &reserved))
		return GW_ETRUNC;
	if (memcmp(magic, "GWNL", 4) != 0 || version != GW__NL_RECORD_VERSION ||
	    flags != host_order_flag() || *len > GW__NL_BUF_SIZE)
		return GW_EFORMAT;
	return 0;
}

static void replay_batch(struct gw__diag_kind kind, const uint8_t *p, size_t n,
                         const struct gw__diag_sink *sink, struct gw__nl_counts *c)
{
	int nl_errno;
	(void)gw__diag_parse_batch(kind, p, n, 0, sink, c, &nl_errno);
}

long gw__nl_replay(const uint8_t *data, size_t len, const struct gw__diag_sink *sink,
                   struct gw__nl_counts *c, struct gw_err *err)
{
	struct gw_cursor cur = gw_cursor_make(data, len);
	long records = 0;
	while (gw_cursor_left(&cur) > 0) {
		size_t at = len - gw_cursor_left(&cur);
		struct gw__diag_kind kind;
		uint32_t n = 0;
		struct gw_cursor body = {NULL, NULL};
		int rc = record_header(&cur, &kind, &n);
		if (rc == 0 && !gw_cursor_sub(&cur, n, &body))
			rc = GW_ETRUNC;
		if (rc < 0) {
			c->malformed[GW__NL_BAD_RECORD]++;
			return gw_err_set(err, rc, "netlink recording: %s record at offset %zu",
			                  rc == GW_ETRUNC ? "truncated" : "bad", at);
		}
		replay_batch(kind, body.p, n, sink, c);
		records++;
	}
	return records;
}

/* Reads one record of f into buf; 1, 0 at a clean end, or a negative GW code. */
static int read_record(FILE *f, uint8_t *buf, struct gw__diag_kind *kind, uint32_t *n)
{
	uint8_t h[GW__NL_RECORD_HDR];
	size_t got = fread(h, 1, sizeof h, f);
	if (got == 0 && feof(f))
		return 0;
	struct gw_cursor c = gw_cursor_make(h, got);
	int rc = record_header(&c, kind, n);
	if (rc < 0)
		return rc;
	return fread(buf, 1, *n, f) == *n ? 1 : GW_ETRUNC;
}

long gw__nl_replay_file(const char *path, const struct gw__diag_sink *sink, struct gw__nl_counts *c,
                        struct gw_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return gw_err_set(err, gw_code_of(errno), "%s: %s", path, strerror(errno));
	uint8_t *buf = malloc(GW__NL_BUF_SIZE);
	if (!buf) {
		fclose(f);
		return gw_err_set(err, GW_ENOMEM, "%s: out of memory", path);
	}
	long records = 0;
	for (;;) {
		long at = ftell(f);
		struct gw__diag_kind kind;
		uint32_t n;
		int rc = read_record(f, buf, &kind, &n);
		if (rc == 0)
			break;
		if (rc < 0) {
			c->malformed[GW__NL_BAD_RECORD]++;
			records = gw_err_set(err, ferror(f) ? GW_EIO : rc,
			                     "%s: %s record at offset %ld", path,
			                     rc == GW_ETRUNC ? "truncated" : "bad", at);
			break;
		}
		replay_batch(kind, buf, n, sink, c);
		records++;
	}
	free(buf);
	fclose(f);
	return records;
}
