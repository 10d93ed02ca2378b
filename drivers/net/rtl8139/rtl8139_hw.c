/*
 * rtl8139 hardware helpers: reset, identification, Ethernet address, start and stop of the
 * transmitter and receiver, link state, the missed-packet counter. Ring handling is in
 * rtl8139_ring.c, the PCI glue in rtl8139.c.
 */
#include "rtl8139var.h"

/* Hardware versions (TCR bits 30-26 and 23-22) and the parts Realtek sold under them. */
static const struct {
	uint32_t hwver;
	const char *name;
} rtl8139_versions[] = {
	{ RTL8139_HWVER(1, 0, 0, 0, 0, 0, 0), "RTL-8139" },
	{ RTL8139_HWVER(1, 1, 0, 0, 0, 0, 0), "RTL-8139 rev K" },
	{ RTL8139_HWVER(1, 1, 1, 0, 0, 0, 0), "RTL-8139A" },
	{ RTL8139_HWVER(1, 1, 1, 0, 0, 1, 0), "RTL-8139A rev G" },
	{ RTL8139_HWVER(1, 1, 1, 1, 0, 0, 0), "RTL-8139B" },
	{ RTL8139_HWVER(1, 1, 1, 1, 1, 0, 0), "RTL-8130" },
	{ RTL8139_HWVER(1, 1, 1, 0, 1, 0, 0), "RTL-8139C" },
	{ RTL8139_HWVER(1, 1, 1, 1, 0, 1, 0), "RTL-8100" },
	{ RTL8139_HWVER(1, 1, 1, 0, 1, 0, 1), "RTL-8100B/8139D" },
	{ RTL8139_HWVER(1, 1, 1, 0, 1, 1, 0), "RTL-8139C+" },
	{ RTL8139_HWVER(1, 1, 1, 0, 1, 1, 1), "RTL-8101" },
};
#define RTL8139_NVERSIONS	(sizeof(rtl8139_versions) / sizeof(rtl8139_versions[0]))

/*
 * Software reset (DS: Command Register, RST): the chip stops transmit and receive DMA,
 * reloads its defaults (IMR 0, every TSD owned by the host, ring pointers 0) and clears
 * RST when done. The Ethernet address and the multicast filter are kept.
 */
int rtl8139_hw_reset(struct rtl8139_softc *sc)
{
	uint64_t t0;

	rtl8139_write16(sc, RTL8139_IMR, 0);
	rtl8139_write8(sc, RTL8139_CR, RTL8139_CR_RST);
	t0 = hv_time_us();
	while (rtl8139_read8(sc, RTL8139_CR) & RTL8139_CR_RST) {
		if (hv_time_us() - t0 > RTL8139_RESET_TIMEOUT_US) {
			hv_log("rtl8139: %s: reset did not complete in %u us", sc->slot,
			       RTL8139_RESET_TIMEOUT_US);
			return -HV_ETIMEDOUT;
		}
		hv_udelay(10);
	}
	rtl8139_write16(sc, RTL8139_ISR, 0xffff);
	return 0;
}

/*
 * Identify the part by TCR's hardware version. All-ones is a function that does not
 * answer (gone, or its BAR not decoded); an unknown version is refused rather than driven
 * by guesswork.
 */
int rtl8139_hw_identify(struct rtl8139_softc *sc)
{
	uint32_t tcr = rtl8139_read32(sc, RTL8139_TCR);
	uint32_t ver = tcr & RTL8139_TCR_HWVER_MASK;

	if (tcr == 0xffffffffu) {
		hv_log("rtl8139: %s: registers read all ones: the function does not answer", sc->slot);
		return -HV_ENODEV;
	}
	for (unsigned i = 0; i < RTL8139_NVERSIONS; i++) {
		if (rtl8139_versions[i].hwver == ver) {
			sc->chip = rtl8139_versions[i].name;
			return 0;
		}
	}
	hv_log("rtl8139: %s: unknown hardware version (TCR %08x)", sc->slot, tcr);
	return -HV_ENODEV;
}

/*
 * The Ethernet address: IDR0-5, which the chip loads from its EEPROM and a software reset
 * leaves alone (DS: IDR, CR.RST); QEMU's model sets them to the configured MAC at every
 * reset. Zero or a multicast address means no usable EEPROM.
 */
