/* Tests for lib/vmcfg (VM configuration files) and lib/vmimage (guest image layout). */
#include <string.h>
#include <hv/errno.h>
#include <lib/bzimage.h>
#include <lib/vmcfg.h>
#include <lib/vmimage.h>
#include "unit.h"

static struct vmcfg_vm vc_vms[4];
static struct vmcfg_error vc_err;

static int vc_parse(const char *text)
{
	memset(vc_vms, 0xa5, sizeof(vc_vms));
	return vmcfg_parse(text, strlen(text), "t.vm", vc_vms, 4, &vc_err);
}

/* The text fails with exactly this one-line message. */
static void vc_fails(const char *text, const char *msg)
{
	int n = vc_parse(text);

	CU_ASSERT(n < 0);
	if (strcmp(vc_err.msg, msg) != 0)
		fprintf(stderr, "\n  got  '%s'\n  want '%s'\n", vc_err.msg, msg);
	CU_ASSERT_STRING_EQUAL(vc_err.msg, msg);
	CU_ASSERT(strchr(vc_err.msg, '\n') == NULL);
}

#define VC_BASE "name = a\nmemory = 4M\nimage = os.elf\n"

static void test_vmcfg_one(void)
{
	const char *t = "# a web server\n"
			"name = web-1\n"
			"memory = 4M\n"
			"vcpus = 1\n"
			"image = os.bin\n"
			"load = 0x1000\n"
			"arg = 5\n"
			"seed = 0x77\n"
			"  nic = vswitch0  \n"
			"nic=vswitch0,52:54:00:AB:cd:01\r\n"
			"disk = vmhba0\n"
			"disk = vmhba0p1:1M,2M\n"
			"console = web\n";

	CU_ASSERT_EQUAL_FATAL(vc_parse(t), 1);
	const struct vmcfg_vm *v = &vc_vms[0];
	CU_ASSERT_STRING_EQUAL(v->name, "web-1");
	CU_ASSERT_EQUAL(v->line, 2);
	CU_ASSERT_EQUAL(v->memory, 4u << 20);
	CU_ASSERT_EQUAL(v->vcpus, 1);
	CU_ASSERT_STRING_EQUAL(v->image, "os.bin");
	CU_ASSERT(v->has_load && v->load == 0x1000 && v->entry == 0x1000);
	CU_ASSERT_EQUAL(v->arg, 5);
	CU_ASSERT(v->has_seed && v->seed == 0x77);
	CU_ASSERT_EQUAL_FATAL(v->nnic, 2);
	CU_ASSERT_STRING_EQUAL(v->nic[0].sw, "vswitch0");
	CU_ASSERT(!v->nic[0].has_mac);
	CU_ASSERT(v->nic[1].has_mac);
	CU_ASSERT(memcmp(v->nic[1].mac, "\x52\x54\x00\xab\xcd\x01", 6) == 0);
	CU_ASSERT_EQUAL_FATAL(v->ndisk, 2);
	CU_ASSERT_STRING_EQUAL(v->disk[0].dev, "vmhba0");
	CU_ASSERT(v->disk[0].offset == 0 && v->disk[0].size == 0);
	CU_ASSERT_STRING_EQUAL(v->disk[1].dev, "vmhba0p1");
	CU_ASSERT(v->disk[1].offset == 1u << 20 && v->disk[1].size == 2u << 20);
	CU_ASSERT_STRING_EQUAL(v->console, "web");
	CU_ASSERT(v->nic[1].line == 10 && v->disk[1].line == 12);
}

static void test_vmcfg_sections(void)
{
	const char *t = "[vm]\nname = a\nmemory = 1M\nimage = os.elf\n\n"
			"[vm]\nname = b\nmemory = 2048K\nimage = os.elf\ndisk = vmhba0:512\n";

	CU_ASSERT_EQUAL_FATAL(vc_parse(t), 2);
	CU_ASSERT_STRING_EQUAL(vc_vms[0].name, "a");
	CU_ASSERT_STRING_EQUAL(vc_vms[1].name, "b");
	CU_ASSERT_EQUAL(vc_vms[1].memory, 2u << 20);
	CU_ASSERT_EQUAL(vc_vms[1].line, 6);
	CU_ASSERT(!vc_vms[0].has_load && !vc_vms[0].has_seed && vc_vms[0].vcpus == 1);
	CU_ASSERT(vc_vms[1].disk[0].offset == 512 && vc_vms[1].disk[0].size == 0);
	/* Keys before the first [vm] are a VM of their own. */
	CU_ASSERT_EQUAL(vc_parse(VC_BASE "[vm]\nname = b\nmemory = 1M\nimage = x\n"), 2);
}

