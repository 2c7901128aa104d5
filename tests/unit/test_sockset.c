/* test_sockset.c — socket sets: ceilings counted, stable order, process lookup,
 * and the difference of two views. */
#include <criterion/criterion.h>

#include "ghostwire/sockdiff.h"
#include "ghostwire/socket.h"

static struct gw_socket sock(uint8_t proto, const char *local, uint16_t lport, uint64_t inode)
{
	struct gw_socket s = {.proto = proto,
	                      .family = GW_AF_INET,
	                      .local_port = lport,
	                      .inode = inode,
	                      .state = GW_SS_LISTEN};
	cr_assert_eq(gw_addr_parse(local, &s.local, NULL), 0);
	s.remote.family = GW_AF_INET;
	return s;
}

Test(sockset, ceiling_is_counted)
{
	struct gw_sockset s;
	gw_sockset_init(&s, 3, 1);
	struct gw_socket x = sock(GW_SOCK_TCP, "127.0.0.1", 1, 1);
	for (int i = 0; i < 5; i++) {
		int r = gw_sockset_add(&s, &x);
		cr_expect_eq(r, i < 3 ? 0 : GW_ENOMEM);
	}
	struct gw_process p = {.pid = 1};
	cr_expect_eq(gw_sockset_add_process(&s, &p), 0);
	cr_expect_eq(gw_sockset_add_process(&s, &p), GW_ENOMEM);
	cr_expect_eq(s.n_socks, 3);
	cr_expect_eq(s.dropped, 3);
	gw_sockset_fini(&s);
}

Test(sockset, finish_sorts_and_dedups_processes)
{
	struct gw_sockset s;
	gw_sockset_init(&s, 100, 100);
	struct gw_socket a = sock(GW_SOCK_UDP, "10.0.0.1", 53, 7);
	struct gw_socket b = sock(GW_SOCK_TCP, "10.0.0.1", 80, 9);
	struct gw_socket c = sock(GW_SOCK_TCP, "10.0.0.1", 22, 8);
	cr_assert_eq(gw_sockset_add(&s, &a), 0);
	cr_assert_eq(gw_sockset_add(&s, &b), 0);
	cr_assert_eq(gw_sockset_add(&s, &c), 0);
	int32_t pids[] = {30, 10, 20, 10};
	for (int i = 0; i < 4; i++) {
		struct gw_process p = {.pid = pids[i]};
		cr_assert_eq(gw_sockset_add_process(&s, &p), 0);
	}
	gw_sockset_finish(&s);
	cr_expect_eq(s.socks[0].local_port, 22);
	cr_expect_eq(s.socks[1].local_port, 80);
	cr_expect_eq(s.socks[2].proto, GW_SOCK_UDP);
	cr_expect_eq(s.n_procs, 3);
	cr_expect_not_null(gw_sockset_process(&s, 20));
	cr_expect_null(gw_sockset_process(&s, 25));
	gw_sockset_fini(&s);
}

static int only_a, only_b;
static uint16_t seen_a;

static void count_side(void *ud, const struct gw_socket *s, enum gw_sockdiff_side side)
{
	(void)ud;
	if (side == GW_DIFF_ONLY_A) {
		only_a++;
		seen_a = s->local_port;
	} else {
		only_b++;
	}
}

Test(sockset, diff_ignores_state_and_queues)
{
	struct gw_sockset a, b;
	gw_sockset_init(&a, 100, 10);
	gw_sockset_init(&b, 100, 10);
	struct gw_socket x = sock(GW_SOCK_TCP, "10.0.0.1", 80, 1);
	struct gw_socket y = sock(GW_SOCK_TCP, "10.0.0.1", 4444, 2); /* hidden from b */
	struct gw_socket z = sock(GW_SOCK_UDP, "10.0.0.1", 53, 3);
	struct gw_socket x2 = x;
	x2.state = GW_SS_ESTABLISHED; /* another moment, same socket */
	x2.rx_queue = 10;
	cr_assert_eq(gw_sockset_add(&a, &x), 0);
	cr_assert_eq(gw_sockset_add(&a, &y), 0);
	cr_assert_eq(gw_sockset_add(&a, &z), 0);
	cr_assert_eq(gw_sockset_add(&b, &z), 0);
	cr_assert_eq(gw_sockset_add(&b, &x2), 0);
	gw_sockset_finish(&a);
	gw_sockset_finish(&b);
	only_a = only_b = 0;
	cr_expect_eq(gw_sockset_diff(&a, &b, count_side, NULL), 1);
	cr_expect_eq(only_a, 1);
	cr_expect_eq(only_b, 0);
	cr_expect_eq(seen_a, 4444);
	cr_expect(gw_sockset_contains(&a, &y));
	cr_expect_not(gw_sockset_contains(&b, &y));
	cr_expect(gw_sockset_contains(&b, &x));
	gw_sockset_fini(&a);
	gw_sockset_fini(&b);
}

Test(sockset, names_round_trip)
{
	for (int s = 0; s < GW_SS_MAX; s++)
		cr_expect_eq(gw_sock_state_parse(gw_sock_state_name((enum gw_sock_state)s)), s);
	for (int p = GW_SOCK_TCP; p <= GW_SOCK_PACKET; p++)
		cr_expect_eq(gw_sock_proto_parse(gw_sock_proto_name((enum gw_sock_proto)p)), p);
	for (int o = 0; o <= GW_OWNER_NO_PERMISSION; o++)
		cr_expect_eq(gw_owner_status_parse(gw_owner_status_name((enum gw_owner_status)o)),
		             o);
	cr_expect_eq(gw_sock_state_parse("bogus"), -1);
}
