/* cli/findings.c — which final verdicts the text output of replay and watch
 * shows: findings once (a finding decided on a flow's opening was shown
 * then), a finding withdrawn when the flow's whole life explains it, and
 * nothing more of a flow whose opening's alert was held (alert hygiene). */
#include "cli.h"

bool gw_cli_verdict_worth_text(const struct gw_flow *f, const struct gw_verdict *v, bool all)
{
	bool finding = gw_verdict_is_finding(v);
	if (all)
		return true;
	if (f->alerted == GW_ALERT_MARK_SENT)
		return !finding; /* shown at its opening: only a withdrawal now */
	if (f->alerted != GW_ALERT_MARK_NONE)
		return false; /* its opening's alert was held, and stays so */
	return finding;
}
