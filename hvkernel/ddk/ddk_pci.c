/*
 * DDK PCI and interrupts (hv/pci.h, hv/irq.h) over the kernel's PCI layer and driver core.
 * A struct hv_pci_dev is the kernel's struct pci_dev, opaque to drivers.
 */
#include <hv/errno.h>
#include <hv/irq.h>
#include <hv/pci.h>
#include <kern/cmdline.h>
#include <kern/ddk.h>
#include <kern/driver.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/string.h>
#include <kern/verifier.h>

#define DDK_CALLER	((uintptr_t)__builtin_return_address(0))

#define DDK_PCI(d)	((struct pci_dev *)(d))

_Static_assert(HV_IRQ_INTX == PCI_IRQ_INTX && HV_IRQ_MSI == PCI_IRQ_MSI && HV_IRQ_MSIX == PCI_IRQ_MSIX,
	       "DDK interrupt modes are the kernel's");
_Static_assert(HV_PCI_ENABLE_IO == 1 && HV_PCI_ENABLE_MEM == 2 && HV_PCI_ENABLE_MASTER == 4,
	       "DDK enable bits are the PCI command register's");

static int ddk_pci_probe(struct pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_driver *drv = d->driver->ctx;
	static const struct hv_pci_id forced = { 0, 0, 0, 0, 0, 0, 0 };
	struct vf_entry e;

	vf_entry_enter(&e, d);
	int ret = drv->probe((struct hv_pci_dev *)d, id ? id : &forced);
	vf_entry_exit(&e, "probe");
	return ret;
}

static void ddk_pci_remove(struct pci_dev *d)
{
	struct hv_pci_driver *drv = d->driver->ctx;
	struct vf_entry e;

	vf_entry_enter(&e, d);
	drv->remove((struct hv_pci_dev *)d);
	vf_entry_exit(&e, "remove");
	if (vf_on)
		vf_device_removed(d);
}

int hv_pci_register_driver(struct hv_pci_driver *drv)
{
	const struct hv_pci_id *ids = drv->ids;

	if (vf_on && vf_may_sleep("hv_pci_register_driver", DDK_CALLER) < 0)
		return -HV_EINVAL;
	if (!drv->name || !drv->probe || !drv->remove || drv->kernel_private)
		return -HV_EINVAL;
	if (!ids) {
		if (!module_current)
			return -HV_EINVAL;
		ids = module_current->ids;
	}
	struct pci_driver *k = kzalloc(sizeof(*k));
	if (!k)
		return -HV_ENOMEM;
	k->name = drv->name;
	k->version = module_current ? module_current->info.version : "";
	k->ids = ids;
	k->probe = ddk_pci_probe;
	k->remove = ddk_pci_remove;
	k->ctx = drv;
	k->owner = module_current;
	int ret = driver_register(k);
	if (ret < 0) {
		kfree(k);
		return ret;
	}
	drv->kernel_private = k;
	return 0;
}

void hv_pci_unregister_driver(struct hv_pci_driver *drv)
{
	struct pci_driver *k = drv->kernel_private;

	if (!k || (vf_on && vf_may_sleep("hv_pci_unregister_driver", DDK_CALLER) < 0))
		return;
	driver_unregister(k);
	kfree(k);
	drv->kernel_private = 0;
}

void ddk_pci_drop_module(struct module *m)
{
	struct pci_driver *k;

	do {
		for (k = driver_first(); k && k->owner != m; k = k->next)
			;
		if (k)
			hv_pci_unregister_driver(k->ctx);
	} while (k);
}

void hv_pci_get_info(const struct hv_pci_dev *hd, struct hv_pci_info *out)
{
	const struct pci_dev *d = (const struct pci_dev *)hd;

	out->segment = d->seg;
	out->bus = d->bus;
	out->dev = d->dev;
	out->fn = d->fn;
	out->revision = d->rev;
	out->vendor = d->vendor;
	out->device = d->device;
	out->subvendor = d->subvendor;
	out->subdevice = d->subdevice;
	out->class = d->class;
	char buf[16];
	strlcpy(out->slot, pci_slot_name(d, buf), sizeof(out->slot));
}

/* Blanks at both ends go (ATA and SCSI pad their strings with them); what is left must be
 * 1..31 bytes of printable ASCII without '"', so the boot log can quote it and the result
 * channel escape it. */
