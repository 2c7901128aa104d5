/* os/linux/netlink_internal.h — what the files of the "netlink" socket view share:
 * one NETLINK_SOCK_DIAG socket (in our own or another network namespace), the
 * bounded reply walker with its named malformed reasons, the inet_diag and
 * packet_diag request builders and message parsers, and the recording format. */
#ifndef GHOSTWIRE_OS_LINUX_NETLINK_INTERNAL_H
#define GHOSTWIRE_OS_LINUX_NETLINK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ghostwire/cursor.h"
#include "ghostwire/err.h"
#include "ghostwire/socket.h"
#include "ghostwire/sockview.h"

/* The receive buffer. The kernel builds dump datagrams of at most 32 KiB, so a
 * datagram that does not fit is itself a malformed reply (GW__NL_BAD_TRUNCATED). */
#define GW__NL_BUF_SIZE 65536

/* Why a reply (or part of one) could not be parsed. Each has its own counter;
 * parsers return one of these, GW__NL_WELL_FORMED (0) when there is none. */
enum gw__nl_malformed {
	GW__NL_WELL_FORMED = 0,
	GW__NL_BAD_HEADER,    /* fewer than 16 bytes left for an nlmsghdr, or nlmsg_len < 16 */
	GW__NL_BAD_LENGTH,    /* nlmsg_len runs past the end of the datagram */
	GW__NL_BAD_ERROR,     /* NLMSG_ERROR whose payload cannot hold its error code */
	GW__NL_BAD_TYPE,      /* a message type sock_diag never sends */
	GW__NL_SHORT_MSG,     /* inet_diag_msg / packet_diag_msg cut short */
	GW__NL_BAD_FAMILY,    /* an address family the request cannot produce */
	GW__NL_BAD_ATTR,      /* rta_len < 4, or an attribute running past its message */
	GW__NL_SHORT_ATTR,    /* an attribute shorter than its type's payload */
	GW__NL_BAD_TRUNCATED, /* a datagram larger than the receive buffer */
	GW__NL_BAD_SENDER,    /* a datagram not sent by the kernel (nl_pid != 0) */
	GW__NL_BAD_RECORD,    /* recording: bad magic, version, byte order or length */
	GW__NL_BAD_PROCLINE,  /* RAW fallback: a /proc/PID/net/raw{,6} line that does not parse */
	GW__NL_MALFORMED_MAX
};

/* What the walker and its callers count, summed over every socket of a view. */
struct gw__nl_counts {
	uint64_t messages; /* socket messages parsed into a struct gw_socket */
	uint64_t stale;    /* messages of an earlier request (sequence mismatch), skipped */
	uint64_t malformed[GW__NL_MALFORMED_MAX];
};

uint64_t gw__nl_malformed_total(const struct gw__nl_counts *c);
const char *gw__nl_malformed_name(enum gw__nl_malformed why);

/* Native-endian loads (netlink headers and most sock_diag fields are in host
 * byte order): byte copies through the cursor, never a pointer cast. */
static inline bool gw__cursor_ne16(struct gw_cursor *c, uint16_t *v)
{
	return gw_cursor_bytes(c, v, sizeof *v);
}

static inline bool gw__cursor_ne32(struct gw_cursor *c, uint32_t *v)
{
	return gw_cursor_bytes(c, v, sizeof *v);
}

/* ---- what one reply answers, and where its sockets go ---- */

/* A request's identity: which parser reads its reply. */
struct gw__diag_kind {
	uint8_t family;   /* AF_INET, AF_INET6 or AF_PACKET */
	uint8_t protocol; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_RAW; 0 for AF_PACKET */
};

/* Receives every socket parsed from a reply; s is borrowed for the call. */
struct gw__diag_sink {
	void (*add)(void *ud, const struct gw_socket *s);
	void *ud;
};

/* ---- the reply walker (netlink.c) ---- */

enum {
	GW__NL_MORE = 0, /* the reply goes on in another datagram */
	GW__NL_DONE = 1, /* NLMSG_DONE, NLMSG_ERROR, or a single (non-multipart) answer */
};

/* Walks one datagram of a reply to a `kind` request: every SOCK_DIAG_BY_FAMILY
 * message becomes a gw_socket handed to sink; messages whose sequence is not
 * seq are skipped (seq 0 accepts any, as in replay). Never reads outside
 * buf[0..len). A malformed message is counted under its reason and the rest of
 * the datagram (whose framing can no longer be trusted) is dropped.
 * Returns GW__NL_MORE or GW__NL_DONE; *nl_errno is the positive errno that an
 * NLMSG_ERROR or NLMSG_DONE carried, 0 if none. */
