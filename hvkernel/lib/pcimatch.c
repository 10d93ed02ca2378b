/*
 * PCI ID table matching, shared by the kernel and the host tools. The rules and the
 * precedence are documented in include/lib/pcimatch.h; keep the two in step.
 */
#include <lib/pcimatch.h>
#include <hv/errno.h>
#include <lib/bitops.h>

#define PCIMATCH_CLASS_BITS	0x00ffffffu

/* Does a 32-bit table field accept the 16-bit device value? */
static bool pcimatch_field_ok(uint32_t want, uint16_t have)
{
	return want == HV_PCI_ANY || want == have;
}

bool pcimatch_id_is_end(const struct hv_pci_id *id)
{
	return id->vendor == 0 && id->subvendor == 0 && id->class_mask == 0;
}

int pcimatch_score(const struct hv_pci_id *id, const struct pcimatch_dev *dev)
{
	int score = 0;

	if (!pcimatch_field_ok(id->vendor, dev->vendor) ||
	    !pcimatch_field_ok(id->device, dev->device) ||
	    !pcimatch_field_ok(id->subvendor, dev->subvendor) ||
	    !pcimatch_field_ok(id->subdevice, dev->subdevice))
		return -1;
	/* Subvendor 0 is what a function without subsystem IDs reports; it is not an identity. */
	if (id->subvendor != HV_PCI_ANY && dev->subvendor == 0)
		return -1;
	if ((dev->class & id->class_mask) != (id->class & id->class_mask))
		return -1;
	if (id->vendor != HV_PCI_ANY)
		score += PCIMATCH_SCORE_VENDOR;
	if (id->device != HV_PCI_ANY)
		score += PCIMATCH_SCORE_DEVICE;
	if (id->subvendor != HV_PCI_ANY)
		score += PCIMATCH_SCORE_SUBVENDOR;
	if (id->subdevice != HV_PCI_ANY)
		score += PCIMATCH_SCORE_SUBDEVICE;
	return score + (int)bitops_popcount64(id->class_mask & PCIMATCH_CLASS_BITS);
}

const struct hv_pci_id *pcimatch_best(const struct hv_pci_id *table, size_t n,
				      const struct pcimatch_dev *dev, int *score_out)
{
	const struct hv_pci_id *best = NULL;
	int best_score = -1;

	for (size_t i = 0; i < n && !pcimatch_id_is_end(&table[i]); i++) {
		int s = pcimatch_score(&table[i], dev);

		/* Strictly greater: on a tie the earlier entry stays. */
		if (s > best_score) {
			best = &table[i];
			best_score = s;
		}
	}
	if (score_out)
		*score_out = best_score;
	return best;
}

static bool pcimatch_id_field_valid(uint32_t v)
{
	return v == HV_PCI_ANY || v <= 0xffff;
}

static bool pcimatch_id_valid(const struct hv_pci_id *id)
{
	if (!pcimatch_id_field_valid(id->vendor) || !pcimatch_id_field_valid(id->device) ||
	    !pcimatch_id_field_valid(id->subvendor) || !pcimatch_id_field_valid(id->subdevice))
		return false;
	if ((id->class | id->class_mask) & ~PCIMATCH_CLASS_BITS)
		return false;
	/* A class bit outside the mask can never be compared: the author meant something else. */
	if (id->class & ~id->class_mask)
		return false;
	/* A device ID is only meaningful within one vendor's numbering. */
	if (id->vendor == HV_PCI_ANY && id->device != HV_PCI_ANY)
		return false;
	/* An entry that matches every function would bind a driver to the whole machine. */
	if (id->vendor == HV_PCI_ANY && id->subvendor == HV_PCI_ANY &&
	    id->subdevice == HV_PCI_ANY && id->class_mask == 0)
		return false;
	return true;
}

long pcimatch_first_invalid(const struct hv_pci_id *table, size_t n)
{
	for (size_t i = 0; i < n && !pcimatch_id_is_end(&table[i]); i++)
		if (!pcimatch_id_valid(&table[i]))
			return (long)i;
	return -1;
}

int pcimatch_validate(const struct hv_pci_id *table, size_t n)
{
	return pcimatch_first_invalid(table, n) < 0 ? 0 : -HV_EINVAL;
}