int hv_pci_set_firmware(struct hv_pci_dev *hd, const char *rev)
{
	struct pci_dev *d = DDK_PCI(hd);
	char slot[16];
	size_t n;

	if (!rev)
		return -HV_EINVAL;
	while (*rev == ' ')
		rev++;
	n = strlen(rev);
	while (n && rev[n - 1] == ' ')
		n--;
	if (n == 0 || n >= sizeof(d->firmware))
		return -HV_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (rev[i] < 0x20 || rev[i] > 0x7e || rev[i] == '"')
			return -HV_EINVAL;
	memcpy(d->firmware, rev, n);
	d->firmware[n] = 0;
	klog("pci: %s: firmware \"%s\" (reported by %s)", pci_slot_name(d, slot), d->firmware,
	     d->driver ? d->driver->name : "?");
	return 0;
}

void hv_pci_set_drvdata(struct hv_pci_dev *d, void *data) { DDK_PCI(d)->drvdata = data; }
void *hv_pci_get_drvdata(const struct hv_pci_dev *d) { return ((const struct pci_dev *)d)->drvdata; }
uint32_t hv_pci_cfg_read32(const struct hv_pci_dev *d, uint16_t off) { return pci_cfg_read32((const struct pci_dev *)d, off); }
uint16_t hv_pci_cfg_read16(const struct hv_pci_dev *d, uint16_t off) { return pci_cfg_read16((const struct pci_dev *)d, off); }
uint8_t hv_pci_cfg_read8(const struct hv_pci_dev *d, uint16_t off) { return pci_cfg_read8((const struct pci_dev *)d, off); }
void hv_pci_cfg_write32(struct hv_pci_dev *d, uint16_t off, uint32_t v) { pci_cfg_write32(DDK_PCI(d), off, v); }
void hv_pci_cfg_write16(struct hv_pci_dev *d, uint16_t off, uint16_t v) { pci_cfg_write16(DDK_PCI(d), off, v); }

void hv_pci_enable(struct hv_pci_dev *d, unsigned what)
{
	/* The DDK's bits are the command register's (PCI 3.0, 6.2.2). */
	pci_enable(DDK_PCI(d), (uint16_t)(what & (HV_PCI_ENABLE_IO | HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER)));
}

void hv_pci_disable(struct hv_pci_dev *d, unsigned what)
{
	pci_disable(DDK_PCI(d), (uint16_t)(what & (HV_PCI_ENABLE_IO | HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER)));
}


/* Interrupts: one trampoline per device maps the vector back to the driver's index. */
struct ddk_irq {
	hv_irq_handler_t handler;
	void *arg;
	struct pci_dev *dev;
};

static void ddk_irq_trampoline(struct trapframe *tf, void *arg)
{
	struct ddk_irq *di = arg;
	struct vf_entry e;

	vf_entry_enter(&e, di->dev);
	for (unsigned i = 0; i < di->dev->nvec; i++)
		if (di->dev->vectors[i] == tf->vector)
			di->handler(di->arg, i);
	vf_entry_exit(&e, "the interrupt handler");
}

int hv_pci_irq_alloc(struct hv_pci_dev *hd, int mode, unsigned nvec, hv_irq_handler_t handler,
		     void *arg, int *mode_out)
{
	struct pci_dev *d = DDK_PCI(hd);
	enum pci_irq_mode want = PCI_IRQ_MSIX;
	bool exact = false;
	const char *forced = cmdline_get("pci.irq");

	if (!handler || mode < HV_IRQ_AUTO || mode > HV_IRQ_MSIX)
		return -HV_EINVAL;
	if (vf_on && vf_may_sleep("hv_pci_irq_alloc", DDK_CALLER) < 0)
		return -HV_EINVAL;
	if (mode != HV_IRQ_AUTO) {
		want = (enum pci_irq_mode)mode;	/* the DDK's numbers are the kernel's */
		exact = true;
	}
	/* A certification run forces one mode for every driver. */
	if (forced && pci_irq_mode_parse(forced, &want) == 0)
		exact = true;
	struct ddk_irq *di = kzalloc(sizeof(*di));
	if (!di)
		return -HV_ENOMEM;
	di->handler = handler;
	di->arg = arg;
	di->dev = d;
	int n = pci_irq_setup(d, want, exact, nvec, ddk_irq_trampoline, di);
	if (n < 0) {
		kfree(di);
		return n;
	}
	d->irq_ctx = di;
	if (mode_out)
		*mode_out = (int)d->irq_mode;
	return n;
}

void hv_pci_irq_free(struct hv_pci_dev *hd)
{
	struct pci_dev *d = DDK_PCI(hd);

	if (vf_on && vf_may_sleep("hv_pci_irq_free", DDK_CALLER) < 0)
		return;
	pci_irq_teardown(d);
	kfree(d->irq_ctx);
	d->irq_ctx = 0;
}

const char *hv_pci_irq_mode_name(int mode)
{
	if (mode < 0 || mode > HV_IRQ_MSIX)
		return "?";
	return pci_irq_mode_name((enum pci_irq_mode)mode);	/* the same numbers */
}
