/*
 * libFuzzer target for lib/vmcfg and lib/vmimage: any input must parse into VMs or be
 * refused with a one-line message naming the file and line, without a memory error or
 * undefined behaviour (ASan, UBSan); and any input laid out as a guest image must stay in
 * the file and in the guest's memory. Built and run by `make fuzz` (mk/fuzz.mk).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lib/vmcfg.h>
#include <lib/vmimage.h>

#define FUZZ_GUEST_MEM	(1u << 20)

static void fuzz_check_config(const uint8_t *data, size_t size)
{
	static struct vmcfg_vm vms[4];
	struct vmcfg_error err;
	int n = vmcfg_parse((const char *)data, size, "f.vm", vms, 4, &err);

	if (n < 0) {
		if (strncmp(err.msg, "f.vm:", 5) != 0 || strchr(err.msg, '\n'))
			abort();	/* every error names the file and is one line */
		return;
	}
	for (int i = 0; i < n; i++)
		/* exactly one of image (our test OS) and kernel (a Linux bzImage) */
		if (!vms[i].name[0] || !vms[i].image[0] == !vms[i].kernel[0] ||
		    (vms[i].initrd[0] && !vms[i].kernel[0]) || vms[i].memory < VMCFG_MIN_MEMORY ||
		    vms[i].memory > VMCFG_MAX_MEMORY || vms[i].nnic > VMCFG_MAX_NICS ||
		    vms[i].ndisk > VMCFG_MAX_DISKS || vms[i].vcpus < 1)
			abort();	/* an accepted VM is complete and within the limits */
}

static void fuzz_check_image(const uint8_t *data, size_t size)
{
	struct vmimage im;
	const char *why;

	if (vmimage_layout(data, size, FUZZ_GUEST_MEM, 0x1000, 0x1000, &im, &why) < 0)
		return;
	if (im.entry >= FUZZ_GUEST_MEM)
		abort();
	for (int i = 0; i < im.nseg; i++) {
		const struct vmimage_seg *s = &im.seg[i];
		if (s->filesz > s->memsz || s->off > size || s->filesz > size - s->off ||
		    s->gpa >= FUZZ_GUEST_MEM || s->memsz > FUZZ_GUEST_MEM - s->gpa)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_check_config(data, size);
	fuzz_check_image(data, size);
	return 0;
}
