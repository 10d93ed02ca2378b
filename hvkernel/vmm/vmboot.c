/*
 * VMs from configuration files (vmm/vmboot.h). Reading happens at boot, before the driver
 * modules, so the loader knows which boot modules are configurations and guest images;
 * creating happens after the drivers are bound, when the block devices a disk line names
 * exist. Every refusal is one log line naming the file and line, and a `vm` record; the
 * kernel never stops for a bad configuration.
 */
#include <hv/errno.h>
#include <kern/blkdev.h>
#include <kern/bootinfo.h>
#include <kern/cmdline.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/netdev.h>
#include <kern/panic.h>
#include <kern/smp.h>
#include <kern/string.h>
#include <kern/vswitch.h>
#include <lib/fmt.h>
#include <lib/vmcfg.h>
#include <lib/vmimage.h>
#include <vmm/linuxboot.h>
#include <vmm/sched.h>
#include <vmm/virtio_mmio.h>
#include <vmm/vm.h>
#include <vmm/virq.h>
#include <vmm/vmboot.h>

#define VMBOOT_MAX_VMS		8
#define VMBOOT_FILE_MAX		48
/* Device windows above guest RAM (VMCFG_MAX_MEMORY keeps RAM below): disk i at
 * VMBOOT_DISK_BASE + i * VMBOOT_DEV_STRIDE, NIC i one page above it. The guest test OS
 * finds its first disk and NIC there. */
#define VMBOOT_DISK_BASE	0xfeb00000ull
#define VMBOOT_NIC_BASE		0xfeb01000ull
#define VMBOOT_DEV_STRIDE	0x2000ull
#define VMBOOT_SWITCH		"vswitch0"	/* the one virtual switch (kern/vswitch.c) */

struct vmboot_vm {
	struct vmcfg_vm cfg;
	char file[VMBOOT_FILE_MAX];
	const struct boot_module *image;
	struct vm *vm;
	struct hv_blkdev *bd[VMCFG_MAX_DISKS];
	uint64_t first[VMCFG_MAX_DISKS], count[VMCFG_MAX_DISKS];	/* windows, in sectors */
	uint8_t mac[VMCFG_MAX_NICS][6];
	struct vio_blk_log log[VMCFG_MAX_DISKS];
};

static struct vmboot_vm vmboot_vms[VMBOOT_MAX_VMS];
static int vmboot_nvms;
static int vmboot_bad_files;
static int vmboot_outcomes_are_tests;	/* vm.start: vmboot_main sums up the VMs as tests */
#define VMBOOT_MAX_IMAGES	(3 * VMBOOT_MAX_VMS)	/* image, or kernel and initrd */
static char vmboot_images[VMBOOT_MAX_IMAGES][VMCFG_IMAGE_MAX];
static int vmboot_nimages;

static bool vmboot_is_config(const char *file)
{
	size_t n = strlen(file);

	return n > 3 && strcmp(file + n - 3, ".vm") == 0;
}

static void vmboot_record(const char *file, const char *name, const char *status, int code,
			  const char *reason, bool pass)
{
	hvr_begin("vm");
	hvr_str("file", file);
	hvr_str("name", name);
	hvr_str("status", status);
	hvr_u64("code", (uint64_t)(uint32_t)code);
	hvr_str("reason", reason);
	hvr_end();
	if (!vmboot_outcomes_are_tests)
		return;
	/* Under vm.start each VM's outcome is also a test, so the end record's counts sum up
	 * test records as they do for test= runs (docs/result-channel.md). */
	hvr_begin("test");
	hvr_str("suite", "vm");
	hvr_str("name", strcmp(name, "-") ? name : file);
	hvr_str("status", pass ? "pass" : "fail");
	hvr_u64("us", 0);
	hvr_str("msg", reason);
	hvr_end();
}

/* Refuse the whole file (it did not parse) or one VM of it; the message names both. */
static void vmboot_refuse(const char *file, const char *name, const char *msg)
{
	klog("vm: %s: refused", msg);
	vmboot_record(file, name, "refused", 0, msg, false);
}

