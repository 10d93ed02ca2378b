/* Tests for lib/pcicap: capability walking over synthetic config spaces, good and broken. */
#include <string.h>
#include <hv/errno.h>
#include <lib/pcicap.h>
#include "unit.h"

/* A fake function: config bytes plus a count of reads the walker should never make. */
struct pc_fake {
	uint8_t b[PCI_CFG_SIZE_EXT];
	unsigned bad_reads;
	struct pcicap_cfg cfg;
};

static struct pc_fake pc;

static uint32_t pc_read32(void *ctx, uint16_t off)
{
	struct pc_fake *f = ctx;

	if ((off & 3) != 0 || off >= f->cfg.size) {
		f->bad_reads++;
		return 0xffffffffu;
	}
	return (uint32_t)f->b[off] | (uint32_t)f->b[off + 1] << 8 |
	       (uint32_t)f->b[off + 2] << 16 | (uint32_t)f->b[off + 3] << 24;
}

static void pc_put16(uint16_t off, uint16_t v)
{
	pc.b[off] = (uint8_t)v;
	pc.b[off + 1] = (uint8_t)(v >> 8);
}

static void pc_put32(uint16_t off, uint32_t v)
{
	pc_put16(off, (uint16_t)v);
	pc_put16(off + 2, (uint16_t)(v >> 16));
}

/* A blank endpoint with an (empty) capability list. */
static void pc_reset(uint16_t size)
{
	memset(&pc, 0, sizeof(pc));
	pc.cfg = (struct pcicap_cfg){ pc_read32, &pc, size };
	pc_put16(PCI_VENDOR_ID, 0x8086);
	pc_put16(PCI_STATUS, PCI_STATUS_CAP_LIST);
}

static void pc_cap(uint8_t off, uint8_t id, uint8_t next)
{
	pc.b[off] = id;
	pc.b[off + 1] = next;
}

static void pc_ext(uint16_t off, uint16_t id, uint16_t next)
{
	pc_put32(off, (uint32_t)id | 1u << 16 | (uint32_t)next << 20);
}

/* Head 0x40 PM -> 0x50 MSI -> 0x68 VENDOR -> 0x70 PCIE -> 0xb0 MSIX -> 0xc0 VENDOR. */
static void pc_good_list(uint16_t size)
{
	pc_reset(size);
	pc.b[PCI_CAP_PTR] = 0x40;
	pc_cap(0x40, PCICAP_ID_PM, 0x50);
	pc_cap(0x50, PCICAP_ID_MSI, 0x68);
	pc_cap(0x68, PCICAP_ID_VENDOR, 0x70);
	pc_cap(0x70, PCICAP_ID_PCIE, 0xb0);
	pc_cap(0xb0, PCICAP_ID_MSIX, 0xc0);
	pc_cap(0xc0, PCICAP_ID_VENDOR, 0x00);
}

static void test_pcicap_read_widths(void)
{
	pc_reset(PCI_CFG_SIZE);
	for (int i = 0; i < 16; i++)
		pc.b[0x40 + i] = (uint8_t)(0xa0 + i);
	for (uint16_t off = 0x40; off < 0x4f; off++) {
		CU_ASSERT_EQUAL(pcicap_read8(&pc.cfg, off), 0xa0 + (off - 0x40));
		CU_ASSERT_EQUAL(pcicap_read16(&pc.cfg, off),
				(0xa0 + (off - 0x40)) | (0xa1 + (off - 0x40)) << 8);
	}
	CU_ASSERT_EQUAL(pcicap_read8(&pc.cfg, 0x100), 0xff);
	CU_ASSERT_EQUAL(pcicap_read16(&pc.cfg, 0x100), 0xffff);
	pc.b[0xff] = 0x12;
	CU_ASSERT_EQUAL(pcicap_read16(&pc.cfg, 0xff), 0xff12);	/* upper byte is outside */
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

static void test_pcicap_no_list(void)
{
	pc_good_list(PCI_CFG_SIZE);
	pc_put16(PCI_STATUS, 0);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0), 0);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &(struct pcicap_msi){ 0 }), -HV_ENOENT);
	pc_reset(PCI_CFG_SIZE);		/* bit set, pointer 0 */
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0), 0);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

static void test_pcicap_find_good(void)
{
	pc_good_list(PCI_CFG_SIZE);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0), 0x40);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), 0x50);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PCIE, 0), 0x70);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSIX, 0), 0xb0);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_SATA, 0), 0);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_VENDOR, 0), 0x68);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_VENDOR, 0x68), 0xc0);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_VENDOR, 0xc0), 0);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0x50), 0);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

