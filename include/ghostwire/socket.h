/* socket.h — the OS view's unit: one socket as the host's socket table reports
 * it (any platform), the process that owns it, and a bounded set of both as
 * one poll or one timeline record holds them. */
#ifndef GHOSTWIRE_SOCKET_H
#define GHOSTWIRE_SOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ghostwire/addr.h"
#include "ghostwire/err.h"

enum gw_sock_proto {
	GW_SOCK_TCP = 1,
	GW_SOCK_UDP = 2,
	GW_SOCK_RAW = 3,    /* AF_INET/AF_INET6 SOCK_RAW */
	GW_SOCK_PACKET = 4, /* AF_PACKET */
};

/* Socket states, numbered as Linux's tcp_states.h so that netlink and procfs
 * values map one to one; other platforms map onto them. UDP and RAW sockets are
 * ESTABLISHED when connected, CLOSE otherwise. */
enum gw_sock_state {
	GW_SS_UNKNOWN = 0,
	GW_SS_ESTABLISHED = 1,
	GW_SS_SYN_SENT = 2,
	GW_SS_SYN_RECV = 3,
	GW_SS_FIN_WAIT1 = 4,
	GW_SS_FIN_WAIT2 = 5,
	GW_SS_TIME_WAIT = 6,
	GW_SS_CLOSE = 7,
	GW_SS_CLOSE_WAIT = 8,
	GW_SS_LAST_ACK = 9,
	GW_SS_LISTEN = 10,
	GW_SS_CLOSING = 11,
	GW_SS_NEW_SYN_RECV = 12,
	GW_SS_MAX = 13,
};

/* Why a socket has or lacks an owning process. */
enum gw_owner_status {
	GW_OWNER_UNRESOLVED = 0,    /* not looked up (owners not asked for) */
	GW_OWNER_KNOWN = 1,         /* pid is set */
	GW_OWNER_NO_INODE = 2,      /* no file behind it: TIME_WAIT, NEW_SYN_RECV, kernel socket */
	GW_OWNER_NOT_FOUND = 3,     /* no process holds its inode (orphaned, or the owner exited) */
	GW_OWNER_NO_PERMISSION = 4, /* some /proc/PID/fd could not be read */
};

struct gw_socket {
	uint8_t proto;        /* enum gw_sock_proto */
	uint8_t family;       /* GW_AF_INET / GW_AF_INET6; GW_AF_NONE for PACKET */
	uint8_t state;        /* enum gw_sock_state */
	uint8_t raw_protocol; /* RAW: the IP protocol it was opened for (255 = IPPROTO_RAW) */
	uint16_t local_port;  /* host order; RAW and PACKET: 0 */
	uint16_t remote_port;
	struct gw_addr local; /* wildcard: family set, bytes zero */
	struct gw_addr remote;
	uint16_t packet_type; /* PACKET: 3 = SOCK_RAW (with link header), 2 = SOCK_DGRAM */
	uint16_t
	        packet_proto; /* PACKET: EtherType bound, host order (0x0003 = ETH_P_ALL, 0 = none) */
	bool packet_filter;   /* PACKET: a BPF filter is attached */
	bool v6only;          /* IPv6: IPV6_V6ONLY, so [::] takes no IPv4 (netlink view only) */
	bool transparent;     /* IP_TRANSPARENT: a transparent proxy's socket (netlink view only) */
	uint8_t owner_status; /* enum gw_owner_status */
	uint32_t ifindex;     /* bound interface (SO_BINDTODEVICE / packet bind), 0 = any */
	uint32_t uid;         /* the socket's uid */
	uint32_t rx_queue;    /* bytes queued (TCP LISTEN: accept backlog) */
	uint32_t tx_queue;
	uint64_t inode;  /* socket inode, 0 if none */
	uint64_t cookie; /* kernel socket cookie (sock_diag), 0 if unknown */
	uint64_t netns;  /* network namespace id (inode of /proc/PID/ns/net), 0 if unknown */
	int32_t pid;     /* owning process when owner_status is KNOWN (the lowest pid holding it) */
	uint32_t n_holders; /* processes holding it (after fork) when KNOWN */
};

/* Marks on a process, by behaviour: each is a reason a responder looks twice.
 * A bit set means the mark applies; 0 means none applies or none was judged
 * (a recording made before marks existed). Names: gw_process_mark_names. */
enum gw_process_mark {
	GW_MARK_DELETED_EXE = 1u << 0,      /* "deleted-exe": its executable was unlinked */
	GW_MARK_MEMFD_EXE = 1u << 1,        /* "memfd-exe": runs from a memfd ("/memfd:...") */
	GW_MARK_TMP_EXE = 1u << 2,          /* "tmp-exe": under /tmp, /var/tmp or /dev/shm */
	GW_MARK_UNPACKAGED_EXE = 1u << 3,   /* "unpackaged-exe": no Debian package owns the path */
	GW_MARK_KTHREAD_DISGUISE = 1u << 4, /* "kthread-disguise": a user process named like a
	                                     * kernel thread ("[kworker/0:1]", "kswapd0", ...) */
	GW_MARK_TUN_DEVICE = 1u << 5,       /* "tun-device": holds /dev/net/tun (a VPN or tunnel) */
	GW_MARK_ALL = (1u << 6) - 1,
};