static void vmboot_add(const struct vmcfg_vm *c, const char *file)
{
	char msg[VMCFG_ERR_MAX + 64];

	for (int i = 0; i < vmboot_nvms; i++)
		if (strcmp(vmboot_vms[i].cfg.name, c->name) == 0) {
			fmt_snprintf(msg, sizeof(msg), "%s:%d: duplicate VM name '%s' (also in %s)", file,
				     c->line, c->name, vmboot_vms[i].file);
			vmboot_refuse(file, c->name, msg);
			vmboot_bad_files++;
			return;
		}
	if (vmboot_nvms == VMBOOT_MAX_VMS) {
		fmt_snprintf(msg, sizeof(msg), "%s:%d: VM %s: more than %d VMs configured", file, c->line,
			     c->name, VMBOOT_MAX_VMS);
		vmboot_refuse(file, c->name, msg);
		vmboot_bad_files++;
		return;
	}
	struct vmboot_vm *v = &vmboot_vms[vmboot_nvms++];
	memset(v, 0, sizeof(*v));
	v->cfg = *c;
	strlcpy(v->file, file, sizeof(v->file));
}

void vmboot_load(void)
{
	static struct vmcfg_vm cfgs[VMBOOT_MAX_VMS];
	char file[64];

	for (int i = 0; i < bootinfo.nmods; i++) {
		const struct boot_module *bm = &bootinfo.mods[i];
		struct vmcfg_error err;
		module_file_name(bm->cmdline, file, sizeof(file));
		if (!vmboot_is_config(file))
			continue;
		int n = vmcfg_parse((const char *)bm->start, (size_t)(bm->end - bm->start), file, cfgs,
				   VMBOOT_MAX_VMS, &err);
		if (n < 0) {
			vmboot_refuse(file, "-", err.msg);
			vmboot_bad_files++;
			continue;
		}
		for (int k = 0; k < n; k++) {
			const char *owned[] = { cfgs[k].image, cfgs[k].kernel, cfgs[k].initrd };
			for (int j = 0; j < 3; j++)
				if (owned[j][0] && vmboot_nimages < VMBOOT_MAX_IMAGES)
					strlcpy(vmboot_images[vmboot_nimages++], owned[j], VMCFG_IMAGE_MAX);
			vmboot_add(&cfgs[k], file);
		}
	}
	if (vmboot_nvms || vmboot_bad_files)
		klog("vm: %d VMs configured, %d configurations refused", vmboot_nvms, vmboot_bad_files);
}

bool vmboot_owns_module(const struct boot_module *bm)
{
	char file[64];

	module_file_name(bm->cmdline, file, sizeof(file));
	if (vmboot_is_config(file))
		return true;
	for (int i = 0; i < vmboot_nimages; i++)
		if (strcmp(vmboot_images[i], file) == 0)
			return true;
	return false;
}

int vmboot_count(void)
{
	return vmboot_nvms;
}

static const struct boot_module *vmboot_find_image(const char *name)
{
	char file[64];

	for (int i = 0; i < bootinfo.nmods; i++) {
		module_file_name(bootinfo.mods[i].cmdline, file, sizeof(file));
		if (strcmp(file, name) == 0)
			return &bootinfo.mods[i];
	}
	return 0;
}

