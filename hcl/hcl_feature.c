/*
 * The feature table (docs/hcl.md, "Features", shows the same rows: tests/hcl/test_feature.sh
 * compares them) and the derivation of a certification's features from its runs' test
 * results. Only tests the shipped plans run (plans/nic.plan, plans/storage.plan) prove a
 * feature: a feature without one is not in the table.
 */
#include <string.h>
#include <json-c/json.h>
#include "hcl_feature.h"

const struct hcl_feature_rule hcl_feature_rules[] = {
	{ "jumbo", HCL_NIC, NULL, { "nic.jumbo" },
	  "frames of a 9000-byte MTU sent and received intact (the test skips on a NIC without)" },
	{ "link-state", HCL_NIC, NULL, { "nic.linkflap" },
	  "each link down and up the host forces is reported in time, and traffic flows again" },
	{ "msix", HCL_NIC, "msix", { "nic.integrity" },
	  "frames checked end to end in a configuration that interrupts through MSI-X" },
	{ "msi", HCL_NIC, "msi", { "nic.integrity" },
	  "the same through MSI" },
	{ "intx", HCL_NIC, "intx", { "nic.integrity" },
	  "the same through a legacy INTx line" },
	{ "msix", HCL_STORAGE, "msix", { "blk.intr" },
	  "reads completed by the driver's interrupt handler, through MSI-X" },
	{ "msi", HCL_STORAGE, "msi", { "blk.intr" },
	  "the same through MSI" },
	{ "intx", HCL_STORAGE, "intx", { "blk.intr" },
	  "the same through a legacy INTx line" },
	{ "poll", HCL_STORAGE, NULL, { "blk.poll" },
	  "reads completed by the driver's poll function with interrupts off" },
	{ "lba64", HCL_STORAGE, NULL, { "blk.identify", "blk.highlba" },
	  "a disk over 2 TiB (3 TiB): its capacity identified, blocks above LBA 2^32 and the "
	  "last one written and read back apart from their 32-bit twins" },
	{ "flush", HCL_STORAGE, NULL, { "blk.verify", "blk.errors" },
	  "a flush succeeds after verified writes, and an injected flush failure is reported" },
};
const size_t hcl_feature_nrules = sizeof(hcl_feature_rules) / sizeof(hcl_feature_rules[0]);

_Static_assert(sizeof(hcl_feature_rules) / sizeof(hcl_feature_rules[0]) <=
	       sizeof(((struct hcl_feature_ev *)0)->proven), "hcl_feature_ev holds every rule");

int hcl_feature_known(const char *id)
{
	for (size_t i = 0; i < hcl_feature_nrules; i++)
		if (strcmp(hcl_feature_rules[i].id, id) == 0)
			return 1;
	return 0;
}

int hcl_feature_applies_to(const char *id, enum hcl_type type)
{
	for (size_t i = 0; i < hcl_feature_nrules; i++)
		if (strcmp(hcl_feature_rules[i].id, id) == 0 && hcl_feature_rules[i].type == type)
			return 1;
	return 0;
}

void hcl_feature_print(FILE *f)
{
	fputs("| feature | device | configuration | tests (all passed) | proves |\n", f);
	fputs("|---|---|---|---|---|\n", f);
	for (size_t i = 0; i < hcl_feature_nrules; i++) {
		const struct hcl_feature_rule *r = &hcl_feature_rules[i];

		fprintf(f, "| `%s` | %s | %s%s | ", r->id, hcl_type_name(r->type),
			r->irq ? "irq " : "any", r->irq ? r->irq : "");
		for (size_t k = 0; k < HCL_FEATURE_TESTS && r->tests[k]; k++)
			fprintf(f, "%s`%s`", k ? ", " : "", r->tests[k]);
		fprintf(f, " | %s |\n", r->proves);
	}
}

void hcl_feature_begin(struct hcl_feature_ev *ev, enum hcl_type type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
}

/* Whether rule r is judged in the configuration being read: the device's type and mode. */
static int hcl_feature_applies(const struct hcl_feature_ev *ev, const struct hcl_feature_rule *r)
{
	return r->type == ev->type && (!r->irq || strcmp(r->irq, ev->irq) == 0);
}

void hcl_feature_end(struct hcl_feature_ev *ev)
{
	for (size_t i = 0; ev->cfg[0] && ev->cfg_pass && i < hcl_feature_nrules; i++) {
		const struct hcl_feature_rule *r = &hcl_feature_rules[i];
		size_t k = 0;

		while (k < HCL_FEATURE_TESTS && r->tests[k])
			k++;
		if (hcl_feature_applies(ev, r) && ev->passed[i] == (1u << k) - 1)
			ev->proven[i] = 1;
	}
	memset(ev->passed, 0, sizeof(ev->passed));
	ev->cfg[0] = '\0';
}

/* The interrupt mode of a configuration: certify's JSON (certify/matrix.c) names it. */
static void hcl_feature_irq(const char *json, char *irq, size_t len)
{
	struct json_object *o = json ? json_tokener_parse(json) : NULL, *v;

	irq[0] = '\0';
	if (o && json_object_object_get_ex(o, "irq", &v) && json_object_is_type(v, json_type_string))
		snprintf(irq, len, "%s", json_object_get_string(v));
	json_object_put(o);
}

void hcl_feature_result(struct hcl_feature_ev *ev, const char *cfg, const char *cfg_json,
			const char *cfg_verdict, const char *suite, const char *name,
			const char *status)
{
	size_t slen = strlen(suite);

	if (strcmp(ev->cfg, cfg) != 0) {
		hcl_feature_end(ev);
		snprintf(ev->cfg, sizeof(ev->cfg), "%s", cfg);
		ev->cfg_pass = strcmp(cfg_verdict, "pass") == 0;
		hcl_feature_irq(cfg_json, ev->irq, sizeof(ev->irq));
	}
	for (size_t i = 0; i < hcl_feature_nrules; i++) {
		const struct hcl_feature_rule *r = &hcl_feature_rules[i];

		if (!hcl_feature_applies(ev, r))
			continue;
		for (size_t k = 0; k < HCL_FEATURE_TESTS && r->tests[k]; k++) {
			const char *t = r->tests[k];

			if (strncmp(t, suite, slen) || t[slen] != '.' || strcmp(t + slen + 1, name))
				continue;
			if (strcmp(status, "pass") == 0)
				ev->passed[i] |= (uint8_t)(1u << k);
			else if (strcmp(status, "skip") != 0)
				ev->refuted[i] = 1;	/* fail or error: the test says no */
		}
	}
}

size_t hcl_feature_list(const struct hcl_feature_ev *ev, const char **ids, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < hcl_feature_nrules; i++) {
		const char *id = hcl_feature_rules[i].id;
		int ok = 0, no = 0, dup = 0;

		for (size_t j = 0; j < hcl_feature_nrules; j++)
			if (strcmp(hcl_feature_rules[j].id, id) == 0 &&
			    hcl_feature_rules[j].type == ev->type) {
				ok |= ev->proven[j];
				no |= ev->refuted[j];
			}
		for (size_t j = 0; j < n; j++)
			dup |= strcmp(ids[j], id) == 0;
		if (ok && !no && !dup && n < cap)
			ids[n++] = id;
	}
	return n;
}
