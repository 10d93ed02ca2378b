/*
 * NVM Express driver: PCI attachment, namespaces as block devices, the interrupt, and
 * module entry points. The controller setup is in nvme_hw.c, the I/O path in nvme_ring.c.
 * Section numbers refer to NVM Express Base Specification 1.4.
 */
#include <hv/ddk.h>

#include "nvmevar.h"

/* Every NVM Express I/O controller by class 01/08/02 (NVMe base spec, "PCI header": the
 * register interface is the same for all vendors); QEMU's controller also by its IDs,
 * which score higher. Not NVMHCI (01/08/01) nor admin-only controllers (01/08/03). */
HV_MODULE("nvme", "1.0", "hvkit", "BSD-2-Clause",
	  HV_PCI_DEVICE(NVME_VENDOR_QEMU, NVME_DEVICE_QEMU),
	  HV_PCI_CLASS(NVME_CLASS, 0xffffff));

static int nvme_probe(struct hv_pci_dev *d, const struct hv_pci_id *id);
static void nvme_remove(struct hv_pci_dev *d);
static void nvme_intr(void *arg, unsigned index);
static int nvme_attach_ctrl(struct nvme_softc *sc);
static int nvme_ns_scan(struct nvme_softc *sc);
static void nvme_ns_attach(struct nvme_softc *sc, uint32_t nsid);
static void nvme_ns_register(struct nvme_softc *sc);
static void nvme_ns_unregister(struct nvme_softc *sc);

static struct hv_pci_driver nvme_driver = {
	.name = "nvme",
	.ids = NULL,		/* the HV_MODULE table */
	.probe = nvme_probe,
	.remove = nvme_remove,
};

static const struct hv_blkdev_ops nvme_blk_ops = {
	.submit = nvme_submit,
	.poll = nvme_poll,
};

