/*
 * The coverage of a certification (hcl.h, struct hcl_coverage): which configurations of the
 * matrix its runs passed, did not run, or found not applicable. `hcl export` adds the
 * configurations of each run in run order; a configuration any run passed is covered.
 */
#include <stdlib.h>
#include <string.h>

#include "hcl.h"

static int hcl_cover_find(char *const *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], name))
			return (int)i;
	return -1;
}

static int hcl_note_find(const struct hcl_cfgnote *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i].name, name))
			return (int)i;
	return -1;
}

static void hcl_note_drop(struct hcl_cfgnote *v, size_t *n, int i)
{
	if (i < 0)
		return;
	free(v[i].name);
	free(v[i].reason);
	memmove(&v[i], &v[i + 1], (*n - (size_t)i - 1) * sizeof(*v));
	(*n)--;
}

static int hcl_note_set(struct hcl_cfgnote **v, size_t *n, const char *name, const char *reason)
{
	int i = hcl_note_find(*v, *n, name);
	char *r = strdup(reason ? reason : "");

	if (!r)
		return -1;
	if (i >= 0) {
		free((*v)[i].reason);
		(*v)[i].reason = r;
		return 0;
	}
	struct hcl_cfgnote *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv || !(nv[*n].name = strdup(name))) {
		free(r);
		if (nv)
			*v = nv;
		return -1;
	}
	nv[*n].reason = r;
	*v = nv;
	(*n)++;
	return 0;
}

int hcl_coverage_add(struct hcl_coverage *c, const char *name, const char *verdict,
		     const char *reason)
{
	int na = !strcmp(verdict, "na");

	if (hcl_cover_find(c->passed, c->npassed, name) >= 0)
		return 0;
	if (!strcmp(verdict, "pass")) {
		char **nv = realloc(c->passed, (c->npassed + 1) * sizeof(char *));

		if (!nv)
			return -1;
		c->passed = nv;
		if (!(c->passed[c->npassed] = strdup(name)))
			return -1;
		c->npassed++;
		hcl_note_drop(c->not_run, &c->nnot_run, hcl_note_find(c->not_run, c->nnot_run, name));
		hcl_note_drop(c->not_applicable, &c->nnot_applicable,
			      hcl_note_find(c->not_applicable, c->nnot_applicable, name));
		return 0;
	}
	if (na) {
		hcl_note_drop(c->not_run, &c->nnot_run, hcl_note_find(c->not_run, c->nnot_run, name));
		return hcl_note_set(&c->not_applicable, &c->nnot_applicable, name, reason);
	}
	hcl_note_drop(c->not_applicable, &c->nnot_applicable,
		      hcl_note_find(c->not_applicable, c->nnot_applicable, name));
	return hcl_note_set(&c->not_run, &c->nnot_run, name, reason);
}

int hcl_coverage_copy(struct hcl_coverage *dst, const struct hcl_coverage *src)
{
	memset(dst, 0, sizeof(*dst));
	for (size_t i = 0; i < src->npassed; i++)
		if (hcl_coverage_add(dst, src->passed[i], "pass", "") < 0)
			goto fail;
	for (size_t i = 0; i < src->nnot_run; i++)
		if (hcl_coverage_add(dst, src->not_run[i].name, "notrun", src->not_run[i].reason) < 0)
			goto fail;
	for (size_t i = 0; i < src->nnot_applicable; i++)
		if (hcl_coverage_add(dst, src->not_applicable[i].name, "na",
				     src->not_applicable[i].reason) < 0)
			goto fail;
	return 0;
fail:
	hcl_coverage_free(dst);
	return -1;
}

void hcl_coverage_free(struct hcl_coverage *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->npassed; i++)
		free(c->passed[i]);
	while (c->nnot_run)
		hcl_note_drop(c->not_run, &c->nnot_run, (int)c->nnot_run - 1);
	while (c->nnot_applicable)
		hcl_note_drop(c->not_applicable, &c->nnot_applicable, (int)c->nnot_applicable - 1);
	free(c->passed);
	free(c->not_run);
	free(c->not_applicable);
	memset(c, 0, sizeof(*c));
}
