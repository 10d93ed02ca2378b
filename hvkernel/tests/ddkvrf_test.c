/*
 * No verifier violation since boot: the drivers' probes (before any test ran) and every
 * earlier test kept to the device-access and DMA rules. Each test already fails on a
 * violation during it; this one catches those from probe and from between tests.
 */
#include <kern/ddkvrf.h>
#include <kern/iommu.h>
#include <kern/ktest.h>
#include <kern/verifier.h>

KTEST(ddk, clean)
{
	if (!ddkvrf_on() && !iommu_on()) {
		ktest_msg(t, "needs verifier=1 or the IOMMU");
		return KTEST_ERROR;
	}
	iommu_fault_poll();
	KT_CHECK(t, ddkvrf_count() == 0, "%llu verifier violations since boot (the first: %s)",
		 (unsigned long long)ddkvrf_count(), vf_first_kind_since(0));
	ktest_metric(t, "iommu_faults", iommu_fault_count(), "count");
	return KTEST_PASS;
}
