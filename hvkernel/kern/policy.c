/* The hardware policy (kern/policy.h): verdicts from lib/hclpolicy.c, the same code as
 * `hcl check`. */
#include <hv/errno.h>
#include <kern/bootinfo.h>
#include <kern/cmdline.h>
#include <kern/driver.h>
#include <kern/hvr.h>
#include <kern/log.h>
#include <kern/module.h>
#include <kern/panic.h>
#include <kern/pci.h>
#include <kern/policy.h>
#include <kern/string.h>
#include <lib/fmt.h>
#include <lib/hclbin.h>
#include <lib/hclpolicy.h>
#include <lib/sha256.h>

enum policy_mode { POLICY_OFF, POLICY_WARN, POLICY_STRICT };

static enum policy_mode policy_mode;
static struct hclbin policy_list;
static bool policy_have_list;
static int policy_rel = -1;
static char policy_problem[96];

bool policy_is_list(const void *image, uint64_t size)
{
	return size >= 8 && memcmp(image, HCLBIN_MAGIC, 8) == 0;
}

static void policy_load(void)
{
	const char *mode = cmdline_get("hcl.policy");

	for (int i = 0; i < bootinfo.nmods && !policy_have_list; i++) {
		const struct boot_module *m = &bootinfo.mods[i];
		if (!policy_is_list((const void *)m->start, m->end - m->start))
			continue;
		long bad = -1;
		int ret = hclbin_open(&policy_list, (const void *)m->start, (size_t)(m->end - m->start), 0, &bad);
		if (ret < 0) {
			fmt_snprintf(policy_problem, sizeof(policy_problem),
				     "the compatibility list %s is damaged (%d, entry %ld)", m->cmdline, ret, bad);
			klog("hcl: %s", policy_problem);
			continue;
		}
		policy_have_list = true;
		policy_rel = hclbin_release_index(&policy_list, HV_RELEASE);
		klog("hcl: list with %u entries for %u releases; this is release %s%s", policy_list.count,
		     policy_list.nrel, HV_RELEASE, policy_rel < 0 ? ", which it does not cover" : "");
	}
	policy_mode = policy_have_list ? POLICY_WARN : POLICY_OFF;
	if (mode && strcmp(mode, "strict") == 0)
		policy_mode = POLICY_STRICT;
	else if (mode && strcmp(mode, "warn") == 0)
		policy_mode = POLICY_WARN;
	else if (mode && strcmp(mode, "off") == 0)
		policy_mode = POLICY_OFF;
	else if (mode)
		klog("hcl: hcl.policy=%s is not strict, warn or off; using %s", mode,
		     policy_mode == POLICY_WARN ? "warn" : "off");
	if (policy_mode == POLICY_STRICT && !policy_have_list && !policy_problem[0])
		fmt_snprintf(policy_problem, sizeof(policy_problem), "hcl.policy=strict but no hcl.bin boot module");
}

void policy_apply(void)
{
	policy_load();
	if (policy_mode == POLICY_OFF)
		return;
	for (struct pci_dev *d = pci_first(); d; d = d->next) {
		struct pcimatch_dev md = { d->vendor, d->device, d->subvendor, d->subdevice, d->class };
		struct hclbin_entry e;
		bool has, depr;
		enum hclpolicy_verdict v = hclpolicy_verdict(policy_have_list ? &policy_list : 0, policy_rel,
							     &md, &e, &has, &depr);
		d->policy_verdict = v;
		if (v == HCLPOLICY_CERTIFIED) {
			fmt_snprintf(d->policy_reason, sizeof(d->policy_reason), "%s%s %s", depr ? "deprecated: " : "",
				     e.driver, e.version);
			d->policy_has_sha = e.has_sha;
			memcpy(d->policy_sha, e.module_sha256, sizeof(d->policy_sha));
		}
		else if (v == HCLPOLICY_NOT_CERTIFIED)
			fmt_snprintf(d->policy_reason, sizeof(d->policy_reason), "%s",
				     has ? "certification revoked" : "not in the list for this release");
		else
			fmt_snprintf(d->policy_reason, sizeof(d->policy_reason), "%s",
				     v == HCLPOLICY_IGNORED ? "infrastructure" : "no driver class");
		if (policy_mode != POLICY_STRICT || v == HCLPOLICY_IGNORED || v == HCLPOLICY_NO_DRIVER)
			continue;
		if (v == HCLPOLICY_CERTIFIED) {
			strlcpy(d->policy_driver, e.driver, sizeof(d->policy_driver));
			strlcpy(d->policy_version, e.version, sizeof(d->policy_version));
		} else {
			d->policy_blocked = true;
		}
	}
}

/* A module is the build the list certifies when its file's sha256 is the one the entry
 * names (docs/hcl.md, "The certified build"): a rebuilt, patched or corrupted module with
 * the same name and version is another build. */
static bool policy_same_build(const struct pci_dev *d, const struct pci_driver *drv)
{
	return drv->owner && memcmp(drv->owner->sha256, d->policy_sha, sizeof(d->policy_sha)) == 0;
}

int policy_build_allowed(struct pci_dev *d, const struct pci_driver *drv)
{
	char slot[16], want[SHA256_HEX_SIZE], got[SHA256_HEX_SIZE] = "-";

	if (policy_mode != POLICY_STRICT || !d->policy_has_sha || policy_same_build(d, drv))
		return 1;
	if (!d->policy_build_refused) {
		sha256_hex(d->policy_sha, want);
		if (drv->owner)
			sha256_hex(drv->owner->sha256, got);
		klog("hcl: %s: strict policy refuses module %s (%s %s, sha256 %s): the list certifies "
		     "sha256 %s for this device", pci_slot_name(d, slot), drv->owner ? drv->owner->file : "(built in)",
		     drv->name, drv->version ? drv->version : "-", got, want);
		hvr_begin("hclbuild");
		hvr_str("slot", pci_slot_name(d, slot));
		hvr_str("status", "refused");
		hvr_str("module", drv->owner ? drv->owner->file : "-");
		hvr_str("sha256", got);
		hvr_str("certified", want);
		hvr_end();
		d->policy_build_refused = true;
	}
	return 0;
}

