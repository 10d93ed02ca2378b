/*
 * The NIC ceiling probes (ceil_nic.h): pick the first two functions of a model that has a
 * probe, run it, check the counts exactly and report the rate under the metric names the
 * driver tests use (nic.rate rx_pps, nic.txonly tx_pps), so the bench script can put the
 * two side by side. They are manual tests: `make bench` names them, make check runs them
 * with few frames (tests/kernel/tests.cfg) so a broken probe cannot hide.
 */
#include <kern/ktest.h>
#include <kern/pci.h>

#include "ceil_nic.h"

static const struct ceil_nic_model *const ceil_nic_models[] = {
	&ceil_vnet_model,
	&ceil_e1000_model,
};

/* The first function of a model with a probe and no driver bound, and the next of the
 * same model (NULL when there is none). */
static const struct ceil_nic_model *ceil_nic_pick(struct pci_dev **a, struct pci_dev **b)
{
	for (struct pci_dev *d = pci_first(); d; d = d->next) {
		for (unsigned m = 0; m < sizeof(ceil_nic_models) / sizeof(ceil_nic_models[0]); m++) {
			const struct ceil_nic_model *mo = ceil_nic_models[m];
			if (d->vendor != mo->vendor || d->device != mo->device || d->driver)
				continue;
			*a = d;
			*b = 0;
			for (struct pci_dev *e = d->next; e; e = e->next)
				if (e->vendor == mo->vendor && e->device == mo->device && !e->driver) {
					*b = e;
					break;
				}
			return mo;
		}
	}
	return 0;
}

static enum ktest_status ceil_nic(struct ktest_ctx *t, bool loop)
{
	struct pci_dev *a, *b;
	const struct ceil_nic_model *mo = ceil_nic_pick(&a, &b);
	const uint64_t n = ktest_param_u64(t, "frames", 20000);
	struct ceil_nic_result r = { 0, 0, 0, 0 };

	if (!mo) {
		ktest_msg(t, "no NIC function with a ceiling probe and no driver bound");
		return KTEST_ERROR;
	}
	if (loop && !b) {
		ktest_msg(t, "%s: the loop needs two functions of the model on one hub", mo->name);
		return KTEST_ERROR;
	}
	if (mo->run(t, a, loop ? b : 0, n, &r) < 0)
		return KTEST_FAIL;
	ktest_metric(t, loop ? "rx_pps" : "tx_pps",
		     r.us ? (loop ? r.received : r.sent) * 1000000 / r.us : 0, "pps");
	KT_CHECK(t, r.sent == n && r.received == (loop ? n : 0) && r.bad == 0,
		 "%s: %llu frames: %llu sent, %llu received, %llu bad", mo->name,
		 (unsigned long long)n, (unsigned long long)r.sent,
		 (unsigned long long)r.received, (unsigned long long)r.bad);
	return KTEST_PASS;
}

/* A to B through the hub, both rings kept full: the model's frame rate end to end. */
KTEST_MANUAL(ceil, nic_loop)
{
	return ceil_nic(t, true);
}

/* A alone (B stays reset, so the frames die in QEMU): the model's transmit rate. */
KTEST_MANUAL(ceil, nic_txonly)
{
	return ceil_nic(t, false);
}
