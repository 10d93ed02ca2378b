/*
 * The e1000 ceiling probe (ceil_nic.h) for QEMU's 82540EM: legacy descriptors (8254x SDM
 * 3.2.3, 3.3.3) written once on fixed buffer slots, interrupts masked (IMC), completions
 * found by polling the descriptors' DD bits. The probe only clears DD and moves the tails:
 * TDT after reaping A's transmit descriptors, RDT after reaping B's receive descriptors
 * (one descriptor always stays out of the device's hands, SDM 3.2.6: head == tail means
 * empty). QEMU's e1000 takes no frame for about a second after RCTL is written, so one
 * untimed frame must reach B before the clock starts.
 */
#include <hv/errno.h>
#include <hv/io.h>
#include <hv/mem.h>
#include <hv/pci.h>
#include <kern/ktest.h>
#include <kern/pci.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/nicframe.h>

#include "../../drivers/net/e1000/e1000reg.h"
#include "ceil_nic.h"
#include "nic_suite.h"

#define CE_RING		256		/* descriptors per ring (RDLEN/TDLEN multiple of 128 bytes) */
#define CE_RX_SLOT	2048		/* RCTL.BSIZE 2048 */
#define CE_TX_SLOT	128
#define CE_RESET_US	10000		/* CTRL.RST clears itself (SDM 13.4.1) */
#define CE_WARMUP_US	3000000		/* QEMU holds RX about 1 s after RCTL is written */
#define CE_STALL_US	1000000

struct ce_dev {
	struct hv_pci_dev *pci;
	struct hv_bar *regs;
	void *ring;			/* CE_RING descriptors */
	uint64_t ring_bus;
	uint8_t *bufs;
	uint64_t bufs_bus;
	size_t slot;
	uint8_t mac[6];
};

static void ce_free(struct ce_dev *d)
{
	if (d->bufs)
		hv_dma_free_coherent(d->pci, d->bufs, d->slot * CE_RING);
	if (d->ring)
		hv_dma_free_coherent(d->pci, d->ring, 16 * CE_RING);
	d->bufs = d->ring = 0;
}

/* Reset with interrupts masked, link up, the address filter's entry 0 read; one ring and
 * its slots allocated. */
static int ce_open(struct ktest_ctx *t, struct ce_dev *d, struct pci_dev *pd, size_t slot)
{
	memset(d, 0, sizeof(*d));
	d->pci = (struct hv_pci_dev *)pd;
	d->slot = slot;
	d->regs = hv_pci_bar(d->pci, 0);
	if (!d->regs) {
		ktest_msg(t, "e1000: no BAR 0");
		return -HV_ENODEV;
	}
	hv_pci_enable(d->pci, HV_PCI_ENABLE_MEM | HV_PCI_ENABLE_MASTER);
	hv_bar_write32(d->regs, E1000_IMC, E1000_IMS_ALL);
	hv_bar_write32(d->regs, E1000_CTRL, hv_bar_read32(d->regs, E1000_CTRL) | E1000_CTRL_RST);
	uint64_t t0 = time_us();
	while (hv_bar_read32(d->regs, E1000_CTRL) & E1000_CTRL_RST)
		if (time_us() - t0 > CE_RESET_US) {
			ktest_msg(t, "e1000: CTRL.RST did not clear in %u us", CE_RESET_US);
			return -HV_ETIMEDOUT;
		}
	hv_bar_write32(d->regs, E1000_IMC, E1000_IMS_ALL);	/* the reset unmasked nothing, but be sure */
	hv_bar_write32(d->regs, E1000_CTRL, hv_bar_read32(d->regs, E1000_CTRL) | E1000_CTRL_SLU |
		       E1000_CTRL_ASDE | E1000_CTRL_FD);
	uint32_t ral = hv_bar_read32(d->regs, E1000_RAL(0)), rah = hv_bar_read32(d->regs, E1000_RAH(0));
	for (int i = 0; i < 4; i++)
		d->mac[i] = (uint8_t)(ral >> (8 * i));
	d->mac[4] = (uint8_t)rah;
	d->mac[5] = (uint8_t)(rah >> 8);
	d->ring = hv_dma_alloc_coherent(d->pci, 16 * CE_RING, &d->ring_bus);
	d->bufs = hv_dma_alloc_coherent(d->pci, slot * CE_RING, &d->bufs_bus);
	if (!d->ring || !d->bufs) {
		ce_free(d);
		ktest_msg(t, "e1000: no DMA memory");
		return -HV_ENOMEM;
	}
	return 0;
}

