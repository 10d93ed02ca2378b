/*
 * The driver verifier's device-access and DMA checks (hvkernel/ddk/ddk_vrf.c): the
 * `verifier=1` switch as the DDK reads it, and the one place a violation is reported.
 */
#ifndef KERN_DDKVRF_H
#define KERN_DDKVRF_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev;

/* Violations reported as records; later ones are only counted (a defect on a hot path
 * would otherwise flood the result channel). */
#define DDKVRF_MAX_RECORDS	16

/* True when the kernel command line has verifier=1 (read once). */
bool ddkvrf_on(void);
/*
 * Report one violation: a COM1 log line and a `violation` record (kind, module, dev, site,
 * addr, msg). d is the device whose driver broke the rule (NULL when none is known), site
 * the return address inside the driver (NULL when there is none), addr the offending
 * offset or bus address.
 */
void ddkvrf_violation(const char *kind, const struct pci_dev *d, const void *site,
		      uint64_t addr, const char *msg);
/* Violations so far, and the kind of the last one ("" before the first). */
uint64_t ddkvrf_count(void);
const char *ddkvrf_last_kind(void);
/* What the last violation (expected or not) was. */
struct ddkvrf_info {
	char kind[24];
	const struct pci_dev *dev;
	const void *site;
	uint64_t addr;
};
void ddkvrf_last(struct ddkvrf_info *out);
/* For kernel tests that provoke violations on purpose: the next n violations are expected,
 * logged on COM1 and counted by ddkvrf_expected_seen(), but neither recorded on the result
 * channel nor counted by ddkvrf_count(). ddkvrf_expect(0) ends it. */
void ddkvrf_expect(unsigned n);
uint64_t ddkvrf_expected_seen(void);
/* "e1000.hvm+0x1a2b" for an address inside a loaded module, else the kernel symbol. */
void ddkvrf_site_name(const void *site, char *buf, unsigned n);

#endif
