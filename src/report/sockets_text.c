/* report/sockets_text.c — the `sockets` table for people, like `ss -tanpuw`:
 * protocol, state, queues, endpoints, namespace and owner (pid, name, exe, user,
 * marks), or why the owner is unknown. Packet sockets show protocol, interface
 * and filter. */
#include <stdio.h>
#include <string.h>

#include "ghostwire/sock_report.h"

void gw_sockets_print_header(FILE *out)
{
	fprintf(out, "%-6s %-12s %6s %6s %-40s %-40s %-10s %s\n", "NETID", "STATE", "RECV-Q",
	        "SEND-Q", "LOCAL ADDRESS:PORT", "PEER ADDRESS:PORT", "NETNS", "PROCESS");
}

static void endpoint(const struct gw_addr *a, uint16_t port, bool wildcard_port, char *buf,
                     size_t size)
{
	char ip[GW_ADDR_STRLEN];
	static const uint8_t zero[16];
	bool any = memcmp(a->bytes, zero, 16) == 0;
	gw_addr_format(a, ip, sizeof ip);
	const char *host = any ? "*" : ip;
	if (wildcard_port && port == 0)
		snprintf(buf, size, a->family == GW_AF_INET6 && !any ? "[%s]:*" : "%s:*", host);
	else
		snprintf(buf, size, a->family == GW_AF_INET6 && !any ? "[%s]:%u" : "%s:%u", host,
		         port);
}

static void owner(const struct gw_sockset *s, const struct gw_socket *sock, char *buf, size_t size)
{
	if (sock->owner_status != GW_OWNER_KNOWN) {
		snprintf(buf, size, "(%s)",
		         gw_owner_status_name((enum gw_owner_status)sock->owner_status));
		return;
	}
	const struct gw_process *p = gw_sockset_process(s, sock->pid);
	if (!p) {
		snprintf(buf, size, "pid=%d", sock->pid);
		return;
	}
	char marks[128];
	gw_process_mark_names(p->marks, marks, sizeof marks);
	snprintf(buf, size, "%s[%d]%s%s%s%s uid=%u%s%s%s%s%s", p->comm, p->pid,
	         p->exe[0] ? " " : "", p->exe, p->exe_deleted ? " (deleted)" : "",
	         sock->n_holders > 1 ? " (shared)" : "", p->uid, p->user[0] ? "(" : "", p->user,
	         p->user[0] ? ")" : "", marks[0] ? " marks=" : "", marks);
}

void gw_sockets_print_row(FILE *out, const struct gw_sockset *s, const struct gw_socket *sock,
                          const char *note)
{
	char local[80], remote[80], who[1024], netns[24];
	if (sock->proto == GW_SOCK_PACKET) {
		snprintf(local, sizeof local, "proto=0x%04x if=%u %s", sock->packet_proto,
		         sock->ifindex, sock->packet_type == 2 ? "dgram" : "raw");
		snprintf(remote, sizeof remote, "%s",
		         sock->packet_filter ? "bpf-filter" : "no-filter");
	} else {
		bool port_less = sock->proto == GW_SOCK_RAW;
		endpoint(&sock->local, port_less ? sock->raw_protocol : sock->local_port, false,
		         local, sizeof local);
		endpoint(&sock->remote, sock->remote_port, true, remote, sizeof remote);
	}
	snprintf(netns, sizeof netns, "%llu", (unsigned long long)sock->netns);
	owner(s, sock, who, sizeof who);
	fprintf(out, "%-6s %-12s %6u %6u %-40s %-40s %-10s %s%s%s\n",
	        gw_sock_proto_name((enum gw_sock_proto)sock->proto),
	        gw_sock_state_name((enum gw_sock_state)sock->state), sock->rx_queue, sock->tx_queue,
	        local, remote, sock->netns ? netns : "-", who, note ? "  " : "", note ? note : "");
}