static void test_pcicap_find_bad_start(void)
{
	pc_good_list(PCI_CFG_SIZE);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0x10), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0x60), -HV_EINVAL);	/* not a cap */
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_AER, 0x100), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0x100), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0xfff), -HV_EINVAL);
}

/* Bits 1:0 of every pointer are reserved and must be ignored. */
static void test_pcicap_pointer_low_bits(void)
{
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0x43;
	pc_cap(0x40, PCICAP_ID_PM, 0x52);
	pc_cap(0x50, PCICAP_ID_MSI, 0x01);	/* 0x01 masks to 0: end of list */
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0), 0x40);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), 0x50);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSIX, 0), 0);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

static void test_pcicap_loop(void)
{
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0x40;
	pc_cap(0x40, PCICAP_ID_PM, 0x50);
	pc_cap(0x50, PCICAP_ID_MSI, 0x40);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), -HV_ELOOP);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSIX, 0), -HV_ELOOP);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0x50), -HV_ELOOP);
	CU_ASSERT_EQUAL(pcicap_msix_info(&pc.cfg, &(struct pcicap_msix){ 0 }), -HV_ELOOP);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

static void test_pcicap_self_loop(void)
{
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0x40;
	pc_cap(0x40, PCICAP_ID_PM, 0x40);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0), -HV_ELOOP);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), -HV_ELOOP);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0x40), -HV_ELOOP);
}

/* The usual "next one" loop must end on every list, including looped ones. */
static int pc_count_vendor(void)
{
	int n = 0, off;

	for (off = pcicap_find(&pc.cfg, PCICAP_ID_VENDOR, 0); off > 0 && n < 100;
	     off = pcicap_find(&pc.cfg, PCICAP_ID_VENDOR, (uint16_t)off))
		n++;
	return off < 0 ? off : n;
}

static void test_pcicap_iterate(void)
{
	pc_good_list(PCI_CFG_SIZE);
	CU_ASSERT_EQUAL(pc_count_vendor(), 2);
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0x40;
	pc_cap(0x40, PCICAP_ID_VENDOR, 0x50);
	pc_cap(0x50, PCICAP_ID_VENDOR, 0x40);
	CU_ASSERT_EQUAL(pc_count_vendor(), -HV_ELOOP);
}

static void test_pcicap_pointer_into_header(void)
{
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0x20;
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0), -HV_EINVAL);
	pc.b[PCI_CAP_PTR] = 0x40;
	pc_cap(0x40, PCICAP_ID_PM, 0x3c);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), -HV_EINVAL);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

/* 0xff masks to 0xfc, the last dword: a capability there is fine, a body past 0xff is not. */
static void test_pcicap_pointer_at_end(void)
{
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0xff;
	pc_cap(0xfc, PCICAP_ID_MSI, 0x00);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), 0xfc);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &(struct pcicap_msi){ 0 }), -HV_EINVAL);
	pc.b[0xfc] = PCICAP_ID_MSIX;
	CU_ASSERT_EQUAL(pcicap_msix_info(&pc.cfg, &(struct pcicap_msix){ 0 }), -HV_EINVAL);
	/* The same in a PCIe config space: standard caps still end at 0x100. */
	pc.cfg.size = PCI_CFG_SIZE_EXT;
	CU_ASSERT_EQUAL(pcicap_msix_info(&pc.cfg, &(struct pcicap_msix){ 0 }), -HV_EINVAL);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

/* A function that is gone reads all ones: status claims a list, pointers all say 0xfc. */
static void test_pcicap_all_ones(void)
{
	pc_reset(PCI_CFG_SIZE);
	memset(pc.b, 0xff, sizeof(pc.b));
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), -HV_ELOOP);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, 0xff, 0), -HV_ELOOP);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_AER, 0), 0);
	pc.cfg.size = PCI_CFG_SIZE_EXT;
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_AER, 0), 0);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

/* 48 capabilities fill 0x40..0xfc exactly: the longest legal list must not be a loop. */
static void test_pcicap_longest_list(void)
{
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0x40;
	for (unsigned off = 0x40; off <= 0xfc; off += 4)
		pc_cap((uint8_t)off, PCICAP_ID_VENDOR, off == 0xfc ? 0 : (uint8_t)(off + 4));
	pc.b[0xfc] = PCICAP_ID_MSIX;
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSIX, 0), 0xfc);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), 0);
	pc_cap(0xfc, PCICAP_ID_MSIX, 0x40);	/* now a loop through all 48 */
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), -HV_ELOOP);
}

