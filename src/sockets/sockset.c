/* sockets/sockset.c — the bounded set of sockets and processes that one poll or
 * one timeline record holds: growth up to its ceilings, the stable order of
 * sockets, and process lookup by pid. */
#include <stdlib.h>
#include <string.h>

#include "ghostwire/socket.h"

void gw_sockset_init(struct gw_sockset *s, size_t max_sockets, size_t max_processes)
{
	memset(s, 0, sizeof *s);
	s->max_sockets = max_sockets;
	s->max_processes = max_processes;
}

void gw_sockset_fini(struct gw_sockset *s)
{
	free(s->socks);
	free(s->procs);
	memset(s, 0, sizeof *s);
}

void gw_sockset_clear(struct gw_sockset *s)
{
	s->n_socks = 0;
	s->n_procs = 0;
	s->dropped = 0;
	s->ts_us = 0;
}

/* Grows *v (elements of size sz) to hold one more, doubling up to max. */
static int grow(void **v, size_t *cap, size_t n, size_t max, size_t sz)
{
	if (n < *cap)
		return 0;
	if (n >= max)
		return GW_ENOMEM;
	size_t next = *cap ? *cap * 2 : 64;
	if (next > max)
		next = max;
	void *p = realloc(*v, next * sz);
	if (!p)
		return GW_ENOMEM;
	*v = p;
	*cap = next;
	return 0;
}

int gw_sockset_add(struct gw_sockset *s, const struct gw_socket *sock)
{
	if (grow((void **)&s->socks, &s->cap_socks, s->n_socks, s->max_sockets, sizeof *sock) < 0) {
		s->dropped++;
		return GW_ENOMEM;
	}
	s->socks[s->n_socks++] = *sock;
	return 0;
}

int gw_sockset_add_process(struct gw_sockset *s, const struct gw_process *proc)
{
	if (grow((void **)&s->procs, &s->cap_procs, s->n_procs, s->max_processes, sizeof *proc) <
	    0) {
		s->dropped++;
		return GW_ENOMEM;
	}
	s->procs[s->n_procs++] = *proc;
	return 0;
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

int gw_socket_compare(const struct gw_socket *a, const struct gw_socket *b)
{
	int c;
	if ((c = cmp_u64(a->proto, b->proto)) || (c = cmp_u64(a->family, b->family)))
		return c;
	if ((c = memcmp(a->local.bytes, b->local.bytes, 16)) ||
	    (c = cmp_u64(a->local_port, b->local_port)))
		return c;
	if ((c = memcmp(a->remote.bytes, b->remote.bytes, 16)) ||
	    (c = cmp_u64(a->remote_port, b->remote_port)))
		return c;
	if ((c = cmp_u64(a->netns, b->netns)))
		return c;
	return cmp_u64(a->inode, b->inode);
}

static int cmp_socket(const void *a, const void *b)
{
	return gw_socket_compare(a, b);
}

static int cmp_process(const void *a, const void *b)
{
	int32_t x = ((const struct gw_process *)a)->pid, y = ((const struct gw_process *)b)->pid;
	return x < y ? -1 : x > y;
}

void gw_sockset_finish(struct gw_sockset *s)
{
	if (s->n_socks > 1)
		qsort(s->socks, s->n_socks, sizeof *s->socks, cmp_socket);
	if (s->n_procs > 1)
		qsort(s->procs, s->n_procs, sizeof *s->procs, cmp_process);
	size_t k = 0;
	for (size_t i = 0; i < s->n_procs; i++)
		if (k == 0 || s->procs[k - 1].pid != s->procs[i].pid)
			s->procs[k++] = s->procs[i];
	s->n_procs = k;
}

const struct gw_process *gw_sockset_process(const struct gw_sockset *s, int32_t pid)
{
	size_t lo = 0, hi = s->n_procs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n_procs && s->procs[lo].pid == pid ? &s->procs[lo] : NULL;
}
