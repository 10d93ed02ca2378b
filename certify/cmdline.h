/* certify: the kernel command line and the boot module list of one configuration. */
#ifndef CERTIFY_CMDLINE_H
#define CERTIFY_CMDLINE_H

#include <stddef.h>

#include "attach.h"
#include "err.h"
#include "matrix.h"
#include "spec.h"

/*
 * The kernel command line into out: test= the plan's tests, its params expanded with the
 * seed, blk.seed=, blk.eio_lba=, blk.eio_wlba= and blk.eio_flush=1 (the errors inj injects;
 * NULL for none), verifier=1 (unless spec->no_verifier) and
 * pci.irq= (unless the configuration's irq is "none"), or for irq "poll" blk.wait=poll
 * (nic.poll=1 in a NIC plan). Returns 0, or -1 (err says why).
 */
int certify_cmdline_build(const struct certify_run_spec *spec, const struct certify_config *c,
			  const struct certify_inject *inj, char *out, size_t len, struct certify_err *err);

/* The boot modules, comma-separated for QEMU's -initrd, into out. Returns 0 or -1. */
int certify_initrd_build(const struct certify_run_spec *spec, char *out, size_t len,
			 struct certify_err *err);

#endif
