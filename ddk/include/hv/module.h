/*
 * DDK: the metadata every driver module (.hvm) carries, and its entry points.
 *
 * A module is an ELF64 relocatable object (see docs/module-format.md). The kernel reads the
 * ".hvmod" section BEFORE relocating anything, so the metadata holds no pointers: a struct
 * hv_module_info followed immediately by nids struct hv_pci_id entries (8-byte aligned, no
 * HV_PCI_ID_END terminator; driver_data must be a plain number). A relocation aimed at
 * .hvmod is refused.
 *
 * A driver writes one HV_MODULE invocation listing its ID table, and defines
 *	int hv_module_init(void);	0 or -HV_Exxx; called once after loading
 *	void hv_module_exit(void);	called once before unloading
 * Both must be global functions (not static) in the module's text.
 *
 * ABI rule: a module built against DDK major.minor loads on a kernel whose DDK ABI has the
 * same major and a minor >= the module's minor.
 */
#ifndef HV_MODULE_H
#define HV_MODULE_H

#include <stdint.h>
#include <hv/pciid.h>

#define HV_DDK_ABI_MAJOR	2
#define HV_DDK_ABI_MINOR	4

#define HV_MODULE_MAGIC		0x4d444f4du	/* "MODM" in little-endian bytes */
#define HV_MODULE_SECTION	".hvmod"
#define HV_MODULE_MAX_IDS	256

struct hv_module_info {
	uint32_t magic;		/* HV_MODULE_MAGIC */
	uint16_t abi_major;	/* HV_DDK_ABI_MAJOR the module was built against */
	uint16_t abi_minor;	/* HV_DDK_ABI_MINOR the module was built against */
	uint32_t nids;		/* struct hv_pci_id entries that follow, <= HV_MODULE_MAX_IDS */
	uint32_t reserved;	/* 0 */
	char name[32];		/* NUL-terminated, non-empty, printable, no spaces */
	char version[32];	/* NUL-terminated, printable */
	char vendor[64];	/* NUL-terminated, printable */
	char license[32];	/* NUL-terminated, printable */
};

_Static_assert(sizeof(struct hv_module_info) == 176, "hv_module_info layout is DDK ABI");
_Static_assert(sizeof(struct hv_module_info) % 8 == 0, "ID table must stay 8-byte aligned");

/*
 * Emits the module's metadata. The variadic arguments are the ID table entries, e.g.
 *	HV_MODULE("e1000", "1.2", "Acme Corp", "BSD-2-Clause",
 *		  HV_PCI_DEVICE(0x8086, 0x100e), HV_PCI_DEVICE(0x8086, 0x10d3));
 */
#define HV_MODULE(name_, version_, vendor_, license_, ...)				\
	__attribute__((section(HV_MODULE_SECTION), used, aligned(8)))			\
	static const struct {								\
		struct hv_module_info info;						\
		struct hv_pci_id ids[sizeof((const struct hv_pci_id[]){ __VA_ARGS__ }) /	\
				     sizeof(struct hv_pci_id)];				\
	} hv_module_metadata = {							\
		{ HV_MODULE_MAGIC, HV_DDK_ABI_MAJOR, HV_DDK_ABI_MINOR,			\
		  sizeof((const struct hv_pci_id[]){ __VA_ARGS__ }) /			\
			sizeof(struct hv_pci_id),					\
		  0, name_, version_, vendor_, license_ },				\
		{ __VA_ARGS__ }								\
	}

/* Entry points, looked up by name when the module is loaded. */
int hv_module_init(void);
void hv_module_exit(void);

#endif