static void test_vmcfg_errors(void)
{
	vc_fails(VC_BASE "colour = red\n", "t.vm:4: unknown key 'colour'");
	vc_fails(VC_BASE "memory\n", "t.vm:4: expected 'key = value' or '[vm]', got 'memory'");
	vc_fails("name = a\nmemory = 4Q\nimage = x\n", "t.vm:2: memory '4Q' is not a size (e.g. 4M, 65536, 1G)");
	vc_fails("name = a\nmemory = 4100\nimage = x\n", "t.vm:2: memory 4100 is not a multiple of 4K");
	vc_fails("name = a\nmemory = 4K\nimage = x\n", "t.vm:2: memory 4K is less than the minimum of 64K");
	vc_fails("name = a\nmemory = 3G\nimage = x\n", "t.vm:2: memory 3G is more than a VM can have (2G)");
	vc_fails("name = a\nmemory = 99999999999999999999\nimage = x\n",
		 "t.vm:2: memory '99999999999999999999' is not a size (e.g. 4M, 65536, 1G)");
	vc_fails("name = a\nmemory = 17179869184G\nimage = x\n",
		 "t.vm:2: memory '17179869184G' is not a size (e.g. 4M, 65536, 1G)");
	vc_fails(VC_BASE "memory = 8M\n", "t.vm:4: 'memory' given twice (first at line 2)");
	vc_fails("[vm]\nname = a\nmemory = 1M\nimage = x\n[vm]\nname = a\nmemory = 1M\nimage = x\n",
		 "t.vm:6: duplicate VM name 'a' (also at line 1)");
	vc_fails("name = a\nmemory = 1M\n", "t.vm:1: VM a has no image (image = BOOT-MODULE, or kernel = "
		 "BZIMAGE for a Linux guest)");
	vc_fails("[vm]\nname = a\nimage = x\n", "t.vm:1: VM a has no memory size (memory = ...)");
	vc_fails("memory = 1M\nimage = x\n", "t.vm:1: the VM has no name (name = ...)");
	vc_fails(VC_BASE "nic = vswitch0,52:54:00:12:34\n",
		 "t.vm:4: bad MAC '52:54:00:12:34': expected six hex bytes like 52:54:00:12:34:56");
	vc_fails(VC_BASE "nic = vswitch0,52:54:00:12:34:5g\n",
		 "t.vm:4: bad MAC '52:54:00:12:34:5g': expected six hex bytes like 52:54:00:12:34:56");
	vc_fails(VC_BASE "nic = vswitch0,01:00:5e:00:00:01\n", "t.vm:4: MAC 01:00:5e:00:00:01 is a multicast address");
	vc_fails(VC_BASE "nic = a\nnic = b\nnic = c\n", "t.vm:6: more than 2 nic lines");
	vc_fails(VC_BASE "nic = \n", "t.vm:4: 'nic' needs a value");
	vc_fails(VC_BASE "nic = ,52:54:00:12:34:56\n",
		 "t.vm:4: virtual switch '' is not a name: 1 to 15 letters, digits, '-', '_' or '.'");
	vc_fails(VC_BASE "disk = vmhba0:1000\n", "t.vm:4: disk offset and size must be multiples of 512 bytes");
	vc_fails(VC_BASE "disk = vmhba0:1M,0\n", "t.vm:4: disk size is 0");
	vc_fails(VC_BASE "disk = vmhba0:x,1M\n", "t.vm:4: disk offset 'x' is not a size");
	vc_fails(VC_BASE "disk = vmhba0:0,1Z\n", "t.vm:4: disk size '1Z' is not a size");
	vc_fails(VC_BASE "disk = vmhba0:0xfffffffffffffe00,1K\n", "t.vm:4: disk offset + size overflows");
	vc_fails(VC_BASE "disk = a\ndisk = b\ndisk = c\n", "t.vm:6: more than 2 disk lines");
	vc_fails(VC_BASE "disk = a very long block device name\n",
		 "t.vm:4: block device 'a very long block device name' is not a name: 1 to 15 letters, "
		 "digits, '-', '_' or '.'");
	vc_fails(VC_BASE "vcpus = 0\n", "t.vm:4: vcpus '0' is not a number from 1 to 64");
	vc_fails(VC_BASE "vcpus = 65\n", "t.vm:4: vcpus '65' is not a number from 1 to 64");
	vc_fails(VC_BASE "arg = 0x100000000\n", "t.vm:4: arg '0x100000000' is not a number from 0 to 4294967295");
	vc_fails("name = a\nmemory = 1M\nimage = ../os.elf\n",
		 "t.vm:3: image '../os.elf': name the boot module's file, without folders or blanks");
	vc_fails(VC_BASE "entry = 0x1000\n",
		 "t.vm:4: VM a: entry without load (an ELF image brings both; a flat one needs load)");
	vc_fails(VC_BASE "load = 4M\n", "t.vm:4: VM a: load 0x400000 is outside its 4096 KiB of memory");
	vc_fails(VC_BASE "load = 0\nentry = 0x400000\n", "t.vm:5: VM a: entry 0x400000 is outside its memory");
	vc_fails("[box]\n", "t.vm:1: unknown section '[box]' (only [vm])");
	vc_fails("# nothing\n\n", "t.vm:1: no VM in the file");
	vc_fails("", "t.vm:1: no VM in the file");
	vc_fails("name = a b\n", "t.vm:1: name 'a b' is not a name: 1 to 15 letters, digits, '-', '_' or '.'");
	vc_fails("name = a\0b\n", "t.vm:1: VM a has no memory size (memory = ...)");
	CU_ASSERT(vmcfg_parse("name = a\0\n", 10, "t.vm", vc_vms, 4, &vc_err) < 0);
	CU_ASSERT_STRING_EQUAL(vc_err.msg, "t.vm:1: a control character: not a text file");
	vc_fails("[vm]\nname=a\nmemory=1M\nimage=x\n[vm]\nname=b\nmemory=1M\nimage=x\n[vm]\nname=c\nmemory=1M\n"
		 "image=x\n[vm]\nname=d\nmemory=1M\nimage=x\n[vm]\n", "t.vm:17: more than 4 VMs in one file");
}

