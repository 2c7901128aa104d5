/* cli/config.c — the configuration file (--config FILE, INI read by Debian's
 * libinih): a [COMMAND] section (e.g. [watch]) whose keys are that command's
 * long options, so that every setting is also a command-line option, and
 * [allow NAME] sections, the allowlist rules (allowlist.c). The options are
 * put before the command line's own, which therefore win. A bad file is an
 * error naming the file, the line and why. docs/config.md has the format. */
#include <getopt.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct loading {
	const char *path;
	const char *command;
	const struct option *options;
	struct gw_cli_config *cfg;
	char error[600];
};

static const struct option *find_option(const struct option *o, const char *name)
{
	for (; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

static bool truthy(const char *v)
{
	return strcmp(v, "true") == 0 || strcmp(v, "yes") == 0 || strcmp(v, "1") == 0 ||
	       strcmp(v, "on") == 0;
}

static bool falsy(const char *v)
{
	return strcmp(v, "false") == 0 || strcmp(v, "no") == 0 || strcmp(v, "0") == 0 ||
	       strcmp(v, "off") == 0;
}

/* key = value in [COMMAND]: "--key=value", or "--key" for a flag that is on. */
static int command_option(struct loading *l, const char *key, const char *value)
{
	const struct option *o = find_option(l->options, key);
	if (!o || strcmp(key, "config") == 0 || strcmp(key, "help") == 0) {
		snprintf(l->error, sizeof l->error, "'%s' is not an option of %s", key, l->command);
		return 0;
	}
	struct gw_cli_config *c = l->cfg;
	if (c->n_args == GW_CLI_CONFIG_MAX_ARGS) {
		snprintf(l->error, sizeof l->error, "more than %d settings",
		         GW_CLI_CONFIG_MAX_ARGS);
		return 0;
	}
	bool flag = o->has_arg == no_argument;
	if (flag && falsy(value))
		return 1;
	if (flag && !truthy(value)) {
		snprintf(l->error, sizeof l->error, "'%s' is on or off (true/false), not '%s'", key,
		         value);
		return 0;
	}
	size_t size = strlen(key) + strlen(value) + 4;
	char *arg = malloc(size);
	if (arg)
		snprintf(arg, size, flag ? "--%s" : "--%s=%s", key, value);
	if (!arg) {
		snprintf(l->error, sizeof l->error, "out of memory");
		return 0;
	}
	c->args[c->n_args++] = arg;
	return 1;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
	struct loading *l = user;
	if (strcmp(section, l->command) == 0)
		return command_option(l, key, value);
	if (strncmp(section, "allow ", 6) == 0 && section[6]) {
		struct gw_err err = {0};
		if (gw_allowlist_set(&l->cfg->allow, section + 6, key, value, &err) < 0) {
			snprintf(l->error, sizeof l->error, "%s", err.msg);
			return 0;
		}
		return 1;
	}
	snprintf(l->error, sizeof l->error,
	         "section [%s] is neither [%s] nor [allow NAME] (key '%s')", section, l->command,
	         key);
	return 0;
}

int gw_cli_config_load(struct gw_cli_config *cfg, const char *path, const char *command,
                       const struct option *options)
{
	struct loading l = {.path = path, .command = command, .options = options, .cfg = cfg};
	int line = ini_parse(path, on_entry, &l);
	if (line == -1) {
		gw_cli_error("%s: cannot open the configuration file", path);
		return GW_EXIT_FAIL;
	}
	if (line == -2) {
		gw_cli_error("%s: out of memory", path);
		return GW_EXIT_FAIL;
	}
	if (line > 0) {
		gw_cli_error("%s:%d: %s", path, line,
		             l.error[0] ? l.error
		                        : "not a 'key = value' line, a [section] or a comment");
		return GW_EXIT_USAGE;
	}
	return 0;
}

/* "--config FILE" or "--config=FILE" anywhere in argv, or NULL. */
static const char *config_path(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			return argv[i + 1];
		if (strncmp(argv[i], "--config=", 9) == 0)
			return argv[i] + 9;
		if (strcmp(argv[i], "--") == 0)
			break;
	}
	return NULL;
}

int gw_cli_config_argv(struct gw_cli_config *cfg, const char *command, const struct option *options,
                       int *argc, char ***argv)
{
	const char *path = config_path(*argc, *argv);
	if (!path)
		return 0;
	int r = gw_cli_config_load(cfg, path, command, options);
	if (r) {
		gw_cli_config_free(cfg);
		return r;
	}
	/* argv[0], the file's options, then the command line's own */
	size_t n = (size_t)*argc + cfg->n_args + 1;
	char **v = calloc(n, sizeof *v);
	if (!v) {
		gw_cli_error("out of memory");
		return GW_EXIT_FAIL;
	}
	size_t k = 0;
	v[k++] = (*argv)[0];
	for (size_t i = 0; i < cfg->n_args; i++)
		v[k++] = cfg->args[i];
	for (int i = 1; i < *argc; i++)
		v[k++] = (*argv)[i];
	v[k] = NULL;
	cfg->argv = v;
	*argc = (int)k;
	*argv = v;
	return 0;
}

void gw_cli_config_free(struct gw_cli_config *cfg)
{
	for (size_t i = 0; i < cfg->n_args; i++)
		free(cfg->args[i]);
	free(cfg->argv);
	gw_allowlist_free(&cfg->allow);
	memset(cfg, 0, sizeof *cfg);
}
