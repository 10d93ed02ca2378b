/*
 * VMs from configuration files (vmm/vmboot.c): the *.vm boot modules of this boot are
 * created and run together under the scheduler. Passes when every VM that was not refused
 * exits with code 0 and exactly vmm.refused=N (default 0) files or VMs were refused: a
 * test that boots a bad configuration beside good ones proves the others still run.
 * vmm.host_verify=1 then stops at sync point blkverify while the host checks, in the image
 * file, every block the guests reported written. Manual: it needs *.vm boot modules.
 */
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <vmm/vm.h>
#include <vmm/vmboot.h>

KTEST_MANUAL(vmm, config)
{
	const char *why;
	struct vmboot_opts o = {
		.timeout_us = ktest_param_u64(t, "timeout", 60) * 1000000,
		.drop_write = ktest_param_u64(t, "debug_drop_write", 0),
	};
	struct vmboot_result r;
	const uint64_t want_refused = ktest_param_u64(t, "refused", 0);

	if (!vcpu_hw_available(&why)) {
		ktest_msg(t, "%s", why);
		return KTEST_SKIP;
	}
	vmboot_run(&o, &r);
	ktest_metric(t, "vms_started", (uint64_t)r.started, "count");
	ktest_metric(t, "vms_refused", (uint64_t)r.refused, "count");
	ktest_metric(t, "vms_ok", (uint64_t)r.ok, "count");
	if (ktest_param_u64(t, "host_verify", 0) && hvr_sync("blkverify") < 0) {
		ktest_msg(t, "the host did not answer the blkverify sync point");
		return KTEST_ERROR;
	}
	KT_CHECK(t, r.started > 0, "no VM started (%d configured, %d refused)", r.configured, r.refused);
	KT_CHECK(t, (uint64_t)r.refused == want_refused, "%d configurations or VMs refused, expected %llu",
		 r.refused, (unsigned long long)want_refused);
	KT_CHECK(t, r.failed == 0, "%d of %d VMs did not exit with code 0 (see the vm records)", r.failed,
		 r.started);
	return KTEST_PASS;
}
