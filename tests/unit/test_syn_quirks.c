/* test_syn_quirks.c — the host's SYN against its kernel's options layout:
 * real Linux SYNs pass, raw-socket tools' SYNs (no options, MSS only without
 * DF, odd order, data) are flagged. */
#include <criterion/criterion.h>
#include <stdio.h>

#include "ghostwire/decode.h"

static uint8_t quirks_of(const uint8_t *opts, size_t n, bool v4_df, uint32_t payload)
{
	struct gw_packet p = {.proto = GW_IPPROTO_TCP, .tcp_flags = 0x02, .has_ports = true};
	p.src.family = p.dst.family = GW_AF_INET;
	p.ip_df = v4_df;
	p.tcp_opts = opts;
	p.tcp_opts_len = (uint8_t)n;
	p.payload_len = payload;
	return gw_syn_quirks(&p);
}

/* MSS, SACK_PERM, TS, NOP, WS: what Linux sends by default. */
static const uint8_t linux_default[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                        0, 1, 0,    0,    0, 0, 1, 3,  3, 7};

Test(syn_quirks, linux_default_layout_is_clean)
{
	cr_expect_eq(quirks_of(linux_default, sizeof linux_default, true, 0), 0);
}

Test(syn_quirks, linux_without_timestamps)
{
	/* MSS, NOP, WS, NOP, NOP, SACK_PERM (net.ipv4.tcp_timestamps=0). */
	static const uint8_t o[] = {2, 4, 5, 0xb4, 1, 3, 3, 7, 1, 1, 4, 2};
	cr_expect_eq(quirks_of(o, sizeof o, true, 0), 0);
}

Test(syn_quirks, linux_with_md5_and_fastopen)
{
	uint8_t o[40] = {1, 1, 19, 18};
	size_t n = 20;
	static const uint8_t rest[] = {2, 4, 5, 0xb4, 1, 3, 3, 7, 34, 2, 1, 1};
	memcpy(o + n, rest, sizeof rest);
	n += sizeof rest;
	cr_expect_eq(quirks_of(o, n, true, 100), 0, "Fast Open carries data");
}

Test(syn_quirks, hping_and_scapy_send_no_options)
{
	cr_expect_eq(quirks_of(NULL, 0, true, 0), GW_SYN_NO_MSS);
	cr_expect_eq(quirks_of(NULL, 0, false, 0), GW_SYN_NO_MSS | GW_SYN_NO_DF);
}

Test(syn_quirks, windows_layout_is_not_linux)
{
	/* MSS, NOP, WS, NOP, NOP, SACK_PERM is fine; Windows' MSS, NOP, WS, SACK_PERM, TS is not. */
	static const uint8_t o[] = {2, 4, 5, 0xb4, 1, 3, 3, 8, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0};
	cr_expect_eq(quirks_of(o, sizeof o, true, 0), GW_SYN_OPTION_ORDER);
}

Test(syn_quirks, ws_before_mss_and_malformed)
{
	static const uint8_t order[] = {1, 3, 3, 7, 2, 4, 5, 0xb4};
	cr_expect_eq(quirks_of(order, sizeof order, true, 0), GW_SYN_OPTION_ORDER);
	static const uint8_t cut[] = {2, 4, 5, 0xb4, 8, 10, 0};
	cr_expect_eq(quirks_of(cut, sizeof cut, true, 0), GW_SYN_OPTION_ORDER);
	static const uint8_t zero_len[] = {2, 0, 5, 0xb4};
	cr_expect_neq(quirks_of(zero_len, sizeof zero_len, true, 0), 0);
}

Test(syn_quirks, data_without_fastopen)
{
	cr_expect_eq(quirks_of(linux_default, sizeof linux_default, true, 5), GW_SYN_DATA);
}

Test(syn_quirks, names)
{
	char buf[64];
	cr_expect_str_eq(gw_syn_quirk_names(GW_SYN_NO_MSS | GW_SYN_NO_DF, buf, sizeof buf),
	                 "no-mss,no-df");
	cr_expect_str_eq(gw_syn_quirk_names(0, buf, sizeof buf), "");
	char tiny[4];
	gw_syn_quirk_names(GW_SYN_NO_MSS, tiny, sizeof tiny);
	cr_expect_str_eq(tiny, "");
}
