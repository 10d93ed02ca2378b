/*
 * A well-formed driver module used by tests/unit/test_elfmod.c and as the fuzz seed
 * (mk/fuzz.mk). Compiled at test time with the module flags; never linked or run.
 * .data.relocs holds one field per accepted relocation type, checked after loading.
 */
#include <hv/module.h>

HV_MODULE("testdrv", "1.2.3", "Test Vendor Inc.", "BSD-2-Clause",
	  HV_PCI_DEVICE(0x8086, 0x100e),
	  HV_PCI_DEVICE_SUB(0x8086, 0x10d3, 0x1af4, 0x1100),
	  HV_PCI_CLASS(0x020000, 0xffff00));

extern int kernel_counter;
extern int kernel_table[];
extern void kernel_log(const char *s);
extern int weak_missing __attribute__((weak));

int target_var = 42;
int *ptr_var = &target_var;
static const char msg[] = "hello";
const char *msg_ptr = msg;
int *weak_ptr = &weak_missing;
static int bss_arr[100];

int hv_module_init(void)
{
	kernel_log(msg);
	bss_arr[3] = kernel_counter;
	return kernel_table[bss_arr[4]];
}

void hv_module_exit(void)
{
	kernel_counter = 0;
}

static int local_fn(void)
{
	return 1;
}

int (*local_fn_ptr)(void) = local_fn;

__asm__(".section .data.relocs,\"aw\"\n"
	".balign 8\n"
	".globl rel_slots\n"
	"rel_slots:\n"
	".quad target_var + 16\n"					/*  0: 64 */
	".quad target_var - .\n"					/*  8: PC64 */
	".long target_var - .\n"					/* 16: PC32 */
	".long target_var\n"						/* 20: 32 */
	".reloc ., R_X86_64_32S, target_var - 8\n.long 0\n"		/* 24: 32S */
	".reloc ., R_X86_64_PLT32, kernel_log - 4\n.long 0\n"		/* 28: PLT32 */
	".reloc ., R_X86_64_NONE, target_var\n.long 0x11223344\n"	/* 32: NONE */
	".long kernel_counter - .\n"					/* 36: PC32 extern */
	".reloc ., R_X86_64_32S, kernel_table\n.long 0\n"		/* 40: 32S extern */
	".previous\n");
