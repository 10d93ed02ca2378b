/*
 * The per-device verdict of the compatibility list, shared by the kernel's boot policy and
 * the host's `hcl check`, so the two can never disagree about a device (design.md,
 * "Boundaries worth keeping"). Freestanding.
 */
#ifndef LIB_HCLPOLICY_H
#define LIB_HCLPOLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <lib/hclbin.h>
#include <lib/pcimatch.h>

enum hclpolicy_verdict {
	HCLPOLICY_CERTIFIED,		/* a certified (or deprecated) entry for the release */
	HCLPOLICY_NOT_CERTIFIED,	/* a NIC or storage controller without one (or revoked) */
	HCLPOLICY_NO_DRIVER,		/* a class hvkernel has no driver class for */
	HCLPOLICY_IGNORED,		/* infrastructure: bridges, system peripherals, SMBus ... */
};

/* Infrastructure classes: present on every server, never driven, never fail a server. */
bool hclpolicy_is_infra(uint32_t class);
/* NIC (class 02) or storage controller (class 01): the classes a server needs. */
bool hclpolicy_is_nic(uint32_t class);
bool hclpolicy_is_storage(uint32_t class);

/*
 * The verdict for dev in release index rel (hb may be NULL: then NIC and storage devices
 * are not certified). When an entry decided it, *e gets it and the return tells whether it
 * is revoked (not certified) or certified; *deprecated is set for deprecated entries.
 */
enum hclpolicy_verdict hclpolicy_verdict(const struct hclbin *hb, int rel, const struct pcimatch_dev *dev,
					 struct hclbin_entry *e, bool *has_entry, bool *deprecated);
/* "certified", "not-certified", "no-driver", "ignored". */
const char *hclpolicy_verdict_name(enum hclpolicy_verdict v);

/*
 * The server rule (design.md): a server is bootable when it has at least one certified NIC
 * and one certified storage controller. Infrastructure and classes without a driver class
 * never decide it. Count every device with hclpolicy_server_add, then ask.
 */
struct hclpolicy_server {
	unsigned nics, storage;		/* certified ones */
};

/* Counts one device of class; certified says whether it counts as certified (the kernel
 * also asks that its certified driver drives it). */
void hclpolicy_server_add(struct hclpolicy_server *s, uint32_t class, bool certified);
bool hclpolicy_server_bootable(const struct hclpolicy_server *s);
/* What is missing: "no certified NIC", "no certified storage controller", both joined by
 * " and ", or "" when the server is bootable. */
const char *hclpolicy_server_missing(const struct hclpolicy_server *s);

#endif
