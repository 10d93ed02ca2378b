/*
 * kmain: bring the machine up in a fixed order, bind drivers, then run what the command
 * line asks for. Each phase is timestamped on the log and the result channel.
 */
#include <arch/cpu.h>
#include <arch/ioapic.h>
#include <arch/lapic.h>
#include <arch/trap.h>
#include <kern/acpi.h>
#include <kern/bootstat.h>
#include <kern/bootinfo.h>
#include <kern/cmdline.h>
#include <kern/contain.h>
#include <kern/ddk.h>
#include <kern/driver.h>
#include <hv/errno.h>
#include <kern/hvr.h>
#include <kern/iommu.h>
#include <kern/ktest.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/panic.h>
#include <kern/pci.h>
#include <kern/pci_hotplug.h>
#include <kern/policy.h>
#include <kern/smp.h>
#include <kern/time.h>
#include <kern/verifier.h>
#include <kern/vcpu.h>
#include <lib/pcireg.h>
#include <vmm/vmboot.h>

void kmain(uint32_t magic, uint32_t info);

/* One line per function in `lspci -n` form, then subsystem and driver, so the boot log
 * reads as an inventory (hcl check accepts it as one). */
static void boot_report_pci(void)
{
	char slot[16];

	for (struct pci_dev *d = pci_first(); d; d = d->next) {
		const char *drv = d->driver ? d->driver->name : "-";
		const char *name = pci_slot_name(d, slot);
		if (d->rev)
			kprintf("%s %04x: %04x:%04x (rev %02x) subsys %04x:%04x driver %s\n", name,
				d->class >> 8, d->vendor, d->device, d->rev, d->subvendor,
				d->subdevice, d->driver ? drv : "none");
		else
			kprintf("%s %04x: %04x:%04x subsys %04x:%04x driver %s\n", name,
				d->class >> 8, d->vendor, d->device, d->subvendor, d->subdevice,
				d->driver ? drv : "none");
		/* A separate line: hcl's boot-log reader takes the rest of the line above as
		 * the driver's name. */
		if (d->failed)
			kprintf("%s failed: driver %s abandoned (see the driver: line above)\n", name,
				d->failed_driver);
		/* The result channel always carries the segment. */
		char full[16];
		pci_slot_name(d, full);
		hvr_begin("pci");
		hvr_str("slot", full);
		hvr_hex("vid", d->vendor, 4);
		hvr_hex("did", d->device, 4);
		hvr_hex("svid", d->subvendor, 4);
		hvr_hex("ssid", d->subdevice, 4);
		hvr_hex("class", d->class, 6);
		hvr_hex("rev", d->rev, 2);
		hvr_u64("hdr", d->hdr_type);
		hvr_str("driver", drv);
		if (d->failed)
			hvr_str("failed", d->failed_driver);
		hvr_end();
	}
}

void kmain(uint32_t magic, uint32_t info)
{
	log_init();
	hvr_init();
	const char *tsc_src = tsc_calibrate();
	int bi = bootinfo_parse(magic, info);
	int cl = cmdline_init(bootinfo.cmdline);

	hvr_configure();

	if (cmdline_get("log") && cmdline_get("log")[0] == 'q')
		log_verbose = 0;
	klog("hvkernel %s (x86_64), booted by %s (Multiboot%d)", HV_RELEASE,
	     bootinfo.loader[0] ? bootinfo.loader : "an unnamed loader", bootinfo.protocol);
	klog("cmdline: %s", bootinfo.cmdline);
	klog("tsc: %llu kHz (%s)", (unsigned long long)tsc_khz, tsc_src);
	hvr_begin("hello");
	hvr_str("release", HV_RELEASE);
	hvr_str("arch", "x86_64");
	hvr_str("cmdline", bootinfo.cmdline);
	hvr_u64("tsc_khz", tsc_khz);
	hvr_end();
	if (cl < 0)
		klog("cmdline: too long or too many words; only the first part is used");
	bootstat_phase("early");
	vf_init();
	if (bi < 0 && bootinfo.nmmap == 0)
		panic("no memory map from the boot loader");

	gdt_init(0);
	idt_init();
	if (mem_init() < 0)
		panic("not enough usable memory below 4 GiB");
	bootstat_phase("memory");

	acpi_init(bootinfo.rsdp);
	if (lapic_init() < 0)
		panic("no local APIC");
	ioapic_init();
	cpu_sti();
	klog("acpi: %s, %d CPUs, %d IOAPICs, %d ECAM ranges", acpi.found ? acpi.oem : "absent",
	     acpi.ncpus, acpi.nioapics, acpi.nmcfg);
	bootstat_phase("interrupts");
	vcpu_init();
	smp_init();
	bootstat_phase("cpus");

	int n = pci_init();
	bootstat_phase("pci");
	pci_hotplug_init();
	bootstat_phase("hotplug");
	/* Before any driver runs: from here a device reaches only what its driver allocated. */
	int iret = iommu_init();
	if (iret < 0 && iret != -HV_ENODEV)
		klog("iommu: not turned on (error %d): DMA is not confined", iret);
	bootstat_phase("iommu");
	vmboot_load();		/* first: the module loader leaves VM files and images alone */
	bootstat_phase("vms");
	int nmods = module_load_all();
	if (bootinfo.nmods)
		klog("module: %d of %d boot modules loaded (%d symbols exported)", nmods,
		     bootinfo.nmods, ddk_export_count());
	bootstat_phase("modules");
	policy_apply();
	contain_init();
	driver_core_start();
	int bound = driver_bind_all();
	bootstat_phase("drivers");
	boot_report_pci();
	bootstat_phase("inventory");
	policy_enforce();

	hvr_begin("ready");
	hvr_u64("us", time_us());
	hvr_u64("devices", (uint64_t)n);
	hvr_u64("bound", (uint64_t)bound);
	hvr_end();
	klog("ready: %d PCI functions, %d bound", n, bound);

	const char *sel = cmdline_get("test");
	if (sel && sel[0])
		kexit(ktest_run_selected(sel));
	if (cmdline_get_u64("vm.start", 0))
		kexit(vmboot_main());
	if (vmboot_count())
		klog("%d VMs configured; vm.start=1 starts them", vmboot_count());
	klog("nothing to run (no test= and no vm.start=1); exiting");
	hvr_begin("end");
	hvr_u64("passed", 0);
	hvr_u64("failed", 0);
	hvr_u64("skipped", 0);
	hvr_u64("errors", 0);
	hvr_str("status", "pass");
	hvr_end();
	kexit(HV_EXIT_PASS);
}
