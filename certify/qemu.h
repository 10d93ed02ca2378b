/* certify: the one place a QEMU command line is built (see shared design rule). */
#ifndef CERTIFY_QEMU_H
#define CERTIFY_QEMU_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "gptimg.h"
#include "strv.h"

enum qemu_accel {
	QEMU_ACCEL_AUTO,	/* kvm when /dev/kvm opens read-write, else tcg */
	QEMU_ACCEL_TCG,
	QEMU_ACCEL_KVM,
};

enum qemu_firmware {
	QEMU_FW_SEABIOS,	/* QEMU's default BIOS: assigns PCI BARs; ~4 s to boot under KVM */
	QEMU_FW_QBOOT,		/* qboot.rom: ~0.1 s under KVM, but leaves PCI BARs unassigned */
	QEMU_FW_OVMF,		/* UEFI (Debian's ovmf package), for booting the ISO as UEFI */
};

/* A scratch raw disk image that the session creates (sparse) in its temp dir. */
struct qemu_disk {
	char name[32];		/* [A-Za-z0-9_-]+, referred to as ${disk:NAME} in extra args */
	uint64_t size;		/* bytes */
	struct gptimg_layout gpt;	/* a partition table written into it (gpt.nparts > 0) */
};

#define QEMU_MAX_DISKS 16

struct qemu_config {
	const char *binary;	/* NULL: $CERTIFY_QEMU or "qemu-system-x86_64" */
	const char *cdrom;	/* boot this ISO (GRUB loads the kernel) instead of -kernel */
	const char *machine;	/* "pc" or "q35" */
	enum qemu_accel accel;
	enum qemu_firmware firmware;
	int iommu;		/* 1: -device intel-iommu, before every other device */
	int smp;		/* 0: 1 */
	int mem_mib;		/* 0: 256 */
	const char *kernel;
	const char *initrd;	/* comma-separated boot modules, or NULL */
	const char *append;	/* kernel command line, or NULL */
	char *const *extra;	/* extra QEMU arguments, may hold ${disk:NAME} */
	size_t nextra;
	struct qemu_disk disks[QEMU_MAX_DISKS];
	size_t ndisks;
	double timeout_s;	/* wall-clock limit of the run; 0: 60 s */
};

/* Where the host listens; QEMU connects to these unix sockets (server=off). */
struct qemu_paths {
	const char *dir;	/* the private temp dir; disk images live here */
	const char *com1;	/* kernel log */
	const char *com2;	/* result channel, bidirectional */
	const char *qmp;	/* QMP monitor */
};

/* Returns 1 when /dev/kvm opens read-write, else 0 with the reason in why. */
int qemu_kvm_usable(char *why, size_t whylen);

/* The QEMU binary every boot runs: binary, else $CERTIFY_QEMU, else qemu-system-x86_64. */
const char *qemu_binary(const char *binary);

/* The first line of `qemu_binary(binary) --version` ("QEMU emulator version 7.2.19 (Debian
 * ...)"), what a certification binds. Returns 0, or -1 when QEMU does not run or says
 * nothing (err names the binary). */
int qemu_version(const char *binary, char *out, size_t outlen, struct certify_err *err);

/* Resolves QEMU_ACCEL_AUTO to KVM or TCG. KVM asked for but unusable gives -1 and the reason. */
int qemu_accel_resolve(enum qemu_accel want, enum qemu_accel *got, struct certify_err *err);

/* Parses "auto", "tcg" or "kvm". Returns 0 or -1. */
int qemu_accel_parse(const char *s, enum qemu_accel *out);
const char *qemu_accel_name(enum qemu_accel a);

/* Parses "seabios" or "qboot". Returns 0 or -1. */
int qemu_firmware_parse(const char *s, enum qemu_firmware *out);

/* Checks the machine name ("pc" or "q35"). Returns 0 or -1 with a message. */
int qemu_machine_check(const char *machine, struct certify_err *err);

/*
 * Parses "NAME:SIZE[:gpt=SIZE,...][:damage=primary|entries|both]" (sizes in bytes with
 * optional K, M or G) into disk: gpt= lays out a GUID Partition Table (certify/gptimg.h).
 * Returns 0 or -1.
 */
int qemu_disk_parse(const char *spec, struct qemu_disk *disk, struct certify_err *err);

/* Writes the path of the image of disk `name` into out. Returns 0, or -1 when undeclared. */
int qemu_disk_path(const struct qemu_config *cfg, const struct qemu_paths *paths,
		   const char *name, char *out, size_t outlen, struct certify_err *err);

/*
 * Builds the full argv (argv[0] is the binary) for cfg with accelerator `accel`
 * (already resolved, not AUTO). Expands ${disk:NAME} in the extra arguments.
 * Returns 0, or -1 with a message.
 */
int qemu_build_argv(const struct qemu_config *cfg, enum qemu_accel accel,
		    const struct qemu_paths *paths, struct certify_strv *out,
		    struct certify_err *err);

#endif