int gw__diag_parse_batch(struct gw__diag_kind kind, const uint8_t *buf, size_t len, uint32_t seq,
                         const struct gw__diag_sink *sink, struct gw__nl_counts *c, int *nl_errno);

/* One nlmsghdr-framed message. */
struct gw__nlmsg {
	uint16_t type, flags;
	uint32_t seq;
	struct gw_cursor payload; /* nlmsg_len - 16 bytes after the header */
};

/* The next message of cur (which then points past it and its padding): 0, or
 * the GW__NL_* reason it is malformed. Any netlink family: sock_diag replies,
 * and the kernel events of hostevents_parse.c. */
int gw__nl_next_msg(struct gw_cursor *cur, struct gw__nlmsg *m);

/* Attributes (struct rtattr / nlattr): the next one of c into *type and
 * *payload (padding skipped). 1 if one was read, 0 at the end, or
 * -(GW__NL_BAD_ATTR) if c does not hold a well-formed attribute. */
int gw__nl_attr_next(struct gw_cursor *c, uint16_t *type, struct gw_cursor *payload);

/* ---- one NETLINK_SOCK_DIAG socket (netlink.c) ---- */

struct gw__nl {
	int fd;                /* -1 when closed (never opened, or reset after a failed dump) */
	int32_t pid;           /* the namespace is the one of this process; 0 = our own */
	uint64_t netns;        /* inode of that network namespace, 0 if it could not be read */
	uint32_t seq;          /* sequence number of the last request */
	const char *proc_root; /* borrowed: "/proc" or a test tree */
};

/* What every request shares: the receive buffer, the optional recording and the
 * counters. Owned by the view (one for all its sockets). */
struct gw__nl_io {
	uint8_t *buf;  /* GW__NL_BUF_SIZE bytes */
	FILE *record;  /* borrowed; NULL = not recording */
	bool stranded; /* a return to our own namespace failed: every request now fails */
	struct gw__nl_counts counts;
};

int gw__nl_io_init(struct gw__nl_io *io, struct gw_err *err) GW_MUST_CHECK;
void gw__nl_io_fini(struct gw__nl_io *io);

/* Opens a sock_diag socket in the network namespace of pid (0: our own). For
 * another namespace this enters it through <proc_root>/PID/ns/net with
 * setns(CLONE_NEWNET), creates the socket (which stays bound to that namespace)
 * and returns to our own namespace. *stranded is set if that return failed: the
 * calling thread is then in the wrong namespace and the caller must stop.
 * GW_EPERM when the namespace cannot be entered (not root), GW_ENOENT when the
 * process is gone. nl->netns is the namespace's inode. */
int gw__nl_open(struct gw__nl *nl, const char *proc_root, int32_t pid, bool *stranded,
                struct gw_err *err) GW_MUST_CHECK;
void gw__nl_close(struct gw__nl *nl);

/* The inode of <proc_root>/<pid or "self">/ns/net, 0 if unreadable. */
uint64_t gw__netns_of(const char *proc_root, int32_t pid);

/* Sends the request req (nlmsghdr + body; its sequence number is set here) and
 * reads the reply into sink: every datagram of a dump until NLMSG_DONE, or the
 * one datagram of an exact request (dump false). Reopens a socket reset by an
 * earlier failure. Returns 0; or -ENOENT-like answers of the kernel as a
 * negative GW code with *nl_errno set (the positive errno); or GW_EIO when the
 * socket fails or the kernel does not answer within 2 s (the socket is then
 * reset, because a half-read dump would make the next request fail with EBUSY).
 * A reopen that strands the thread in another namespace sets io->stranded. */
int gw__nl_request(struct gw__nl *nl, struct gw__nl_io *io, struct gw__diag_kind kind, bool dump,
                   uint8_t *req, size_t req_len, const struct gw__diag_sink *sink, int *nl_errno,
                   struct gw_err *err) GW_MUST_CHECK;

