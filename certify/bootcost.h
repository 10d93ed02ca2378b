/*
 * The boot breakdown over several boots (hvbench): each phase and each driver's probe
 * (hvrrun's `phase` and `bind` records) collected per boot, then printed as medians with
 * min..max.
 */
#ifndef CERTIFY_BOOTCOST_H
#define CERTIFY_BOOTCOST_H

#include <stdio.h>
#include "hvrrun.h"

#define BOOTCOST_MAX_RUNS	100
#define BOOTCOST_NVAL		5	/* ms, port I/O, MMIO, other exits, console bytes */

/* One phase or one (slot, driver) probe: its values in each boot that had it. */
struct bootcost_series {
	int is_bind;
	char name[48], driver[32];
	int n, last;		/* boots that had it; the last of them, from 1 */
	double v[BOOTCOST_NVAL][BOOTCOST_MAX_RUNS];
};

struct bootcost {
	struct bootcost_series *s;
	size_t n;
	int runs;
};

/* Add one boot's phases and binds. 0, or -1 when out of memory or past BOOTCOST_MAX_RUNS. */
int bootcost_add(struct bootcost *bc, const struct hvr_run *run);
/* The table: one line per phase in boot order, then one per probe. */
void bootcost_print(struct bootcost *bc, FILE *f);
void bootcost_free(struct bootcost *bc);

#endif
