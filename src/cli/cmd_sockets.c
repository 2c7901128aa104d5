/* cli/cmd_sockets.c — `ghostwire sockets`: the OS view as a table (like
 * `ss -tanpuw`, plus packet sockets, namespaces and owners' executables) or JSON
 * lines, from one socket view, or the difference between netlink and procfs. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ghostwire/sock_report.h"
#include "ghostwire/sockdiff.h"
#include "ghostwire/sockview.h"

static const char sockets_usage[] =
        "usage: ghostwire sockets [OPTIONS]\n"
        "\n"
        "Lists the host's sockets as the OS reports them, with the owning process.\n"
        "\n"
        "  -j, --json           JSON lines (fields: docs/timeline.md, \"socket\" objects)\n"
        "  -t, --tcp            TCP sockets        -u, --udp      UDP sockets\n"
        "  -w, --raw            raw IP sockets     -0, --packet   packet (AF_PACKET) sockets\n"
        "                       (none of these: all four)\n"
        "  -l, --listening      listening and unconnected sockets only\n"
        "      --all-netns      every network namespace of the host's processes (root)\n"
        "      --view VIEW      netlink (default), procfs, or diff: sockets that one of\n"
        "                       the two shows and the other does not (procfs-hidden is\n"
        "                       the mark of a userland rootkit)\n"
        "      --no-owners      do not look up owning processes (faster)\n"
        "      --proc-root DIR  read processes below DIR instead of /proc (testing)\n";

enum {
	OPT_ALL_NETNS = 256,
	OPT_VIEW,
	OPT_NO_OWNERS,
	OPT_PROC_ROOT
};

static const struct option long_options[] = {
        {"json", no_argument, NULL, 'j'},
        {"tcp", no_argument, NULL, 't'},
        {"udp", no_argument, NULL, 'u'},
        {"raw", no_argument, NULL, 'w'},
        {"packet", no_argument, NULL, '0'},
        {"listening", no_argument, NULL, 'l'},
        {"all-netns", no_argument, NULL, OPT_ALL_NETNS},
        {"view", required_argument, NULL, OPT_VIEW},
        {"no-owners", no_argument, NULL, OPT_NO_OWNERS},
        {"proc-root", required_argument, NULL, OPT_PROC_ROOT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

struct sockets_args {
	struct gw_sockview_config cfg;
	const char *view;
	bool json, listening;
	unsigned protos; /* bit (1 << enum gw_sock_proto); 0 = all */
};

static int parse_args(int argc, char **argv, struct sockets_args *a)
{
	gw_sockview_config_init(&a->cfg);
	a->view = gw_sockview_default();
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "jtuw0lh", long_options, NULL)) != -1) {
		switch (c) {
		case 'j':
			a->json = true;
			break;
		case 't':
			a->protos |= 1u << GW_SOCK_TCP;
			break;
		case 'u':
			a->protos |= 1u << GW_SOCK_UDP;
			break;
		case 'w':
			a->protos |= 1u << GW_SOCK_RAW;
			break;
		case '0':
			a->protos |= 1u << GW_SOCK_PACKET;
			break;
		case 'l':
			a->listening = true;
			break;
		case OPT_ALL_NETNS:
			a->cfg.all_netns = true;
			break;
		case OPT_VIEW:
			a->view = optarg;
			break;
		case OPT_NO_OWNERS:
			a->cfg.owners = false;
			break;
		case OPT_PROC_ROOT:
			a->cfg.proc_root = optarg;
			break;
		case 'h':
			fputs(sockets_usage, stdout);
			return -1;
		default:
			fputs(sockets_usage, stderr);
			return GW_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		gw_cli_error("sockets: unexpected argument '%s'", argv[optind]);
		return GW_EXIT_USAGE;
	}
	if (strcmp(a->view, "diff") != 0 && !gw_sockview_find(a->view)) {
		gw_cli_error("sockets: unknown view '%s' (views: %s,diff)", a->view,
		             gw_sockview_names());
		return GW_EXIT_USAGE;
	}
	return 0;
}

static bool wanted(const struct sockets_args *a, const struct gw_socket *s)
{
	if (a->protos && !(a->protos & (1u << s->proto)))
		return false;
	if (a->listening && s->state != GW_SS_LISTEN && s->state != GW_SS_CLOSE)
		return false;
	return true;
}

struct printer {
	const struct sockets_args *args;
	const struct gw_sockset *set;
	FILE *out;
	size_t printed;
};

static void print_one(struct printer *p, const struct gw_socket *s, const char *note)
{
	if (!wanted(p->args, s))
		return;
	struct gw_err err = {0};
	if (p->args->json) {
		if (gw_sockets_print_json(p->out, p->set, s, note, &err) < 0)
			gw_cli_error("warning: a socket could not be written: %s", err.msg);
	} else
		gw_sockets_print_row(p->out, p->set, s, note);
	p->printed++;
}

