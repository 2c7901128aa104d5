/* correlate/processes.c — the correlator's process map: owns what the timeline
 * told of each pid (latest wins), whether it has exited (an exited owner still
 * names the flows it had), the bound on processes and its eviction counter. */
#include <stdlib.h>
#include <string.h>

#include "correlate_internal.h"

#define MIN_BUCKETS 256

static uint32_t pid_hash(uint64_t seed, int32_t pid)
{
	uint64_t h = gw__corr_mum((uint64_t)(uint32_t)pid ^ seed ^ 0xa0761d6478bd642fULL,
	                          (seed >> 5 ^ 0xe7037ed1a0b428dbULL) | 1);
	return (uint32_t)(h ^ h >> 32);
}

void gw__procmap_init(struct gw__procmap *m, size_t max, uint64_t seed)
{
	memset(m, 0, sizeof *m);
	m->max = max;
	m->seed = seed;
}

static void free_list(struct gw__proc_entry *e)
{
	while (e) {
		struct gw__proc_entry *next = e->next;
		free(e);
		e = next;
	}
}

void gw__procmap_fini(struct gw__procmap *m)
{
	free_list(m->live_head);
	free_list(m->exit_head);
	free(m->b);
	memset(m, 0, sizeof *m);
}

/* ---- the live and exited lists ---- */

static void unlink_entry(struct gw__procmap *m, struct gw__proc_entry *e)
{
	struct gw__proc_entry **head = e->exited ? &m->exit_head : &m->live_head;
	struct gw__proc_entry **tail = e->exited ? &m->exit_tail : &m->live_tail;
	if (e->prev)
		e->prev->next = e->next;
	else
		*head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		*tail = e->prev;
	e->prev = e->next = NULL;
}

static void append_entry(struct gw__procmap *m, struct gw__proc_entry *e)
{
	struct gw__proc_entry **head = e->exited ? &m->exit_head : &m->live_head;
	struct gw__proc_entry **tail = e->exited ? &m->exit_tail : &m->live_tail;
	e->next = NULL;
	e->prev = *tail;
	if (*tail)
		(*tail)->next = e;
	else
		*head = e;
	*tail = e;
}

/* ---- the hash ---- */

static struct gw__proc_entry *find(const struct gw__procmap *m, int32_t pid)
{
	if (!m->b)
		return NULL;
	for (struct gw__proc_entry *e = m->b[pid_hash(m->seed, pid) & m->mask]; e; e = e->hnext)
		if (e->p.pid == pid)
			return e;
	return NULL;
}

static void grow(struct gw__procmap *m)
{
	size_t nb = m->b ? m->mask + 1 : 0;
	if (nb && (m->n < nb || nb >= m->max))
		return;
	size_t want = nb ? nb * 2 : MIN_BUCKETS;
	struct gw__proc_entry **b = calloc(want, sizeof *b);
	if (!b)
		return; /* longer chains, same answers */
	for (size_t i = 0; i < nb; i++) {
		struct gw__proc_entry *e = m->b[i];
		while (e) {
			struct gw__proc_entry *next = e->hnext;
			size_t k = pid_hash(m->seed, e->p.pid) & (want - 1);
			e->hnext = b[k];
			b[k] = e;
			e = next;
		}
	}
	free(m->b);
	m->b = b;
	m->mask = want - 1;
}

static void remove_entry(struct gw__procmap *m, struct gw__proc_entry *e)
{
	struct gw__proc_entry **pp = &m->b[pid_hash(m->seed, e->p.pid) & m->mask];
	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
	unlink_entry(m, e);
	free(e);
	m->n--;
}

/* The entry of pid, created empty (on the live list) if new; NULL without memory. */
static struct gw__proc_entry *upsert(struct gw__procmap *m, int32_t pid)
{
	struct gw__proc_entry *e = find(m, pid);
	if (e)
		return e;
	if (m->n >= m->max) {
		struct gw__proc_entry *victim = m->exit_head ? m->exit_head : m->live_head;
		if (victim) {
			remove_entry(m, victim);
			m->evicted++;
		}
	}
	grow(m);
	if (!m->b)
		return NULL;
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	e->p.pid = pid;
	size_t k = pid_hash(m->seed, pid) & m->mask;
	e->hnext = m->b[k];
	m->b[k] = e;
	append_entry(m, e);
	m->n++;
	return e;
}

/* Moves e to the live list's tail: it was just heard of. */
static void touch_live(struct gw__procmap *m, struct gw__proc_entry *e)
{
	unlink_entry(m, e);
	e->exited = false;
	e->exited_us = 0;
	append_entry(m, e);
}

int gw__procmap_put(struct gw__procmap *m, const struct gw_process *p)
{
	struct gw__proc_entry *e = upsert(m, p->pid);
	if (!e)
		return GW_ENOMEM;
	e->p = *p;
	touch_live(m, e);
	return 0;
}

int gw__procmap_event(struct gw__procmap *m, const char *event, int32_t pid, int32_t ppid,
                      int64_t ts_us)
{
	if (strcmp(event, "exit") == 0) {
		struct gw__proc_entry *e = find(m, pid);
		if (e && !e->exited) {
			unlink_entry(m, e);
			e->exited = true;
			e->exited_us = ts_us;
			append_entry(m, e);
		}
		return 0;
	}
	struct gw__proc_entry *e = upsert(m, pid);
	if (!e)
		return GW_ENOMEM;
	e->p.ppid = ppid;
	touch_live(m, e);
	return 0;
}

const struct gw_process *gw__procmap_get(const struct gw__procmap *m, int32_t pid, bool *exited)
{
	const struct gw__proc_entry *e = find(m, pid);
	if (exited)
		*exited = e && e->exited;
	return e ? &e->p : NULL;
}
