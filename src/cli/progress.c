/* cli/progress.c — the progress line of long replays: share of the file read,
 * frames per second and time left, redrawn in place on stderr when it is a
 * terminal, and erased before any other output. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

void gw_cli_progress_init(struct gw_cli_progress *p, bool wanted)
{
	p->enabled = wanted && isatty(STDERR_FILENO);
	p->shown = false;
}

void gw_cli_progress_draw(struct gw_cli_progress *p, const struct gw_progress *at)
{
	if (!p->enabled || at->elapsed_s < 1.0)
		return; /* short runs finish before a line would help */
	double rate = at->elapsed_s > 0 ? (double)at->frames / at->elapsed_s : 0;
	if (at->share > 0 && at->share <= 1.0) {
		double left = at->elapsed_s * (1.0 - at->share) / at->share;
		fprintf(stderr, "\r\033[K%5.1f%%  %llu frames  %.0f frames/s  %.0f s left",
		        at->share * 100.0, (unsigned long long)at->frames, rate, left);
	} else {
		fprintf(stderr, "\r\033[K%llu frames  %.0f frames/s",
		        (unsigned long long)at->frames, rate);
	}
	fflush(stderr);
	p->shown = true;
}

void gw_cli_progress_clear(struct gw_cli_progress *p)
{
	if (!p->shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->shown = false;
}
