/*
 * certify: putting devices on QEMU's command line. Each model's recipe (models.h) is
 * carried out here, and here only the ids that tie QEMU's parts together are made: netdev
 * ids (the link-flap fault names one), drive ids (the image check reads one), controller ids.
 */
#ifndef CERTIFY_ATTACH_H
#define CERTIFY_ATTACH_H

#include <stddef.h>
#include <stdint.h>

#include "qemu.h"
#include "spec.h"
#include "strv.h"

/* Topology vm: the netdev of the NIC under test, whose other end is the host peer. */
#define CERTIFY_NETDEV_PEER	"hp"
/* Topology vm: the -device id of the NIC wired to the host peer. */
#define CERTIFY_NIC_PEER	"nhp"

/* The ports of one NIC of a nic-pair topology, on its own hub. */
enum certify_port {
	CERTIFY_PORT_A,		/* the NIC that sends (nic.* tests' A; link-flap takes it down) */
	CERTIFY_PORT_B,		/* the NIC that receives */
	CERTIFY_PORT_SPARE,	/* the third port: certify's wire tap (wire.h) on device 0 */
	CERTIFY_PORT_WIRE,	/* the wire tap's socket netdev, joined to the hub by SPARE */
};

/* The netdev id (also the NIC's device id) of port of device dev: "n<dev><a|b|z|w>". */
void certify_netdev_id(char *out, size_t len, size_t dev, enum certify_port port);

/* The MAC certify gives port of device dev: 52:54:00:12:<dev>:<port + 1>. */
void certify_nic_mac(char *out, size_t len, size_t dev, enum certify_port port);

/* Every NIC of spec's topology that gets an explicit MAC, as its -device id and that MAC:
 * fn is called once per NIC (the host check nic.mac compares them with the kernel's). */
void certify_attach_each_nic(const struct certify_run_spec *spec,
			     void (*fn)(const char *id, const char *mac, void *ctx), void *ctx);

/* The drive id of device dev's scratch disk: "d<dev>". */
void certify_drive_id(char *out, size_t len, size_t dev);

/* What a recipe fills in; NULL/"" where a recipe does not use it. */
/* The firmware revision certify gives the disk behind an AHCI or SCSI controller at place
 * index (4 characters: all a SCSI INQUIRY revision holds, for index < 10). */
#define CERTIFY_DISK_FW_FMT	"HVF%zu"

struct certify_attach {
	size_t index;		/* the device's place: controller ids are ctrl + index */
	const char *props;	/* "" or ",prop=value..." for the model's -device */
	const char *drive;	/* storage: the -drive id of its disk */
	const char *serial;	/* NVMe: the serial number */
	const char *netdev;	/* NICs: the -netdev id, or NULL for none */
	const char *id;		/* NICs: the -device id, or NULL */
	const char *mac;	/* NICs: the MAC, or NULL for QEMU's */
};

/* Appends model m's -device arguments (and its disk's, for AHCI and SCSI) by its recipe.
 * Returns 0, or -1 when out of memory. */
int certify_attach_device(const struct certify_model *m, const struct certify_attach *at,
			  struct certify_strv *args);

/* The errors QEMU's blkdebug injects into the first disk (plan keys eio_lba, eio_wlba,
 * eio_flush): the 512-byte sector every read covering it fails at, the one every write
 * covering it fails at ("" for none), and whether the first flush fails (once). */
struct certify_inject {
	char rlba[32], wlba[32];
	int flush;
};

/*
 * Declares a scratch disk of bytes named id in q->disks and appends its -drive, raw; with
 * errors to inject (inj not NULL and not empty), through blkdebug with one inject-error
 * rule per error, each failing with EIO. Returns 0, or -1 when out of memory or disk slots.
 */
int certify_attach_drive(struct qemu_config *q, const char *id, uint64_t bytes,
			 const struct certify_inject *inj, struct certify_strv *args);

/* Appends every device of spec in the plan's topology (inj: the first disk's injected
 * errors, or NULL). Returns 0, or -1 when out of memory or disk slots. */
int certify_attach_topology(const struct certify_run_spec *spec, const struct certify_inject *inj,
			    struct qemu_config *q, struct certify_strv *args);

/* The drive id of the disk the kernel calls vmhba0 in spec's topology. */
void certify_attach_first_disk(const struct certify_run_spec *spec, char *out, size_t len);

#endif
