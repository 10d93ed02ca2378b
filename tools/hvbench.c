/*
 * hvbench: boot-time benchmark. Boots hvkernel N times per machine (pc, q35) and
 * accelerator (tcg, and kvm when /dev/kvm opens) with the default device set, and
 * prints the median and range of host launch -> `ready` and kernel entry -> `ready`.
 * A second table boots pc/TCG with 0, 1, 16 and 64 bench modules (mkbadmod --bench) and
 * prints what one module costs. Exit status: 0 when every boot reached `ready` and
 * passed (and loaded every module), 1 otherwise.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootcost.h"
#include "devices.h"
#include "proc.h"
#include "session.h"

#define HVBENCH_MAX_RUNS 100

struct hvbench_cell {
	double host[HVBENCH_MAX_RUNS];	/* launch -> ready, s */
	double kern[HVBENCH_MAX_RUNS];	/* entry -> ready, ms */
	double modus[HVBENCH_MAX_RUNS];	/* sum of the module records' us */
	int ok, runs;
	char last_error[600];
};

/* What one row boots. */
struct hvbench_setup {
	const char *kernel, *machine;
	enum qemu_accel accel;
	enum qemu_firmware fw;
	int runs;
	double timeout;
	int devices;		/* attach the default device set */
	const char *initrd;	/* comma-separated boot modules, or NULL */
	size_t nmodules;	/* how many of them must load */
	int inbox;		/* the inbox modules: each loads or is skipped (no device) */
	struct bootcost *cost;	/* collect the boot breakdown, or NULL */
};

