/* The compatibility verdict for one device (lib/hclpolicy.h). */
#include <lib/hclpolicy.h>

bool hclpolicy_is_infra(uint32_t class)
{
	uint32_t base = class >> 16, sub = class >> 8;

	/* Memory (05), bridges (06), system peripherals (08), processors (0b), signal
	 * processing (11), SMBus (0c05) and IPMI (0c07). */
	return base == 0x06 || base == 0x08 || base == 0x05 || base == 0x0b || base == 0x11 ||
	       sub == 0x0c05 || sub == 0x0c07;
}

bool hclpolicy_is_nic(uint32_t class)
{
	return (class >> 16) == 0x02;
}

bool hclpolicy_is_storage(uint32_t class)
{
	return (class >> 16) == 0x01;
}

enum hclpolicy_verdict hclpolicy_verdict(const struct hclbin *hb, int rel, const struct pcimatch_dev *dev,
					 struct hclbin_entry *e, bool *has_entry, bool *deprecated)
{
	*has_entry = false;
	*deprecated = false;
	if (hclpolicy_is_infra(dev->class))
		return HCLPOLICY_IGNORED;
	if (!hclpolicy_is_nic(dev->class) && !hclpolicy_is_storage(dev->class))
		return HCLPOLICY_NO_DRIVER;
	if (!hb || rel < 0 || hclbin_lookup(hb, (uint32_t)rel, dev, e) < 0)
		return HCLPOLICY_NOT_CERTIFIED;
	*has_entry = true;
	if (e->status == HCLBIN_REVOKED)
		return HCLPOLICY_NOT_CERTIFIED;
	*deprecated = e->status == HCLBIN_DEPRECATED;
	return HCLPOLICY_CERTIFIED;
}

const char *hclpolicy_verdict_name(enum hclpolicy_verdict v)
{
	static const char *const names[] = { "certified", "not-certified", "no-driver", "ignored" };

	return v <= HCLPOLICY_IGNORED ? names[v] : "?";
}

void hclpolicy_server_add(struct hclpolicy_server *s, uint32_t class, bool certified)
{
	if (!certified)
		return;
	s->nics += hclpolicy_is_nic(class);
	s->storage += hclpolicy_is_storage(class);
}

bool hclpolicy_server_bootable(const struct hclpolicy_server *s)
{
	return s->nics > 0 && s->storage > 0;
}

const char *hclpolicy_server_missing(const struct hclpolicy_server *s)
{
	if (!s->nics && !s->storage)
		return "no certified NIC and no certified storage controller";
	if (!s->nics)
		return "no certified NIC";
	return s->storage ? "" : "no certified storage controller";
}
