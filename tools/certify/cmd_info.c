/* certify plans, certify devices: what can be certified here. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Parses only the common options (and the flags in extra, which get their code in *flag). */
static int info_args(int argc, char **argv, struct cli_common *c, const char *flag, int *set,
		     const char *usage)
{
	const struct option lo[] = {
		{ flag ? flag : "help", no_argument, NULL, 'f' }, { "help", no_argument, NULL, 'h' },
		CLI_COMMON_OPTS, { NULL, 0, NULL, 0 },
	};
	int o;

	while ((o = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (cli_common_opt(o, optarg, c))
			continue;
		if (o == 'f' && flag) {
			*set = 1;
			continue;
		}
		if (o == 'h' || o == 'f') {
			printf("usage: %s\n", usage);
			exit(CLI_PASS);
		}
		fprintf(stderr, "usage: %s\n", usage);
		return -1;
	}
	if (optind != argc)
		return cli_fail("unexpected argument '%s'", argv[optind]), -1;
	return 0;
}

static int info_plan_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int cli_cmd_plans(int argc, char **argv, struct cli_common *c)
{
	struct certify_strv names = { 0 };
	struct dirent *e;
	char dir[1024];
	int all = 0, rc = CLI_PASS;
	DIR *d;

	if (info_args(argc, argv, c, "all", &all, "certify plans [--all] [--plans DIR]") < 0)
		return CLI_ERROR;
	cli_path(c->plans, "CERTIFY_PLANS", "plans", dir, sizeof(dir));
	d = opendir(dir);
	if (!d)
		return cli_fail("plans: %s: cannot open the plans directory", dir);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 5 && !strcmp(e->d_name + n - 5, ".plan"))
			certify_strv_push(&names, e->d_name);
	}
	closedir(d);
	if (names.n)
		qsort(names.v, names.n, sizeof(char *), info_plan_cmp);
	printf("%-10s %-8s %-7s %-5s %s\n", "PLAN", "KIND", "CONFIGS", "TESTS", "DESCRIPTION");
	for (size_t i = 0; i < names.n; i++) {
		struct certify_plan p;
		struct certify_err err;
		char path[1100];

		snprintf(path, sizeof(path), "%s/%s", dir, names.v[i]);
		if (certify_plan_load(path, &p, &err) < 0) {
			rc = cli_fail("%s", err.msg);
			continue;
		}
		if (!p.hidden || all)
			printf("%-10s %-8s %-7zu %-5zu %s%s\n", p.name,
			       p.has_kind ? certify_kind_name(p.kind) : "any",
			       p.machines.n * p.irqs.n * p.smps.n * p.accels.n, p.tests.n, p.description,
			       p.hidden ? " (hidden)" : "");
		certify_plan_free(&p);
	}
	certify_strv_free(&names);
	return rc;
}

int cli_cmd_devices(int argc, char **argv, struct cli_common *c)
{
	struct certify_modinfo *mods = NULL;
	struct certify_err err;
	size_t n = 0, nbad = 0;
	char dir[1024];

	if (info_args(argc, argv, c, NULL, NULL, "certify devices [--modules-dir DIR]") < 0)
		return CLI_ERROR;
	cli_path(c->modules, "CERTIFY_MODULES", "build/modules", dir, sizeof(dir));
	if (certify_modinfo_scan(dir, &mods, &n, &nbad, &err) < 0)
		fprintf(stderr, "certify: modules: %s (listing models only)\n", err.msg);
	int w = 5;	/* the MODEL column fits the longest model name */
	for (const struct certify_model *m = certify_models(); m->model; m++)
		w = (int)strlen(m->model) > w ? (int)strlen(m->model) : w;
	printf("%-*s %-9s %-7s %-8s %-32s %s\n", w, "MODEL", "VID:DID", "CLASS", "KIND", "DEVICE",
	       "MODULES");
	for (const struct certify_model *m = certify_models(); m->model; m++) {
		int any = 0;

		printf("%-*s %04x:%04x %06x %-8s %-32.32s ", w, m->model, m->vid, m->did, m->class,
		       certify_kind_name(m->kind), m->name);
		for (size_t i = 0; i < n; i++) {
			if (certify_modinfo_matches(&mods[i], m)) {
				const char *b = strrchr(mods[i].path, '/');

				printf("%s%s (%s %s)", any ? ", " : "", b ? b + 1 : mods[i].path,
				       mods[i].name, mods[i].version);
				any = 1;
			}
		}
		printf("%s\n", any ? "" : "-");
	}
	if (nbad)
		fprintf(stderr, "certify: %zu file%s in %s are not valid modules\n", nbad,
			nbad == 1 ? "" : "s", dir);
	certify_modinfo_free_all(mods, n);
	return CLI_PASS;
}
