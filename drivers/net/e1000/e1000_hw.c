/*
 * e1000 hardware helpers: reset, EEPROM and MAC address, link state, address filters,
 * statistics. No ring handling here (e1000_ring.c) and no PCI glue (e1000.c).
 */
#include "e1000var.h"

/*
 * Global reset (SDM 14.5, 82574 DS 4.6.1): CTRL.RST resets the MAC, clears the rings'
 * registers and stops all DMA; it clears itself when done. Interrupts are masked before and
 * after, since the reset does not clear a pending cause on every part.
 */
int e1000_hw_reset(struct e1000_softc *sc)
{
	uint64_t t0;

	e1000_write(sc, E1000_IMC, E1000_IMS_ALL);
	e1000_write(sc, E1000_RCTL, 0);
	e1000_write(sc, E1000_TCTL, 0);
	(void)e1000_read(sc, E1000_STATUS);	/* flush the posted writes */
	e1000_write(sc, E1000_CTRL, e1000_read(sc, E1000_CTRL) | E1000_CTRL_RST);
	t0 = hv_time_us();
	while (e1000_read(sc, E1000_CTRL) & E1000_CTRL_RST) {
		if (hv_time_us() - t0 > E1000_RESET_TIMEOUT_US) {
			hv_log("e1000: %s: reset did not complete in %u us", sc->slot,
			       E1000_RESET_TIMEOUT_US);
			return -HV_ETIMEDOUT;
		}
		hv_udelay(10);
	}
	e1000_write(sc, E1000_IMC, E1000_IMS_ALL);
	(void)e1000_read(sc, E1000_ICR);
	return 0;
}

/* One 16-bit EEPROM word through EERD (SDM 13.4.4; 82574 DS 10.2.2.6 moves DONE/ADDR). */
static int e1000_hw_eerd(struct e1000_softc *sc, unsigned word, uint16_t *out)
{
	bool is574 = sc->chip->flags & E1000_F_82574;
	uint32_t done = is574 ? E1000_EERD_DONE_82574 : E1000_EERD_DONE_8254X;
	unsigned shift = is574 ? E1000_EERD_ADDR_82574 : E1000_EERD_ADDR_8254X;
	uint64_t t0 = hv_time_us();
	uint32_t v;

	e1000_write(sc, E1000_EERD, E1000_EERD_START | ((uint32_t)word << shift));
	while (!((v = e1000_read(sc, E1000_EERD)) & done)) {
		if (hv_time_us() - t0 > E1000_EERD_TIMEOUT_US)
			return -HV_ETIMEDOUT;
		hv_udelay(5);
	}
	*out = (uint16_t)(v >> E1000_EERD_DATA_SHIFT);
	return 0;
}

static bool e1000_hw_mac_valid(const uint8_t mac[6])
{
	unsigned or = 0;

	for (int i = 0; i < 6; i++)
		or |= mac[i];
	return or != 0 && !(mac[0] & 1);	/* not zero, not multicast */
}

/*
 * The Ethernet address: the hardware loads receive address 0 from the EEPROM at reset
 * (SDM 5.6.1, 13.4.27), so RAL0/RAH0 with AV set is the answer; otherwise read words 0..2
 * through EERD. The 82544 has no EERD: it relies on the load at reset.
 */
int e1000_hw_read_mac(struct e1000_softc *sc, uint8_t mac[6])
{
	uint32_t ral = e1000_read(sc, E1000_RAL(0)), rah = e1000_read(sc, E1000_RAH(0));
	uint16_t w;

	for (int i = 0; i < 4; i++)
		mac[i] = (uint8_t)(ral >> (8 * i));
	mac[4] = (uint8_t)rah;
	mac[5] = (uint8_t)(rah >> 8);
#ifdef HV_DEFECT_WRONG_MAC	/* certify self-test defect: EEPROM words read big-endian */
	rah = 0;
#endif
	if ((rah & E1000_RAH_AV) && e1000_hw_mac_valid(mac))
		return 0;
	if (!(sc->chip->flags & E1000_F_EERD)) {
		hv_log("e1000: %s: receive address 0 not valid and no EERD on the %s", sc->slot,
		       sc->chip->name);
		return -HV_ENODEV;
	}
	for (unsigned i = 0; i < 3; i++) {
		if (e1000_hw_eerd(sc, E1000_EEPROM_MAC + i, &w) < 0) {
			hv_log("e1000: %s: EEPROM word %u: read timed out", sc->slot, i);
			return -HV_ETIMEDOUT;
		}
#ifdef HV_DEFECT_WRONG_MAC
		w = (uint16_t)(w << 8 | w >> 8);
#endif
		mac[2 * i] = (uint8_t)w;
		mac[2 * i + 1] = (uint8_t)(w >> 8);
	}
	if (!e1000_hw_mac_valid(mac)) {
		hv_log("e1000: %s: EEPROM holds no valid Ethernet address", sc->slot);
		return -HV_ENODEV;
	}
	return 0;
}

/*
 * The NVM image version (word 05h, SDM Table 5-2; 82574 DS Table 6-1 "Image Version
 * Info"), written major.minor-build as Linux's ethtool -i does, so an admin's inventory and
 * ours name one image alike. All ones is a blank word: no version to report.
 */