static void test_pcicap_cardbus_head(void)
{
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_CARDBUS | PCI_HEADER_MULTIFUNC;
	pc.b[0x14] = 0x80;
	pc.b[PCI_CAP_PTR] = 0x40;		/* not the cardbus pointer */
	pc_cap(0x80, PCICAP_ID_PM, 0);
	pc_cap(0x40, PCICAP_ID_MSI, 0);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_PM, 0), 0x80);
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSI, 0), 0);
}

struct pc_visit {
	unsigned n;
	uint8_t ids[64];
	uint16_t offs[64];
	unsigned stop_at;		/* return -99 on this visit (1-based), 0 never */
};

static int pc_visit_fn(void *arg, uint8_t id, uint16_t off)
{
	struct pc_visit *v = arg;

	if (v->n < 64) {
		v->ids[v->n] = id;
		v->offs[v->n] = off;
	}
	v->n++;
	return v->n == v->stop_at ? -99 : 0;
}

static void test_pcicap_foreach(void)
{
	static const uint8_t want_ids[] = { PCICAP_ID_PM, PCICAP_ID_MSI, PCICAP_ID_VENDOR,
					    PCICAP_ID_PCIE, PCICAP_ID_MSIX, PCICAP_ID_VENDOR };
	static const uint16_t want_offs[] = { 0x40, 0x50, 0x68, 0x70, 0xb0, 0xc0 };
	struct pc_visit v = { 0 };

	pc_good_list(PCI_CFG_SIZE);
	CU_ASSERT_EQUAL(pcicap_foreach(&pc.cfg, pc_visit_fn, &v), 6);
	CU_ASSERT_EQUAL(v.n, 6);
	CU_ASSERT_EQUAL(memcmp(v.ids, want_ids, sizeof(want_ids)), 0);
	CU_ASSERT_EQUAL(memcmp(v.offs, want_offs, sizeof(want_offs)), 0);
	v = (struct pc_visit){ .stop_at = 3 };
	CU_ASSERT_EQUAL(pcicap_foreach(&pc.cfg, pc_visit_fn, &v), -99);
	CU_ASSERT_EQUAL(v.n, 3);
	pc_put16(PCI_STATUS, 0);
	v = (struct pc_visit){ 0 };
	CU_ASSERT_EQUAL(pcicap_foreach(&pc.cfg, pc_visit_fn, &v), 0);
	CU_ASSERT_EQUAL(v.n, 0);
}

static void test_pcicap_foreach_malformed(void)
{
	struct pc_visit v = { 0 };

	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0x40;
	pc_cap(0x40, PCICAP_ID_PM, 0x50);
	pc_cap(0x50, PCICAP_ID_MSI, 0x40);
	CU_ASSERT_EQUAL(pcicap_foreach(&pc.cfg, pc_visit_fn, &v), -HV_ELOOP);
	CU_ASSERT_EQUAL(v.n, 0);
	pc_cap(0x50, PCICAP_ID_MSI, 0x08);
	v = (struct pc_visit){ 0 };
	CU_ASSERT_EQUAL(pcicap_foreach(&pc.cfg, pc_visit_fn, &v), -HV_EINVAL);
	CU_ASSERT_EQUAL(v.n, 0);
}

static void test_pcicap_msi(void)
{
	struct pcicap_msi m;

	pc_good_list(PCI_CFG_SIZE);
	pc_put16(0x50 + PCI_MSI_CTRL, 0);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), 0);
	CU_ASSERT_EQUAL(m.off, 0x50);
	CU_ASSERT_FALSE(m.is64);
	CU_ASSERT_FALSE(m.maskable);
	CU_ASSERT_EQUAL(m.max_vectors, 1);
	pc_put16(0x50 + PCI_MSI_CTRL, PCI_MSI_CTRL_64BIT | 3 << PCI_MSI_CTRL_MMC_SHIFT);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), 0);
	CU_ASSERT_TRUE(m.is64);
	CU_ASSERT_FALSE(m.maskable);
	CU_ASSERT_EQUAL(m.max_vectors, 8);
	pc_put16(0x50 + PCI_MSI_CTRL, PCI_MSI_CTRL_64BIT | PCI_MSI_CTRL_MASKABLE |
		 5 << PCI_MSI_CTRL_MMC_SHIFT | PCI_MSI_CTRL_ENABLE);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), 0);
	CU_ASSERT_TRUE(m.is64);
	CU_ASSERT_TRUE(m.maskable);
	CU_ASSERT_EQUAL(m.max_vectors, 32);
	pc_put16(0x50 + PCI_MSI_CTRL, PCI_MSI_CTRL_MASKABLE);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), 0);
	CU_ASSERT_FALSE(m.is64);
	CU_ASSERT_TRUE(m.maskable);
	pc_put16(0x50 + PCI_MSI_CTRL, 6 << PCI_MSI_CTRL_MMC_SHIFT);	/* reserved */
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), -HV_EINVAL);
	pc.b[0x50] = PCICAP_ID_VENDOR;
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), -HV_ENOENT);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

