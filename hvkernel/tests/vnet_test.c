/*
 * Two guests talk through the virtual switch: the guest test OS in one VM sends frames of
 * many sizes to the broadcast address, the other echoes each back to the sender, whose
 * MAC the switch has learned; both verify what they get.
 */
#include <kern/ktest.h>
#include <kern/string.h>
#include <vmm/sched.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>

extern const char guest_os_start[], guest_os_end[];

#define VNET_BASE	0xfeb01000u

static struct vm *vnett_vm(const char *name, uint32_t arg, uint8_t last)
{
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, last };
	struct vm *vm = vm_create(name, 1 << 20, guest_os_start, (uint64_t)(guest_os_end - guest_os_start),
				  0x1000, 0x1000, arg);

	if (vm && vio_net_attach(vm, VNET_BASE, mac) < 0) {
		vm_destroy(vm);
		vm = 0;
	}
	return vm;
}

KTEST(vmm, vnet)
{
	const uint32_t n = (uint32_t)ktest_param_u64(t, "frames", 200);
	const char *why;

	if (!vcpu_hw_available(&why)) {
		ktest_msg(t, "%s", why);
		return KTEST_SKIP;
	}
	/* The echo side runs first so its receive buffers are posted before frames arrive. */
	struct vm *vms[2] = { vnett_vm("vm-echo", (n << 8) | 1, 0x01), vnett_vm("vm-ping", (n << 8) | 2, 0x02) };
	enum ktest_status st = KTEST_PASS;
	if (!vms[0] || !vms[1]) {
		ktest_msg(t, "cannot create the VMs");
		st = KTEST_ERROR;
		goto out;
	}
	int left = sched_run(vms, 2, 2000, 60000000);
	ktest_metric(t, "echo_exit", (uint64_t)vms[0]->exit_code, "code");
	ktest_metric(t, "ping_exit", (uint64_t)vms[1]->exit_code, "code");
	if (left || vms[0]->state != VM_EXITED || vms[1]->state != VM_EXITED ||
	    vms[0]->exit_code || vms[1]->exit_code) {
		ktest_msg(t, "echo: state %d code %d (%s); ping: state %d code %d (%s)", vms[0]->state,
			  vms[0]->exit_code, vms[0]->stop_reason, vms[1]->state, vms[1]->exit_code,
			  vms[1]->stop_reason);
		st = KTEST_FAIL;
	}
	uint64_t us = vms[0]->cpu_us + vms[1]->cpu_us;
	ktest_metric(t, "round_trips_per_s", us ? (uint64_t)n * 1000000 / us : 0, "rt/s");
out:
	vm_destroy(vms[0]);
	vm_destroy(vms[1]);
	return st;
}