/* A VM that cannot be created: why, in one line, with the file and line of its section. */
static int vmboot_fail_at(struct vmboot_vm *v, int line, char *why, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int vmboot_fail_at(struct vmboot_vm *v, int line, char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	int k = fmt_snprintf(why, n, "%s:%d: VM %s: ", v->file, line, v->cfg.name);

	if (k < 0 || (size_t)k >= n)
		return -HV_EINVAL;	/* cannot happen with the name lengths vmcfg allows */
	va_start(ap, fmt);
	fmt_vsnprintf(why + k, n - (size_t)k, fmt, ap);
	va_end(ap);
	return -HV_EINVAL;
}

#define vmboot_fail(v, why, n, ...)	vmboot_fail_at((v), (v)->cfg.line, (why), (n), __VA_ARGS__)

static int vmboot_check_memory(struct vmboot_vm *v, char *why, size_t n)
{
	struct mem_counters mc;

	mem_get_counters(&mc);
	if (v->cfg.memory / PAGE_SIZE + 64 > mc.pages_free)
		return vmboot_fail(v, why, n, "memory = %llu KiB but only %llu KiB are free",
				   (unsigned long long)(v->cfg.memory / 1024),
				   (unsigned long long)(mc.pages_free * PAGE_SIZE / 1024));
	return 0;
}

/* A Linux guest: an empty VM with its vCPUs and interrupt controllers; the kernel goes in
 * once its devices exist (vmboot_boot_linux), since its command line names them. */
static int vmboot_create_linux(struct vmboot_vm *v, char *why, size_t n)
{
	const struct vmcfg_vm *c = &v->cfg;

	if (!vmboot_find_image(c->kernel))
		return vmboot_fail(v, why, n, "no boot module '%s' for its kernel", c->kernel);
	if (c->initrd[0] && !vmboot_find_image(c->initrd))
		return vmboot_fail(v, why, n, "no boot module '%s' for its initrd", c->initrd);
	if (vmboot_check_memory(v, why, n) < 0)
		return -HV_EINVAL;
	v->vm = vm_create(c->name, c->memory, 0, 0, 0, 0, 0);
	if (!v->vm)
		return vmboot_fail(v, why, n, "cannot create it (no SVM with nested paging, or no memory)");
	for (unsigned i = 1; i < c->vcpus; i++)
		if (vm_add_vcpu(v->vm) < 0)
			return vmboot_fail(v, why, n, "cannot create its vCPU %u (no memory)", i);
	if (virq_attach(v->vm) < 0)
		return vmboot_fail(v, why, n, "cannot give it interrupt controllers (no memory)");
	v->vm->linux_guest = 1;
	strlcpy(v->vm->con_prefix, c->console, sizeof(v->vm->con_prefix));
	for (int i = 0; i < c->nexpect; i++)
		strlcpy(v->vm->expect[i], c->expect[i], sizeof(v->vm->expect[i]));
	v->vm->nexpect = c->nexpect;
	return 0;
}

/* The ISA interrupts the guest's virtio-mmio devices raise (vacpi.c: 0-15 map onto the
 * I/O APIC's inputs one to one): disks 5 and 9, NICs 6 and 10; not 3 and 4 (the serial
 * ports), 8 (RTC), 12 (PS/2 mouse), 14 and 15 (IDE). */
static const unsigned vmboot_linux_irq[2][VMCFG_MAX_DISKS] = { { 5, 9 }, { 6, 10 } };

static int vmboot_boot_linux(struct vmboot_vm *v, char *why, size_t n)
{
	const struct boot_module *k = vmboot_find_image(v->cfg.kernel);
	const struct boot_module *i = v->cfg.initrd[0] ? vmboot_find_image(v->cfg.initrd) : 0;
	struct lb_devs devs = { .n = 0 };
	char what[VMCFG_ERR_MAX];

	for (int d = 0; d < v->cfg.ndisk; d++, devs.n++) {
		devs.base[devs.n] = VMBOOT_DISK_BASE + (uint64_t)d * VMBOOT_DEV_STRIDE;
		devs.irq[devs.n] = vmboot_linux_irq[0][d];
	}
	for (int d = 0; d < v->cfg.nnic; d++, devs.n++) {
		devs.base[devs.n] = VMBOOT_NIC_BASE + (uint64_t)d * VMBOOT_DEV_STRIDE;
		devs.irq[devs.n] = vmboot_linux_irq[1][d];
	}
	for (int d = 0; d < devs.n; d++)
		vio_set_gsi(v->vm, devs.base[d], devs.irq[d]);
	if (linuxboot_load(v->vm, (const void *)k->start, (size_t)(k->end - k->start),
			   i ? (const void *)i->start : 0, i ? (size_t)(i->end - i->start) : 0, v->cfg.cmdline,
			   &devs, what, sizeof(what)) < 0)
		return vmboot_fail(v, why, n, "%s %s", v->cfg.kernel, what);
	return 0;
}

/* Place the guest image (lib/vmimage.c) in a new VM. */
static int vmboot_create(struct vmboot_vm *v, char *why, size_t n)
{
	const struct vmcfg_vm *c = &v->cfg;
	struct vmimage im;
	const char *what;

	if (c->vcpus > VM_MAX_VCPUS)
		return vmboot_fail(v, why, n, "vcpus = %u: this VMM runs at most %d vCPUs per VM", c->vcpus,
				   VM_MAX_VCPUS);
	if (c->kernel[0])
		return vmboot_create_linux(v, why, n);
	v->image = vmboot_find_image(c->image);
	if (!v->image)
		return vmboot_fail(v, why, n, "no boot module '%s' for its image", c->image);
	const void *img = (const void *)v->image->start;
	size_t len = (size_t)(v->image->end - v->image->start);
	if (!vmimage_is_elf(img, len) && !c->has_load)
		return vmboot_fail(v, why, n, "image %s is not ELF: give load (and entry)", c->image);
	if (vmimage_layout(img, len, c->memory, c->load, c->entry, &im, &what) < 0)
		return vmboot_fail(v, why, n, "image %s: %s", c->image, what);
	struct mem_counters mc;
	mem_get_counters(&mc);
	if (c->memory / PAGE_SIZE + 64 > mc.pages_free)
		return vmboot_fail(v, why, n, "memory = %llu KiB but only %llu KiB are free",
				   (unsigned long long)(c->memory / 1024),
				   (unsigned long long)(mc.pages_free * PAGE_SIZE / 1024));
	v->vm = vm_create(c->name, c->memory, img, 0, 0, im.entry, c->arg);
	if (!v->vm)
		return vmboot_fail(v, why, n, "cannot create it (no SVM with nested paging, or no memory)");
	for (int i = 0; i < im.nseg; i++) {
		uint8_t *dst = vm_gpa(v->vm, im.seg[i].gpa, im.seg[i].memsz);
		memcpy(dst, (const uint8_t *)img + im.seg[i].off, im.seg[i].filesz);
		memset(dst + im.seg[i].filesz, 0, im.seg[i].memsz - im.seg[i].filesz);
	}
	for (unsigned i = 1; i < c->vcpus; i++)
		if (vm_add_vcpu(v->vm) < 0)
			return vmboot_fail(v, why, n, "cannot create its vCPU %u (no memory)", i);
	vcpu_regs(v->vm->vcpu)->rdi = c->seed;
	strlcpy(v->vm->con_prefix, c->console, sizeof(v->vm->con_prefix));
	return 0;
}

/* Do windows [a, a+an) and [b, b+bn) overlap? */
static bool vmboot_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

static int vmboot_disk(struct vmboot_vm *v, int i, int self, const struct vmboot_opts *o, char *why, size_t n)
{
	const struct vmcfg_disk *d = &v->cfg.disk[i];
	struct hv_blkdev *bd = blkdev_find(d->dev);

	if (!bd)
		return vmboot_fail_at(v, d->line, why, n, "no block device '%s'", d->dev);
	uint64_t total = bd->nblocks * (bd->block_size / 512), first = d->offset / 512;
	if (d->offset % bd->block_size || d->size % bd->block_size)
		return vmboot_fail_at(v, d->line, why, n, "disk on %s: offset and size must be multiples of its "
				   "%u-byte blocks", d->dev, bd->block_size);
	if (first >= total || d->size / 512 > total - first)
		return vmboot_fail_at(v, d->line, why, n, "disk window at %llu KiB%s of %s goes past its end (%llu KiB)",
				   (unsigned long long)(d->offset / 1024), d->size ? " and its size" : "",
				   d->dev, (unsigned long long)(total / 2));
	uint64_t count = d->size ? d->size / 512 : total - first;
	/* Two VMs (or two disks of one) on the same sectors would see each other's data. */
	for (int k = 0; k <= self; k++)
		for (int j = 0; j < (k == self ? i : vmboot_vms[k].cfg.ndisk); j++)
			if (vmboot_vms[k].bd[j] == bd &&
			    vmboot_overlap(first, count, vmboot_vms[k].first[j], vmboot_vms[k].count[j]))
				return vmboot_fail_at(v, d->line, why, n, "its disk window on %s overlaps VM %s's",
						   d->dev, vmboot_vms[k].cfg.name);
	uint64_t base = VMBOOT_DISK_BASE + (uint64_t)i * VMBOOT_DEV_STRIDE;
	if (vio_blk_attach(v->vm, base, bd, first, count) < 0)
		return vmboot_fail_at(v, d->line, why, n, "cannot attach its disk on %s", d->dev);
	v->bd[i] = bd;
	v->first[i] = first;
	v->count[i] = count;
	if (v->cfg.has_seed) {
		v->log[i].drop_write = o->drop_write;
		vio_blk_set_log(v->vm, base, &v->log[i]);
	}
	return 0;
}

static int vmboot_nic(struct vmboot_vm *v, int i, int self, char *why, size_t n)
{
	const struct vmcfg_nic *nc = &v->cfg.nic[i];

	if (strcmp(nc->sw, VMBOOT_SWITCH) != 0)
		return vmboot_fail_at(v, nc->line, why, n, "no virtual switch '%s' (there is one: %s)", nc->sw, VMBOOT_SWITCH);
	if (nc->has_mac) {
		memcpy(v->mac[i], nc->mac, 6);
	} else {
		/* Locally administered (bit 1 of the first byte), "hv", VM and NIC number. */
		const uint8_t mac[6] = { 0x02, 0x68, 0x76, 0x00, (uint8_t)self, (uint8_t)i };
		memcpy(v->mac[i], mac, 6);
	}
	for (int k = 0; k <= self; k++)
		for (int j = 0; j < (k == self ? i : vmboot_vms[k].cfg.nnic); j++)
			if (vmboot_vms[k].vm && memcmp(vmboot_vms[k].mac[j], v->mac[i], 6) == 0)
				return vmboot_fail_at(v, nc->line, why, n, "its MAC is VM %s's too", vmboot_vms[k].cfg.name);
	if (vio_net_attach(v->vm, VMBOOT_NIC_BASE + (uint64_t)i * VMBOOT_DEV_STRIDE, v->mac[i]) < 0)
		return vmboot_fail_at(v, nc->line, why, n, "cannot attach its NIC to %s", nc->sw);
	return 0;
}

/* Create VM self with its devices. 0, or an error with why filled in (the VM is gone). */
static int vmboot_build(int self, const struct vmboot_opts *o, char *why, size_t n)
{
	struct vmboot_vm *v = &vmboot_vms[self];
	int ret = vmboot_create(v, why, n);

	for (int i = 0; ret == 0 && i < v->cfg.ndisk; i++)
		ret = vmboot_disk(v, i, self, o, why, n);
	for (int i = 0; ret == 0 && i < v->cfg.nnic; i++)
		ret = vmboot_nic(v, i, self, why, n);
	if (ret == 0 && v->cfg.kernel[0])
		ret = vmboot_boot_linux(v, why, n);
	if (ret < 0) {
		vm_destroy(v->vm);
		v->vm = 0;
		memset(v->bd, 0, sizeof(v->bd));
	}
	return ret;
}

/* The written extents of each disk of a VM that tags its writes, as blk.verify reports
 * them, with the window's first sector as `base`. */
static void vmboot_report_writes(const struct vmboot_vm *v)
{
	for (int i = 0; i < v->cfg.ndisk && v->cfg.has_seed; i++)
		vio_blk_log_report(&v->log[i], v->bd[i]->name, v->first[i], v->cfg.seed);
}

static void vmboot_finish(struct vmboot_vm *v, struct vmboot_result *r)
{
	struct vm *vm = v->vm;
	char reason[128];
	const char *status = "exited";
	int ok_before = r->ok;

	reason[0] = 0;
	int missing = -1;	/* an expect text the console never showed */
	for (int i = 0; i < vm->nexpect && missing < 0; i++)
		if (!(vm->expect_seen & 1u << i))
			missing = i;
	if (v->cfg.expect_stop[0]) {
		/* A fault test: stopped, for the expected reason, is this VM's success. */
		if (vm->state == VM_STOPPED && strstr(vm->stop_reason, v->cfg.expect_stop)) {
			r->ok++;
			status = "stopped";
			fmt_snprintf(reason, sizeof(reason), "stopped as expected: %s", vm->stop_reason);
		} else {
			r->failed++;
			fmt_snprintf(reason, sizeof(reason), "expected a stop for '%s', got %s%s%s", v->cfg.expect_stop,
				     vm->state == VM_STOPPED ? "a stop: " : vm->state == VM_EXITED ? "an exit" : "a timeout",
				     vm->state == VM_STOPPED ? vm->stop_reason : "", "");
			status = vm->state == VM_STOPPED ? "stopped" : vm->state == VM_EXITED ? "exited" : "timeout";
		}
	} else if (vm->state == VM_EXITED && vm->exit_code == 0 && missing < 0) {
		r->ok++;
	} else if (vm->state == VM_EXITED && vm->exit_code == 0) {
		r->failed++;
		fmt_snprintf(reason, sizeof(reason), "exited 0 but its console never printed '%s'",
			     vm->expect[missing]);
	} else {
		r->failed++;
		if (vm->state == VM_STOPPED)
			status = "stopped", strlcpy(reason, vm->stop_reason, sizeof(reason));
		else if (vm->state != VM_EXITED)
			status = "timeout", strlcpy(reason, "still running at vm.timeout", sizeof(reason));
		else
			fmt_snprintf(reason, sizeof(reason), "exit code %d (console: %s)", vm->exit_code, vm->last_line);
	}
	klog("vm %s: %s%s%s (%llu us of CPU, %llu device accesses)", v->cfg.name, status,
	     reason[0] ? ": " : "", reason, (unsigned long long)vm->cpu_us,
	     (unsigned long long)vm->mmio_accesses);
	for (int i = 0; vm->nvcpus > 1 && i < vm->nvcpus; i++)
		klog("vm %s: vcpu %d: %llu slices, %llu us of CPU, on CPUs 0x%x", v->cfg.name, i,
		     (unsigned long long)vm->vcpus[i].slices, (unsigned long long)vm->vcpus[i].cpu_us,
		     vm->vcpus[i].cpus);
	if (vm->nvcpus > 1)
		klog("vm %s: %d vCPUs, at most %d running at once", v->cfg.name, vm->nvcpus, vm->running_max);
	vm_log_exits(vm);
	vmboot_record(v->file, v->cfg.name, status, vm->exit_code, reason, r->ok > ok_before);
	vmboot_report_writes(v);
	vm_destroy(vm);
	v->vm = 0;
	memset(v->bd, 0, sizeof(v->bd));
}

void vmboot_run(const struct vmboot_opts *o, struct vmboot_result *r)
{
	struct vm *run[VMBOOT_MAX_VMS];
	int idx[VMBOOT_MAX_VMS], n = 0;
	char why[VMCFG_ERR_MAX + 64];

	memset(r, 0, sizeof(*r));
	r->configured = vmboot_nvms;
	r->refused = vmboot_bad_files;
	for (int i = 0; i < vmboot_nvms; i++) {
		struct vmboot_vm *v = &vmboot_vms[i];
		memset(v->log, 0, sizeof(v->log));
		if (vmboot_build(i, o, why, sizeof(why)) < 0) {
			vmboot_refuse(v->file, v->cfg.name, why);
			r->refused++;
			continue;
		}
		v->vm->peer_sync = o->uplink;
		klog("vm %s: %llu KiB, image %s, %d disks, %d NICs, from %s", v->cfg.name,
		     (unsigned long long)(v->cfg.memory / 1024), v->cfg.image, v->cfg.ndisk, v->cfg.nnic, v->file);
		idx[n] = i;
		run[n++] = v->vm;
	}
	r->started = n;
	/* The VMs' vCPUs run on every CPU, unless a VM has a NIC or a disk: the virtual switch
	 * hands a frame from one VM's exit straight into another VM's receive queue with no
	 * lock between VMs, and the block drivers' request paths have not been proven with
	 * callers on two CPUs at once; such VMs keep to one CPU. */
	int ncpus = smp_cpu_count();
	for (int k = 0; k < n; k++)
		if (vmboot_vms[idx[k]].cfg.nnic || vmboot_vms[idx[k]].cfg.ndisk)
			ncpus = 1;
	/* vm.uplink=1: the first physical NIC carries vswitch0's frames to the host peer. */
	struct hv_netdev *nd = o->uplink ? netdev_first() : 0;
	struct vsw_port *up = nd ? vsw_add_uplink(nd) : 0;
	if (o->uplink && !up) {
		klog("vm: vm.uplink=1 but %s", nd ? "its NIC cannot be an uplink" : "no NIC is registered");
		r->refused++;
	} else if (up) {
		klog("vm: %s is vswitch0's uplink", nd->name);
	}
	if (n)
		sched_run_cpus(run, n, SCHED_SLICE_US, o->timeout_us, ncpus);
	if (up) {
		klog("vm: uplink %s: %llu frames to the host (%llu dropped), %llu from it", nd->name,
		     (unsigned long long)up->tx_frames, (unsigned long long)up->dropped,
		     (unsigned long long)up->rx_frames);
		vsw_remove_port(up);
		netdev_stop(nd);
	}
	for (int k = 0; k < n; k++)
		vmboot_finish(&vmboot_vms[idx[k]], r);
}

int vmboot_main(void)
{
	struct vmboot_opts o = {
		.timeout_us = cmdline_get_u64("vm.timeout", 60) * 1000000,
		.drop_write = cmdline_get_u64("vm.debug_drop_write", 0),
		.uplink = cmdline_get_u64("vm.uplink", 0) != 0,
	};
	struct vmboot_result r;
	const char *why;

	if (!vcpu_hw_available(&why)) {
		klog("vm: cannot run VMs: %s", why);
		return HV_EXIT_ERROR;
	}
	vmboot_outcomes_are_tests = 1;
	if (vmboot_bad_files) {
		/* Files refused while the modules loaded have their vm records already. */
		char msg[64];

		fmt_snprintf(msg, sizeof(msg), "%d configurations refused at load", vmboot_bad_files);
		hvr_begin("test");
		hvr_str("suite", "vm");
		hvr_str("name", "configurations");
		hvr_str("status", "fail");
		hvr_u64("us", 0);
		hvr_str("msg", msg);
		hvr_end();
	}
	vmboot_run(&o, &r);
	if (cmdline_get_u64("vm.host_verify", 0))
		hvr_sync("blkverify");
	klog("vm: %d started, %d exited cleanly, %d failed, %d refused", r.started, r.ok, r.failed, r.refused);
	hvr_begin("end");
	hvr_u64("passed", (uint64_t)r.ok);
	hvr_u64("failed", (uint64_t)(r.failed + r.refused - vmboot_bad_files + !!vmboot_bad_files));
	hvr_u64("skipped", 0);
	hvr_u64("errors", 0);
	hvr_str("status", r.failed || r.refused ? "fail" : "pass");
	hvr_end();
	return r.failed || r.refused ? HV_EXIT_FAIL : HV_EXIT_PASS;
}
