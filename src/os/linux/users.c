/* os/linux/users.c — uid → user name for process details: a bounded cache in
 * front of the user database (getpwuid_r, so NSS: /etc/passwd, which stays
 * readable after the privilege drop). Owns the cache and when it asks again. */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "details_internal.h"

enum {
	RECHECK_GENS = 256, /* refreshes after which a uid is asked again */
	PW_BUF = 16384,     /* getpwuid_r's scratch: larger entries count as unknown */
};

struct user_entry {
	bool used;
	uint32_t uid;
	uint64_t gen;  /* refresh it was asked in */
	char name[33]; /* "" if the database has none */
};

struct gw__users {
	struct user_entry *slots; /* open addressing; cap a power of two >= 2 * max */
	size_t cap, n, max;
	char *buf; /* PW_BUF bytes for getpwuid_r */
};

struct gw__users *gw__users_new(uint32_t max_entries)
{
	struct gw__users *u = calloc(1, sizeof *u);
	if (!u)
		return NULL;
	u->max = max_entries ? max_entries : 1;
	u->cap = 16;
	while (u->cap < u->max * 2)
		u->cap *= 2;
	u->slots = calloc(u->cap, sizeof *u->slots);
	u->buf = malloc(PW_BUF);
	if (!u->slots || !u->buf) {
		gw__users_free(u);
		return NULL;
	}
	return u;
}

void gw__users_free(struct gw__users *u)
{
	if (!u)
		return;
	free(u->slots);
	free(u->buf);
	free(u);
}

static struct user_entry *slot_of(struct gw__users *u, uint32_t uid)
{
	size_t i = (size_t)(uid * 0x9e3779b1u) & (u->cap - 1);
	while (u->slots[i].used && u->slots[i].uid != uid)
		i = (i + 1) & (u->cap - 1);
	return &u->slots[i];
}

/* The database's name for uid into name[size]; "" if none or too long. */
static void lookup(struct gw__users *u, uint32_t uid, char *name, size_t size)
{
	struct passwd pw, *res = NULL;
	name[0] = '\0';
	int r;
	do
		r = getpwuid_r((uid_t)uid, &pw, u->buf, PW_BUF, &res);
	while (r == EINTR);
	if (r != 0 || !res || !res->pw_name)
		return;
	size_t len = strlen(res->pw_name);
	if (len < size)
		memcpy(name, res->pw_name, len + 1);
}

void gw__users_name(struct gw__users *u, uint32_t uid, uint64_t gen, char *out, size_t size,
                    struct gw_procinfo_stats *stats)
{
	struct user_entry *e = slot_of(u, uid);
	if (!e->used || gen - e->gen >= RECHECK_GENS) {
		if (!e->used && u->n == u->max) { /* full: start over */
			memset(u->slots, 0, u->cap * sizeof *u->slots);
			u->n = 0;
			e = slot_of(u, uid);
		}
		if (!e->used)
			u->n++;
		e->used = true;
		e->uid = uid;
		e->gen = gen;
		lookup(u, uid, e->name, sizeof e->name);
		stats->user_lookups++;
	}
	size_t len = strlen(e->name);
	if (len >= size)
		len = 0; /* never a cut name */
	memcpy(out, e->name, len);
	out[len] = '\0';
}