static void test_vmcfg_sizes(void)
{
	uint64_t v;
	uint8_t mac[6];

	CU_ASSERT(vmcfg_parse_size("0x10", 4, &v) == 0 && v == 16);
	CU_ASSERT(vmcfg_parse_size("2g", 2, &v) == 0 && v == 2ull << 30);
	CU_ASSERT(vmcfg_parse_size("0", 1, &v) == 0 && v == 0);
	CU_ASSERT(vmcfg_parse_size("K", 1, &v) < 0);
	CU_ASSERT(vmcfg_parse_size("0x", 2, &v) < 0);
	CU_ASSERT(vmcfg_parse_size("0x10000000000000000", 19, &v) < 0);
	CU_ASSERT(vmcfg_parse_size("18446744073709551615", 20, &v) == 0 && v == ~0ull);
	CU_ASSERT(vmcfg_parse_size("18446744073709551616", 20, &v) < 0);
	CU_ASSERT(vmcfg_parse_mac("02:00:00:00:00:ff", 17, mac) == 0 && mac[5] == 0xff);
	CU_ASSERT(vmcfg_parse_mac("02-00-00-00-00-ff", 17, mac) < 0);
}

/* An ELF32 executable with one load segment at 0x1000 (file 0x100..0x140, 0x80 in memory). */
static size_t vi_elf32(uint8_t *b, uint32_t paddr, uint32_t entry, uint32_t filesz, uint32_t memsz)
{
	memset(b, 0, 0x140);
	memcpy(b, "\177ELF\1\1\1", 7);
	b[16] = 2;			/* ET_EXEC */
	b[18] = 3;			/* EM_386 */
	memcpy(b + 24, &entry, 4);
	b[28] = 52;			/* e_phoff */
	b[42] = 32;			/* e_phentsize */
	b[44] = 1;			/* e_phnum */
	uint8_t *ph = b + 52;
	ph[0] = 1;			/* PT_LOAD */
	uint32_t off = 0x100;
	memcpy(ph + 4, &off, 4);
	memcpy(ph + 8, &paddr, 4);
	memcpy(ph + 12, &paddr, 4);
	memcpy(ph + 16, &filesz, 4);
	memcpy(ph + 20, &memsz, 4);
	return 0x140;
}