void e1000_hw_report_nvm_version(struct e1000_softc *sc)
{
	char rev[16];
	uint16_t w;

	if (!(sc->chip->flags & E1000_F_EERD) || e1000_hw_eerd(sc, E1000_EEPROM_VERSION, &w) < 0 ||
	    w == 0xffff)
		return;
	unsigned major = w >> 12, minor = (w >> 4) & 0xff, build = w & 0xf, n = 0;
	unsigned parts[3] = { major, minor, build };
	for (int i = 0; i < 3; i++) {
		unsigned v = parts[i];
		char tmp[4];
		int k = 0;
		do {
			tmp[k++] = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		while (k)
			rev[n++] = tmp[--k];
		if (i < 2)
			rev[n++] = i == 0 ? '.' : '-';
	}
	rev[n] = 0;
	hv_pci_set_firmware(sc->pci, rev);
}

/*
 * Link and filters after a reset (SDM 14.3-14.4): link up with speed detection, our
 * address in RA0, the other receive addresses and the multicast table empty, no
 * interrupt throttling or receive delay (the handler batches by itself).
 */
void e1000_hw_init(struct e1000_softc *sc)
{
	const uint8_t *m = sc->nd.mac;
	uint32_t ctrl = e1000_read(sc, E1000_CTRL);

	ctrl &= ~(E1000_CTRL_PHY_RST | E1000_CTRL_VME);
	e1000_write(sc, E1000_CTRL, ctrl | E1000_CTRL_SLU | E1000_CTRL_ASDE);
	e1000_write(sc, E1000_RAL(0), m[0] | m[1] << 8 | m[2] << 16 | (uint32_t)m[3] << 24);
	e1000_write(sc, E1000_RAH(0), m[4] | m[5] << 8 | E1000_RAH_AV);
	for (unsigned i = 1; i < E1000_RA_ENTRIES; i++) {
		e1000_write(sc, E1000_RAL(i), 0);
		e1000_write(sc, E1000_RAH(i), 0);
	}
	for (unsigned i = 0; i < E1000_MTA_WORDS; i++)
		e1000_write(sc, E1000_MTA + 4 * i, 0);
	e1000_write(sc, E1000_ITR, 0);
	e1000_write(sc, E1000_RDTR, 0);
	e1000_write(sc, E1000_RADV, 0);
	e1000_write(sc, E1000_TIDV, 0);
	/* The counters clear on read: start from zero. */
	for (unsigned r = E1000_STATS_FIRST; r <= E1000_STATS_LAST; r += 4)
		(void)e1000_read(sc, r);
}

/*
 * RCTL for the current MTU (SDM 13.4.22): CRC stripped, 2 KiB buffers, long packets when
 * the MTU needs frames over 1522 bytes, and promiscuous: a NIC is an uplink of the virtual
 * switch, which must see the frames for its guests' addresses (the DDK has no receive
 * filter call yet).
 */
uint32_t e1000_hw_rctl(struct e1000_softc *sc)
{
	uint32_t rctl = E1000_RCTL_EN | E1000_RCTL_BAM | E1000_RCTL_UPE | E1000_RCTL_MPE |
			E1000_RCTL_SECRC | E1000_RCTL_BSIZE_2048 | E1000_RCTL_RDMTS_HALF;

	if (sc->nd.mtu > HV_ETH_MTU)
		rctl |= E1000_RCTL_LPE;
	return rctl;
}

/* Report STATUS.LU (SDM 13.4.2) to the netdev layer. rx_lock held. */
void e1000_hw_link_update(struct e1000_softc *sc)
{
	bool up = (e1000_read(sc, E1000_STATUS) & E1000_STATUS_LU) != 0;

#ifdef HV_DEFECT_BAR_OVERRUN	/* verifier defect: a "mirror" of STATUS one window up, past BAR0 */
	sc->defect_status_mirror = e1000_read(sc, E1000_BAR0_MIN_SIZE + E1000_STATUS);
#endif
#ifdef HV_DEFECT_IGNORE_LINKDOWN	/* certify self-test defect: never report link down */
	if (!up)
		return;
#endif

#ifdef HV_DEFECT_LINK_NORESUME	/* certify self-test defect: transmit off at link down, never back */
	if (!up)
		e1000_write(sc, E1000_TCTL, 0);
#endif
#ifdef HV_DEFECT_FLAP_REPLAY	/* certify self-test defect: link up re-posts old transmit slots */
	if (up && !sc->nd.link_up && sc->running)
		e1000_write(sc, E1000_TDT, (sc->tx_doorbell - 64) & (E1000_NTXD - 1));
#endif
	if (up != sc->nd.link_up)
		sc->cnt.link_changes++;
	hv_netdev_link_change(&sc->nd, up);
}

/* Fold the device's clear-on-read error counters (SDM 13.7) into ours. rx_lock held. */
void e1000_hw_read_counters(struct e1000_softc *sc)
{
	sc->cnt.rx_errors += e1000_read(sc, E1000_CRCERRS) + e1000_read(sc, E1000_ALGNERRC) +
			     e1000_read(sc, E1000_RXERRC) + e1000_read(sc, E1000_RLEC);
	sc->cnt.rx_dropped += e1000_read(sc, E1000_MPC);
	sc->hw_tx_errors += e1000_read(sc, E1000_ECOL) + e1000_read(sc, E1000_LATECOL);
}

/* Stop receive and transmit DMA and mask every interrupt (SDM 14.8: disable, then reset). */
void e1000_hw_stop(struct e1000_softc *sc)
{
	e1000_write(sc, E1000_IMC, E1000_IMS_ALL);
	e1000_write(sc, E1000_RCTL, 0);
	e1000_write(sc, E1000_TCTL, 0);
	(void)e1000_read(sc, E1000_STATUS);
	sc->rctl = 0;
}