/* ---- the recording seam (netlink.c) ----
 *
 * A recording is a file of records, appended one per reply datagram as it was
 * received (like `ss -D`), so that parsing can be tested without a kernel. Each
 * record is a fixed 16-byte header followed by the datagram's bytes:
 *
 *   offset size  field
 *        0    4  magic, the bytes "GWNL"
 *        4    4  length of the datagram that follows, little-endian, <= GW__NL_BUF_SIZE
 *        8    1  format version, 1
 *        9    1  flags: bit 0 = recorded on a big-endian host (netlink is in host order;
 *                a recording is only read back on a host of the same byte order)
 *       10    1  sdiag_family of the request (2 AF_INET, 10 AF_INET6, 17 AF_PACKET)
 *       11    1  sdiag_protocol of the request (6 TCP, 17 UDP, 255 RAW; 0 for AF_PACKET)
 *       12    4  reserved, zero
 *       16    …  the datagram: one or more nlmsghdr-framed messages, as the kernel sent them
 *
 * Records carry no sequence numbers of their own; replay accepts any. RAW
 * sockets read from /proc (kernels without raw_diag) are not netlink replies
 * and are not recorded. */
#define GW__NL_RECORD_HDR     16
#define GW__NL_RECORD_VERSION 1

/* Appends one record; false (with errno) if the write failed. */
bool gw__nl_record_write(FILE *f, struct gw__diag_kind kind, const uint8_t *buf, size_t len);

/* Parses the records of data[0..len) into sink. Returns the number of records
 * read, or GW_EFORMAT / GW_ETRUNC (with err naming the offset) at the first
 * record whose header is bad or whose bytes are cut short; the records before
 * it have been delivered. Malformed messages inside a record are counted only. */
long gw__nl_replay(const uint8_t *data, size_t len, const struct gw__diag_sink *sink,
                   struct gw__nl_counts *c, struct gw_err *err);

/* The same over a file, read one record at a time into a bounded buffer. */
long gw__nl_replay_file(const char *path, const struct gw__diag_sink *sink, struct gw__nl_counts *c,
                        struct gw_err *err);

/* ---- the view (sockview_netlink.c) ---- */

struct gw_sockview;

/* Appends every reply datagram the netlink view v receives from now on to path
 * (created if missing); NULL stops. v must be a "netlink" view. A failed write
 * stops the recording, never the view. */
int gw__sockview_netlink_record(struct gw_sockview *v, const char *path, struct gw_err *err)
        GW_MUST_CHECK;

/* ---- inet_diag: TCP, UDP, RAW over IPv4 and IPv6 (inet_diag.c) ---- */

/* Size of every inet_diag request: nlmsghdr + struct inet_diag_req_v2. */
#define GW__INET_DIAG_REQ_LEN 72

/* A dump of every socket of protocol (IPPROTO_TCP: every state but the kernel's
 * bind-only TCP_BOUND_INACTIVE; IPPROTO_UDP; IPPROTO_RAW: raw sockets of every
 * IP protocol) and family into req. */
void gw__inet_diag_dump_req(uint8_t req[GW__INET_DIAG_REQ_LEN], uint8_t family, uint8_t protocol);

/* An exact request (no NLM_F_DUMP) for the TCP or UDP socket of q into req;
 * false if q cannot be asked (protocol or family). */
bool gw__inet_diag_exact_req(uint8_t req[GW__INET_DIAG_REQ_LEN], const struct gw_sock_query *q,
                             struct gw__diag_kind *kind);

/* Whether s, as the kernel's exact lookup returned it, is the socket for q:
 * the same 4-tuple, or the listener / unconnected bound socket that owns q's
 * local end (local address equal or wildcard, same local port, remote wildcard). */
bool gw__inet_diag_answers(const struct gw_socket *s, const struct gw_sock_query *q);

/* Parses one inet_diag_msg (and its attributes) answering a request for
 * protocol into *s. 0, or the GW__NL_* reason it is malformed. */
int gw__inet_diag_parse(uint8_t protocol, struct gw_cursor msg, struct gw_socket *s);

/* The INET_DIAG_PROTOCOL attribute of one inet_diag_msg (destroy notifications
 * carry it: one socket hears TCP and UDP); false if it is absent or cut. */
bool gw__inet_diag_protocol(struct gw_cursor msg, uint8_t *protocol);

/* ---- packet_diag: AF_PACKET sockets (packet_diag.c) ---- */

/* Size of the packet_diag request: nlmsghdr + struct packet_diag_req. */
#define GW__PACKET_DIAG_REQ_LEN 36

/* A dump of every AF_PACKET socket with PACKET_SHOW_INFO | PACKET_SHOW_FILTER. */
void gw__packet_diag_dump_req(uint8_t req[GW__PACKET_DIAG_REQ_LEN]);

/* Parses one packet_diag_msg (and its attributes) into *s. 0, or a GW__NL_* reason. */
int gw__packet_diag_parse(struct gw_cursor msg, struct gw_socket *s);

#endif
