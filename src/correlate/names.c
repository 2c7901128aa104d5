/* correlate/names.c — the stable names of verdicts, unexplained kinds, hints
 * and held alerts that reports, Wireshark comments and filters print. */
#include <stdio.h>
#include <string.h>

#include "ghostwire/verdict.h"
#include "ghostwire/verdict_report.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

static const char *const kind_names[] = {
        [GW_VERDICT_EXPLAINED] = "explained",
        [GW_VERDICT_KERNEL_RESPONSE] = "kernel-response",
        [GW_VERDICT_TRANSIT] = "transit",
        [GW_VERDICT_UNEXPLAINED] = "unexplained",
};

static const char *const unexplained_names[] = {
        [GW_UNX_NONE] = "none",
        [GW_UNX_HIDDEN_LISTENER] = "hidden-listener",
        [GW_UNX_NO_SOCKET_OUTBOUND] = "no-socket-outbound",
        [GW_UNX_NO_SOCKET_INBOUND] = "no-socket-inbound",
};

/* In bit order. */
static const char *const hint_names[] = {
        "raw-socket",  "packet-socket", "other-netns", "procfs-hidden",
        "crafted-syn", "capture-loss",  "proxy",
};

_Static_assert(GW_HINT_PROXY == 1 << (COUNT(hint_names) - 1), "a name for every hint bit");

const char *gw_alert_mark_held_name(enum gw_alert_mark m)
{
	switch (m) {
	case GW_ALERT_MARK_REPEAT:
		return "repeat";
	case GW_ALERT_MARK_RATE_LIMIT:
		return "rate-limit";
	case GW_ALERT_MARK_RESTART:
		return "restart";
	case GW_ALERT_MARK_NONE:
	case GW_ALERT_MARK_SENT:
		break;
	}
	return NULL;
}

const char *gw_verdict_kind_name(enum gw_verdict_kind k)
{
	unsigned v = (unsigned)k;
	return v < COUNT(kind_names) && kind_names[v] ? kind_names[v] : "unknown";
}

const char *gw_unexplained_kind_name(enum gw_unexplained_kind k)
{
	unsigned v = (unsigned)k;
	return v < COUNT(unexplained_names) ? unexplained_names[v] : "unknown";
}

const char *gw_hint_names(uint32_t hints, char *buf, size_t size)
{
	if (size == 0)
		return buf;
	buf[0] = '\0';
	size_t len = 0;
	for (unsigned i = 0; i < COUNT(hint_names); i++) {
		if (!(hints & (1u << i)))
			continue;
		int n = snprintf(buf + len, size - len, "%s%s", len ? "," : "", hint_names[i]);
		if (n < 0 || (size_t)n >= size - len) {
			buf[len] = '\0'; /* never half a name */
			break;
		}
		len += (size_t)n;
	}
	return buf;
}

bool gw_verdict_is_finding(const struct gw_verdict *v)
{
	return v->kind == GW_VERDICT_UNEXPLAINED || (v->hints & GW_HINT_PROCFS_HIDDEN);
}