int rtl8139_hw_read_mac(struct rtl8139_softc *sc, uint8_t mac[6])
{
	unsigned or = 0;

	for (unsigned i = 0; i < 6; i++) {
		mac[i] = rtl8139_read8(sc, RTL8139_IDR0 + i);
		or |= mac[i];
	}
	if (or == 0 || (mac[0] & 1)) {
		hv_log("rtl8139: %s: IDR holds no valid Ethernet address (%02x:%02x:%02x:%02x:%02x:%02x)",
		       sc->slot, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
		return -HV_ENODEV;
	}
	return 0;
}

/*
 * Start transmit and receive after a reset. The order matters: CR enables the transmitter
 * and receiver before TCR and RCR are written (QEMU's model drops a TCR write while TE is
 * off, and Linux's 8139too does the same for the chip), and an RCR write restarts the ring
 * at offset 0 (QEMU: rtl8139_RxConfig_write). Filters: every
 * multicast hash bit and promiscuous mode, since a NIC is an uplink of the virtual switch,
 * which must see the frames for its guests' addresses (the DDK has no filter call yet).
 */
void rtl8139_hw_start(struct rtl8139_softc *sc)
{
	for (unsigned i = 0; i < 8; i++)
		rtl8139_write8(sc, RTL8139_MAR0 + i, 0xff);
	rtl8139_rx_start(sc);
	rtl8139_tx_start(sc);
	rtl8139_write8(sc, RTL8139_CR, RTL8139_CR_RE | RTL8139_CR_TE);
	rtl8139_write32(sc, RTL8139_RCR, RTL8139_RCR_AAP | RTL8139_RCR_APM | RTL8139_RCR_AM |
			RTL8139_RCR_AB | RTL8139_RCR_MXDMA_UNL | RTL8139_RCR_RBLEN_64K |
			RTL8139_RCR_RXFTH_NONE);
	sc->tcr = RTL8139_TCR_IFG_96 | RTL8139_TCR_MXDMA_1024;
	rtl8139_write32(sc, RTL8139_TCR, sc->tcr);
	rtl8139_write16(sc, RTL8139_CAPR, (uint16_t)(sc->rx_off - RTL8139_CAPR_BIAS));
	rtl8139_write32(sc, RTL8139_MPC, 0);
}

/* Mask every cause and stop both DMA engines; the caller resets the chip after. */
void rtl8139_hw_stop(struct rtl8139_softc *sc)
{
	rtl8139_write16(sc, RTL8139_IMR, 0);
	rtl8139_write8(sc, RTL8139_CR, 0);
	(void)rtl8139_read8(sc, RTL8139_CR);	/* flush the posted writes */
}

/* MSR.LINKB is the inverse of the link state (DS: MSR). */
bool rtl8139_hw_link_up(struct rtl8139_softc *sc)
{
	return !(rtl8139_read8(sc, RTL8139_MSR) & RTL8139_MSR_LINKB);
}

/*
 * Report the link to the netdev layer. QEMU's set_link (hw/net/rtl8139.c,
 * rtl8139_set_link_status) flips BMSR bit 2, from which MSR.LINKB is derived, and raises
 * ISR bit 5 (PUN/LinkChg), so a link change interrupts us (or shows in ISR when polling).
 * rx_lock held.
 */
void rtl8139_hw_link_update(struct rtl8139_softc *sc)
{
	bool up = rtl8139_hw_link_up(sc);

#ifdef HV_DEFECT_IGNORE_LINKDOWN	/* certify self-test defect: never report link down */
	if (!up)
		return;
#endif
	if (up != sc->nd.link_up)
		sc->cnt.link_changes++;
	hv_netdev_link_change(&sc->nd, up);
}

/*
 * Packets the chip dropped for want of ring space (DS: MPC, 24 bits; any write clears it).
 * rx_lock held.
 */
void rtl8139_hw_read_counters(struct rtl8139_softc *sc)
{
	uint32_t mpc = rtl8139_read32(sc, RTL8139_MPC) & 0xffffffu;

	if (mpc) {
		rtl8139_write32(sc, RTL8139_MPC, 0);
		sc->cnt.rx_dropped += mpc;
	}
}
