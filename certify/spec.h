/* certify: what one certification run is asked to do (the devices, modules, plan, seed). */
#ifndef CERTIFY_SPEC_H
#define CERTIFY_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "modinfo.h"
#include "plan.h"

#define CERTIFY_MAX_DUT	8

/* A device under test: a QEMU model and extra -device properties. */
struct certify_dut {
	char model[48];
	char props[256];		/* "" or ",prop=value..." appended to -device */
	const struct certify_model *m;	/* from the model table */
};

struct certify_run_spec {
	const struct certify_plan *plan;
	struct certify_dut dut[CERTIFY_MAX_DUT];
	size_t ndut;
	const struct certify_modinfo *mods;	/* modules passed as boot modules */
	size_t nmods;
	uint64_t seed;
	const char *kernel;
	int jobs;				/* configurations at once, >= 1 */
	/* certify run --no-verifier: boot without verifier=1 (an unofficial run that shows
	 * what the functional suites alone catch). */
	int no_verifier;
};

#endif
