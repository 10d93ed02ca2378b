/*
 * hvktest: run the kernel tests listed in tests/kernel/tests.cfg under QEMU.
 * Prints one PASS/FAIL/SKIP line per entry; exits 0 when nothing failed,
 * 1 when something failed, 2 on a usage or config error, 128+N on signal N.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ktcfg.h"
#include "ktrun.h"
#include "proc.h"

#define HVKTEST_MAX_JOBS 16

struct hvktest_main {
	struct hvktest_opts opts;
	struct certify_ktcfg cfg;
	const char *cfg_path, *counts_path;
	const char *groups[16], *names[16];
	int ngroups, nnames, jobs;
	size_t *selected, nselected, next;
	unsigned passed, failed, skipped, entries_failed, entries_skipped;
	pthread_mutex_t lock;
};

static void hvktest_usage(FILE *f)
{
	fprintf(f,
		"usage: hvktest [-c FILE] [-g GROUP]... [-t NAME]... [-j N] [--kernel PATH]\n"
		"               [--counts FILE] [--logdir DIR] [--modules DIR] [-l] [-v]\n"
		"  -c, --config FILE   test list (default tests/kernel/tests.cfg)\n"
		"  -g, --group GROUP   run the entries in GROUP (repeatable)\n"
		"  -t, --test NAME     run the entry NAME, a shell pattern (repeatable)\n"
		"  -j, --jobs N        run N entries at once (default 1)\n"
		"      --kernel PATH   kernel ELF (default build/hvkernel.elf)\n"
		"      --counts FILE   write \"passed failed skipped\" to FILE\n"
		"      --logdir DIR    COM1 logs as DIR/NAME.log (default build/ktest)\n"
		"      --modules DIR   where relative initrd paths are (default build/modules)\n"
		"  -l, --list          list the selected entries and exit\n"
		"  -v, --verbose       show every in-kernel test line\n"
		"exit: 0 all passed or skipped, 1 a failure, 2 usage/config error, 128+N on signal N\n");
}

static int hvktest_selected(const struct hvktest_main *m, const struct certify_ktest *t)
{
	int g = m->ngroups == 0, n = m->nnames == 0;

	for (int i = 0; i < m->ngroups; i++)
		g |= certify_ktest_in_group(t, m->groups[i]);
	for (int i = 0; i < m->nnames; i++)
		n |= fnmatch(m->names[i], t->name, 0) == 0;
	return g && n;
}

static int hvktest_args(struct hvktest_main *m, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' }, { "group", required_argument, NULL, 'g' },
		{ "test", required_argument, NULL, 't' }, { "jobs", required_argument, NULL, 'j' },
		{ "kernel", required_argument, NULL, 'k' }, { "counts", required_argument, NULL, 'C' },
		{ "logdir", required_argument, NULL, 'L' }, { "list", no_argument, NULL, 'l' },
		{ "modules", required_argument, NULL, 'M' },
		{ "verbose", no_argument, NULL, 'v' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, list = 0;

	while ((c = getopt_long(argc, argv, "c:g:t:j:lvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': m->cfg_path = optarg; break;
		case 'g': if (m->ngroups < 16) m->groups[m->ngroups++] = optarg; break;
		case 't': if (m->nnames < 16) m->names[m->nnames++] = optarg; break;
		case 'j':
			m->jobs = atoi(optarg);
			if (m->jobs < 1 || m->jobs > HVKTEST_MAX_JOBS) {
				fprintf(stderr, "hvktest: -j %s: expected 1 to %d\n", optarg, HVKTEST_MAX_JOBS);
				return -1;
			}
			break;
		case 'k': m->opts.kernel = optarg; break;
		case 'C': m->counts_path = optarg; break;
		case 'L': m->opts.logdir = optarg; break;
		case 'M': m->opts.moddir = optarg; break;
		case 'l': list = 1; break;
		case 'v': m->opts.verbose = 1; break;
		case 'h': hvktest_usage(stdout); exit(0);
		default: hvktest_usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "hvktest: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return list;
}

static void *hvktest_worker(void *arg)
{
	struct hvktest_main *m = arg;

	for (;;) {
		struct hvktest_tally tally;
		char *text = NULL;
		size_t len = 0, i;
		FILE *out;

		pthread_mutex_lock(&m->lock);
		i = m->next++;
		pthread_mutex_unlock(&m->lock);
		if (i >= m->nselected || certify_proc_interrupted())
			return NULL;
		out = open_memstream(&text, &len);
		if (!out)
			return NULL;
		hvktest_run(&m->opts, &m->cfg.test[m->selected[i]], out, &tally);
		fclose(out);
		pthread_mutex_lock(&m->lock);
		fputs(text, stdout);
		fflush(stdout);
		m->passed += tally.passed;
		m->failed += tally.failed;
		m->entries_failed += (unsigned)tally.entry_failed;
		m->skipped += tally.skipped;
		m->entries_skipped += (unsigned)tally.entry_skipped;
		pthread_mutex_unlock(&m->lock);
		free(text);
	}
}

static int hvktest_counts(const struct hvktest_main *m)
{
	FILE *f = fopen(m->counts_path, "w");

	if (!f || fprintf(f, "%u %u %u\n", m->passed, m->failed, m->skipped) < 0 || fclose(f) != 0) {
		fprintf(stderr, "hvktest: %s: cannot write counts: %s\n", m->counts_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int hvktest_prepare(struct hvktest_main *m)
{
	struct certify_err err;

	if (access(m->opts.kernel, R_OK) != 0) {
		fprintf(stderr, "hvktest: %s: %s (build it with `make kernel`)\n", m->opts.kernel,
			strerror(errno));
		return -1;
	}
	if (m->opts.logdir && mkdir(m->opts.logdir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "hvktest: %s: %s\n", m->opts.logdir, strerror(errno));
		return -1;
	}
	m->opts.kvm_ok = qemu_kvm_usable(m->opts.kvm_why, sizeof(m->opts.kvm_why));
	(void)err;
	return 0;
}

static int hvktest_run_all(struct hvktest_main *m)
{
	pthread_t th[HVKTEST_MAX_JOBS];
	int n = m->jobs < (int)m->nselected ? m->jobs : (int)m->nselected;

	pthread_mutex_init(&m->lock, NULL);
	for (int i = 0; i < n; i++) {
		if (pthread_create(&th[i], NULL, hvktest_worker, m) != 0) {
			fprintf(stderr, "hvktest: cannot start worker thread\n");
			n = i;
			break;
		}
	}
	if (n == 0)
		hvktest_worker(m);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("SUMMARY: %zu entr%s, %u failed, %u skipped; %u passed, %u failed, %u skipped\n",
	       m->nselected, m->nselected == 1 ? "y" : "ies", m->entries_failed, m->entries_skipped,
	       m->passed, m->failed, m->skipped);
	return 0;
}

int main(int argc, char **argv)
{
	struct hvktest_main m = { .cfg_path = "tests/kernel/tests.cfg", .jobs = 1 };
	struct certify_err err;
	int list, rc;

	m.opts.kernel = "build/hvkernel.elf";
	m.opts.logdir = "build/ktest";
	m.opts.moddir = "build/modules";
	list = hvktest_args(&m, argc, argv);
	if (list < 0)
		return 2;
	if (certify_ktcfg_load(m.cfg_path, &m.cfg, &err) < 0) {
		fprintf(stderr, "hvktest: %s\n", err.msg);
		return 2;
	}
	m.selected = calloc(m.cfg.ntest, sizeof(*m.selected));
	for (size_t i = 0; m.selected && i < m.cfg.ntest; i++) {
		if (hvktest_selected(&m, &m.cfg.test[i]))
			m.selected[m.nselected++] = i;
	}
	if (m.nselected == 0) {
		fprintf(stderr, "hvktest: %s: no entry matches the selection\n", m.cfg_path);
		return 2;
	}
	if (list) {
		for (size_t i = 0; i < m.nselected; i++)
			printf("%s\n", m.cfg.test[m.selected[i]].name);
		return 0;
	}
	if (hvktest_prepare(&m) < 0)
		return 2;
	certify_proc_install_handlers();
	setvbuf(stdout, NULL, _IOLBF, 0);
	hvktest_run_all(&m);
	rc = m.entries_failed ? 1 : 0;
	if (m.counts_path && hvktest_counts(&m) < 0)
		rc = 1;
	free(m.selected);
	certify_ktcfg_free(&m.cfg);
	if (certify_proc_interrupted()) {
		fprintf(stderr, "hvktest: interrupted by signal %d\n", certify_proc_interrupted());
		return 128 + certify_proc_interrupted();
	}
	return rc;
}