/* Takes one snapshot from the view called name. */
static int snapshot(const char *name, const struct gw_sockview_config *cfg, struct gw_sockset *set,
                    struct gw_sockview_stats *stats)
{
	const struct gw_sockview_ops *ops = gw_sockview_find(name);
	struct gw_sockview *v = NULL;
	struct gw_err err = {0};
	if (!ops) { /* --view diff where there is no netlink or procfs view */
		gw_cli_error("no %s view on this system (views: %s)", name, gw_sockview_names());
		return GW_EXIT_FAIL;
	}
	if (ops->open(cfg, &v, &err) < 0 || ops->snapshot(v, set, &err) < 0) {
		gw_cli_error("%s view: %s", name, err.msg);
		ops->close(v);
		return GW_EXIT_FAIL;
	}
	if (stats && ops->stats)
		*stats = *ops->stats(v);
	ops->close(v);
	return 0;
}

static void warn_about(const char *view, const struct gw_sockset *set,
                       const struct gw_sockview_stats *st)
{
	if (set->dropped)
		gw_cli_error("warning: %s view: %llu sockets or processes beyond the ceiling were "
		             "not kept",
		             view, (unsigned long long)set->dropped);
	if (st->malformed)
		gw_cli_error("warning: %s view: %llu malformed replies or lines skipped", view,
		             (unsigned long long)st->malformed);
	if (st->netns_failed)
		gw_cli_error("warning: %s view: %llu network namespaces could not be entered", view,
		             (unsigned long long)st->netns_failed);
}

static int list_view(const struct sockets_args *a)
{
	struct gw_sockset set;
	struct gw_sockview_stats st = {0};
	gw_sockset_init(&set, a->cfg.max_sockets, a->cfg.max_processes);
	int r = snapshot(a->view, &a->cfg, &set, &st);
	if (r == 0) {
		struct printer p = {.args = a, .set = &set, .out = stdout};
		if (!a->json)
			gw_sockets_print_header(stdout);
		for (size_t i = 0; i < set.n_socks; i++)
			print_one(&p, &set.socks[i], NULL);
		warn_about(a->view, &set, &st);
	}
	gw_sockset_fini(&set);
	return r;
}

struct diff_ctx {
	struct printer p;
	const struct gw_sockset *netlink_again;
	size_t hidden, extra;
};

static void on_diff(void *ud, const struct gw_socket *s, enum gw_sockdiff_side side)
{
	struct diff_ctx *d = ud;
	if (side == GW_DIFF_ONLY_A) {
		/* Only what netlink shows both before and after the procfs read: a socket
		 * that merely opened or closed meanwhile is not hidden. */
		if (!gw_sockset_contains(d->netlink_again, s))
			return;
		d->hidden++;
		print_one(&d->p, s, "procfs-hidden");
	} else {
		d->extra++;
		print_one(&d->p, s, "netlink-missing");
	}
}

/* netlink, then procfs, then netlink again; what netlink shows in both and
 * procfs does not is procfs-hidden. */
static int diff_views(const struct sockets_args *a)
{
	struct gw_sockset nl1, pf, nl2;
	struct gw_sockview_stats st = {0};
	gw_sockset_init(&nl1, a->cfg.max_sockets, a->cfg.max_processes);
	gw_sockset_init(&pf, a->cfg.max_sockets, a->cfg.max_processes);
	gw_sockset_init(&nl2, a->cfg.max_sockets, a->cfg.max_processes);
	int r = snapshot("netlink", &a->cfg, &nl1, &st);
	if (r == 0)
		r = snapshot("procfs", &a->cfg, &pf, &st);
	if (r == 0)
		r = snapshot("netlink", &a->cfg, &nl2, NULL);
	if (r == 0) {
		struct diff_ctx d = {.p = {.args = a, .set = &nl1, .out = stdout},
		                     .netlink_again = &nl2};
		if (!a->json)
			gw_sockets_print_header(stdout);
		gw_sockset_diff(&nl1, &pf, on_diff, &d);
		if (!a->json)
			printf("\n%zu sockets shown by netlink and hidden from /proc/net; %zu in "
			       "/proc/net only (%zu and %zu sockets compared)\n",
			       d.hidden, d.extra, nl1.n_socks, pf.n_socks);
	}
	gw_sockset_fini(&nl1);
	gw_sockset_fini(&pf);
	gw_sockset_fini(&nl2);
	return r;
}

int gw_cli_sockets(int argc, char **argv)
{
	struct sockets_args a = {0};
	int r = parse_args(argc, argv, &a);
	if (r)
		return r < 0 ? GW_EXIT_OK : r;
	r = strcmp(a.view, "diff") == 0 ? diff_views(&a) : list_view(&a);
	if (fflush(stdout) != 0)
		r = GW_EXIT_FAIL;
	return r;
}