static void ce_close(struct ce_dev *d)
{
	if (!d->regs)
		return;
	hv_bar_write32(d->regs, E1000_RCTL, 0);
	hv_bar_write32(d->regs, E1000_TCTL, 0);
	hv_bar_write32(d->regs, E1000_CTRL, hv_bar_read32(d->regs, E1000_CTRL) | E1000_CTRL_RST);
	uint64_t t0 = time_us();
	while ((hv_bar_read32(d->regs, E1000_CTRL) & E1000_CTRL_RST) && time_us() - t0 < CE_RESET_US)
		;
	hv_pci_disable(d->pci, HV_PCI_ENABLE_MASTER);	/* no DMA into what we free next */
	ce_free(d);
}

/* A's transmit ring: every descriptor on its slot, one frame, EOP | IFCS | RS. */
static void ce_tx_start(struct ce_dev *a, const struct nicframe_ends *e)
{
	volatile struct e1000_tx_desc *td = a->ring;

	for (unsigned i = 0; i < CE_RING; i++) {
		nicframe_build(a->bufs + i * a->slot, e, i, CEIL_FRAME_LEN);
		td[i] = (struct e1000_tx_desc){ a->bufs_bus + i * a->slot, CEIL_FRAME_LEN, 0,
			E1000_TXD_CMD_EOP | E1000_TXD_CMD_IFCS | E1000_TXD_CMD_RS, 0, 0, 0 };
	}
	hv_bar_write32(a->regs, E1000_TDBAL, (uint32_t)a->ring_bus);
	hv_bar_write32(a->regs, E1000_TDBAH, (uint32_t)(a->ring_bus >> 32));
	hv_bar_write32(a->regs, E1000_TDLEN, 16 * CE_RING);
	hv_bar_write32(a->regs, E1000_TDH, 0);
	hv_bar_write32(a->regs, E1000_TDT, 0);
	hv_bar_write32(a->regs, E1000_TIPG, E1000_TIPG_DEFAULT);
	hv_bar_write32(a->regs, E1000_TCTL, E1000_TCTL_DEFAULT);
}

/* B's receive ring: all but one descriptor given to the device, every frame accepted. */
static void ce_rx_start(struct ce_dev *b)
{
	volatile struct e1000_rx_desc *rd = b->ring;

	for (unsigned i = 0; i < CE_RING; i++)
		rd[i] = (struct e1000_rx_desc){ b->bufs_bus + i * b->slot, 0, 0, 0, 0, 0 };
	hv_bar_write32(b->regs, E1000_RDBAL, (uint32_t)b->ring_bus);
	hv_bar_write32(b->regs, E1000_RDBAH, (uint32_t)(b->ring_bus >> 32));
	hv_bar_write32(b->regs, E1000_RDLEN, 16 * CE_RING);
	hv_bar_write32(b->regs, E1000_RDH, 0);
	hv_bar_write32(b->regs, E1000_RDT, CE_RING - 1);
	hv_bar_write32(b->regs, E1000_RCTL, E1000_RCTL_EN | E1000_RCTL_UPE | E1000_RCTL_MPE |
		       E1000_RCTL_BAM | E1000_RCTL_BSIZE_2048 | E1000_RCTL_SECRC);
}

struct ce_state {
	unsigned tx_reap, tx_tail, rx_reap;
	uint64_t posted;
};

/* Reap B's finished descriptors: count, check, give each back (RDT = the one reaped last,
 * which keeps one out of the device's hands). Returns how many. */
