/*
 * certify: which devices a plan exercises. A run stores every device it was given as
 * certified with the plan's verdict, so each --device must be one the plan's tests touch;
 * any other is refused before anything boots (docs/certify.md, "Several devices").
 */
#ifndef CERTIFY_EXERCISE_H
#define CERTIFY_EXERCISE_H

#include <stddef.h>

#include "err.h"
#include "plan.h"
#include "spec.h"

/*
 * By topology: nic-pair exercises exactly one NIC (both hub ports are instances of it),
 * disk exactly one storage controller (the storage suite tests the first block device), vm
 * one NIC (the host peer's) and one storage controller (the guests' disk); none exercises
 * no NIC or storage controller (its devices are only bound to their drivers, and never
 * reach the compatibility list). Returns 0, or -1 with a one-line message naming the
 * refused --device.
 */
int certify_exercise_check(const struct certify_plan *p, const struct certify_dut *dut, size_t n,
			   struct certify_err *err);

#endif
