/* sockets/diff.c — the difference of two finished socket sets, by a merge walk
 * over their shared sort order (gw_socket_compare), and membership by binary
 * search. */
#include "ghostwire/sockdiff.h"

size_t gw_sockset_diff(const struct gw_sockset *a, const struct gw_sockset *b, gw_sockdiff_fn fn,
                       void *ud)
{
	size_t i = 0, j = 0, n = 0;
	while (i < a->n_socks || j < b->n_socks) {
		int c = i == a->n_socks   ? 1
		        : j == b->n_socks ? -1
		                          : gw_socket_compare(&a->socks[i], &b->socks[j]);
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		if (c < 0)
			fn(ud, &a->socks[i++], GW_DIFF_ONLY_A);
		else
			fn(ud, &b->socks[j++], GW_DIFF_ONLY_B);
		n++;
	}
	return n;
}

bool gw_sockset_contains(const struct gw_sockset *s, const struct gw_socket *sock)
{
	size_t lo = 0, hi = s->n_socks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = gw_socket_compare(&s->socks[mid], sock);
		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}