static void test_vmimage(void)
{
	uint8_t b[0x140];
	struct vmimage im;
	const char *why;
	size_t n = vi_elf32(b, 0x1000, 0x1010, 0x40, 0x80);

	CU_ASSERT_EQUAL_FATAL(vmimage_layout(b, n, 1 << 20, 0, 0, &im, &why), 0);
	CU_ASSERT(im.elf && im.entry == 0x1010 && im.nseg == 1);
	CU_ASSERT(im.seg[0].gpa == 0x1000 && im.seg[0].off == 0x100 && im.seg[0].filesz == 0x40 &&
		  im.seg[0].memsz == 0x80);
	vi_elf32(b, 0xff000, 0xff000, 0x40, 0x2000);
	CU_ASSERT_EQUAL(vmimage_layout(b, n, 1 << 20, 0, 0, &im, &why), -HV_ERANGE);
	CU_ASSERT_STRING_EQUAL(why, "an ELF segment lies outside the VM's memory");
	vi_elf32(b, 0x1000, 0x1000, 0x100, 0x100);
	CU_ASSERT_EQUAL(vmimage_layout(b, n, 1 << 20, 0, 0, &im, &why), -HV_ENOEXEC);
	CU_ASSERT_STRING_EQUAL(why, "an ELF segment lies outside the file");
	vi_elf32(b, 0x1000, 0x200000, 0x40, 0x40);
	CU_ASSERT_EQUAL(vmimage_layout(b, n, 1 << 20, 0, 0, &im, &why), -HV_ERANGE);
	vi_elf32(b, 0x1000, 0x1000, 0x40, 0x40);
	b[16] = 1;			/* ET_REL: a driver module, not a guest */
	CU_ASSERT_EQUAL(vmimage_layout(b, n, 1 << 20, 0, 0, &im, &why), -HV_ENOEXEC);
	CU_ASSERT(vmimage_layout(b, 30, 1 << 20, 0, 0, &im, &why) < 0);
	CU_ASSERT(vmimage_layout("\177ELF", 4, 1 << 20, 0, 0, &im, &why) == -HV_ENOEXEC);	/* found by fuzz_vmcfg */
	CU_ASSERT_STRING_EQUAL(why, "ELF image shorter than its header");
	/* Flat: placed by the configuration. */
	CU_ASSERT_EQUAL(vmimage_layout("\x90\x90", 2, 1 << 20, 0x1000, 0x1001, &im, &why), 0);
	CU_ASSERT(!im.elf && im.entry == 0x1001 && im.seg[0].gpa == 0x1000 && im.seg[0].memsz == 2);
	CU_ASSERT_EQUAL(vmimage_layout("\x90\x90", 2, 0x1001, 0x1000, 0x1000, &im, &why), -HV_ERANGE);
	CU_ASSERT_EQUAL(vmimage_layout("", 0, 0x1000, 0, 0, &im, &why), -HV_ENOEXEC);
}

