/* test_flownames.c — the flow side table through gw_wirenames: put, get,
 * replace, remove, the capacity bound and its counter, argument checks,
 * gw_wirenames_flow_observe, and a long random run against a plain array
 * (which checks deletion by backward shift keeps every entry findable). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "ghostwire/wirenames.h"
#include "tls_hello.h"

static struct gw_wirenames *w;
static const struct gw_wirenames_stats *st;

static void start(uint32_t capacity)
{
	struct gw_wirenames_limits l;
	gw_wirenames_limits_init(&l);
	l.max_addrs = 16;
	l.max_flow_names = capacity;
	cr_assert_eq(gw_wirenames_new(&l, &w, NULL), 0);
	st = gw_wirenames_stats(w);
}

static void setup(void)
{
	start(8);
}

static void teardown(void)
{
	gw_wirenames_free(w);
}

TestSuite(flownames, .init = setup, .fini = teardown);

Test(flownames, put_get_remove)
{
	const char *name = "x";
	cr_assert_eq(gw_wirenames_flow_put(w, 7, GW_NAME_SNI, "a.example"), 0);
	cr_assert_eq(gw_wirenames_flow_put(w, 9, GW_NAME_HTTP_HOST, "b.example"), 0);
	cr_expect_eq(gw_wirenames_flow_get(w, 7, &name), GW_NAME_SNI);
	cr_expect_str_eq(name, "a.example");
	cr_expect_eq(gw_wirenames_flow_get(w, 9, &name), GW_NAME_HTTP_HOST);
	cr_expect_str_eq(name, "b.example");
	cr_expect_eq(gw_wirenames_flow_get(w, 8, &name), GW_NAME_NONE);
	cr_expect_null(name);
	cr_expect_eq(gw_wirenames_flow_get(w, 7, NULL), GW_NAME_SNI);
	gw_wirenames_flow_remove(w, 7);
	gw_wirenames_flow_remove(w, 7); /* twice: a no-op */
	gw_wirenames_flow_remove(w, 12345);
	cr_expect_eq(gw_wirenames_flow_get(w, 7, NULL), GW_NAME_NONE);
	cr_expect_eq(gw_wirenames_flow_get(w, 9, NULL), GW_NAME_HTTP_HOST);
	cr_expect_eq(st->flow_names, 1);
	cr_expect_eq(st->flow_puts, 2);
	cr_expect_eq(st->flow_removed, 1);
}

Test(flownames, replace_keeps_one_entry)
{
	const char *name;
	cr_assert_eq(gw_wirenames_flow_put(w, 1, GW_NAME_HTTP_HOST, "first.example"), 0);
	cr_assert_eq(gw_wirenames_flow_put(w, 1, GW_NAME_SNI, "second.example"), 0);
	cr_expect_eq(gw_wirenames_flow_get(w, 1, &name), GW_NAME_SNI);
	cr_expect_str_eq(name, "second.example");
	cr_expect_eq(st->flow_names, 1);
}

Test(flownames, capacity_is_a_bound)
{
	for (uint64_t seq = 1; seq <= 8; seq++)
		cr_assert_eq(gw_wirenames_flow_put(w, seq, GW_NAME_SNI, "full.example"), 0);
	cr_expect_eq(gw_wirenames_flow_put(w, 9, GW_NAME_SNI, "over.example"), GW_ENOMEM);
	cr_expect_eq(st->flow_refused_full, 1);
	/* Replacing a held one still works when full. */
	cr_expect_eq(gw_wirenames_flow_put(w, 8, GW_NAME_SNI, "again.example"), 0);
	gw_wirenames_flow_remove(w, 3);
	cr_expect_eq(gw_wirenames_flow_put(w, 9, GW_NAME_SNI, "over.example"), 0);
	cr_expect_eq(st->flow_names, 8);
}

