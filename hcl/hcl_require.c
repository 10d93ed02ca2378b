/*
 * `hcl check --require FEATURE[,FEATURE]`: a device counts as certified only when its
 * entry for the release lists every required feature that the table defines for its type
 * (docs/hcl.md, "Features"). The entry is the one the kernel's lookup picked
 * (hclbin_lookup); its features are read from the JSON list, since hcl.bin does not carry
 * them.
 */
#include <string.h>
#include "hcl_feature.h"

int hcl_require_add(struct hcl_require *req, const char *arg, struct hcl_err *err)
{
	const char *p = arg;

	for (;;) {
		size_t n = strcspn(p, ",");
		char id[32], shown[64];
		int dup = 0;

		if (n == 0 || n >= sizeof(id))
			return hcl_errf(err, "--require '%s': %s feature name",
					hcl_printable(shown, sizeof(shown), arg, strlen(arg)),
					n ? "too long a" : "an empty");
		memcpy(id, p, n);
		id[n] = '\0';
		if (!hcl_feature_known(id))
			return hcl_errf(err, "--require: unknown feature '%s' (hcl features lists "
					"them)", hcl_printable(shown, sizeof(shown), id, n));
		for (size_t i = 0; i < hcl_feature_nrules; i++)
			if (strcmp(hcl_feature_rules[i].id, id) == 0) {
				for (size_t k = 0; k < req->n; k++)
					dup |= req->ids[k] == hcl_feature_rules[i].id;
				if (!dup && req->n < HCL_FEATURE_MAX)
					req->ids[req->n++] = hcl_feature_rules[i].id;
				break;
			}
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* The list's certification of entry e (hcl.bin's view of it) for release name rel. */
static const struct hcl_cert *hcl_require_cert(const struct hcl_list *l,
					       const struct hclbin_entry *e, const char *rel)
{
	uint32_t svid = (e->flags & HCLBIN_SVID_ANY) ? HV_PCI_ANY : e->svid;
	uint32_t ssid = (e->flags & HCLBIN_SSID_ANY) ? HV_PCI_ANY : e->ssid;

	for (size_t i = 0; i < l->nentries; i++) {
		const struct hcl_entry *le = &l->entries[i];

		if (le->vid != e->vid || le->did != e->did || le->svid != svid || le->ssid != ssid)
			continue;
		for (size_t k = 0; k < le->ncerts; k++)
			if (strcmp(le->certs[k].release, rel) == 0)
				return &le->certs[k];
	}
	return NULL;
}

int hcl_require_dev(const struct hcl_require *req, const struct hclbin *hb, int rel,
		    const struct hcl_dev *d, struct hcl_result *r)
{
	struct pcimatch_dev pd = { d->vid, d->did, d->svid, d->ssid, d->class };
	const struct hcl_cert *c;
	struct hclbin_entry e;
	char missing[160] = "", has[160] = "";
	size_t nm = 0, nh = 0;

	if (!req || !req->n || hclbin_lookup(hb, (uint32_t)rel, &pd, &e) < 0)
		return 0;
	c = hcl_require_cert(req->list, &e, hclbin_release(hb, (uint32_t)rel));
	for (size_t i = 0; i < req->n; i++) {
		int found = !hcl_feature_applies_to(req->ids[i], (enum hcl_type)e.type);

		for (size_t k = 0; c && k < c->nfeatures; k++)
			found |= strcmp(c->features[k], req->ids[i]) == 0;
		if (!found && nm < sizeof(missing)) {
			size_t m = strlen(r->missing);

			nm += (size_t)snprintf(missing + nm, sizeof(missing) - nm, "%s%s",
					       nm ? ", " : "", req->ids[i]);
			snprintf(r->missing + m, sizeof(r->missing) - m, "%s%s", m ? "," : "",
				 req->ids[i]);
		}
	}
	if (!nm)
		return 0;
	for (size_t k = 0; c && k < c->nfeatures && nh < sizeof(has); k++)
		nh += (size_t)snprintf(has + nh, sizeof(has) - nh, "%s%s", nh ? ", " : "",
				       c->features[k]);
	/* As a revoked entry: no driver, no firmware or build verdict, nothing counted. */
	r->verdict = HCL_V_NOT_CERTIFIED;
	r->counted = 0;
	r->deprecated = 0;
	r->fw_verdict = r->build_verdict = NULL;
	r->note[0] = '\0';
	snprintf(r->reason, sizeof(r->reason), "certified without required feature %s (the "
		 "entry lists: %s)", missing, nh ? has : "none");
	return 1;
}