/* A Linux guest's keys (docs/vm-config.md): kernel, initrd, cmdline (its '=' kept), expect. */
static void test_vmcfg_linux(void)
{
	const char *t = "name = lx\nmemory = 112M\nkernel = vmlinuz\ninitrd = initramfs.cpio.gz\n"
			"cmdline = console=ttyS0 loglevel=6\nexpect = Linux version\nexpect = init reached\n";

	CU_ASSERT_EQUAL_FATAL(vc_parse(t), 1);
	CU_ASSERT_STRING_EQUAL(vc_vms[0].kernel, "vmlinuz");
	CU_ASSERT_STRING_EQUAL(vc_vms[0].initrd, "initramfs.cpio.gz");
	CU_ASSERT_STRING_EQUAL(vc_vms[0].cmdline, "console=ttyS0 loglevel=6");
	CU_ASSERT_EQUAL_FATAL(vc_vms[0].nexpect, 2);
	CU_ASSERT_STRING_EQUAL(vc_vms[0].expect[1], "init reached");
	CU_ASSERT_EQUAL(vc_vms[0].image[0], 0);
	vc_fails("name = a\nmemory = 4M\n", "t.vm:1: VM a has no image (image = BOOT-MODULE, or kernel = "
		 "BZIMAGE for a Linux guest)");
	vc_fails(VC_BASE "kernel = vmlinuz\n", "t.vm:4: VM a: image and kernel both given (one guest per VM)");
	vc_fails(VC_BASE "initrd = i.gz\n", "t.vm:4: VM a: initrd without kernel (only a Linux guest has them)");
	vc_fails("name = a\nmemory = 4M\nkernel = k\nload = 0x1000\n",
		 "t.vm:4: VM a: load with kernel (the Linux boot protocol places and starts the kernel)");
	vc_fails("name = a\nmemory = 4M\nkernel = k\narg = 1\n",
		 "t.vm:4: VM a: arg with kernel (the Linux boot protocol places and starts the kernel)");
	vc_fails("name = a\nmemory = 4M\nkernel = a/k\n",
		 "t.vm:3: kernel 'a/k': name the boot module's file, without folders or blanks");
	vc_fails("name = a\nmemory = 4M\nkernel = k\nexpect = 1\nexpect = 2\nexpect = 3\nexpect = 4\n"
		 "expect = 5\n", "t.vm:8: more than 4 expect lines");
}

/* A bzImage header, built here field by field from the boot protocol's table. */
static uint8_t bz_img[0x2000];

static void bz_make(void)
{
	memset(bz_img, 0, sizeof(bz_img));
	bz_img[BZ_SETUP_SECTS] = 1;			/* the kernel at (1 + 1) * 512 */
	bz_img[BZ_BOOT_FLAG] = 0x55, bz_img[BZ_BOOT_FLAG + 1] = 0xaa;
	bz_img[BZ_JUMP] = 0xeb, bz_img[BZ_JUMP + 1] = 0x66;	/* header ends at 0x268 */
	memcpy(bz_img + BZ_HEADER, "HdrS", 4);
	bz_img[BZ_VERSION] = 0x0f, bz_img[BZ_VERSION + 1] = 0x02;
	bz_img[BZ_LOADFLAGS] = 0x01;
	bz_img[BZ_KERNEL_ALIGNMENT + 2] = 0x20;		/* 2 MiB */
	bz_img[BZ_XLOADFLAGS] = BZ_XLF_KERNEL_64;
	bz_img[BZ_CMDLINE_SIZE] = 0xff, bz_img[BZ_CMDLINE_SIZE + 1] = 0x07;
	bz_img[BZ_PREF_ADDRESS + 3] = 0x01;		/* 16 MiB */
	bz_img[BZ_INIT_SIZE + 2] = 0x40;		/* 4 MiB */
	bz_img[BZ_INITRD_ADDR_MAX] = 0xff, bz_img[BZ_INITRD_ADDR_MAX + 1] = 0xff;
	bz_img[BZ_INITRD_ADDR_MAX + 2] = 0xff, bz_img[BZ_INITRD_ADDR_MAX + 3] = 0x7f;
	bz_img[0x300] = 0xcc;				/* not header: must not be copied */
}