/* A 64-bit maskable MSI capability needs 24 bytes: at 0xe8 it just fits, at 0xec it does not. */
static void test_pcicap_msi_fit(void)
{
	struct pcicap_msi m;

	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0xe8;
	pc_cap(0xe8, PCICAP_ID_MSI, 0);
	pc_put16(0xe8 + PCI_MSI_CTRL, PCI_MSI_CTRL_64BIT | PCI_MSI_CTRL_MASKABLE);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), 0);
	pc_reset(PCI_CFG_SIZE);
	pc.b[PCI_CAP_PTR] = 0xec;
	pc_cap(0xec, PCICAP_ID_MSI, 0);
	pc_put16(0xec + PCI_MSI_CTRL, PCI_MSI_CTRL_64BIT | PCI_MSI_CTRL_MASKABLE);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), -HV_EINVAL);
	pc_put16(0xec + PCI_MSI_CTRL, PCI_MSI_CTRL_64BIT);
	CU_ASSERT_EQUAL(pcicap_msi_info(&pc.cfg, &m), 0);
}

static void test_pcicap_msix(void)
{
	struct pcicap_msix x;

	pc_good_list(PCI_CFG_SIZE);
	pc_put16(0xb0 + PCI_MSIX_CTRL, 0x7ff | PCI_MSIX_CTRL_ENABLE);
	pc_put32(0xb0 + PCI_MSIX_TABLE, 0x2000 | 3);
	pc_put32(0xb0 + PCI_MSIX_PBA, 0x3000 | 5);
	CU_ASSERT_EQUAL(pcicap_msix_info(&pc.cfg, &x), 0);
	CU_ASSERT_EQUAL(x.off, 0xb0);
	CU_ASSERT_EQUAL(x.table_size, 2048);
	CU_ASSERT_EQUAL(x.table_bir, 3);
	CU_ASSERT_EQUAL(x.table_off, 0x2000);
	CU_ASSERT_EQUAL(x.pba_bir, 5);
	CU_ASSERT_EQUAL(x.pba_off, 0x3000);
	pc_put16(0xb0 + PCI_MSIX_CTRL, 0);
	pc_put32(0xb0 + PCI_MSIX_TABLE, 0xfffffff8u);
	pc_put32(0xb0 + PCI_MSIX_PBA, 0x808);
	CU_ASSERT_EQUAL(pcicap_msix_info(&pc.cfg, &x), 0);
	CU_ASSERT_EQUAL(x.table_size, 1);
	CU_ASSERT_EQUAL(x.table_bir, 0);
	CU_ASSERT_EQUAL(x.table_off, 0xfffffff8u);
	CU_ASSERT_EQUAL(x.pba_off, 0x808);
	pc_put32(0xb0 + PCI_MSIX_TABLE, 0x2000 | 6);
	CU_ASSERT_EQUAL(pcicap_msix_info(&pc.cfg, &x), -HV_EINVAL);
	pc_put32(0xb0 + PCI_MSIX_TABLE, 0x2000);
	pc_put32(0xb0 + PCI_MSIX_PBA, 0x3000 | 7);
	CU_ASSERT_EQUAL(pcicap_msix_info(&pc.cfg, &x), -HV_EINVAL);
	pc.b[0xb0] = PCICAP_ID_VENDOR;
	CU_ASSERT_EQUAL(pcicap_msix_info(&pc.cfg, &x), -HV_ENOENT);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

/* 0x100 AER -> 0x148 DSN -> 0x160 SRIOV -> 0x1a0 VNDR -> 0x1c0 VNDR. */
static void pc_ext_list(void)
{
	pc_good_list(PCI_CFG_SIZE_EXT);
	pc_ext(0x100, PCICAP_EXT_ID_AER, 0x148);
	pc_ext(0x148, PCICAP_EXT_ID_DSN, 0x160);
	pc_ext(0x160, PCICAP_EXT_ID_SRIOV, 0x1a0);
	pc_ext(0x1a0, PCICAP_EXT_ID_VNDR, 0x1c0);
	pc_ext(0x1c0, PCICAP_EXT_ID_VNDR, 0);
}

static void test_pcicap_ext_good(void)
{
	pc_ext_list();
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_AER, 0), 0x100);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_DSN, 0), 0x148);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_SRIOV, 0), 0x160);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_VNDR, 0), 0x1a0);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_VNDR, 0x1a0), 0x1c0);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_VNDR, 0x1c0), 0);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_ACS, 0), 0);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_AER, 0x0ff), -HV_EINVAL);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_AER, 0x102), -HV_EINVAL);
	/* Standard caps are unaffected by the extended space. */
	CU_ASSERT_EQUAL(pcicap_find(&pc.cfg, PCICAP_ID_MSIX, 0), 0xb0);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

