/*
 * Ceiling probes for the NIC models (test=ceil.nic_loop, ceil.nic_txonly): the least work
 * that moves a 60-byte frame through a QEMU NIC model, with no driver bound and no stack
 * above: descriptors prepared once, the doorbell rung, completions reaped by polling with
 * the device's interrupts off. The rate they reach is the model's ceiling under the flags
 * the probe runs with; `make bench` (scripts/bench-ceiling.sh) prints each driver's nic.rate
 * and nic.txonly figures beside it. One file per model (ceil_<model>.c) fills in the ops.
 */
#ifndef CEIL_NIC_H
#define CEIL_NIC_H

#include <stdbool.h>
#include <stdint.h>
#include <kern/ktest.h>
#include <kern/pci.h>

#define CEIL_FRAME_LEN	60	/* what nic.rate and nic.txonly send */

/* What one run moved, as the probe counted it. */
struct ceil_nic_result {
	uint64_t sent;		/* transmit completions reaped */
	uint64_t received;	/* receive completions reaped (loop only) */
	uint64_t bad;		/* received with the wrong length, or not the test frame */
	uint64_t us;		/* first doorbell to last completion */
};

struct ceil_nic_model {
	const char *name;
	uint16_t vendor, device;
	/* Move n frames from a to b (b NULL: transmit only, nobody receives), polling. The
	 * model resets both functions before it returns. 0, or a negative errno with a
	 * message set. */
	int (*run)(struct ktest_ctx *t, struct pci_dev *a, struct pci_dev *b, uint64_t n,
		   struct ceil_nic_result *r);
};

extern const struct ceil_nic_model ceil_vnet_model;
extern const struct ceil_nic_model ceil_e1000_model;

#endif