static void test_bzimage(void)
{
	struct bzimage bz;
	const char *why = "";
	static uint8_t bp[BP_SIZE];

	bz_make();
	CU_ASSERT_EQUAL_FATAL(bzimage_parse(bz_img, sizeof(bz_img), &bz, &why), 0);
	CU_ASSERT(bz.kernel == bz_img + 1024 && bz.kernel_len == sizeof(bz_img) - 1024);
	CU_ASSERT_EQUAL(bz.load, 0x1000000);
	CU_ASSERT_EQUAL(bz.init_size, 0x400000);
	CU_ASSERT_EQUAL(bz.cmdline_max, 2047);
	CU_ASSERT_EQUAL(bz.initrd_max, 0x7fffffff);
	const struct bzimage_e820 map[] = { { 0, 0x9fc00, BZ_E820_RAM }, { 0x100000, 0x6f00000, BZ_E820_RAM } };
	memset(bp, 0, sizeof(bp));
	bzimage_boot_params(bp, bz_img, 0x20000, 0x6000000, 0x123456, map, 2, 0xe0000);
	CU_ASSERT_EQUAL(bp[BZ_TYPE_OF_LOADER], 0xff);
	CU_ASSERT_EQUAL(bp[BZ_VERSION], 0x0f);
	CU_ASSERT_EQUAL(bp[BZ_INIT_SIZE + 2], 0x40);	/* the header is copied through 0x267 */
	CU_ASSERT_EQUAL(bp[0x300], 0);
	CU_ASSERT(bp[BZ_CMD_LINE_PTR + 2] == 0x02 && bp[BZ_CMD_LINE_PTR + 1] == 0);
	CU_ASSERT(bp[BZ_RAMDISK_IMAGE + 3] == 0x06 && bp[BZ_RAMDISK_SIZE] == 0x56 && bp[BZ_RAMDISK_SIZE + 2] == 0x12);
	CU_ASSERT(bp[BP_ACPI_RSDP_ADDR + 2] == 0x0e && bp[BP_ACPI_RSDP_ADDR + 1] == 0);
	CU_ASSERT_EQUAL(bp[BP_E820_ENTRIES], 2);
	CU_ASSERT(bp[BP_E820_TABLE + 20 + 2] == 0x10 && bp[BP_E820_TABLE + 20 + 8 + 3] == 0x06 &&
		  bp[BP_E820_TABLE + 20 + 16] == 1);
	/* What is refused, and why. */
	CU_ASSERT_EQUAL(bzimage_parse(bz_img, 0x263, &bz, &why), -1);
	CU_ASSERT_STRING_EQUAL(why, "not a bzImage (no boot flag 0xaa55 and \"HdrS\" header)");
	bz_img[BZ_HEADER] = 'X';
	CU_ASSERT_EQUAL(bzimage_parse(bz_img, sizeof(bz_img), &bz, &why), -1);
	bz_make();
	bz_img[BZ_VERSION] = 0x0b;
	CU_ASSERT_EQUAL(bzimage_parse(bz_img, sizeof(bz_img), &bz, &why), -1);
	CU_ASSERT_STRING_EQUAL(why, "boot protocol older than 2.12: no 64-bit entry");
	bz_make();
	bz_img[BZ_XLOADFLAGS] = 0;
	CU_ASSERT_EQUAL(bzimage_parse(bz_img, sizeof(bz_img), &bz, &why), -1);
	CU_ASSERT_STRING_EQUAL(why, "no 64-bit entry point (xloadflags.XLF_KERNEL_64 clear): not an x86-64 kernel");
	bz_make();
	bz_img[BZ_SETUP_SECTS] = 20;
	CU_ASSERT_EQUAL(bzimage_parse(bz_img, sizeof(bz_img), &bz, &why), -1);
	CU_ASSERT_STRING_EQUAL(why, "setup_sects points past the end of the file");
	bz_make();
	bz_img[BZ_PREF_ADDRESS + 1] = 0x10;		/* not 2 MiB aligned */
	CU_ASSERT_EQUAL(bzimage_parse(bz_img, sizeof(bz_img), &bz, &why), -1);
}

UNIT_SUITE(vmcfg_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_vmcfg_one),
		UNIT_TEST(test_vmcfg_sections),
		UNIT_TEST(test_vmcfg_errors),
		UNIT_TEST(test_vmcfg_sizes),
		UNIT_TEST(test_vmimage),
		UNIT_TEST(test_vmcfg_linux),
		UNIT_TEST(test_bzimage),
		UNIT_TEST_END
	};
	unit_add_suite("vmcfg", NULL, NULL, tests);
}
