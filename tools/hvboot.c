/*
 * hvboot: boot hvkernel under QEMU with a set of emulated devices, stream its log,
 * and print the PCI inventory it found and how long the boot took.
 * Exit status: 0 when the kernel reached `ready` and exited with 33 (pass),
 * 1 otherwise, 2 on a usage error, 128+N on signal N.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices.h"
#include "proc.h"
#include "session.h"

struct hvboot {
	struct certify_session_opts so;
	struct certify_strv args;	/* --device/-q arguments, or the defaults */
	int ndevices, dry_run;
};

static void hvboot_usage(FILE *f)
{
	fprintf(f,
		"usage: hvboot [--machine pc|q35] [--accel auto|tcg|kvm] [--firmware seabios|qboot]\n"
		"              [--smp N] [--mem MiB] [--device SPEC]... [--qemu ARG]... [--disk NAME:SIZE]...\n"
		"              [--append STR] [--initrd LIST] [--timeout S] [--kernel PATH] [--dry-run]\n"
		"  --device SPEC   add -device SPEC (no --device: the default NICs and disks)\n"
		"  --qemu ARG      add one raw QEMU argument (e.g. --qemu -drive --qemu file=${disk:d1},...)\n"
		"  --disk NAME:SIZE  scratch raw image in the run's temp dir, referred to as ${disk:NAME};\n"
		"                  NAME:SIZE:gpt=SIZE,... writes a GPT with those partitions\n"
		"  --dry-run       print the QEMU command line and exit\n"
		"exit: 0 when the kernel reached `ready` and exited with status 33, else 1\n");
}

static int hvboot_args(struct hvboot *h, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "machine", required_argument, NULL, 'M' }, { "accel", required_argument, NULL, 'a' },
		{ "firmware", required_argument, NULL, 'f' }, { "smp", required_argument, NULL, 's' },
		{ "mem", required_argument, NULL, 'm' }, { "device", required_argument, NULL, 'd' },
		{ "qemu", required_argument, NULL, 'q' }, { "disk", required_argument, NULL, 'D' },
		{ "append", required_argument, NULL, 'A' }, { "initrd", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' }, { "kernel", required_argument, NULL, 'k' },
		{ "dry-run", no_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct qemu_config *q = &h->so.qemu;
	struct certify_err err;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'M': q->machine = optarg; break;
		case 'a':
			if (qemu_accel_parse(optarg, &q->accel) < 0) {
				fprintf(stderr, "hvboot: --accel %s: expected auto, tcg or kvm\n", optarg);
				return -1;
			}
			break;
		case 'f':
			if (qemu_firmware_parse(optarg, &q->firmware) < 0) {
				fprintf(stderr, "hvboot: --firmware %s: expected seabios, qboot or ovmf\n", optarg);
				return -1;
			}
			break;
		case 's': q->smp = atoi(optarg); break;
		case 'm': q->mem_mib = atoi(optarg); break;
		case 'd':
			certify_strv_push(&h->args, "-device");
			certify_strv_push(&h->args, optarg);
			h->ndevices++;
			break;
		case 'q': certify_strv_push(&h->args, optarg); h->ndevices++; break;
		case 'D':
			if (q->ndisks == QEMU_MAX_DISKS ||
			    qemu_disk_parse(optarg, &q->disks[q->ndisks], &err) < 0) {
				fprintf(stderr, "hvboot: --disk: %s\n",
					q->ndisks == QEMU_MAX_DISKS ? "too many disks" : err.msg);
				return -1;
			}
			q->ndisks++;
			break;
		case 'A': q->append = optarg; break;
		case 'i': q->initrd = optarg; break;
		case 't': q->timeout_s = atof(optarg); break;
		case 'k': q->kernel = optarg; break;
		case 'n': h->dry_run = 1; break;
		case 'h': hvboot_usage(stdout); exit(0);
		default: hvboot_usage(stderr); return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "hvboot: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (qemu_machine_check(q->machine, &err) < 0) {
		fprintf(stderr, "hvboot: --machine: %s\n", err.msg);
		return -1;
	}
	if (h->ndevices == 0 && certify_default_devices(q->machine, &h->args, q) < 0) {
		fprintf(stderr, "hvboot: out of memory\n");
		return -1;
	}
	q->extra = h->args.v;
	q->nextra = h->args.n;
	return 0;
}