static void test_pcicap_ext_absent(void)
{
	pc_ext_list();
	pc.cfg.size = PCI_CFG_SIZE;
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_AER, 0), 0);
	pc_good_list(PCI_CFG_SIZE_EXT);		/* 0x100 reads 0 */
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_AER, 0), 0);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, 0, 0), 0);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

static void test_pcicap_ext_malformed(void)
{
	pc_ext_list();
	pc_ext(0x1c0, PCICAP_EXT_ID_VNDR, 0x100);	/* back to the start */
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_ACS, 0), -HV_ELOOP);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_SRIOV, 0), -HV_ELOOP);
	pc_ext(0x1c0, PCICAP_EXT_ID_VNDR, 0x1c0);	/* self loop */
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_ACS, 0), -HV_ELOOP);
	pc_ext(0x1c0, PCICAP_EXT_ID_VNDR, 0x0c0);	/* into standard space */
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_ACS, 0), -HV_EINVAL);
	pc_ext(0x1c0, PCICAP_EXT_ID_VNDR, 0x1e3);	/* low bits masked: 0x1e0 */
	pc_ext(0x1e0, PCICAP_EXT_ID_ACS, 0);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_ACS, 0), 0x1e0);
	pc_ext(0x1e0, PCICAP_EXT_ID_ACS, 0xffc);	/* last dword is legal */
	pc_ext(0xffc, PCICAP_EXT_ID_LTR, 0);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_LTR, 0), 0xffc);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

/* 960 extended caps fill 0x100..0xffc; one more visit is a loop. */
static void test_pcicap_ext_longest(void)
{
	pc_reset(PCI_CFG_SIZE_EXT);
	for (unsigned off = 0x100; off <= 0xffc; off += 4)
		pc_ext((uint16_t)off, PCICAP_EXT_ID_VNDR, off == 0xffc ? 0 : (uint16_t)(off + 4));
	pc_ext(0xffc, PCICAP_EXT_ID_L1SS, 0);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_L1SS, 0), 0xffc);
	pc_ext(0xffc, PCICAP_EXT_ID_L1SS, 0x100);
	CU_ASSERT_EQUAL(pcicap_find_ext(&pc.cfg, PCICAP_EXT_ID_ACS, 0), -HV_ELOOP);
	CU_ASSERT_EQUAL(pc.bad_reads, 0);
}

UNIT_SUITE(pcicap_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_pcicap_read_widths),
		UNIT_TEST(test_pcicap_no_list),
		UNIT_TEST(test_pcicap_find_good),
		UNIT_TEST(test_pcicap_find_bad_start),
		UNIT_TEST(test_pcicap_pointer_low_bits),
		UNIT_TEST(test_pcicap_loop),
		UNIT_TEST(test_pcicap_self_loop),
		UNIT_TEST(test_pcicap_iterate),
		UNIT_TEST(test_pcicap_pointer_into_header),
		UNIT_TEST(test_pcicap_pointer_at_end),
		UNIT_TEST(test_pcicap_all_ones),
		UNIT_TEST(test_pcicap_longest_list),
		UNIT_TEST(test_pcicap_cardbus_head),
		UNIT_TEST(test_pcicap_foreach),
		UNIT_TEST(test_pcicap_foreach_malformed),
		UNIT_TEST(test_pcicap_msi),
		UNIT_TEST(test_pcicap_msi_fit),
		UNIT_TEST(test_pcicap_msix),
		UNIT_TEST(test_pcicap_ext_good),
		UNIT_TEST(test_pcicap_ext_absent),
		UNIT_TEST(test_pcicap_ext_malformed),
		UNIT_TEST(test_pcicap_ext_longest),
		UNIT_TEST_END
	};
	unit_add_suite("pcicap", NULL, NULL, tests);
}
