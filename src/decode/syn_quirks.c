/* decode/syn_quirks.c — how the host's own opening SYN departs from what its
 * kernel writes (p0f-style): a raw-socket tool (hping3, scapy, nmap, a
 * backdoor's knock) builds its own SYN and rarely copies the kernel's options.
 *
 * Linux's tcp_options_write() lays out a SYN's options in one fixed order:
 *   [NOP NOP MD5 | TCP-AO]  MSS  [SACK_PERM TS | NOP NOP TS]  [NOP WSCALE]
 *   [NOP NOP SACK_PERM]  [MPTCP] [Fast Open]  then EOL padding.
 * MSS is always there; DF is set on IPv4 (path MTU discovery, the default);
 * data rides on a SYN only with a Fast Open option. */
#include <stdio.h>

#include "decode_internal.h"

enum {
	OPT_EOL = 0,
	OPT_NOP = 1,
	OPT_MSS = 2,
	OPT_WSCALE = 3,
	OPT_SACK_PERM = 4,
	OPT_TS = 8,
	OPT_MD5 = 19,
	OPT_AO = 29,
	OPT_MPTCP = 30,
	OPT_FASTOPEN = 34,
	OPT_EXPERIMENT = 254, /* Fast Open's experimental form */
	MAX_TOKENS = 40,
};

struct opt {
	uint8_t kind, len;
};

/* Splits the options into (kind, length) tokens; false if one runs past the
 * end or has a length below 2. EOL ends the list. */
static bool tokenize(const uint8_t *o, size_t n, struct opt *out, size_t *count)
{
	size_t k = 0;
	for (size_t i = 0; i < n && k < MAX_TOKENS;) {
		uint8_t kind = o[i];
		if (kind == OPT_EOL)
			break;
		if (kind == OPT_NOP) {
			out[k++] = (struct opt){OPT_NOP, 1};
			i++;
			continue;
		}
		if (i + 1 >= n || o[i + 1] < 2 || i + o[i + 1] > n)
			return false;
		out[k++] = (struct opt){kind, o[i + 1]};
		i += o[i + 1];
	}
	*count = k;
	return true;
}

/* Matches the tokens from *i against kinds (with lengths, 0 = any); advances
 * *i past them if all match. */
static bool take(const struct opt *t, size_t n, size_t *i, const struct opt *want, size_t m)
{
	if (*i + m > n)
		return false;
	for (size_t k = 0; k < m; k++)
		if (t[*i + k].kind != want[k].kind || (want[k].len && t[*i + k].len != want[k].len))
			return false;
	*i += m;
	return true;
}

#define TAKE(...)                                                                                  \
	take(t, n, &i, (const struct opt[]){__VA_ARGS__},                                          \
	     sizeof((const struct opt[]){__VA_ARGS__}) / sizeof(struct opt))

static bool has_kind(const struct opt *t, size_t n, uint8_t kind)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].kind == kind)
			return true;
	return false;
}

/* Quirks of the options layout: no MSS, or not in the kernel's order. */
static uint8_t options_quirks(const struct opt *t, size_t n)
{
	if (!has_kind(t, n, OPT_MSS))
		return GW_SYN_NO_MSS;
	size_t i = 0;
	if (!TAKE({OPT_NOP, 1}, {OPT_NOP, 1}, {OPT_MD5, 18}))
		(void)TAKE({OPT_AO, 0});
	if (!TAKE({OPT_MSS, 4}))
		return GW_SYN_OPTION_ORDER;
	bool ts = TAKE({OPT_SACK_PERM, 2}, {OPT_TS, 10}) ||
	          TAKE({OPT_NOP, 1}, {OPT_NOP, 1}, {OPT_TS, 10});
	(void)TAKE({OPT_NOP, 1}, {OPT_WSCALE, 3});
	if (!ts)
		(void)TAKE({OPT_NOP, 1}, {OPT_NOP, 1}, {OPT_SACK_PERM, 2});
	for (; i < n; i++) {
		uint8_t k = t[i].kind;
		if (k != OPT_MPTCP && k != OPT_FASTOPEN && k != OPT_EXPERIMENT && k != OPT_NOP)
			return GW_SYN_OPTION_ORDER;
	}
	return 0;
}

uint8_t gw_syn_quirks(const struct gw_packet *p)
{
	struct opt t[MAX_TOKENS];
	size_t n = 0;
	uint8_t q = 0;
	if (!tokenize(p->tcp_opts, p->tcp_opts_len, t, &n))
		q |= GW_SYN_OPTION_ORDER;
	else
		q |= options_quirks(t, n);
	if (p->src.family == GW_AF_INET && !p->ip_df)
		q |= GW_SYN_NO_DF;
	if (p->payload_len > 0 && !has_kind(t, n, OPT_FASTOPEN) && !has_kind(t, n, OPT_EXPERIMENT))
		q |= GW_SYN_DATA;
	return q;
}

const char *gw_syn_quirk_names(uint8_t quirks, char *buf, size_t size)
{
	static const char *const names[] = {"no-mss", "option-order", "no-df", "syn-data"};
	size_t used = 0;
	if (size)
		buf[0] = '\0';
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (!(quirks & (1u << i)))
			continue;
		int w = snprintf(buf + used, size > used ? size - used : 0, "%s%s", used ? "," : "",
		                 names[i]);
		if (w < 0 || (size_t)w >= size - used) {
			if (size > used)
				buf[used] = '\0'; /* no half name */
			break;
		}
		used += (size_t)w;
	}
	return buf;
}
