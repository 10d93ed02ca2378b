/*
 * VMs from configuration files (vmm/vmboot.c, docs/vm-config.md): boot modules whose name
 * ends in ".vm" are read at boot (lib/vmcfg.c); `vm.start=1` or the manual test vmm.config
 * creates those VMs from their guest images (other boot modules), attaches their disks and
 * NICs and runs them under the scheduler. A bad configuration is refused with one log line
 * and a `vm` result record; the other VMs still start.
 */
#ifndef VMM_VMBOOT_H
#define VMM_VMBOOT_H

#include <stdbool.h>
#include <stdint.h>

struct boot_module;

struct vmboot_opts {
	uint64_t timeout_us;		/* the longest the VMs run (vm.timeout=S) */
	uint64_t drop_write;		/* test hook: the N-th write of each logged disk is lost */
	int uplink;			/* vm.uplink=1: the first NIC is vswitch0's uplink, and the
					 * VMs may pace the host peer (VM_HC_PEER_SYNC) */
};

struct vmboot_result {
	int configured;			/* VMs read from the files */
	int refused;			/* files and VMs refused (bad file, bad VM, cannot create) */
	int started;
	int ok;				/* exited with code 0 */
	int failed;			/* exited otherwise, stopped, or still running at the timeout */
};

/* Read every *.vm boot module (after mem_init, before module_load_all). */
void vmboot_load(void);
/* Is this boot module a VM configuration or a guest image a configuration names? (The
 * driver-module loader leaves those alone.) */
bool vmboot_owns_module(const struct boot_module *bm);
/* VMs read from configuration files (refused ones not counted). */
int vmboot_count(void);
/*
 * Create, run and destroy the configured VMs once. Each VM gets a `vm` record; the writes
 * of each disk of a VM with a seed are reported as `blkwrite` records (window offset in
 * `base`), for the host to check in the image.
 */
void vmboot_run(const struct vmboot_opts *o, struct vmboot_result *r);
/* vm.start=1: run them and return the exit code (an `end` record is sent). */
int vmboot_main(void);

#endif
