/* cli/findings.c — which final verdicts the text output of replay and watch
 * shows: findings once (a finding decided on a flow's opening was shown
 * then), and a finding withdrawn when the flow's whole life explains it. */
#include "cli.h"

bool gw_cli_verdict_worth_text(const struct gw_flow *f, const struct gw_verdict *v, bool all)
{
	bool finding = gw_verdict_is_finding(v);
	if (all)
		return true;
	return f->alerted ? !finding : finding;
}