Test(flownames, bad_arguments)
{
	char longer[GW_NAME_MAX + 2];
	memset(longer, 'a', sizeof longer - 1);
	longer[sizeof longer - 1] = '\0';
	cr_expect_eq(gw_wirenames_flow_put(w, 0, GW_NAME_SNI, "a"), GW_EINVAL);
	cr_expect_eq(gw_wirenames_flow_put(w, 1, GW_NAME_NONE, "a"), GW_EINVAL);
	cr_expect_eq(gw_wirenames_flow_put(w, 1, GW_NAME_SNI, ""), GW_EINVAL);
	cr_expect_eq(gw_wirenames_flow_put(w, 1, GW_NAME_SNI, NULL), GW_EINVAL);
	cr_expect_eq(gw_wirenames_flow_put(w, 1, GW_NAME_SNI, longer), GW_EINVAL);
	longer[GW_NAME_MAX] = '\0';
	cr_expect_eq(gw_wirenames_flow_put(w, 1, GW_NAME_SNI, longer), 0);
	cr_expect_eq(gw_wirenames_flow_get(w, 0, NULL), GW_NAME_NONE);
	gw_wirenames_flow_remove(w, 0);
}

Test(flownames, observe_first_payload)
{
	const char *name;
	const char *get = "GET / HTTP/1.1\r\nHost: obs.example\r\n\r\n";
	cr_expect_eq(gw_wirenames_flow_observe(w, 5, tls_hello_sni, sizeof tls_hello_sni),
	             GW_NAME_SNI);
	cr_expect_eq(gw_wirenames_flow_observe(w, 6, (const uint8_t *)get, strlen(get)),
	             GW_NAME_HTTP_HOST);
	cr_expect_eq(gw_wirenames_flow_observe(w, 7, (const uint8_t *)"junk", 4), GW_NAME_NONE);
	cr_expect_eq(gw_wirenames_flow_get(w, 5, &name), GW_NAME_SNI);
	cr_expect_str_eq(name, "www.example.org");
	cr_expect_eq(gw_wirenames_flow_get(w, 6, &name), GW_NAME_HTTP_HOST);
	cr_expect_str_eq(name, "obs.example");
	cr_expect_eq(gw_wirenames_flow_get(w, 7, NULL), GW_NAME_NONE);
	cr_expect_eq(st->client_sni, 1);
	cr_expect_eq(st->client_http_host, 1);
	cr_expect_eq(st->client_none, 1);
}

/* A small deterministic generator (xorshift64). */
static uint64_t rng = 88172645463325252ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

Test(flownames, random_run_against_a_model)
{
	teardown();
	start(200);
	enum {
		SEQS = 400
	};
	static int model[SEQS + 1]; /* 0 none, else the name's number */
	memset(model, 0, sizeof model);
	size_t held = 0;
	for (int step = 0; step < 200000; step++) {
		uint64_t seq = 1 + next() % SEQS;
		char name[32];
		if (next() % 3) {
			int v = (int)(next() % 1000) + 1;
			snprintf(name, sizeof name, "n%d.example", v);
			int res = gw_wirenames_flow_put(w, seq, GW_NAME_SNI, name);
			if (model[seq] || held < 200) {
				cr_assert_eq(res, 0);
				held += model[seq] == 0;
				model[seq] = v;
			} else {
				cr_assert_eq(res, GW_ENOMEM);
			}
		} else {
			gw_wirenames_flow_remove(w, seq);
			held -= model[seq] != 0;
			model[seq] = 0;
		}
		if (step % 1000 == 0) {
			for (uint64_t s = 1; s <= SEQS; s++) {
				const char *got;
				enum gw_name_source src = gw_wirenames_flow_get(w, s, &got);
				if (!model[s]) {
					cr_assert_eq(src, GW_NAME_NONE, "seq %lu",
					             (unsigned long)s);
					continue;
				}
				snprintf(name, sizeof name, "n%d.example", model[s]);
				cr_assert_eq(src, GW_NAME_SNI, "seq %lu", (unsigned long)s);
				cr_assert_str_eq(got, name);
			}
		}
	}
	cr_expect_eq(st->flow_names, held);
}
