/*
 * certify: the QEMU device models certify knows, in one table: the PCI identity each
 * presents, its kind, the interrupt modes it offers, and its attach recipe (how attach.c
 * puts it on QEMU's command line).
 */
#ifndef CERTIFY_MODELS_H
#define CERTIFY_MODELS_H

#include <stdint.h>

enum certify_kind { CERTIFY_KIND_NIC, CERTIFY_KIND_STORAGE, CERTIFY_KIND_OTHER };

/* Interrupt modes a device offers (its PCI capabilities). */
#define CERTIFY_IRQ_MSIX	1u
#define CERTIFY_IRQ_MSI		2u
#define CERTIFY_IRQ_INTX	4u

/* How a model goes on QEMU's command line (attach.c). */
enum certify_attach_recipe {
	CERTIFY_ATTACH_NETDEV,	/* a NIC: -device MODEL[,netdev=N,id=N][,mac=M],romfile= */
	CERTIFY_ATTACH_DRIVE,	/* a disk controller that is its disk: -device MODEL,drive=D */
	CERTIFY_ATTACH_NVME,	/* -device nvme,serial=S,drive=D */
	CERTIFY_ATTACH_AHCI,	/* the controller, and the disk as -device ide-hd on its port 0 */
	CERTIFY_ATTACH_SCSI,	/* an HBA, and the disk as -device scsi-hd at target 0 */
	CERTIFY_ATTACH_PLAIN,	/* -device MODEL */
	CERTIFY_ATTACH_VFIO,	/* a host function: -device vfio-pci,host=ADDR,id=hostN (vfio.h) */
};

/* One QEMU device model and the PCI identity it presents. */
struct certify_model {
	const char *model;	/* QEMU -device name */
	uint16_t vid, did;
	uint32_t class;		/* base, sub, prog-if */
	enum certify_kind kind;
	unsigned irqs;		/* CERTIFY_IRQ_* */
	const char *vendor;	/* vendor name */
	const char *name;	/* marketing name of the emulated part */
	enum certify_attach_recipe attach;
	const char *ctrl;	/* AHCI and SCSI: the controller id's prefix (id = ctrl + index) */
	/* 1 when QEMU's model flushes its disk without counting the flush in query-blockstats
	 * (QEMU 7.2's nvme calls blk_aio_flush with no block_acct_start): the host cannot
	 * count that model's flushes there (blkstats.h) */
	int flushes_uncounted;
	/* 1 when QEMU's model counts a failed request as a done one in query-blockstats (QEMU
	 * 7.2's ich9-ahci: ncq_finish calls block_acct_done whatever the command's status, and
	 * the error path never block_acct_failed): such a failure is then compared as a done
	 * operation with its bytes (blkstats.h) */
	int failed_counted_done;
};

/* The table of known models, ending with a NULL model. */
const struct certify_model *certify_models(void);

/* The model named `model`, or NULL. */
const struct certify_model *certify_model_find(const char *model);

/* The CERTIFY_IRQ_* bit of "msix", "msi" or "intx"; 0 for anything else ("none", and
 * "poll": completion by the driver's poll function, which every device may be driven by). */
unsigned certify_irq_bit(const char *mode);

/* "nic", "storage", "other". */
const char *certify_kind_name(enum certify_kind k);

#endif
