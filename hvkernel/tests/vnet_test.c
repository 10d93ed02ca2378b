/*
 * Two guests talk through the virtual switch: the guest test OS in one VM sends frames of
 * many sizes to the broadcast address, the other echoes each back to the sender, whose
 * MAC the switch has learned; both verify what they get.
 */
#include <hv/errno.h>
#include <kern/hvr.h>
#include <kern/ktest.h>
#include <kern/netdev.h>
#include <kern/time.h>
#include <kern/vswitch.h>
#include <kern/string.h>
#include <lib/nicframe.h>
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

/* The median of n values (sorted in place). */
static uint64_t vnetb_median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define VNETB_MAX_ROUNDS	9
#define VNETB_WAIT_US		2000000

/* The uplink driver's transmit count (get_stats), or 0 without one (checked before). */
static uint64_t vnetb_tx(struct hv_netdev *nd)
{
	struct hv_netdev_stats s;

	nd->ops->get_stats(nd, &s);
	return s.tx_packets;
}

/*
 * A guest's frames through the virtual switch to a physical NIC against the same NIC's
 * driver used directly: vmm.bench_frames (default 20000) 60-byte broadcast frames. Each of
 * vmm.bench_rounds rounds (default 3) sends them directly (netdev_xmit, retried while the
 * ring is full, timed until the driver counted them all transmitted), then boots the guest
 * test OS, which sends them through its virtio-mmio NIC into the switch and out of the
 * uplink, one notification per frame, timed from the guest's yield after its setup to its
 * exit. guest_share is the median of the rounds' direct/guest ratios. The host checks the
 * switch port took exactly that many frames from the guest, dropped none, and the driver
 * counted exactly that many transmitted. Manual: a benchmark (make bench runs it).
 */
KTEST_MANUAL(vmm, vnetbench)
{
	const uint64_t n = ktest_param_u64(t, "bench_frames", 20000);
	const uint64_t rounds = ktest_param_u64(t, "bench_rounds", 3);
	struct hv_netdev *nd = netdev_first();
	uint64_t direct[VNETB_MAX_ROUNDS], guest[VNETB_MAX_ROUNDS], share[VNETB_MAX_ROUNDS];
	uint8_t f[NICFRAME_MIN];
	struct nicframe_ends e;
	volatile int never = 0;
	uint64_t exits = 0;
	const char *why;

	if (!vcpu_hw_available(&why)) {
		ktest_msg(t, "%s", why);
		return KTEST_SKIP;
	}
	KT_CHECK(t, nd && nd->ops->get_stats, "no NIC with counters registered for the uplink");
	KT_CHECK(t, rounds >= 1 && rounds <= VNETB_MAX_ROUNDS && n >= 1 && n < (1u << 24),
		 "vmm.bench_rounds must be 1..%d, vmm.bench_frames 1..%u", VNETB_MAX_ROUNDS, (1u << 24) - 1);
	struct vsw_port *up = vsw_add_uplink(nd);
	KT_CHECK(t, up, "%s cannot be an uplink", nd->name);
	memset(&e, 0, sizeof(e));
	memset(e.dst, 0xff, 6);
	memcpy(e.src, nd->mac, 6);
	nicframe_build(f, &e, 0, NICFRAME_MIN);
	enum ktest_status st = KTEST_PASS;
	for (uint64_t r = 0; r < rounds && st == KTEST_PASS; r++) {
		uint64_t tx0 = vnetb_tx(nd), t0 = time_us(), sent = 0;
		for (; sent < n; sent++) {
			int ret;
			uint64_t w0 = time_us();
			while ((ret = netdev_xmit(nd, f, NICFRAME_MIN)) == -HV_EAGAIN && time_us() - w0 < VNETB_WAIT_US)
				if (nd->ops->poll)
					nd->ops->poll(nd, 64);
			if (ret < 0)
				break;
		}
		while (vnetb_tx(nd) - tx0 < sent && time_us() - t0 < 60000000)
			;
		direct[r] = time_us() - t0;
		if (sent != n || vnetb_tx(nd) - tx0 != n) {
			ktest_msg(t, "direct: %s took %llu of %llu frames and counted %llu", nd->name,
				  (unsigned long long)sent, (unsigned long long)n,
				  (unsigned long long)(vnetb_tx(nd) - tx0));
			st = KTEST_FAIL;
			break;
		}
		struct vm *vm = vnett_vm("vm-blast", (uint32_t)(n << 8) | GTEST_NET_BLAST, 0x20);
		if (!vm) {
			ktest_msg(t, "cannot create the VM");
			st = KTEST_ERROR;
			break;
		}
		vm_run_until(vm, &never);	/* to the guest's yield, after its setup */
		struct vsw_port *p = vsw_find_port(vm->name);
		uint64_t rx0 = p ? p->rx_frames : 0, drop0 = p ? p->dropped : 0, upd0 = up->dropped;
		tx0 = vnetb_tx(nd);
		t0 = time_us();
		while (vm->state <= VM_RUNNING && time_us() - t0 < 60000000)
			vm_run_until(vm, &never);
		guest[r] = time_us() - t0;
		uint64_t took = p ? p->rx_frames - rx0 : 0, tx = vnetb_tx(nd) - tx0;
		if (vm->state != VM_EXITED || vm->exit_code != 0 || !p || took != n || p->dropped != drop0 ||
		    up->dropped != upd0 || tx != n) {
			ktest_msg(t, "guest: state %d code %d (%s); the switch took %llu of %llu frames from it, "
				  "the uplink dropped %llu, %s counted %llu transmitted", vm->state, vm->exit_code,
				  vm->stop_reason, (unsigned long long)took, (unsigned long long)n,
				  (unsigned long long)(up->dropped - upd0), nd->name, (unsigned long long)tx);
			st = KTEST_FAIL;
		}
		share[r] = guest[r] ? direct[r] * 100 / guest[r] : 0;
		exits += vm->mmio_accesses;
		vm_log_exits(vm);	/* exits per reason: what a guest's frame costs */
		vm_destroy(vm);
	}
	vsw_remove_port(up);
	netdev_stop(nd);
	if (st != KTEST_PASS)
		return st;
	uint64_t d = vnetb_median(direct, (int)rounds), g = vnetb_median(guest, (int)rounds);
	ktest_metric(t, "direct_pps", d ? n * 1000000 / d : 0, "pps");
	ktest_metric(t, "guest_pps", g ? n * 1000000 / g : 0, "pps");
	ktest_metric(t, "guest_share", vnetb_median(share, (int)rounds), "percent");
	ktest_metric(t, "mmio_exits", exits / rounds, "count");
	return KTEST_PASS;
}
