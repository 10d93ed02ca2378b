/* certify: the host check dev.firmware (fwverify.h). */
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "fwverify.h"

/* QEMU 7.2's EEPROM images (hw/net/e1000.c e1000_eeprom_template, hw/net/e1000e_core.c
 * e1000e_eeprom_template): word 05h is 0x0000 and 0x2010, "major.minor-build" as the
 * driver and Linux's ethtool write it. */
static const struct { const char *model, *fw; } fw_fixed[] = {
	{ "e1000", "0.0-0" }, { "e1000-82545em", "0.0-0" }, { "e1000e", "2.1-0" },
	{ "e1000-82544gc", "" },	/* no EERD: the driver cannot read the word */
	{ "virtio-net-pci", "" }, { "virtio-net-pci-non-transitional", "" }, { "rtl8139", "" },
	{ "vmxnet3", "" }, { "virtio-blk-pci", "" }, { "virtio-blk-pci-non-transitional", "" },
};

/* The model's function in the kernel's list (as judge.c's certify_run_find_pci; not linked
 * from here, so hvktest's libcertify stays free of the plan reader). */
static const struct hvr_pci *fw_find_pci(const struct hvr_run *run, const struct certify_model *m)
{
	for (size_t i = 0; i < run->npci; i++)
		if (run->pci[i].vid == m->vid && run->pci[i].did == m->did)
			return &run->pci[i];
	return NULL;
}

/* "QEMU emulator version 7.2.22 (Debian ...)": "7.2.22". */
static int fw_qemu_number(const char *line, char *out, size_t outlen)
{
	const char *v = line ? strstr(line, "version ") : NULL;
	size_t n;

	if (!v)
		return 0;
	v += 8;
	n = strspn(v, "0123456789.");
	if (n == 0 || n >= outlen)
		return 0;
	memcpy(out, v, n);
	out[n] = '\0';
	return 1;
}

int certify_fw_expected(const struct certify_model *m, size_t index, const char *qemu_version,
			char *out, size_t outlen)
{
	out[0] = '\0';
	if (m->attach == CERTIFY_ATTACH_AHCI || m->attach == CERTIFY_ATTACH_SCSI) {
		snprintf(out, outlen, CERTIFY_DISK_FW_FMT, index);
		return 1;
	}
	if (m->attach == CERTIFY_ATTACH_NVME)
		return fw_qemu_number(qemu_version, out, outlen);
	for (size_t i = 0; i < sizeof(fw_fixed) / sizeof(fw_fixed[0]); i++)
		if (!strcmp(fw_fixed[i].model, m->model)) {
			snprintf(out, outlen, "%s", fw_fixed[i].fw);
			return 1;
		}
	return 0;
}

int certify_fw_required(const struct certify_run_spec *spec)
{
	char fw[32];

	for (size_t i = 0; i < spec->ndut; i++)
		if (spec->dut[i].m && spec->dut[i].m->kind != CERTIFY_KIND_OTHER &&
		    certify_fw_expected(spec->dut[i].m, i, "QEMU emulator version 0", fw, sizeof(fw)))
			return 1;
	return 0;
}

void certify_fwverify_check(const struct certify_run_spec *spec, const struct hvr_run *run,
			    const char *qemu_version, struct certify_hostcheck *c)
{
	char want[32], msg[sizeof(c->msg)] = "";
	size_t len = 0, checked = 0;
	int ok = 1;

	if (!c)
		return;
	for (size_t i = 0; i < spec->ndut; i++) {
		const struct certify_model *m = spec->dut[i].m;
		const struct hvr_pci *p = m ? fw_find_pci(run, m) : NULL;

		if (!m || m->kind == CERTIFY_KIND_OTHER || !certify_fw_expected(m, i, qemu_version, want, sizeof(want)))
			continue;
		if (!p) {
			certify_hostcheck_notrun(c, "%s: the kernel reported no pci record for it", m->model);
			return;
		}
		checked++;
		if (!strcmp(p->fw, want))
			continue;
		ok = 0;
		if (len < sizeof(msg))
			len += (size_t)snprintf(msg + len, sizeof(msg) - len, "%s%s at %s: driver %s reported %s%s%s, QEMU gives it %s%s%s",
						len ? "; " : "", m->model, p->slot, p->driver,
						p->fw[0] ? "firmware '" : "no firmware", p->fw, p->fw[0] ? "'" : "",
						want[0] ? "'" : "none", want, want[0] ? "'" : "");
	}
	if (!checked) {
		certify_hostcheck_notrun(c, "no device under test whose firmware the host knows");
		return;
	}
	if (ok)
		certify_hostcheck_done(c, 1, "%zu device%s reported the firmware QEMU gives %s", checked,
				       checked == 1 ? "" : "s", checked == 1 ? "it" : "them");
	else
		certify_hostcheck_done(c, 0, "%s", msg);
}