/* Prints the command line with placeholder socket paths. */
static int hvboot_dry_run(const struct qemu_config *q)
{
	struct qemu_paths p = { "$TMP", "$TMP/com1.sock", "$TMP/com2.sock", "$TMP/qmp.sock" };
	struct certify_strv argv = { 0 };
	struct certify_err err;
	enum qemu_accel accel;
	char *line;

	if (qemu_accel_resolve(q->accel, &accel, &err) < 0 ||
	    qemu_build_argv(q, accel, &p, &argv, &err) < 0) {
		fprintf(stderr, "hvboot: %s\n", err.msg);
		return 1;
	}
	line = certify_strv_join_shell(&argv);
	printf("# $TMP is a private temp dir made per run (mkdtemp)\n%s\n", line ? line : "");
	free(line);
	certify_strv_free(&argv);
	return 0;
}

static void hvboot_inventory(const struct hvr_run *run)
{
	printf("\n%-13s %-9s %-9s %-6s %-12s %s\n", "SLOT", "VID:DID", "SVID:SSID", "CLASS",
	       "KIND", "DRIVER");
	for (size_t i = 0; i < run->npci; i++) {
		const struct hvr_pci *p = &run->pci[i];

		printf("%-13s %04x:%04x %04x:%04x %06x %-12s %s\n", p->slot, p->vid, p->did, p->svid,
		       p->ssid, p->class, certify_pci_class_name(p->class >> 16, (p->class >> 8) & 0xff),
		       strcmp(p->driver, "-") ? p->driver : "no driver");
	}
	if (run->npci == 0)
		printf("(no pci records)\n");
}

/* One line per boot module (`module` records), when there were any. */
static void hvboot_modules(const struct hvr_run *run)
{
	if (run->nmodule == 0)
		return;
	printf("\n%-18s %-16s %-8s %-8s %-12s %s\n", "MODULE FILE", "NAME", "VERSION", "STATUS",
	       "SHA256", "REASON");
	for (size_t i = 0; i < run->nmodule; i++) {
		const struct hvr_module *m = &run->module[i];

		printf("%-18s %-16s %-8s %-8s %-12.12s %s\n", m->file, m->name, m->version,
		       m->status, m->sha256, m->reason[0] ? m->reason : "-");
	}
}

static void hvboot_summary(const struct certify_result *r)
{
	const struct hvr_run *run = &r->run;

	hvboot_inventory(run);
	hvboot_modules(run);
	printf("\n");
	if (run->has_hello)
		printf("kernel:  hvkernel %s (%s)\n", run->release, run->arch);
	if (run->has_ready)
		printf("boot:    launch -> ready %.3f s (host); entry -> ready %.3f ms (kernel); "
		       "%llu devices, %llu bound\n", run->ready_s, (double)run->ready_us / 1000.0,
		       (unsigned long long)run->ready_devices, (unsigned long long)run->ready_bound);
	else
		printf("boot:    the kernel never reported `ready`\n");
	printf("result:  %s (%s), accel %s, %.2f s\n", certify_outcome_name(r->outcome), r->reason,
	       qemu_accel_name(r->accel), r->duration_s);
	if (run->nerrors)
		printf("channel: %zu protocol error%s, first: %s\n", run->nerrors,
		       run->nerrors == 1 ? "" : "s", run->error[0]);
	if (r->backtrace)
		printf("backtrace:\n%s", r->backtrace);
	if (r->outcome == CERTIFY_HARNESS && r->qemu_output)
		printf("QEMU said:\n%s\n", r->qemu_output);
}

int main(int argc, char **argv)
{
	struct hvboot h;
	struct certify_result r;
	int rc;

	memset(&h, 0, sizeof(h));
	h.so.qemu.machine = "pc";
	h.so.qemu.accel = QEMU_ACCEL_AUTO;
	h.so.qemu.kernel = "build/hvkernel.elf";
	h.so.qemu.timeout_s = 120;
	if (hvboot_args(&h, argc, argv) < 0)
		return 2;
	if (h.dry_run)
		return hvboot_dry_run(&h.so.qemu);
	h.so.echo = stdout;
	h.so.auto_go = 1;
	h.so.elf = h.so.qemu.kernel;
	certify_proc_install_handlers();
	certify_session_run(&h.so, &r);
	hvboot_summary(&r);
	rc = r.run.has_ready && r.outcome == CERTIFY_PASS ? 0 : 1;
	certify_result_free(&r);
	certify_strv_free(&h.args);
	if (certify_proc_interrupted())
		return 128 + certify_proc_interrupted();
	return rc;
}
