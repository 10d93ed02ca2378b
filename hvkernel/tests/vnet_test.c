/*
 * Two guests talk through the virtual switch: the guest test OS in one VM sends frames of
 * many sizes to the broadcast address, the other echoes each back to the sender, whose
 * MAC the switch has learned; both verify what they get.
 */
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/netdev.h>
#include <kern/time.h>
#include <kern/vswitch.h>
#include <kern/string.h>
#include <vmm/sched.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>
#include "../../tests/guest/gtest.h"

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
	struct vm *vms[2] = { vnett_vm("vm-echo", (n << 8) | GTEST_ECHO, 0x01), vnett_vm("vm-ping", (n << 8) | GTEST_PING, 0x02) };
	enum ktest_status st = KTEST_PASS;
	if (!vms[0] || !vms[1]) {
		ktest_msg(t, "cannot create the VMs");
		st = KTEST_ERROR;
		goto out;
	}
	int left = sched_run(vms, 2, SCHED_SLICE_US, 60000000);
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

/*
 * The same echo with the echo guest sleeping in HLT until its NIC interrupts (edge-
 * triggered I/O APIC input): the interrupt is raised from the other VM's exit, through the
 * switch, and wakes the halted vCPU for the scheduler.
 */
KTEST(vmm, vnetirq)
{
	const uint32_t n = (uint32_t)ktest_param_u64(t, "frames", 200);
	const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x01 };
	const char *why;

	if (!vcpu_hw_available(&why)) {
		ktest_msg(t, "%s", why);
		return KTEST_SKIP;
	}
	struct vm *vms[2] = {
		vm_create("vm-echoirq", 1 << 20, guest_os_start, (uint64_t)(guest_os_end - guest_os_start),
			  0x1000, 0x1000, (n << 8) | GTEST_ECHO_IRQ),
		vnett_vm("vm-ping", (n << 8) | GTEST_PING, 0x02),
	};
	enum ktest_status st = KTEST_PASS;
	if (!vms[0] || !vms[1] || virq_attach(vms[0]) < 0 || vio_net_attach(vms[0], VNET_BASE, mac) < 0) {
		ktest_msg(t, "cannot create the VMs");
		st = KTEST_ERROR;
		goto out;
	}
	int left = sched_run(vms, 2, SCHED_SLICE_US, 60000000);
	uint32_t irqs = vms[0]->report[0];
	ktest_metric(t, "echo_irqs", irqs, "count");
	ktest_metric(t, "echo_halts", vms[0]->irq.halts, "count");
	ktest_metric(t, "echo_injected", vms[0]->irq.injected, "count");
	if (left || vms[0]->state != VM_EXITED || vms[1]->state != VM_EXITED ||
	    vms[0]->exit_code || vms[1]->exit_code) {
		ktest_msg(t, "echo: state %d code %d (%s); ping: state %d code %d (%s)", vms[0]->state,
			  vms[0]->exit_code, vms[0]->stop_reason, vms[1]->state, vms[1]->exit_code,
			  vms[1]->stop_reason);
		st = KTEST_FAIL;
	} else if (irqs != vms[0]->irq.injected || vms[0]->irq.halts == 0 || irqs == 0) {
		ktest_msg(t, "echo: %u interrupts handled, %llu injected, %llu halts", irqs,
			  (unsigned long long)vms[0]->irq.injected, (unsigned long long)vms[0]->irq.halts);
		st = KTEST_FAIL;
	}
out:
	vm_destroy(vms[0]);
	vm_destroy(vms[1]);
	return st;
}

static uint64_t vnett_port_count(const char *name, int sent_by_vm)
{
	struct vsw_port *p = vsw_find_port(name);

	return p ? (sent_by_vm ? p->rx_frames : p->tx_frames) : 0;
}

/*
 * A guest to a physical NIC to the host and back: the first registered netdev (a real NIC
 * driven by its module, wired to the runner's UDP peer) becomes the virtual switch's uplink,
 * and the guest test OS sends one frame of every size through it, which the host checks,
 * then receives and checks the host's frames. Manual: it needs the host peer (peer = ID).
 */
