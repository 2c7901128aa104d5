/* test_flow_ids.c — Community ID v1 against values tshark's communityid
 * post-dissector printed for the same flows (pcaps/sessions/demo), both
 * orientations; none for ICMP; display filters by protocol. */
#include <criterion/criterion.h>
#include <string.h>

#include "ghostwire/flow_ids.h"

static struct gw_flow flow(uint8_t proto, const char *l, uint16_t lp, const char *r, uint16_t rp)
{
	struct gw_flow f;
	memset(&f, 0, sizeof f);
	struct gw_addr a, b;
	cr_assert_eq(gw_addr_parse(l, &a, NULL), 0);
	cr_assert_eq(gw_addr_parse(r, &b, NULL), 0);
	f.key.proto = proto;
	f.key.family = a.family;
	memcpy(f.key.local, a.bytes, 16);
	memcpy(f.key.remote, b.bytes, 16);
	f.key.local_port = lp;
	f.key.remote_port = rp;
	return f;
}

Test(flow_ids, community_id_as_tshark_prints_it)
{
	char id[GW_COMMUNITY_ID_SIZE];
	struct gw_flow f = flow(GW_IPPROTO_UDP, "10.0.0.5", 40001, "1.1.1.1", 53);
	cr_assert_eq(gw_community_id(&f, 0, id, sizeof id), 0);
	cr_expect_str_eq(id, "1:B6v4ZnFUDUZuXUJJSsgWP9tO03g=");
	f = flow(GW_IPPROTO_TCP, "10.0.0.5", 50100, "140.82.112.3", 443);
	cr_assert_eq(gw_community_id(&f, 0, id, sizeof id), 0);
	cr_expect_str_eq(id, "1:dkwL+BN2Ra7hThz+UFxJJyy5rtw=");
	f = flow(GW_IPPROTO_TCP, "140.82.112.3", 443, "10.0.0.5", 50100); /* the other way */
	cr_assert_eq(gw_community_id(&f, 0, id, sizeof id), 0);
	cr_expect_str_eq(id, "1:dkwL+BN2Ra7hThz+UFxJJyy5rtw=");
	char other[GW_COMMUNITY_ID_SIZE];
	cr_assert_eq(gw_community_id(&f, 1, other, sizeof other), 0);
	cr_expect_str_neq(other, id, "the seed changes it");
}

Test(flow_ids, no_community_id_for_icmp_or_a_short_buffer)
{
	char id[GW_COMMUNITY_ID_SIZE];
	struct gw_flow f = flow(GW_IPPROTO_ICMP, "10.0.0.5", 7, "8.8.8.8", 7);
	cr_expect_eq(gw_community_id(&f, 0, id, sizeof id), -1);
	cr_expect_str_empty(id);
	f = flow(GW_IPPROTO_TCP, "10.0.0.5", 1, "8.8.8.8", 2);
	char small[8];
	cr_expect_eq(gw_community_id(&f, 0, small, sizeof small), -1);
}

Test(flow_ids, display_filters)
{
	char buf[GW_DISPLAY_FILTER_SIZE];
	struct gw_flow f = flow(GW_IPPROTO_TCP, "10.0.0.5", 50100, "140.82.112.3", 443);
	cr_expect_str_eq(gw_display_filter(&f, buf, sizeof buf),
	                 "ip.addr==10.0.0.5 && ip.addr==140.82.112.3 && tcp.port==50100 && "
	                 "tcp.port==443");
	f = flow(GW_IPPROTO_UDP, "2001:db8::5", 5353, "2001:db8::53", 53);
	cr_expect_str_eq(gw_display_filter(&f, buf, sizeof buf),
	                 "ipv6.addr==2001:db8::5 && ipv6.addr==2001:db8::53 && udp.port==5353 && "
	                 "udp.port==53");
	f = flow(GW_IPPROTO_ICMPV6, "2001:db8::5", 0, "2001:db8::1", 0);
	cr_expect_str_eq(gw_display_filter(&f, buf, sizeof buf),
	                 "ipv6.addr==2001:db8::5 && ipv6.addr==2001:db8::1 && icmpv6");
	f = flow(47, "10.0.0.5", 0, "192.0.2.9", 0);
	cr_expect_str_eq(gw_display_filter(&f, buf, sizeof buf),
	                 "ip.addr==10.0.0.5 && ip.addr==192.0.2.9 && ip.proto==47");
}