static int nvme_probe(struct hv_pci_dev *d, const struct hv_pci_id *id)
{
	struct hv_pci_info info;
	struct nvme_softc *sc;
	int rc;

	(void)id;
	hv_pci_get_info(d, &info);
	sc = hv_zalloc(sizeof(*sc));
	if (!sc)
		return -HV_ENOMEM;
	sc->dev = d;
	for (unsigned i = 0; i + 1 < sizeof(sc->slot) && info.slot[i]; i++)
		sc->slot[i] = info.slot[i];
	hv_pci_enable(d, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	sc->regs = hv_pci_bar(d, 0);
	if (!sc->regs || hv_bar_size(sc->regs) < 0x2000) {
		hv_log("nvme: %s: BAR0 is not a usable memory BAR", sc->slot);
		rc = -HV_ENODEV;
		goto free_softc;
	}
	sc->cap = nvme_read64(sc, NVME_CAP);
	sc->dstrd = 4u << NVME_CAP_DSTRD(sc->cap);
	/* 3.1.1: CAP.TO is the worst case for CSTS.RDY to change, in 500 ms units. */
	sc->ready_timeout_us = (uint64_t)(NVME_CAP_TO(sc->cap) + 1) * 500000;
	if (!NVME_CAP_CSS_NVM(sc->cap) || NVME_CAP_MPSMIN(sc->cap) != 0) {
		hv_log("nvme: %s: unsupported controller (CAP 0x%llx)", sc->slot,
		       (unsigned long long)sc->cap);
		rc = -HV_ENOTSUP;
		goto free_softc;
	}
	rc = nvme_disable(sc);
	if (rc < 0) {
		hv_log("nvme: %s: controller reset failed: %d", sc->slot, rc);
		goto free_softc;
	}
	rc = nvme_queues_alloc(sc);
	if (rc < 0)
		goto free_softc;
	/*
	 * The vector before the controller is enabled and the I/O completion queue created:
	 * a controller may tie a queue to its MSI-X vector only when the queue is created
	 * with MSI-X already on (QEMU's nvme marks the vector used in Create I/O CQ and
	 * Controller Enable, and never raises an unused one). Enabling MSI-X after the queues
	 * left every I/O completion without an interrupt. Until the queues exist the handler
	 * finds an empty completion queue.
	 */
	rc = hv_pci_irq_alloc(d, HV_IRQ_AUTO, 1, nvme_intr, sc, &sc->irq_mode);
	if (rc < 0) {
		hv_log("nvme: %s: no interrupt: %d", sc->slot, rc);
		goto free_queues;
	}
	rc = nvme_attach_ctrl(sc);
	if (rc < 0)
		goto free_irq;
	hv_pci_set_drvdata(d, sc);
	hv_log("nvme: %s: version 0x%x, I/O queue %u entries, depth %u, max %llu KiB per "
	       "command, irq %s, %u namespaces", sc->slot, nvme_read32(sc, NVME_VS),
	       sc->ioq.entries, sc->io_depth, (unsigned long long)(sc->max_cmd_bytes >> 10),
	       hv_pci_irq_mode_name(sc->irq_mode), sc->nns);
	hv_timer_start(&sc->watchdog, NVME_WATCHDOG_US, nvme_watchdog, sc);
	nvme_ns_register(sc);
	return 0;

free_irq:
	hv_pci_irq_free(d);
free_queues:
	nvme_queues_free(sc);
free_softc:
	hv_free(sc);
	return rc;
}

static void nvme_remove(struct hv_pci_dev *d)
{
	struct nvme_softc *sc = hv_pci_get_drvdata(d);

	if (!sc)
		return;
	sc->stopping = 1;
	hv_timer_cancel(&sc->watchdog);
	nvme_recover_cancel(sc);
	nvme_ns_unregister(sc);
	nvme_shutdown(sc);
	nvme_fail_all(sc, -HV_ENODEV);
	hv_pci_irq_free(d);
	/* Bus mastering off: the controller must not touch the pages freed below. */
	hv_pci_disable(d, HV_PCI_ENABLE_MASTER);
	nvme_queues_free(sc);
	hv_pci_set_drvdata(d, NULL);
	hv_log("nvme: %s: detached (%llu resets, %llu timeouts, %llu errors)", sc->slot,
	       (unsigned long long)sc->resets, (unsigned long long)sc->timeouts,
	       (unsigned long long)sc->errors);
	hv_free(sc);
}

/* One vector for every queue. An INTx line may be shared: reaping an empty queue is a no-op. */
static void nvme_intr(void *arg, unsigned index)
{
	(void)index;
#ifdef HV_DEFECT_NO_INTR	/* certify defect nvme-no-intr: only polling completes requests */
	if (arg)
		return;
#endif
	nvme_complete_io(arg);
}

static void nvme_copy_ascii(char *dst, const uint8_t *src, unsigned n)
{
	unsigned i;

	for (i = 0; i < n && src[i] >= 0x20 && src[i] < 0x7f; i++)
		dst[i] = (char)src[i];
	while (i > 0 && dst[i - 1] == ' ')
		i--;
	dst[i] = 0;
}

/* Enable, IDENTIFY the controller (5.15.2.2), create the I/O queues, find namespaces. */
static int nvme_attach_ctrl(struct nvme_softc *sc)
{
	const uint8_t *idc = sc->ident;
	char mn[41], sn[21], fr[9];
	uint32_t mdts;
	int rc;

	rc = nvme_enable(sc);
	if (rc < 0) {
		hv_log("nvme: %s: controller did not become ready: %d", sc->slot, rc);
		return rc;
	}
	rc = nvme_identify(sc, NVME_CNS_CTRL, 0);
	if (rc < 0)
		goto disable;
	nvme_copy_ascii(mn, idc + NVME_IDC_MN, 40);
	nvme_copy_ascii(sn, idc + NVME_IDC_SN, 20);
	nvme_copy_ascii(fr, idc + NVME_IDC_FR, 8);
	mdts = idc[NVME_IDC_MDTS];
	sc->vwc = idc[NVME_IDC_VWC] & 1;
	sc->max_cmd_bytes = NVME_MAX_CMD_BYTES;
	if (mdts && mdts < 20 && ((uint64_t)NVME_PAGE_SIZE << mdts) < sc->max_cmd_bytes)
		sc->max_cmd_bytes = (uint64_t)NVME_PAGE_SIZE << mdts;
	hv_log("nvme: %s: \"%s\" serial \"%s\" firmware \"%s\", MDTS %u, NN %u, VWC %u",
	       sc->slot, mn, sn, fr, mdts, *(const uint32_t *)(idc + NVME_IDC_NN), sc->vwc);
	sc->nn = *(const uint32_t *)(idc + NVME_IDC_NN);
	/* FR (Identify Controller bytes 64-71, NVMe 1.4 5.15.2.2) is mandatory; a blank one
	 * is left unreported rather than made up. */
	if (fr[0] && hv_pci_set_firmware(sc->dev, fr) < 0)
		hv_log("nvme: %s: firmware revision \"%s\" is not printable ASCII; not reported",
		       sc->slot, fr);
	rc = nvme_io_queues_create(sc);
	if (rc < 0) {
		hv_log("nvme: %s: creating the I/O queues failed: %d", sc->slot, rc);
		goto disable;
	}
	rc = nvme_ns_scan(sc);
	if (rc < 0)
		goto disable;
	return 0;

disable:
	nvme_disable(sc);
	return rc;
}

/* 5.15.2.3 Active Namespace ID list (NVMe 1.1); before 1.1 try 1..NN one by one. */
static int nvme_ns_scan(struct nvme_softc *sc)
{
	uint32_t ids[NVME_MAX_NS];
	unsigned n = 0;

	if (nvme_read32(sc, NVME_VS) >= 0x00010100 &&
	    nvme_identify(sc, NVME_CNS_NSLIST, 0) == 0) {
		const uint32_t *list = sc->ident;

		for (unsigned i = 0; i < NVME_PAGE_SIZE / 4 && list[i] && n < NVME_MAX_NS; i++)
			ids[n++] = list[i];
	} else {
		for (uint32_t nsid = 1; nsid <= sc->nn && n < NVME_MAX_NS; nsid++)
			ids[n++] = nsid;
	}
	for (unsigned i = 0; i < n; i++)
		nvme_ns_attach(sc, ids[i]);
	if (sc->nns == 0)
		hv_log("nvme: %s: no usable namespace", sc->slot);
	return 0;
}

/* 5.15.2.1 Identify Namespace: size and the LBA format in use. */
static void nvme_ns_attach(struct nvme_softc *sc, uint32_t nsid)
{
	const uint8_t *idn = sc->ident;
	struct nvme_ns *ns = &sc->ns[sc->nns];
	uint64_t nsze;
	uint32_t lbaf;
	unsigned shift;

#ifdef HV_DEFECT_DMA_FREED	/* verifier defect: the namespace IDENTIFY lands in a page freed too early */
	uint64_t tmp_bus, keep_bus = sc->ident_bus;
	uint8_t *tmp = hv_dma_alloc_coherent(sc->dev, NVME_PAGE_SIZE, &tmp_bus);

	if (!tmp)
		return;
	hv_dma_free_coherent(sc->dev, tmp, NVME_PAGE_SIZE);	/* the command below still uses it */
	sc->ident_bus = tmp_bus;
	int defect_rc = nvme_identify(sc, NVME_CNS_NS, nsid);
	sc->ident_bus = keep_bus;
	idn = tmp;
	if (defect_rc < 0)
		return;
#else
	if (nvme_identify(sc, NVME_CNS_NS, nsid) < 0)
		return;
#endif
	nsze = *(const uint64_t *)(idn + NVME_IDN_NSZE);
	if (nsze == 0)
		return;		/* inactive */
	lbaf = *(const uint32_t *)(idn + NVME_IDN_LBAF + 4 * (idn[NVME_IDN_FLBAS] & 0xf));
	shift = NVME_LBAF_LBADS(lbaf);
	if (NVME_LBAF_MS(lbaf) != 0 || (shift != 9 && shift != 12)) {
		hv_log("nvme: %s: ns %u: unsupported format (block 2^%u, %u metadata bytes)",
		       sc->slot, nsid, shift, NVME_LBAF_MS(lbaf));
		return;
	}
	ns->sc = sc;
	ns->nsid = nsid;
	ns->lba_shift = (uint8_t)shift;
	ns->bd.block_size = 1u << shift;
	ns->bd.nblocks = nsze;
#ifdef HV_DEFECT_BAD_CAPACITY	/* certify self-test defect: eight blocks short */
	ns->bd.nblocks = nsze - 8;
#endif
	ns->bd.queue_depth = sc->io_depth;
	ns->bd.ops = &nvme_blk_ops;
	ns->bd.priv = ns;
	ns->bd.pci = sc->dev;
	sc->nns++;
}

static void nvme_ns_register(struct nvme_softc *sc)
{
	for (unsigned i = 0; i < sc->nns; i++) {
		struct nvme_ns *ns = &sc->ns[i];
		int rc = hv_blkdev_register(&ns->bd);

		if (rc < 0) {
			hv_log("nvme: %s: ns %u: blkdev registration failed: %d", sc->slot,
			       ns->nsid, rc);
			continue;
		}
		ns->registered = 1;
		hv_log("nvme: %s: ns %u is %s", sc->slot, ns->nsid, ns->bd.name);
	}
}

static void nvme_ns_unregister(struct nvme_softc *sc)
{
	for (unsigned i = 0; i < sc->nns; i++) {
		if (sc->ns[i].registered)
			hv_blkdev_unregister(&sc->ns[i].bd);
		sc->ns[i].registered = 0;
	}
}

int hv_module_init(void)
{
	return hv_pci_register_driver(&nvme_driver);
}

void hv_module_exit(void)
{
	hv_pci_unregister_driver(&nvme_driver);
}
