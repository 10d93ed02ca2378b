/*
 * The driver-module loader. Each boot module is checked before anything of it runs:
 * its sha256 is taken, the ELF and the metadata are validated (lib/elfmod.c), the DDK ABI
 * compared, its ID table matched against the PCI functions present. Only a module that
 * matches a present device is relocated (undefined symbols resolve against the kernel's
 * export table only), protected W^X, and started. A defective module is refused with one
 * log line and a `module` result record, and the kernel goes on booting.
 */
#include <hv/errno.h>
#include <kern/driver.h>
#include <kern/bootinfo.h>
#include <kern/ddk.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/mem.h>
#include <kern/module.h>
#include <kern/pci.h>
#include <kern/policy.h>
#include <kern/string.h>
#include <kern/time.h>
#include <lib/elfmod.h>
#include <lib/fmt.h>
#include <lib/pcimatch.h>
#include <lib/sha256.h>
#include <vmm/vmboot.h>

struct module *module_current;
static struct module *module_list;

struct module *module_first(void)
{
	return module_list;
}

/* The last path component of the loader's first word ("/boot/e1000.hvm args" -> "e1000.hvm"). */
void module_file_name(const char *cmdline, char *out, size_t n)
{
	const char *start = cmdline, *end = cmdline;

	while (*end && *end != ' ')
		end++;
	for (const char *p = cmdline; p < end; p++)
		if (*p == '/')
			start = p + 1;
	size_t len = (size_t)(end - start) < n - 1 ? (size_t)(end - start) : n - 1;
	memcpy(out, start, len);
	out[len] = 0;
	if (!out[0])
		strlcpy(out, "(unnamed)", n);
}

static void module_report(const struct module *m, const char *status, const char *reason,
			  uint64_t size, uint64_t us, int have_info)
{
	char hex[65];

	sha256_hex(m->sha256, hex);
	hvr_begin("module");
	hvr_str("file", m->file);
	hvr_str("name", have_info ? m->info.name : "-");
	hvr_str("version", have_info ? m->info.version : "-");
	hvr_str("vendor", have_info ? m->info.vendor : "-");
	hvr_str("sha256", hex);
	hvr_u64("size", size);
	hvr_str("status", status);
	hvr_str("reason", reason);
	hvr_u64("us", us);
	hvr_end();
	if (!log_verbose && strcmp(status, "loaded") == 0)
		return;		/* the result record above carries it all */
	if (have_info)
		klog("module: %s (%s %s, %s) sha256 %s: %s%s%s", m->file, m->info.name,
		     m->info.version, m->info.vendor, hex, status, reason[0] ? ": " : "", reason);
	else
		klog("module: %s sha256 %s: %s%s%s", m->file, hex, status, reason[0] ? ": " : "", reason);
}

static int module_resolve(void *ctx, const char *name, uint64_t *addr)
{
	(void)ctx;
	const void *p = ddk_export_lookup(name);

	if (!p)
		return -HV_ENOENT;
	*addr = (uint64_t)p;
	return 0;
}

/* Does any present PCI function match the module's table? */
static int module_matches_present(const struct module *m)
{
	for (struct pci_dev *d = pci_first(); d; d = d->next) {
		struct pcimatch_dev md = { d->vendor, d->device, d->subvendor, d->subdevice, d->class };
		if (pcimatch_best(m->ids, m->info.nids, &md, 0))
			return 1;
	}
	return 0;
}

static void module_free_image(struct module *m)
{
	if (m->base) {
		mem_protect((uintptr_t)m->base, m->npages * PAGE_SIZE, 1, 1);
		page_free(m->base, m->npages);
		m->base = 0;
	}
}


