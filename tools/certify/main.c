/*
 * certify: certify a driver module and a device under hvkernel in QEMU, keep the results
 * in the certification store, and report on them (docs/certify.md).
 * Commands are dispatched from cli_cmds[]; exit statuses are named in cli_exit.h.
 */
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static void cli_usage(FILE *f)
{
	fprintf(f,
		"usage: certify COMMAND [OPTIONS]\n"
		"  run --device MODEL[,props] [--device ...] [--module FILE.hvm ...]\n"
		"      [--plan nic|storage|auto|NAME] [--seed N] [--accel auto|tcg|kvm] [--jobs N]\n"
		"      [--db PATH] [--json] [--junit FILE] [--html FILE] [-v]\n"
		"                          certify: boot every configuration of the plan, store the run\n"
		"  submit ...              as run, but queue the configurations for the workers and\n"
		"                          return at once (a PostgreSQL store)\n"
		"  worker [--slots N] [--lease S] [--drain]\n"
		"                          claim, run and store queued configurations\n"
		"  status                  the queue, its workers and its runs' progress\n"
		"  cancel RUN              cancel a queued run's configurations not yet claimed\n"
		"  rerun RUN --failed      run again the configurations of RUN that failed or erred,\n"
		"                          stored as a run that completes RUN\n"
		"  plans [--all]           list the certification plans\n"
		"  devices                 QEMU device models certify knows and the modules that drive them\n"
		"  show RUN                one stored run (RUN is an id or 'last')\n"
		"  history [--device MODEL] [--certified]\n"
		"                          stored runs, newest first\n"
		"  report RUN --format json|junit|html [-o FILE]\n"
		"  package RUN -o FILE --key VENDOR.key\n"
		"                          the run as one signed, self-contained package\n"
		"  verify FILE [--pubkey VENDOR.pub | --keyring DIR]\n"
		"                          check a package offline\n"
		"  import FILE [--keyring DIR]\n"
		"                          store a vendor's verified package as its submitted run\n"
		"  replay FILE [--keyring DIR | --pubkey VENDOR.pub]\n"
		"                          run a package's run again here, compare test by test\n"
		"  waiver create --id ID --test SUITE.NAME --config MODEL/CONFIG --release R\n"
		"         --reason TEXT --expires YYYY-MM-DD --key MAINT.key -o FILE\n"
		"  waiver add FILE [--maintainers DIR] | waiver list | waiver revoke ID --reason TEXT\n"
		"                          the maintainer's signed errata (docs/certify.md, Waivers)\n"
		"common options: --db PATH (else $HVKIT_DB, else ~/.local/share/hvkit/cert.db),\n"
		"  --plans DIR, --modules-dir DIR, --kernel ELF, --json\n"
		"exit: 0 pass, 1 fail, 2 error or bad usage, 128+N interrupted by signal N\n");
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("certify: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_ERROR;
}

int cli_common_opt(int code, const char *arg, struct cli_common *c)
{
	switch (code) {
	case 0x100: c->db = arg; return 1;
	case 0x101: c->plans = arg; return 1;
	case 0x102: c->modules = arg; return 1;
	case 0x103: c->kernel = arg; return 1;
	case 0x104: c->json = 1; return 1;
	default: return 0;
	}
}

void cli_path(const char *opt, const char *env, const char *rel, char *out, size_t outlen)
{
	const char *e = env ? getenv(env) : NULL;
	char exe[PATH_MAX];
	ssize_t n;

	if (opt && *opt) {
		snprintf(out, outlen, "%s", opt);
		return;
	}
	if (e && *e) {
		snprintf(out, outlen, "%s", e);
		return;
	}
	snprintf(out, outlen, "%s", rel);
	if (access(rel, F_OK) == 0)
		return;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *p;

		exe[n] = '\0';
		p = strstr(exe, "/build/bin/certify");
		if (p && p[strlen("/build/bin/certify")] == '\0') {
			*p = '\0';
			snprintf(out, outlen, "%s/%s", exe, rel);
		}
	}
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv, struct cli_common *c);
} cli_cmds[] = {
	{ "run", cli_cmd_run }, { "plans", cli_cmd_plans }, { "devices", cli_cmd_devices },
	{ "show", cli_cmd_show }, { "history", cli_cmd_history }, { "report", cli_cmd_report },
	{ "submit", cli_cmd_submit }, { "worker", cli_cmd_worker }, { "status", cli_cmd_status },
	{ "cancel", cli_cmd_cancel }, { "package", cli_cmd_package }, { "verify", cli_cmd_verify },
	{ "import", cli_cmd_import }, { "replay", cli_cmd_replay }, { "rerun", cli_cmd_rerun },
	{ "waiver", cli_cmd_waiver },
};

int main(int argc, char **argv)
{
	struct cli_common common = { 0 };

	if (argc < 2) {
		cli_usage(stderr);
		return CLI_ERROR;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		cli_usage(stdout);
		return CLI_PASS;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("certify (hvkit) for hvkernel %s\n", HV_RELEASE);
		return CLI_PASS;
	}
	for (size_t i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++) {
		if (!strcmp(argv[1], cli_cmds[i].name))
			return cli_cmds[i].fn(argc - 1, argv + 1, &common);
	}
	cli_fail("unknown command '%s' (see certify --help)", argv[1]);
	return CLI_ERROR;
}
