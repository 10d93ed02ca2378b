/* certify: the kernel command line and the boot module list (cmdline.h). */
#include <stdio.h>
#include <string.h>

#include "cmdline.h"

/* Appends " word" to the kernel command line. */
static int cmdline_append(char *buf, size_t len, const char *word)
{
	size_t used = strlen(buf);

	if (used + strlen(word) + 2 > len)
		return -1;
	snprintf(buf + used, len - used, "%s%s", used ? " " : "", word);
	return 0;
}

int certify_cmdline_build(const struct certify_run_spec *spec, const struct certify_config *c,
			  const struct certify_inject *inj, char *out, size_t len, struct certify_err *err)
{
	const struct certify_plan *p = spec->plan;
	char word[512];
	size_t used = 0;

	out[0] = '\0';
	used = (size_t)snprintf(word, sizeof(word), "test=");
	for (size_t i = 0; i < p->tests.n; i++)
		used += (size_t)snprintf(word + used, sizeof(word) - used, "%s%s", i ? "," : "",
					 p->tests.v[i]);
	if (used >= sizeof(word) || cmdline_append(out, len, word) < 0)
		return certify_errf(err, "%s: the test selection is too long", p->file);
	for (size_t i = 0; i < p->params.n; i++) {
		if (certify_plan_expand(p, p->params.v[i], spec->seed, word, sizeof(word), err) < 0)
			return -1;
		if (cmdline_append(out, len, word) < 0)
			return certify_errf(err, "%s: the kernel command line is too long", p->file);
	}
	snprintf(word, sizeof(word), "blk.seed=%llu", (unsigned long long)spec->seed);
	int r = cmdline_append(out, len, word);
	if (inj && inj->rlba[0]) {
		snprintf(word, sizeof(word), "blk.eio_lba=%s", inj->rlba);
		r |= cmdline_append(out, len, word);
	}
	/* Certification always runs the driver under the verifier (docs/ddk.md, "Verifier"). */
	if (!spec->no_verifier)
		r |= cmdline_append(out, len, "verifier=1");
	if (inj && inj->wlba[0]) {
		snprintf(word, sizeof(word), "blk.eio_wlba=%s", inj->wlba);
		r |= cmdline_append(out, len, word);
	}
	if (inj && inj->flush)
		r |= cmdline_append(out, len, "blk.eio_flush=1");
	if (!strcmp(c->irq, "poll")) {
		/* The polling configuration: the suites wait for completions by calling the
		 * driver's poll function with interrupts masked; every other configuration
		 * waits for the driver's interrupt and never polls. */
		r |= cmdline_append(out, len, p->kind == CERTIFY_KIND_NIC ? "nic.poll=1" : "blk.wait=poll");
	} else if (strcmp(c->irq, "none")) {
		snprintf(word, sizeof(word), "pci.irq=%s", c->irq);
		r |= cmdline_append(out, len, word);
	}
	return r ? certify_errf(err, "%s: the kernel command line is too long", p->file) : 0;
}

int certify_initrd_build(const struct certify_run_spec *spec, char *out, size_t len,
			 struct certify_err *err)
{
	size_t used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < spec->nmods; i++) {
		const char *p = spec->mods[i].path;

		if (strpbrk(p, ", "))
			return certify_errf(err, "%s: QEMU cannot take a module path with a comma or blank", p);
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "," : "", p);
		if (used >= len)
			return certify_errf(err, "%s: too many or too long module paths", p);
	}
	return 0;
}