/* Whether exe_sha256 holds the executable's digest, and if not why. */
enum gw_exe_hash_status {
	GW_EXE_HASH_NONE = 0,       /* "none": not tried (no executable, or not recorded) */
	GW_EXE_HASH_OK = 1,         /* "ok": exe_sha256 is set */
	GW_EXE_HASH_TOO_LARGE = 2,  /* "too-large": above the size limit, not read */
	GW_EXE_HASH_UNREADABLE = 3, /* "unreadable": could not be opened or read (permission) */
	GW_EXE_HASH_MAX = 4,
};

/* What ghostwire keeps of a process: enough to name it in a report. Copied by
 * value into socket sets and timeline records: keep it small. */
struct gw_process {
	int32_t pid;
	int32_t ppid;
	uint32_t uid;     /* real uid */
	uint64_t netns;   /* its network namespace id */
	int64_t start_us; /* start time, µs since the epoch; 0 if unknown */
	char comm[16];    /* kernel's short name, NUL-terminated */
	char exe[512];    /* executable path, without the kernel's " (deleted)"; "" if unreadable */
	char cmdline[512];  /* arguments joined by spaces, cut to fit; "" for kernel threads */
	char container[80]; /* container id (or runtime/unit) from /proc/PID/cgroup; "" if none */
	uint32_t marks;     /* enum gw_process_mark bits */
	bool exe_deleted;   /* the kernel said " (deleted)" after exe (stripped from exe) */
	uint8_t exe_hash_status; /* enum gw_exe_hash_status */
	char user[33];           /* name of uid (host's user database); "" if none or unknown */
	char exe_sha256[65];     /* SHA-256 of the executable's content, 64 lower-case hex; or "" */
};

/* A bounded set of sockets and the processes that own them: one poll's result,
 * or one timeline record. Arrays grow up to max_sockets / max_processes;
 * adding beyond is GW_ENOMEM and counted in `dropped`. */
struct gw_sockset {
	int64_t ts_us; /* when it was taken */
	struct gw_socket *socks;
	size_t n_socks, cap_socks;
	struct gw_process *procs; /* sorted by pid after gw_sockset_finish */
	size_t n_procs, cap_procs;
	size_t max_sockets, max_processes;
	uint64_t dropped; /* sockets or processes not kept for the ceiling */
};

void gw_sockset_init(struct gw_sockset *s, size_t max_sockets, size_t max_processes);
void gw_sockset_fini(struct gw_sockset *s);
/* Empties s, keeping its memory. */
void gw_sockset_clear(struct gw_sockset *s);
/* Copies sock / proc in; GW_ENOMEM when the ceiling is reached, which the set
 * also counts in `dropped`, so callers that report `dropped` may ignore it. */
int gw_sockset_add(struct gw_sockset *s, const struct gw_socket *sock);
int gw_sockset_add_process(struct gw_sockset *s, const struct gw_process *proc);
/* Sorts sockets into a stable order (gw_socket_compare) and processes by pid,
 * dropping duplicate processes. Call once all are added. */
void gw_sockset_finish(struct gw_sockset *s);
/* The process of pid in a finished set, or NULL. */
const struct gw_process *gw_sockset_process(const struct gw_sockset *s, int32_t pid);

/* A total order on sockets by identity: proto, family, local, local port,
 * remote, remote port, netns, inode. Two observations of the same socket (by two
 * views, or at two times) compare equal, whatever their state or queues. */
int gw_socket_compare(const struct gw_socket *a, const struct gw_socket *b);

/* Stable names for reports: "tcp"/"udp"/"raw"/"packet", "established",
 * "listen", ... (as `ss` prints them, lower case), "known", "no-inode", ... */
const char *gw_sock_proto_name(enum gw_sock_proto p);
const char *gw_sock_state_name(enum gw_sock_state s);
const char *gw_owner_status_name(enum gw_owner_status s);
/* Parse the names back (timeline reader); -1 if unknown. */
int gw_sock_proto_parse(const char *name);
int gw_sock_state_parse(const char *name);
int gw_owner_status_parse(const char *name);

/* The names of the marks set in marks, comma-separated in bit order
 * ("deleted-exe,tmp-exe"), into buf (NUL-terminated; never half a name);
 * "" for none. Returns buf. */
const char *gw_process_mark_names(uint32_t marks, char *buf, size_t size);
/* One mark's name ("deleted-exe"), or "?" unless mark is exactly one known bit. */
const char *gw_process_mark_name(uint32_t mark);
/* The bit of a mark name; 0 if unknown. */
uint32_t gw_process_mark_parse(const char *name);
/* "none", "ok", "too-large", "unreadable"; "?" if unknown. Parse gives -1 if unknown. */
const char *gw_exe_hash_status_name(enum gw_exe_hash_status s);
int gw_exe_hash_status_parse(const char *name);

#endif
