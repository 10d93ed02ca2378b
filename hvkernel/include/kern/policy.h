/*
 * The hardware policy: hvkernel boots only on approved hardware. The compiled
 * compatibility list (hcl.bin, from `hcl compile`) arrives as a boot module, and
 * "hcl.policy=strict|warn|off" says what to do with it (default: warn when a list is
 * present). strict binds only certified (device, driver, driver version) for this release
 * and stops with HV_EXIT_POLICY when no certified NIC or no certified storage controller is
 * left; warn binds everything and logs the verdicts; off ignores the list.
 */
#ifndef KERN_POLICY_H
#define KERN_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* Is this boot module an hcl.bin (the module loader leaves those alone)? */
bool policy_is_list(const void *image, uint64_t size);
/* Find and check the list, decide every PCI function's verdict and, in strict mode, which
 * driver may bind it. Call after the modules are loaded and before drivers are bound. */
void policy_apply(void);
struct pci_dev;
struct pci_driver;
/* May drv bind d? 0 when strict policy refuses it because the list names another build
 * (module sha256) for d: logged once per device and module, naming both. 1 otherwise. */
int policy_build_allowed(struct pci_dev *d, const struct pci_driver *drv);
/* After binding: log and report the verdicts; in strict mode stop the boot (never returns)
 * when the server is not bootable. */
void policy_enforce(void);

#endif
