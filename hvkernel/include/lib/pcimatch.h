/*
 * PCI ID table matching: the one place that decides whether a table entry (a driver's ID
 * table, an HCL entry) applies to a device. The kernel driver core, the boot policy and the
 * host `hcl check` tool all call these functions, so they can never disagree.
 *
 * Matching rule. An entry matches a device when
 *   - every vendor/device/subvendor/subdevice field that is not HV_PCI_ANY equals the
 *     device's value, and
 *   - (dev.class & class_mask) == (entry.class & class_mask).
 * A device subvendor of 0x0000 means "no subsystem IDs": an entry with an exact subvendor
 * never matches such a device (not even an entry whose subvendor is 0x0000).
 *
 * Precedence. Among matching entries the highest score wins, ties go to the earlier entry:
 *   score = (vendor exact    ? 1 << 20 : 0)
 *         + (device exact    ? 1 << 19 : 0)
 *         + (subvendor exact ? 1 << 18 : 0)
 *         + (subdevice exact ? 1 << 17 : 0)
 *         + popcount(class_mask)            (at most 24)
 * So an exact vendor:device entry always beats any class entry, a subsystem entry beats
 * a plain vendor:device entry, and a narrower class mask beats a wider one.
 *
 * Tables end either at a count or at an HV_PCI_ID_END entry (vendor, subvendor and
 * class_mask all zero); a terminator always ends the walk, even within the count.
 */
#ifndef LIB_PCIMATCH_H
#define LIB_PCIMATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <hv/pciid.h>

/* The identity of one PCI function as read from its config space. */
struct pcimatch_dev {
	uint16_t vendor, device, subvendor, subdevice;
	uint32_t class;		/* (base << 16) | (sub << 8) | prog-if */
};

/* Pass as a table length to walk until the HV_PCI_ID_END terminator. */
#define PCIMATCH_UNTIL_END	((size_t)-1)

#define PCIMATCH_SCORE_VENDOR		(1 << 20)
#define PCIMATCH_SCORE_DEVICE		(1 << 19)
#define PCIMATCH_SCORE_SUBVENDOR	(1 << 18)
#define PCIMATCH_SCORE_SUBDEVICE	(1 << 17)

/* Score of entry id for dev: < 0 when it does not match, else its specificity (above). */
int pcimatch_score(const struct hv_pci_id *id, const struct pcimatch_dev *dev);

/* Best matching entry of table[0..n) (or until the terminator); NULL if none. *score_out may be NULL. */
const struct hv_pci_id *pcimatch_best(const struct hv_pci_id *table, size_t n,
				      const struct pcimatch_dev *dev, int *score_out);

/* True when id is the HV_PCI_ID_END terminator. */
bool pcimatch_id_is_end(const struct hv_pci_id *id);

/* 0 when every entry of table[0..n) (or until the terminator) is well formed, else -HV_EINVAL. */
int pcimatch_validate(const struct hv_pci_id *table, size_t n);

/* Index of the first malformed entry (same rules as pcimatch_validate), or -1 if none. */
long pcimatch_first_invalid(const struct hv_pci_id *table, size_t n);

#endif
