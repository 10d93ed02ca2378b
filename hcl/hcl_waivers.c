/*
 * hcl export: the waivers behind a certification (docs/hcl.md, "waivers"). A run the store
 * holds as failed is certified when the maintainer's live waivers cover every failed test
 * (docs/certify.md, "Waivers"); its entry names each waived test as "ID SUITE.NAME" so a
 * list's consumer sees which certifications rest on an erratum.
 */
#include <stdlib.h>
#include <string.h>

#include "hcl.h"

int hcl_waivers_add(char **v, size_t *n, size_t max, const char *list)
{
	const char *p = list;

	while (p && *p) {
		const char *end = strstr(p, ", ");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int seen = 0;

		for (size_t i = 0; i < *n && !seen; i++)
			seen = strlen(v[i]) == len && !strncmp(v[i], p, len);
		if (!seen && *n < max && !(v[(*n)++] = strndup(p, len)))
			return -1;
		p = end ? end + 2 : NULL;
	}
	return 0;
}