static int hvbench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median, min and max of v[0..n), as "MED (MIN..MAX)". */
static void hvbench_stat(double *v, int n, const char *fmt, char *out, size_t len)
{
	char med[24], lo[24], hi[24];

	if (n == 0) {
		snprintf(out, len, "-");
		return;
	}
	qsort(v, (size_t)n, sizeof(*v), hvbench_cmp);
	snprintf(med, sizeof(med), fmt, n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
	snprintf(lo, sizeof(lo), fmt, v[0]);
	snprintf(hi, sizeof(hi), fmt, v[n - 1]);
	snprintf(out, len, "%s (%s..%s)", med, lo, hi);
}

/* 0 when the run counts: it reached `ready`, passed and loaded every module. */
static int hvbench_judge(const struct hvbench_setup *b, const struct certify_result *r,
			 double *modus, char *why, size_t whylen)
{
	size_t loaded = 0;

	*modus = 0;
	for (size_t i = 0; i < r->run.nmodule; i++) {
		loaded += strcmp(r->run.module[i].status, "loaded") == 0 ||
			  (b->inbox && strcmp(r->run.module[i].status, "skipped") == 0);
		*modus += (double)r->run.module[i].us;
	}
	if (!r->run.has_ready || r->outcome != CERTIFY_PASS)
		snprintf(why, whylen, "%s: %s%s", certify_outcome_name(r->outcome), r->reason,
			 r->run.has_ready ? "" : " (no ready record)");
	else if (loaded != b->nmodules)
		snprintf(why, whylen, "%zu of %zu modules loaded", loaded, b->nmodules);
	else
		return 0;
	return -1;
}

static void hvbench_cell(const struct hvbench_setup *b, struct hvbench_cell *cell)
{
	struct certify_session_opts so;
	struct certify_strv args = { 0 };

	memset(&so, 0, sizeof(so));
	memset(cell, 0, sizeof(*cell));
	so.qemu.machine = b->machine;
	so.qemu.accel = b->accel;
	so.qemu.firmware = b->fw;
	so.qemu.kernel = b->kernel;
	so.qemu.initrd = b->initrd;
	so.qemu.timeout_s = b->timeout;
	so.auto_go = 1;
	if (b->devices && certify_default_devices(b->machine, &args, &so.qemu) < 0)
		return;
	so.qemu.extra = args.v;
	so.qemu.nextra = args.n;
	for (int i = 0; i < b->runs && !certify_proc_interrupted(); i++) {
		struct certify_result r;
		double modus;

		cell->runs++;
		certify_session_run(&so, &r);
		if (hvbench_judge(b, &r, &modus, cell->last_error, sizeof(cell->last_error)) == 0) {
			cell->host[cell->ok] = r.run.ready_s;
			cell->kern[cell->ok] = (double)r.run.ready_us / 1000.0;
			cell->modus[cell->ok] = modus;
			cell->ok++;
			if (b->cost && bootcost_add(b->cost, &r.run) < 0)
				snprintf(cell->last_error, sizeof(cell->last_error),
					 "boot breakdown: out of memory");
		}
		certify_result_free(&r);
	}
	certify_strv_free(&args);
}

static double hvbench_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), hvbench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Comma-separated DIR/bench00.hvm .. for n modules (malloc'ed), NULL for none or on error. */
static char *hvbench_initrd(const char *dir, int n, char *why, size_t whylen)
{
	size_t len = (strlen(dir) + 20) * (size_t)n + 1;
	char *s = n ? calloc(1, len) : NULL;
	char path[512];

	if (n && !s)
		snprintf(why, whylen, "out of memory");
	for (int i = 0; s && i < n; i++) {
		snprintf(path, sizeof(path), "%s/bench%02d.hvm", dir, i);
		if (access(path, R_OK) != 0) {
			snprintf(why, whylen, "%s: %s (build it with `make modules`)", path, strerror(errno));
			free(s);
			return NULL;
		}
		snprintf(s + strlen(s), len - strlen(s), "%s%s", i ? "," : "", path);
	}
	return s;
}

/*
 * The modules table: pc/TCG without devices, with 0, 1, 16 and 64 bench modules. The
 * per-module cost is (t(N) - t(0)) / N of the medians of entry -> ready; the load time is
 * the median of the sum of the `module` records' us, divided by N.
 */
static int hvbench_modules(const struct hvbench_setup *base, const char *dir)
{
	static const int counts[] = { 0, 1, 16, 64 };
	double t0 = 0;
	int bad = 0;
	char why[1024];

	printf("\nmodules: pc, tcg, no devices, %d boots per row; bench modules match the host "
	       "bridge and decline it\n", base->runs);
	printf("%-8s %-6s %-28s %-14s %s\n", "modules", "ok", "entry->ready ms (kernel)",
	       "us per module", "load us per module (module records)");
	for (size_t k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
		struct hvbench_setup b = *base;
		struct hvbench_cell cell;
		char kern[96], ok[32], per[32] = "-", load[32] = "-";
		char *initrd = hvbench_initrd(dir, counts[k], why, sizeof(why));

		if (counts[k] && !initrd) {
			printf("%-8d skipped: %s\n", counts[k], why);
			return 1;
		}
		b.initrd = initrd;
		b.nmodules = (size_t)counts[k];
		hvbench_cell(&b, &cell);
		free(initrd);
		snprintf(ok, sizeof(ok), "%d/%d", cell.ok, cell.runs);
		if (cell.ok) {
			double t = hvbench_median(cell.kern, cell.ok) * 1000.0;

			if (counts[k] == 0)
				t0 = t;
			else {
				snprintf(per, sizeof(per), "%.1f", (t - t0) / counts[k]);
				snprintf(load, sizeof(load), "%.1f",
					 hvbench_median(cell.modus, cell.ok) / counts[k]);
			}
		}
		hvbench_stat(cell.kern, cell.ok, "%.2f", kern, sizeof(kern));
		printf("%-8d %-6s %-28s %-14s %s\n", counts[k], ok, kern, per, load);
		if (cell.ok != cell.runs) {
			printf("  last failure: %s\n", cell.last_error);
			bad = 1;
		}
	}
	return bad;
}

/* Comma-separated the .hvm files of DIR (malloc'ed) and how many, or NULL when there are none. */
static char *hvbench_inbox(const char *dir, size_t *n)
{
	char pat[512], *s = NULL;
	size_t len = 0;
	FILE *p;

	*n = 0;
	snprintf(pat, sizeof(pat), "ls %s/*.hvm 2>/dev/null", dir);
	p = popen(pat, "r");
	if (!p)
		return NULL;
	while (fgets(pat, sizeof(pat), p)) {
		size_t l = strcspn(pat, "\n");
		char *g = realloc(s, len + l + 2);

		if (!g) {
			free(s);
			pclose(p);
			return NULL;
		}
		s = g;
		if (len)
			s[len++] = ',';
		memcpy(s + len, pat, l);
		len += l;
		s[len] = 0;
		(*n)++;
	}
	pclose(p);
	return s;
}

/* The boot breakdown of a row: the cell's line, then its phases and probes. */
static int hvbench_breakdown(struct hvbench_setup *b, const char *what)
{
	struct bootcost bc = { 0 };
	struct hvbench_cell cell;
	char kern[96];

	b->cost = &bc;
	hvbench_cell(b, &cell);
	hvbench_stat(cell.kern, cell.ok, "%.2f", kern, sizeof(kern));
	printf("\nbreakdown: %s, %s, %s: entry->ready %s ms, %d/%d boots\n", b->machine,
	       qemu_accel_name(b->accel), what, kern, cell.ok, cell.runs);
	if (cell.ok)
		bootcost_print(&bc, stdout);
	bootcost_free(&bc);
	if (cell.ok != cell.runs)
		printf("  last failure: %s\n", cell.last_error);
	return cell.ok != cell.runs;
}

static void hvbench_usage(FILE *f)
{
	fprintf(f, "usage: hvbench [--kernel PATH] [--runs N] [--timeout S] [--firmware seabios|qboot]\n"
		   "               [--modules DIR | --no-modules]\n"
		   "  --modules DIR   the bench modules (default build/modules/bench)\n"
		   "  --no-modules    leave out the modules table\n"
		   "  --inbox DIR     the inbox modules for the breakdown (default build/modules)\n"
		   "  --kvm-runs N    boots of the KVM breakdown (default 3; 0 leaves it out)\n"
		   "exit: 0 when every boot reached `ready` and passed, else 1\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "runs", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' }, { "firmware", required_argument, NULL, 'f' },
		{ "modules", required_argument, NULL, 'm' }, { "no-modules", no_argument, NULL, 'n' },
		{ "inbox", required_argument, NULL, 'i' }, { "kvm-runs", required_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const machines[] = { "pc", "q35" };
	const char *kernel = "build/hvkernel.elf", *moddir = "build/modules/bench";
	const char *inboxdir = "build/modules";
	int runs = 5, kvm_runs = 3, c, bad = 0;
	double timeout = 120;
	enum qemu_firmware fw = QEMU_FW_SEABIOS;
	char why[128];
	int kvm = qemu_kvm_usable(why, sizeof(why));

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': kernel = optarg; break;
		case 'r': runs = atoi(optarg); break;
		case 't': timeout = atof(optarg); break;
		case 'f':
			if (qemu_firmware_parse(optarg, &fw) < 0) {
				fprintf(stderr, "hvbench: --firmware %s: expected seabios, qboot or ovmf\n", optarg);
				return 2;
			}
			break;
		case 'm': moddir = optarg; break;
		case 'n': moddir = NULL; break;
		case 'i': inboxdir = optarg; break;
		case 'K': kvm_runs = atoi(optarg); break;
		case 'h': hvbench_usage(stdout); return 0;
		default: hvbench_usage(stderr); return 2;
		}
	}
	if (runs < 1 || runs > HVBENCH_MAX_RUNS || kvm_runs < 0 || kvm_runs > HVBENCH_MAX_RUNS ||
	    optind != argc) {
		hvbench_usage(stderr);
		return 2;
	}
	certify_proc_install_handlers();
	printf("hvbench: %s, %d boots per row, default device set, empty command line, %s\n",
	       kernel, runs, fw == QEMU_FW_QBOOT ? "qboot" : "SeaBIOS");
	if (!kvm)
		printf("kvm: unavailable (%s)\n", why);
	printf("%-8s %-6s %-6s %-28s %s\n", "machine", "accel", "ok", "launch->ready s (host)",
	       "entry->ready ms (kernel)");
	for (int a = 0; a < (kvm ? 2 : 1); a++) {
		for (int m = 0; m < 2; m++) {
			enum qemu_accel accel = a ? QEMU_ACCEL_KVM : QEMU_ACCEL_TCG;
			struct hvbench_cell cell;
			char host[96], kern[96], ok[32];

			struct hvbench_setup b = { kernel, machines[m], accel, fw, runs, timeout, 1, NULL, 0, 0, NULL };

			hvbench_cell(&b, &cell);
			hvbench_stat(cell.host, cell.ok, "%.3f", host, sizeof(host));
			hvbench_stat(cell.kern, cell.ok, "%.2f", kern, sizeof(kern));
			snprintf(ok, sizeof(ok), "%d/%d", cell.ok, cell.runs);
			printf("%-8s %-6s %-6s %-28s %s\n", machines[m], qemu_accel_name(accel), ok,
			       host, kern);
			if (cell.ok != cell.runs) {
				printf("  last failure: %s\n", cell.last_error);
				bad = 1;
			}
		}
	}
	/* Where the time and the exits of a boot go (issue 17): the default device set with
	 * every inbox module under TCG; under KVM without modules, as the rows above. */
	if (!certify_proc_interrupted()) {
		size_t n;
		char *inbox = hvbench_inbox(inboxdir, &n);
		struct hvbench_setup b = { kernel, "pc", QEMU_ACCEL_TCG, fw, runs, timeout, 1, inbox,
					   n, 1, NULL };
		char what[160];

		snprintf(what, sizeof(what), "default device set and the %zu modules in %s", n,
			 inboxdir);
		if (!inbox) {
			printf("\nbreakdown: no modules in %s (build them with `make modules`)\n",
			       inboxdir);
			bad = 1;
		} else {
			bad |= hvbench_breakdown(&b, what);
		}
		free(inbox);
		if (kvm && kvm_runs && !certify_proc_interrupted()) {
			struct hvbench_setup k = { kernel, "pc", QEMU_ACCEL_KVM, fw, kvm_runs, timeout,
						   1, NULL, 0, 0, NULL };

			bad |= hvbench_breakdown(&k, "default device set, no modules");
		}
	}
	if (moddir && !certify_proc_interrupted()) {
		struct hvbench_setup b = { kernel, "pc", QEMU_ACCEL_TCG, fw, runs, timeout, 0, NULL, 0, 0, NULL };

		bad |= hvbench_modules(&b, moddir);
	}
	if (certify_proc_interrupted())
		return 128 + certify_proc_interrupted();
	return bad;
}
