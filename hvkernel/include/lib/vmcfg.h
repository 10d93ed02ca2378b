/*
 * VM configuration files (docs/vm-config.md): plain text, `key = value` lines, one VM per
 * file or one per `[vm]` section. A pure parser, freestanding, compiled into the kernel
 * (vmm/vmboot.c reads the files given as boot modules) and into the host unit tests.
 * It checks everything that can be checked without the machine: syntax, sizes, names,
 * MAC addresses, limits. What needs the machine (does the image or the block device exist,
 * is there enough free memory) is the kernel's to check.
 */
#ifndef LIB_VMCFG_H
#define LIB_VMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMCFG_NAME_MAX		16	/* names and device names, with the NUL */
#define VMCFG_IMAGE_MAX		64
#define VMCFG_MAX_NICS		2
#define VMCFG_MAX_DISKS		2
#define VMCFG_MAX_VCPUS		64
#define VMCFG_MIN_MEMORY	(64u * 1024)
/* Guest RAM ends below the virtio-mmio window at 0xfeb00000 (vmm/vmboot.c); 2 GiB keeps
 * a 32-bit guest's stack and devices apart with room to spare. */
#define VMCFG_MAX_MEMORY	(2ull << 30)
#define VMCFG_ERR_MAX		200
#define VMCFG_CMDLINE_MAX	256	/* a Linux guest's command line, with the NUL */
#define VMCFG_MAX_EXPECT	4
#define VMCFG_EXPECT_MAX	64

struct vmcfg_nic {
	char sw[VMCFG_NAME_MAX];	/* the virtual switch ("vswitch0") */
	uint8_t mac[6];
	bool has_mac;			/* else the kernel makes one up */
	int line;
};

struct vmcfg_disk {
	char dev[VMCFG_NAME_MAX];	/* a block device of the block layer ("vmhba0", "vmhba0p1") */
	uint64_t offset;		/* bytes into it, a multiple of 512 */
	uint64_t size;			/* bytes, a multiple of 512; 0: to the end of the device */
	int line;
};

struct vmcfg_vm {
	int line;			/* where its section (or the file) starts */
	char name[VMCFG_NAME_MAX];
	char console[VMCFG_NAME_MAX];	/* prefix of its console lines in the log ("" = name) */
	uint64_t memory;		/* bytes, a multiple of 4 KiB */
	unsigned vcpus;
	char image[VMCFG_IMAGE_MAX];	/* the boot module holding the guest (its file name) */
	uint64_t load, entry;		/* flat images: where it goes and where it starts */
	bool has_load, has_entry;
	uint32_t arg;			/* the guest's boot argument (ESI at entry) */
	bool has_arg;
	/* A Linux guest (vmm/linuxboot.c): bzImage and initramfs boot modules, command line. */
	char kernel[VMCFG_IMAGE_MAX], initrd[VMCFG_IMAGE_MAX];
	char cmdline[VMCFG_CMDLINE_MAX];
	/* Texts the guest's console must have printed (each in some line) for the VM to pass. */
	char expect[VMCFG_MAX_EXPECT][VMCFG_EXPECT_MAX];
	int nexpect;
	/* A fault test: the VM passes only if it is stopped with a reason containing this. */
	char expect_stop[VMCFG_EXPECT_MAX];
	uint32_t seed;			/* tag seed of the guest's disk writes (EDI at entry) */
	bool has_seed;
	struct vmcfg_nic nic[VMCFG_MAX_NICS];
	int nnic;
	struct vmcfg_disk disk[VMCFG_MAX_DISKS];
	int ndisk;
};

struct vmcfg_error {
	int line;			/* 0 when the error is about the whole file */
	char msg[VMCFG_ERR_MAX];	/* "FILE:LINE: what is wrong", one line */
};

/*
 * Parse the text (len bytes, need not be NUL-terminated) of the file fname into vms[0..max).
 * Returns the number of VMs (at least 1), or a negative error with err->msg naming the file,
 * the line and the problem (the first problem found; nothing of the file is to be used).
 */
int vmcfg_parse(const char *text, size_t len, const char *fname, struct vmcfg_vm *vms, int max,
		struct vmcfg_error *err);

/* A size: digits with an optional K, M or G suffix (powers of 1024), or 0x hex. 0 or -1. */
int vmcfg_parse_size(const char *s, size_t n, uint64_t *out);
/* "52:54:00:12:34:56" (either case): 0, or -1 when malformed. */
int vmcfg_parse_mac(const char *s, size_t n, uint8_t mac[6]);

#endif