KTEST_MANUAL(vmm, uplink)
{
	const char *why;
	struct hv_netdev *nd = netdev_first();
	const uint64_t n = 1455;

	if (!vcpu_hw_available(&why)) {
		ktest_msg(t, "%s", why);
		return KTEST_SKIP;
	}
	KT_CHECK(t, nd, "no NIC registered for the uplink");
	struct vsw_port *up = vsw_add_uplink(nd);
	KT_CHECK(t, up, "%s cannot be an uplink", nd->name);
	enum ktest_status st = KTEST_PASS;
	struct vm *vm = vnett_vm("vm-uplink", GTEST_UPLINK, 0x10);
	volatile int never = 0;
	if (!vm) {
		ktest_msg(t, "cannot create the VM");
		st = KTEST_ERROR;
		goto out;
	}
	if (hvr_sync("peer-tx") < 0)
		goto no_host;
	/* Run the guest until it has sent everything into the switch (it yields then). */
	uint64_t t0 = time_us();
	while (vm->state <= VM_RUNNING && vnett_port_count(vm->name, 1) < n && time_us() - t0 < 30000000)
		vm_run_until(vm, &never);
	ktest_metric(t, "vm_to_host_frames", vnett_port_count(vm->name, 1), "frames");
	if (hvr_sync("peer-tx-done") < 0)
		goto no_host;
	/* Probe until the NIC passes frames from the host (QEMU's e1000 holds RX for ~1 s). */
	uint64_t t1 = time_us();
	while (vnett_port_count(vm->name, 0) == 0 && time_us() - t1 < 5000000) {
		if (hvr_sync("peer-probe") < 0)
			goto no_host;
		uint64_t t2 = time_us();
		while (vnett_port_count(vm->name, 0) == 0 && time_us() - t2 < 20000)
			;
	}
	/* Probes sent while the NIC held RX back may still trickle in: let the guest eat them
	 * until 50 ms pass without one. */
	uint64_t last = vnett_port_count(vm->name, 0);
	for (uint64_t quiet = time_us(); time_us() - quiet < 50000; ) {
		vm_run_until(vm, &never);
		if (vnett_port_count(vm->name, 0) != last) {
			last = vnett_port_count(vm->name, 0);
			quiet = time_us();
		}
	}
	/* Then the host's frames, eight at a time (the guest posts eight receive buffers): the
	 * next batch is asked for only when the last one reached the guest. */
	uint64_t base = vnett_port_count(vm->name, 0), t3 = time_us();
	for (uint64_t asked = 0; vm->state <= VM_RUNNING && asked < n && time_us() - t3 < 60000000; ) {
		if (hvr_sync("peer-rx-8") < 0)
			goto no_host;
		asked = asked + 8 < n ? asked + 8 : n;
		uint64_t t4 = time_us();
		while (vm->state <= VM_RUNNING && vnett_port_count(vm->name, 0) < base + asked &&
		       time_us() - t4 < 1000000)
			vm_run_until(vm, &never);
		vm_run_until(vm, &never);	/* let the guest take the batch before the next */
	}
	for (uint64_t t5 = time_us(); vm->state <= VM_RUNNING && time_us() - t5 < 5000000; )
		vm_run_until(vm, &never);
	ktest_metric(t, "host_to_vm_frames", vnett_port_count(vm->name, 0), "frames");
	if (vm->state != VM_EXITED || vm->exit_code != 0) {
		ktest_msg(t, "guest ended in state %d with code %d (%s; console: %s)", vm->state,
			  vm->exit_code, vm->stop_reason, vm->last_line);
		st = KTEST_FAIL;
	}
	goto out;
no_host:
	ktest_msg(t, "the host did not answer a peer sync point");
	st = KTEST_ERROR;
out:
	vm_destroy(vm);
	vsw_remove_port(up);
	netdev_stop(nd);
	return st;
}