/* Relocate, protect and start a validated module. Returns "" or the reason it failed. */
static int module_start(struct module *m, const struct elfmod *em, char *why, size_t n)
{
	struct elfmod_layout *lo = kzalloc(sizeof(*lo));
	struct elfmod_error err = { 0, "" };
	uint64_t init, exit;
	int ret;

	if (!lo) {
		fmt_snprintf(why, n, "out of memory");
		return -HV_ENOMEM;
	}
	ret = elfmod_layout(em, lo);
	if (ret < 0) {
		fmt_snprintf(why, n, "cannot lay out the sections (%d)", ret);
		goto free_layout;
	}
	m->npages = lo->total / PAGE_SIZE;
	m->base = page_alloc(m->npages);
	if (!m->base) {
		ret = -HV_ENOMEM;
		fmt_snprintf(why, n, "no memory for a %llu KiB image", (unsigned long long)lo->total / 1024);
		goto free_layout;
	}
	struct elfmod_resolver r = { module_resolve, 0 };
	ret = elfmod_load(em, lo, m->base, (uint64_t)m->base, &r, &err);
	if (ret < 0) {
		fmt_snprintf(why, n, "%s", err.msg);
		goto free_image;
	}
	if (elfmod_find_symbol(em, lo, (uint64_t)m->base, "hv_module_init", &init) < 0 ||
	    elfmod_find_symbol(em, lo, (uint64_t)m->base, "hv_module_exit", &exit) < 0) {
		ret = -HV_ENOEXEC;
		fmt_snprintf(why, n, "hv_module_init or hv_module_exit is missing");
		goto free_image;
	}
	uintptr_t b = (uintptr_t)m->base;
	if (mem_protect(b + lo->text.offset, lo->text.size, 0, 1) < 0 ||
	    mem_protect(b + lo->rodata.offset, lo->rodata.size, 0, 0) < 0 ||
	    mem_protect(b + lo->data.offset, lo->data.size, 1, 0) < 0) {
		ret = -HV_ENOMEM;
		fmt_snprintf(why, n, "cannot set page protections");
		goto free_image;
	}
	m->init = (int (*)(void))init;
	m->exit = (void (*)(void))exit;
	kfree(lo);
	return 0;

free_image:
	module_free_image(m);
free_layout:
	kfree(lo);
	return ret;
}

static struct module *module_find(const char *name)
{
	for (struct module *m = module_list; m; m = m->next)
		if (strcmp(m->info.name, name) == 0)
			return m;
	return 0;
}

static int module_load_one(const struct boot_module *bm)
{
	struct module *m = kzalloc(sizeof(*m));
	struct elfmod em;
	struct elfmod_error err = { 0, "" };
	char why[160] = "";
	uint64_t t0 = time_us(), size = bm->end - bm->start;

	if (!m) {
		klog("module: out of memory");
		return 0;
	}
	module_file_name(bm->cmdline, m->file, sizeof(m->file));
	sha256_digest((const void *)bm->start, (size_t)size, m->sha256);
	if (elfmod_parse(&em, (const void *)bm->start, (size_t)size, &err) < 0) {
		module_report(m, "refused", err.msg, size, time_us() - t0, 0);
		goto free_module;
	}
	m->info = em.info;
	m->image = (const void *)bm->start;
	m->image_size = (size_t)size;
	if (elfmod_check_abi(&em, HV_DDK_ABI_MAJOR, HV_DDK_ABI_MINOR, &err) < 0) {
		module_report(m, "refused", err.msg, size, time_us() - t0, 1);
		goto free_module;
	}
	struct module *dup = module_find(m->info.name);
	if (dup) {
		fmt_snprintf(why, sizeof(why), "duplicate module '%s' (already loaded from %s)",
			     m->info.name, dup->file);
		module_report(m, "refused", why, size, time_us() - t0, 1);
		goto free_module;
	}
	m->ids = kzalloc((m->info.nids + 1) * sizeof(struct hv_pci_id));
	if (!m->ids) {
		module_report(m, "refused", "out of memory", size, time_us() - t0, 1);
		goto free_module;
	}
	for (uint32_t i = 0; i < m->info.nids; i++)
		elfmod_id(&em, i, &m->ids[i]);
	if (!module_matches_present(m)) {
		module_report(m, "skipped", "no present device matches its ID table", size, time_us() - t0, 1);
		goto free_ids;
	}
	if (module_start(m, &em, why, sizeof(why)) < 0) {
		module_report(m, "refused", why, size, time_us() - t0, 1);
		goto free_ids;
	}
	/* Visible to hv_pci_register_driver (through module_current) and to module_find. */
	m->next = module_list;
	module_list = m;
	module_current = m;
	int ret = m->init();
	module_current = 0;
	if (ret < 0) {
		ddk_pci_drop_module(m);
		module_list = m->next;
		module_free_image(m);
		fmt_snprintf(why, sizeof(why), "hv_module_init returned %d", ret);
		module_report(m, "failed", why, size, time_us() - t0, 1);
		goto free_ids;
	}
	module_report(m, "loaded", "", size, time_us() - t0, 1);
	return 1;

free_ids:
	kfree(m->ids);
free_module:
	kfree(m);
	return 0;
}

int module_load_all(void)
{
	int n = 0;

	for (int i = 0; i < bootinfo.nmods; i++) {
		const struct boot_module *bm = &bootinfo.mods[i];
		if (policy_is_list((const void *)bm->start, bm->end - bm->start))
			continue;	/* the compatibility list: kern/policy.c reads it */
		if (vmboot_owns_module(bm))
			continue;	/* a VM configuration or guest image: vmm/vmboot.c */
		n += module_load_one(bm);
	}
	return n;
}
