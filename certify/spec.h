/* certify: what one certification run is asked to do (the devices, modules, plan, seed). */
#ifndef CERTIFY_SPEC_H
#define CERTIFY_SPEC_H

#include <stddef.h>
#include <stdint.h>

#include "modinfo.h"
#include "plan.h"
#include "serialline.h"

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
	/* certify run --target serial:PATH: a bare-metal machine booting the hvkit ISO instead
	 * of QEMU (docs/certify.md, "Bare-metal target"); NULL: QEMU. power_cycle is the lab's
	 * command run before every boot, boot_timeout_s (0: the plan's timeout) how long the
	 * machine may take from it to GRUB. */
	const struct certify_serial_target *target;
	const char *power_cycle;
	double boot_timeout_s;
	/* the lab's link control (a switch port), run at sync points link-down and link-up with
	 * HVKIT_LINK=down|up and HVKIT_MAC=the NIC's MAC; NULL: the link is left alone */
	const char *link_cmd;
	/* certify run --host-device: the device under test is a host function passed through
	 * with vfio-pci (vfio.h); its QEMU-side host checks cannot run */
	int host_device;
};

#endif