static unsigned ce_rx_reap(struct ce_dev *b, struct ce_state *s, struct ceil_nic_result *r, bool count)
{
	volatile struct e1000_rx_desc *rd = b->ring;
	unsigned m = 0, last = 0;

	while (rd[s->rx_reap].status & E1000_RXD_STAT_DD) {
		unsigned j = s->rx_reap;
		const uint8_t *f = b->bufs + j * b->slot;
		struct nicframe_info fi;
		if (count) {
			/* Every frame's length and tag; the checksum of the first ring's worth. */
			if (rd[j].length != CEIL_FRAME_LEN || !(rd[j].status & E1000_RXD_STAT_EOP) ||
			    (rd[j].errors & E1000_RXD_ERR_FRAME) || !nicframe_locate(f, CEIL_FRAME_LEN, &fi) ||
			    (r->received < CE_RING && !nicframe_intact(f, CEIL_FRAME_LEN, &fi)))
				r->bad++;
			r->received++;
		}
		rd[j].status = 0;
		last = j;
		s->rx_reap = (j + 1) % CE_RING;
		m++;
	}
	if (m)
		hv_bar_write32(b->regs, E1000_RDT, last);
	return m;
}

/* Give A's descriptors from the tail on to the device, up to k of them. */
static void ce_tx_post(struct ce_dev *a, struct ce_state *s, unsigned k)
{
	if (!k)
		return;
	s->tx_tail = (s->tx_tail + k) % CE_RING;
	s->posted += k;
	hv_bar_write32(a->regs, E1000_TDT, s->tx_tail);
}

static int ce_run(struct ktest_ctx *t, struct pci_dev *pa, struct pci_dev *pb, uint64_t n,
		  struct ceil_nic_result *r)
{
	struct ce_dev a, b;
	struct ce_state s = { 0, 0, 0, 0 };
	struct nicframe_ends e;
	int ret;

	memset(&b, 0, sizeof(b));
	ret = ce_open(t, &a, pa, CE_TX_SLOT);
	if (ret == 0 && pb)
		ret = ce_open(t, &b, pb, CE_RX_SLOT);
	if (ret < 0)
		goto close;
	memset(&e, 0, sizeof(e));
	memcpy(e.src, a.mac, 6);
	memcpy(e.dst, pb ? b.mac : (const uint8_t *)"\xff\xff\xff\xff\xff\xff", 6);
	if (pb)
		ce_rx_start(&b);
	ce_tx_start(&a, &e);
	volatile struct e1000_tx_desc *td = a.ring;
	/* One untimed frame through before the clock starts (B: until it arrives). */
	ce_tx_post(&a, &s, 1);
	uint64_t w0 = time_us();
	while (!(td[0].status & E1000_TXD_STAT_DD) || (pb && !ce_rx_reap(&b, &s, r, false)))
		if (time_us() - w0 > CE_WARMUP_US) {
			ktest_msg(t, "e1000: the warm-up frame did not %s within %u us",
				  pb ? "reach B" : "go out", CE_WARMUP_US);
			ret = -HV_ETIMEDOUT;
			goto close;
		}
	td[0].status = 0;
	s.tx_reap = 1;
	s.posted = 0;
	uint64_t t0 = time_us(), seen = t0;
	/* At most CE_RING - 1 descriptors with the device, and at most NIC_WINDOW frames
	 * beyond what B took, as nic.rate allows. */
	while (r->sent < n || (pb && r->received < n)) {
		unsigned done = 0;
		while (td[s.tx_reap].status & E1000_TXD_STAT_DD) {
			td[s.tx_reap].status = 0;
			s.tx_reap = (s.tx_reap + 1) % CE_RING;
			r->sent++;
			done++;
		}
		uint64_t inflight = s.posted - r->sent;
		uint64_t room = CE_RING - 1 - inflight, left = n - s.posted;
		if (pb && s.posted - r->received + room > NIC_WINDOW)
			room = s.posted - r->received < NIC_WINDOW ? NIC_WINDOW - (s.posted - r->received) : 0;
		ce_tx_post(&a, &s, (unsigned)(room < left ? room : left));
		unsigned m = pb ? ce_rx_reap(&b, &s, r, true) : 0;
		uint64_t now = time_us();
		if (done || m)
			seen = now;
		else if (now - seen > CE_STALL_US)
			break;
	}
	r->us = time_us() - t0;
	if (r->sent < n || (pb && r->received < n))
		ktest_msg(t, "e1000: stalled after %llu sent, %llu received",
			  (unsigned long long)r->sent, (unsigned long long)r->received);
close:
	if (pb)
		ce_close(&b);
	ce_close(&a);
	return ret;
}

const struct ceil_nic_model ceil_e1000_model = {
	.name = "e1000", .vendor = 0x8086, .device = 0x100e, .run = ce_run,
};
