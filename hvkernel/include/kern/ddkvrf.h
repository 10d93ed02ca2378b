/*
 * The driver verifier's device-access and DMA checks (hvkernel/ddk/ddk_vrf.c): the
 * verifier=1 switch as they read it, and where their violations go (the verifier's
 * vf_report, kern/verifier.h), with a way for kernel tests to provoke some on purpose.
 */
#ifndef KERN_DDKVRF_H
#define KERN_DDKVRF_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev;

/* True when the kernel command line has verifier=1 (vf_on). */
bool ddkvrf_on(void);
/*
 * Report one violation through vf_report. d is the device whose driver broke the rule
 * (NULL when none is known), site the return address inside the driver (NULL when there
 * is none), addr the offending offset or bus address and size the bytes involved.
 */
void ddkvrf_violation(const char *kind, const struct pci_dev *d, const void *site,
		      uint64_t addr, uint64_t size, const char *msg);
/* Violations so far (vf_violations; expected ones not counted). */
uint64_t ddkvrf_count(void);
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
