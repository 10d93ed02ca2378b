/*
 * certify: official runs. A certification binds the plan it ran; only a plan shipped with
 * this release, byte for byte, makes an official run. A run with any other plan (changed,
 * or of the lab's own) is stored and judged all the same, but marked unofficial: it is not
 * certified and `hcl export` leaves it out (docs/certify.md, "What a run binds").
 */
#ifndef CERTIFY_OFFICIAL_H
#define CERTIFY_OFFICIAL_H

#include <stddef.h>

#include "plan.h"

/* A plan shipped with this build: its name (plans/NAME.plan) and the sha256 of its file. */
struct certify_shipped_plan {
	const char *name, *sha256;
};

/* Generated at build time from the .plan files in plans/ (certify/shipped.sh); ends with
 * { NULL, NULL }. */
extern const struct certify_shipped_plan certify_shipped_plans[];

/* 1 when p is the shipped plan of its name, byte for byte; else 0 with why filled in
 * ("plan 'x' is not one shipped with hvkit 0.1.0", "plan 'nic' differs from ..."). */
int certify_plan_official(const struct certify_plan *p, char *why, size_t len);

#endif
