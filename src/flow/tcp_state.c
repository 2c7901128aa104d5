/* flow/tcp_state.c — the TCP tracker of a flow: the flags seen each way and a
 * coarse connection state, enough to tell open, closing, closed and reset flows
 * apart (not a full RFC 793 machine: sequence numbers are not followed). */
#include "flow_internal.h"

void gw__tcp_track(struct gw_flow *f, enum gw_dir dir, uint8_t flags, bool first)
{
	bool syn = flags & GW_TCP_SYN, ack = flags & GW_TCP_ACK;
	uint8_t *seen = &f->tcp_flags[dir];

	if (first)
		f->tcp_state = syn ? GW_TCP_SYN_SENT : GW_TCP_MIDSTREAM;
	if (syn && !ack)
		*seen |= GW_SEEN_SYN;
	if (syn && ack) {
		*seen |= GW_SEEN_SYNACK;
		if (f->tcp_state == GW_TCP_SYN_SENT)
			f->tcp_state = GW_TCP_SYN_RECEIVED;
	}
	if (flags & GW_TCP_FIN)
		*seen |= GW_SEEN_FIN;
	if (flags & GW_TCP_RST)
		*seen |= GW_SEEN_RST;

	if (*seen & GW_SEEN_RST) {
		f->tcp_state = GW_TCP_RESET;
	} else if ((f->tcp_flags[0] & GW_SEEN_FIN) && (f->tcp_flags[1] & GW_SEEN_FIN)) {
		f->tcp_state = GW_TCP_CLOSED;
	} else if (flags & GW_TCP_FIN) {
		if (f->tcp_state != GW_TCP_RESET && f->tcp_state != GW_TCP_CLOSED)
			f->tcp_state = GW_TCP_CLOSING;
	} else if (f->tcp_state == GW_TCP_SYN_RECEIVED && !syn && ack &&
	           dir == (enum gw_dir)f->opener) {
		f->tcp_state = GW_TCP_ESTABLISHED; /* the opener's ACK of the SYN-ACK */
	}
}

bool gw__tcp_is_over(const struct gw_flow *f)
{
	return f->tcp_state == GW_TCP_CLOSED || f->tcp_state == GW_TCP_RESET;
}
