/*
 * hvbench: boot-time benchmark. Boots hvkernel N times per machine (pc, q35) and
 * accelerator (tcg, and kvm when /dev/kvm opens) with the default device set, and
 * prints the median and range of host launch -> `ready` and kernel entry -> `ready`.
 * Exit status: 0 when every boot reached `ready` and passed, 1 otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "proc.h"
#include "session.h"

#define HVBENCH_MAX_RUNS 100

struct hvbench_cell {
	double host[HVBENCH_MAX_RUNS];	/* launch -> ready, s */
	double kern[HVBENCH_MAX_RUNS];	/* entry -> ready, ms */
	int ok, runs;
	char last_error[600];
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

static void hvbench_cell(const char *kernel, const char *machine, enum qemu_accel accel,
			 enum qemu_firmware fw, int runs, double timeout, struct hvbench_cell *cell)
{
	struct certify_session_opts so;
	struct certify_strv args = { 0 };

	memset(&so, 0, sizeof(so));
	memset(cell, 0, sizeof(*cell));
	so.qemu.machine = machine;
	so.qemu.accel = accel;
	so.qemu.firmware = fw;
	so.qemu.kernel = kernel;
	so.qemu.timeout_s = timeout;
	so.auto_go = 1;
	if (certify_default_devices(machine, &args, &so.qemu) < 0)
		return;
	so.qemu.extra = args.v;
	so.qemu.nextra = args.n;
	for (int i = 0; i < runs && !certify_proc_interrupted(); i++) {
		struct certify_result r;

		cell->runs++;
		certify_session_run(&so, &r);
		if (r.run.has_ready && r.outcome == CERTIFY_PASS) {
			cell->host[cell->ok] = r.run.ready_s;
			cell->kern[cell->ok] = (double)r.run.ready_us / 1000.0;
			cell->ok++;
		} else {
			snprintf(cell->last_error, sizeof(cell->last_error), "%s: %s%s",
				 certify_outcome_name(r.outcome), r.reason,
				 r.run.has_ready ? "" : " (no ready record)");
		}
		certify_result_free(&r);
	}
	certify_strv_free(&args);
}

static void hvbench_usage(FILE *f)
{
	fprintf(f, "usage: hvbench [--kernel PATH] [--runs N] [--timeout S] [--firmware seabios|qboot]\n"
		   "exit: 0 when every boot reached `ready` and passed, else 1\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kernel", required_argument, NULL, 'k' }, { "runs", required_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' }, { "firmware", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const machines[] = { "pc", "q35" };
	const char *kernel = "build/hvkernel.elf";
	int runs = 5, c, bad = 0;
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
				fprintf(stderr, "hvbench: --firmware %s: expected seabios or qboot\n", optarg);
				return 2;
			}
			break;
		case 'h': hvbench_usage(stdout); return 0;
		default: hvbench_usage(stderr); return 2;
		}
	}
	if (runs < 1 || runs > HVBENCH_MAX_RUNS || optind != argc) {
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

			hvbench_cell(kernel, machines[m], accel, fw, runs, timeout, &cell);
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
	if (certify_proc_interrupted())
		return 128 + certify_proc_interrupted();
	return bad;
}