/* The screen a refused boot leaves: every device, its verdict and why. */
static void __attribute__((noreturn)) policy_refuse(const char *why)
{
	char slot[16];

	kprintf("\033[2J\033[H");
	kprintf("hvkernel %s refuses to boot: %s\n\n", HV_RELEASE, why);
	kprintf("%-13s %-9s %-6s %-14s %s\n", "SLOT", "ID", "CLASS", "VERDICT", "WHY");
	for (struct pci_dev *d = pci_first(); d; d = d->next)
		kprintf("%-13s %04x:%04x %06x %-14s %s%s%s\n", pci_slot_name(d, slot), d->vendor, d->device,
			d->class, hclpolicy_verdict_name((enum hclpolicy_verdict)d->policy_verdict),
			d->policy_reason, d->driver ? "" : "", "");
	kprintf("\nBoot with hcl.policy=warn to start anyway, or certify the hardware (docs/hcl.md).\n");
	hvr_begin("policy");
	hvr_str("status", "refused");
	hvr_str("reason", why);
	hvr_end();
	hvr_begin("end");
	hvr_u64("passed", 0);
	hvr_u64("failed", 0);
	hvr_u64("skipped", 0);
	hvr_u64("errors", 0);
	hvr_str("status", "policy");
	hvr_end();
	kexit(HV_EXIT_POLICY);
}

/* The device's firmware against its entry's rule (lib/hclbin.c hclbin_fw_ok, as `hcl
 * check`): "ok", "uncertified" or "unknown"; logged when not ok. */
static const char *policy_firmware(const struct pci_dev *d)
{
	struct pcimatch_dev md = { d->vendor, d->device, d->subvendor, d->subdevice, d->class };
	struct hclbin_entry e;
	char slot[16];

	if (!policy_have_list || policy_rel < 0 || hclbin_lookup(&policy_list, (uint32_t)policy_rel, &md, &e) < 0)
		return "-";
	int ok = hclbin_fw_ok(&e, d->firmware[0] ? d->firmware : 0);
	if (ok == 1)
		return "ok";
	klog("hcl: %s: firmware %s%s%s is %s the list certifies %s \"%s\"", pci_slot_name(d, slot),
	     ok < 0 ? "" : "\"", ok < 0 ? "unknown (the driver reported none)" : d->firmware, ok < 0 ? "" : "\"",
	     ok < 0 ? "not comparable:" : "not what", e.fw_match == HCLBIN_FW_MINIMUM ? "at least" : "exactly",
	     e.firmware);
	return ok < 0 ? "unknown" : "uncertified";
}

void policy_enforce(void)
{
	char slot[16], full[16];
	struct hclpolicy_server srv = { 0 };

	if (policy_mode == POLICY_OFF)
		return;
	if (policy_mode == POLICY_STRICT && policy_problem[0])
		policy_refuse(policy_problem);
	for (struct pci_dev *d = pci_first(); d; d = d->next) {
		enum hclpolicy_verdict v = (enum hclpolicy_verdict)d->policy_verdict;
		/* A certified device counts once its certified driver drives it. */
		hclpolicy_server_add(&srv, d->class, v == HCLPOLICY_CERTIFIED && d->driver);
		klog("hcl: %s %04x:%04x class %06x: %s (%s)%s%s", pci_slot_name(d, slot), d->vendor,
		     d->device, d->class, hclpolicy_verdict_name(v), d->policy_reason,
		     d->driver ? ", driver " : "", d->driver ? d->driver->name : "");
		/* What bound a certified device: the certified build (strict allows no other) or,
		 * under warn, another one, flagged; and its firmware against the entry's rule. */
		const char *build = "-", *fw = "-";
		if (v == HCLPOLICY_CERTIFIED && d->driver) {
			build = !d->policy_has_sha ? "unnamed" : policy_same_build(d, d->driver) ? "certified" : "uncertified";
			if (!strcmp(build, "uncertified"))
				klog("hcl: %s: warning: %s is not the build the list certifies (module sha256 differs); "
				     "policy %s loads it anyway", pci_slot_name(d, slot),
				     d->driver->owner ? d->driver->owner->file : d->driver->name,
				     policy_mode == POLICY_STRICT ? "strict" : "warn");
			fw = policy_firmware(d);
		}
		pci_slot_name(d, full);
		hvr_begin("hcl");
		hvr_str("slot", full);
		hvr_str("verdict", hclpolicy_verdict_name(v));
		hvr_str("reason", d->policy_reason);
		hvr_str("driver", d->driver ? d->driver->name : "-");
		hvr_str("build", build);
		hvr_str("firmware", fw);
		hvr_end();
	}
	bool bootable = hclpolicy_server_bootable(&srv);
	klog("hcl: %u certified NICs, %u certified storage controllers: %s (policy %s)", srv.nics,
	     srv.storage, bootable ? "bootable" : "not bootable",
	     policy_mode == POLICY_STRICT ? "strict" : "warn");
	hvr_begin("policy");
	hvr_str("status", bootable ? "bootable" : (policy_mode == POLICY_STRICT ? "refused" : "warned"));
	hvr_u64("nics", srv.nics);
	hvr_u64("storage", srv.storage);
	hvr_end();
	if (!bootable && policy_mode == POLICY_STRICT)
		policy_refuse(hclpolicy_server_missing(&srv));
}
