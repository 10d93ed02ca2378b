/* VM configuration files (lib/vmcfg.h, docs/vm-config.md). */
#include <stdarg.h>
#include <hv/errno.h>
#include <lib/fmt.h>
#include <lib/vmcfg.h>

/* Freestanding: the four libc functions the kernel provides (mk/unit.mk checks it). */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

/* Keys that may appear once per VM; nic and disk may repeat. */
enum vmcfg_key { K_NAME, K_MEMORY, K_VCPUS, K_IMAGE, K_LOAD, K_ENTRY, K_ARG, K_SEED, K_CONSOLE,
		 K_NIC, K_DISK, K_KERNEL, K_INITRD, K_CMDLINE, K_EXPECT, K_EXPECT_STOP, K_NKEYS };

static const char *const vmcfg_keys[K_NKEYS] = {
	"name", "memory", "vcpus", "image", "load", "entry", "arg", "seed", "console", "nic", "disk",
	"kernel", "initrd", "cmdline", "expect", "expect_stop",
};

struct vmcfg_parser {
	const char *fname;
	int line;
	struct vmcfg_error *err;
	struct vmcfg_vm *vm;		/* the VM being read, or NULL before the first key */
	int key_line[K_NKEYS];		/* where each key of the current VM was given */
};

static int vmcfg_fail(struct vmcfg_parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int vmcfg_fail(struct vmcfg_parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	int n = fmt_snprintf(p->err->msg, sizeof(p->err->msg), "%s:%d: ", p->fname, line);

	if (n < 0 || (size_t)n >= sizeof(p->err->msg))
		n = 0;
	va_start(ap, fmt);
	fmt_vsnprintf(p->err->msg + n, sizeof(p->err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	p->err->line = line;
	return -HV_EINVAL;
}

static bool vmcfg_eq(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);

	return n == w && memcmp(s, word, n) == 0;
}

int vmcfg_parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0, mult = 1;
	size_t i = 0;

	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		for (i = 2; i < n; i++) {
			int d = fmt_hex_digit(s[i]);
			if (d < 0 || v >> 60)
				return -1;
			v = v << 4 | (uint64_t)d;
		}
		*out = v;
		return 0;
	}
	if (n && (s[n - 1] == 'K' || s[n - 1] == 'k'))
		mult = 1ull << 10, n--;
	else if (n && (s[n - 1] == 'M' || s[n - 1] == 'm'))
		mult = 1ull << 20, n--;
	else if (n && (s[n - 1] == 'G' || s[n - 1] == 'g'))
		mult = 1ull << 30, n--;
	if (!n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (~0ull - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > ~0ull / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int vmcfg_parse_mac(const char *s, size_t n, uint8_t mac[6])
{
	if (n != 17)
		return -1;
	for (int i = 0; i < 6; i++) {
		int hi = fmt_hex_digit(s[3 * i]), lo = fmt_hex_digit(s[3 * i + 1]);
		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -1;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Names of VMs, switches, block devices and consoles: 1..15 of [A-Za-z0-9._-]. */
static bool vmcfg_name_ok(const char *s, size_t n)
{
	if (!n || n >= VMCFG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_' || c == '.'))
			return false;
	}
	return true;
}

static void vmcfg_copy(char *dst, const char *s, size_t n)
{
	memcpy(dst, s, n);
	dst[n] = 0;
}

static int vmcfg_name(struct vmcfg_parser *p, const char *what, const char *v, size_t n, char *dst)
{
	if (!vmcfg_name_ok(v, n))
		return vmcfg_fail(p, p->line, "%s '%.*s' is not a name: 1 to %d letters, digits, '-', '_' "
				  "or '.'", what, (int)n, v, VMCFG_NAME_MAX - 1);
	vmcfg_copy(dst, v, n);
	return 0;
}

static int vmcfg_u32(struct vmcfg_parser *p, const char *what, const char *v, size_t n, uint32_t *dst)
{
	uint64_t x;

	if (vmcfg_parse_size(v, n, &x) < 0 || x > 0xffffffffu)
		return vmcfg_fail(p, p->line, "%s '%.*s' is not a number from 0 to 4294967295", what, (int)n, v);
	*dst = (uint32_t)x;
	return 0;
}

static int vmcfg_memory(struct vmcfg_parser *p, const char *v, size_t n)
{
	uint64_t m;

	if (vmcfg_parse_size(v, n, &m) < 0)
		return vmcfg_fail(p, p->line, "memory '%.*s' is not a size (e.g. 4M, 65536, 1G)", (int)n, v);
	if (m % 4096)
		return vmcfg_fail(p, p->line, "memory %.*s is not a multiple of 4K", (int)n, v);
	if (m < VMCFG_MIN_MEMORY)
		return vmcfg_fail(p, p->line, "memory %.*s is less than the minimum of 64K", (int)n, v);
	if (m > VMCFG_MAX_MEMORY)
		return vmcfg_fail(p, p->line, "memory %.*s is more than a VM can have (2G)", (int)n, v);
	p->vm->memory = m;
	return 0;
}

static int vmcfg_nic(struct vmcfg_parser *p, const char *v, size_t n)
{
	struct vmcfg_vm *vm = p->vm;
	size_t sw = 0;

	if (vm->nnic == VMCFG_MAX_NICS)
		return vmcfg_fail(p, p->line, "more than %d nic lines", VMCFG_MAX_NICS);
	while (sw < n && v[sw] != ',')
		sw++;
	struct vmcfg_nic *nic = &vm->nic[vm->nnic];
	nic->line = p->line;
	if (vmcfg_name(p, "virtual switch", v, sw, nic->sw) < 0)
		return -HV_EINVAL;
	if (sw < n) {
		const char *m = v + sw + 1;
		size_t mn = n - sw - 1;
		if (vmcfg_parse_mac(m, mn, nic->mac) < 0)
			return vmcfg_fail(p, p->line, "bad MAC '%.*s': expected six hex bytes like "
					  "52:54:00:12:34:56", (int)mn, m);
		if (nic->mac[0] & 1)
			return vmcfg_fail(p, p->line, "MAC %.*s is a multicast address", (int)mn, m);
		nic->has_mac = true;
	}
	vm->nnic++;
	return 0;
}

/* disk = DEV[:OFFSET[,SIZE]] */
static int vmcfg_disk(struct vmcfg_parser *p, const char *v, size_t n)
{
	struct vmcfg_vm *vm = p->vm;
	size_t dn = 0;

	if (vm->ndisk == VMCFG_MAX_DISKS)
		return vmcfg_fail(p, p->line, "more than %d disk lines", VMCFG_MAX_DISKS);
	while (dn < n && v[dn] != ':')
		dn++;
	struct vmcfg_disk *d = &vm->disk[vm->ndisk];
	d->offset = d->size = 0;
	d->line = p->line;
	if (vmcfg_name(p, "block device", v, dn, d->dev) < 0)
		return -HV_EINVAL;
	if (dn < n) {
		const char *o = v + dn + 1, *s = 0;
		size_t on = n - dn - 1, sn = 0;
		for (size_t i = 0; i < on; i++)
			if (o[i] == ',') {
				s = o + i + 1;
				sn = on - i - 1;
				on = i;
				break;
			}
		if (vmcfg_parse_size(o, on, &d->offset) < 0)
			return vmcfg_fail(p, p->line, "disk offset '%.*s' is not a size", (int)on, o);
		if (s && vmcfg_parse_size(s, sn, &d->size) < 0)
			return vmcfg_fail(p, p->line, "disk size '%.*s' is not a size", (int)sn, s);
		if (s && !d->size)
			return vmcfg_fail(p, p->line, "disk size is 0");
		if (d->offset % 512 || d->size % 512)
			return vmcfg_fail(p, p->line, "disk offset and size must be multiples of 512 bytes");
		if (d->offset + d->size < d->offset)
			return vmcfg_fail(p, p->line, "disk offset + size overflows");
	}
	vm->ndisk++;
	return 0;
}

/* A boot module's file name: no folders, no blanks. */
static int vmcfg_module(struct vmcfg_parser *p, const char *what, const char *v, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == '/' || v[i] == ' ' || v[i] == '\t')
			return vmcfg_fail(p, p->line, "%s '%.*s': name the boot module's file, "
					  "without folders or blanks", what, (int)n, v);
	if (n >= VMCFG_IMAGE_MAX)
		return vmcfg_fail(p, p->line, "%s name longer than %d characters", what, VMCFG_IMAGE_MAX - 1);
	vmcfg_copy(out, v, n);
	return 0;
}

static int vmcfg_value(struct vmcfg_parser *p, enum vmcfg_key k, const char *v, size_t n)
{
	struct vmcfg_vm *vm = p->vm;
	uint64_t x;

	switch (k) {
	case K_NAME:
		return vmcfg_name(p, "name", v, n, vm->name);
	case K_CONSOLE:
		return vmcfg_name(p, "console", v, n, vm->console);
	case K_MEMORY:
		return vmcfg_memory(p, v, n);
	case K_VCPUS:
		if (vmcfg_parse_size(v, n, &x) < 0 || x < 1 || x > VMCFG_MAX_VCPUS)
			return vmcfg_fail(p, p->line, "vcpus '%.*s' is not a number from 1 to %d", (int)n, v,
					  VMCFG_MAX_VCPUS);
		vm->vcpus = (unsigned)x;
		return 0;
	case K_IMAGE:
		return vmcfg_module(p, "image", v, n, vm->image);
	case K_KERNEL:
		return vmcfg_module(p, "kernel", v, n, vm->kernel);
	case K_INITRD:
		return vmcfg_module(p, "initrd", v, n, vm->initrd);
	case K_CMDLINE:
		if (n >= VMCFG_CMDLINE_MAX)
			return vmcfg_fail(p, p->line, "cmdline longer than %d characters", VMCFG_CMDLINE_MAX - 1);
		vmcfg_copy(vm->cmdline, v, n);
		return 0;
	case K_EXPECT_STOP:
		if (n >= VMCFG_EXPECT_MAX)
			return vmcfg_fail(p, p->line, "expect_stop text longer than %d characters", VMCFG_EXPECT_MAX - 1);
		vmcfg_copy(vm->expect_stop, v, n);
		return 0;
	case K_EXPECT:
		if (vm->nexpect == VMCFG_MAX_EXPECT)
			return vmcfg_fail(p, p->line, "more than %d expect lines", VMCFG_MAX_EXPECT);
		if (n >= VMCFG_EXPECT_MAX)
			return vmcfg_fail(p, p->line, "expect text longer than %d characters", VMCFG_EXPECT_MAX - 1);
		vmcfg_copy(vm->expect[vm->nexpect++], v, n);
		return 0;
	case K_LOAD:
	case K_ENTRY:
		if (vmcfg_parse_size(v, n, &x) < 0)
			return vmcfg_fail(p, p->line, "%s '%.*s' is not an address", vmcfg_keys[k], (int)n, v);
		if (k == K_LOAD)
			vm->load = x, vm->has_load = true;
		else
			vm->entry = x, vm->has_entry = true;
		return 0;
	case K_ARG:
		vm->has_arg = true;
		return vmcfg_u32(p, "arg", v, n, &vm->arg);
	case K_SEED:
		vm->has_seed = true;
		return vmcfg_u32(p, "seed", v, n, &vm->seed);
	case K_NIC:
		return vmcfg_nic(p, v, n);
	case K_DISK:
		return vmcfg_disk(p, v, n);
	default:
		return -HV_EINVAL;
	}
}

/* A VM's section ended: what is missing or inconsistent, and clashes with the VMs before. */
static int vmcfg_finish(struct vmcfg_parser *p, struct vmcfg_vm *vms, int idx)
{
	struct vmcfg_vm *vm = &vms[idx];

	if (!vm->name[0])
		return vmcfg_fail(p, vm->line, "the VM has no name (name = ...)");
	if (!vm->memory)
		return vmcfg_fail(p, vm->line, "VM %s has no memory size (memory = ...)", vm->name);
	if (!vm->image[0] && !vm->kernel[0])
		return vmcfg_fail(p, vm->line, "VM %s has no image (image = BOOT-MODULE, or kernel = "
				  "BZIMAGE for a Linux guest)", vm->name);
	if (vm->image[0] && vm->kernel[0])
		return vmcfg_fail(p, p->key_line[K_KERNEL], "VM %s: image and kernel both given (one "
				  "guest per VM)", vm->name);
	if (!vm->kernel[0] && (vm->initrd[0] || vm->cmdline[0]))
		return vmcfg_fail(p, p->key_line[vm->initrd[0] ? K_INITRD : K_CMDLINE], "VM %s: %s "
				  "without kernel (only a Linux guest has them)", vm->name,
				  vm->initrd[0] ? "initrd" : "cmdline");
	if (vm->kernel[0] && (vm->has_load || vm->has_arg))
		return vmcfg_fail(p, p->key_line[vm->has_load ? K_LOAD : K_ARG], "VM %s: %s with kernel "
				  "(the Linux boot protocol places and starts the kernel)", vm->name,
				  vm->has_load ? "load" : "arg");
	if (vm->has_entry && !vm->has_load)
		return vmcfg_fail(p, p->key_line[K_ENTRY], "VM %s: entry without load (an ELF image "
				  "brings both; a flat one needs load)", vm->name);
	if (vm->has_load && vm->load >= vm->memory)
		return vmcfg_fail(p, p->key_line[K_LOAD], "VM %s: load 0x%llx is outside its %llu KiB "
				  "of memory", vm->name, (unsigned long long)vm->load,
				  (unsigned long long)(vm->memory / 1024));
	if (vm->has_entry && vm->entry >= vm->memory)
		return vmcfg_fail(p, p->key_line[K_ENTRY], "VM %s: entry 0x%llx is outside its memory",
				  vm->name, (unsigned long long)vm->entry);
	if (vm->has_load && !vm->has_entry)
		vm->entry = vm->load;
	if (!vm->vcpus)
		vm->vcpus = 1;
	for (int i = 0; i < idx; i++)
		if (strlen(vms[i].name) == strlen(vm->name) && memcmp(vms[i].name, vm->name, strlen(vm->name)) == 0)
			return vmcfg_fail(p, p->key_line[K_NAME], "duplicate VM name '%s' (also at line %d)",
					  vm->name, vms[i].line);
	return 0;
}

static void vmcfg_begin(struct vmcfg_parser *p, struct vmcfg_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->line = p->line;
	p->vm = vm;
	memset(p->key_line, 0, sizeof(p->key_line));
}

static bool vmcfg_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One `key = value` line (s..e, blanks trimmed) of the current VM. */
static int vmcfg_line(struct vmcfg_parser *p, const char *s, const char *e)
{
	const char *eq = s;

	while (eq < e && *eq != '=')
		eq++;
	if (eq == e)
		return vmcfg_fail(p, p->line, "expected 'key = value' or '[vm]', got '%.*s'", (int)(e - s), s);
	const char *ke = eq, *v = eq + 1;
	while (ke > s && vmcfg_blank(ke[-1]))
		ke--;
	while (v < e && vmcfg_blank(*v))
		v++;
	int k = 0;
	while (k < K_NKEYS && !vmcfg_eq(s, (size_t)(ke - s), vmcfg_keys[k]))
		k++;
	if (k == K_NKEYS)
		return vmcfg_fail(p, p->line, "unknown key '%.*s'", (int)(ke - s), s);
	if (v == e)
		return vmcfg_fail(p, p->line, "'%s' needs a value", vmcfg_keys[k]);
	if (k != K_NIC && k != K_DISK && k != K_EXPECT && p->key_line[k])
		return vmcfg_fail(p, p->line, "'%s' given twice (first at line %d)", vmcfg_keys[k],
				  p->key_line[k]);
	if (!p->key_line[k])
		p->key_line[k] = p->line;
	return vmcfg_value(p, (enum vmcfg_key)k, v, (size_t)(e - v));
}

int vmcfg_parse(const char *text, size_t len, const char *fname, struct vmcfg_vm *vms, int max,
		struct vmcfg_error *err)
{
	struct vmcfg_parser p = { .fname = fname, .err = err };
	const char *pos = text, *end = text + len;
	int n = 0, ret;

	err->line = 0;
	err->msg[0] = 0;
	for (p.line = 1; pos < end; p.line++) {
		const char *s = pos, *e = pos;
		while (e < end && *e != '\n')
			e++;
		pos = e < end ? e + 1 : e;
		for (const char *c = s; c < e; c++)
			if (*c == 0 || ((unsigned char)*c < 0x20 && *c != '\t' && *c != '\r'))
				return vmcfg_fail(&p, p.line, "a control character: not a text file");
		while (s < e && vmcfg_blank(*s))
			s++;
		while (e > s && vmcfg_blank(e[-1]))
			e--;
		if (s == e || *s == '#')
			continue;
		if (*s == '[') {
			if (!vmcfg_eq(s, (size_t)(e - s), "[vm]"))
				return vmcfg_fail(&p, p.line, "unknown section '%.*s' (only [vm])", (int)(e - s), s);
			if (p.vm && (ret = vmcfg_finish(&p, vms, n - 1)) < 0)
				return ret;
			if (n == max)
				return vmcfg_fail(&p, p.line, "more than %d VMs in one file", max);
			vmcfg_begin(&p, &vms[n++]);
			continue;
		}
		if (!p.vm) {	/* a file without [vm]: the whole file is one VM */
			if (n == max)
				return vmcfg_fail(&p, p.line, "more than %d VMs in one file", max);
			vmcfg_begin(&p, &vms[n++]);
		}
		if ((ret = vmcfg_line(&p, s, e)) < 0)
			return ret;
	}
	if (!n) {
		p.line = 0;
		return vmcfg_fail(&p, 1, "no VM in the file");
	}
	if ((ret = vmcfg_finish(&p, vms, n - 1)) < 0)
		return ret;
	return n;
}
