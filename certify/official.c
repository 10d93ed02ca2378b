/* certify: official runs (official.h). */
#include <stdio.h>
#include <string.h>

#include "official.h"

#ifndef HV_RELEASE
#define HV_RELEASE "?"
#endif

int certify_plan_official(const struct certify_plan *p, char *why, size_t len)
{
	for (const struct certify_shipped_plan *s = certify_shipped_plans; s->name; s++) {
		if (strcmp(s->name, p->name))
			continue;
		if (!strcmp(s->sha256, p->sha256))
			return 1;
		snprintf(why, len, "plan '%s' differs from the one shipped with hvkit %s (sha256 %.16s, "
			 "shipped %.16s)", p->name, HV_RELEASE, p->sha256, s->sha256);
		return 0;
	}
	snprintf(why, len, "plan '%s' is not one shipped with hvkit %s", p->name, HV_RELEASE);
	return 0;
}
