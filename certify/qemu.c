/* certify: the one place a QEMU command line is built. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lib/hvexit.h>

#include "proc.h"
#include "qemu.h"

#define QEMU_QBOOT_ROM "/usr/share/qemu/qboot.rom"
#define QEMU_OVMF_ROM "/usr/share/ovmf/OVMF.fd"

int qemu_kvm_usable(char *why, size_t whylen)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (why)
			snprintf(why, whylen, "/dev/kvm: %s", strerror(errno));
		return 0;
	}
	close(fd);
	return 1;
}

const char *qemu_binary(const char *binary)
{
	const char *env = getenv("CERTIFY_QEMU");

	return binary ? binary : env && *env ? env : "qemu-system-x86_64";
}

int qemu_version(const char *binary, char *out, size_t outlen, struct certify_err *err)
{
	char *argv[] = { (char *)qemu_binary(binary), "--version", NULL };
	const char *tmp = getenv("TMPDIR");
	char path[512], line[256] = "";
	struct certify_proc p;
	FILE *f;
	int fd;

	snprintf(path, sizeof(path), "%s/certify-qemu-version.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	fd = mkstemp(path);
	if (fd < 0)
		return certify_errf(err, "%s --version: cannot create %s: %s", argv[0], path, strerror(errno));
	close(fd);
	if (certify_proc_spawn(&p, argv, path, err) < 0) {
		unlink(path);
		return -1;
	}
	if (!certify_proc_wait(&p, 10.0))
		certify_proc_kill(&p, 1.0);
	f = fopen(path, "r");
	if (f && !fgets(line, sizeof(line), f))
		line[0] = '\0';
	if (f)
		fclose(f);
	unlink(path);
	line[strcspn(line, "\r\n")] = '\0';
	if (!line[0] || !WIFEXITED(p.status) || WEXITSTATUS(p.status) != 0)
		return certify_errf(err, "%s --version: no version (exit status %d): is QEMU installed?",
				    argv[0], WIFEXITED(p.status) ? WEXITSTATUS(p.status) : -1);
	snprintf(out, outlen, "%s", line);
	return 0;
}

int qemu_accel_resolve(enum qemu_accel want, enum qemu_accel *got, struct certify_err *err)
{
	char why[128];

	if (want == QEMU_ACCEL_TCG) {
		*got = QEMU_ACCEL_TCG;
		return 0;
	}
	if (qemu_kvm_usable(why, sizeof(why))) {
		*got = QEMU_ACCEL_KVM;
		return 0;
	}
	if (want == QEMU_ACCEL_AUTO) {
		*got = QEMU_ACCEL_TCG;
		return 0;
	}
	return certify_errf(err, "kvm unavailable (%s)", why);
}

int qemu_accel_parse(const char *s, enum qemu_accel *out)
{
	static const char *const names[] = { "auto", "tcg", "kvm" };

	for (int i = 0; i < 3; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (enum qemu_accel)i;
			return 0;
		}
	}
	return -1;
}

const char *qemu_accel_name(enum qemu_accel a)
{
	return a == QEMU_ACCEL_KVM ? "kvm" : a == QEMU_ACCEL_TCG ? "tcg" : "auto";
}

int qemu_firmware_parse(const char *s, enum qemu_firmware *out)
{
	if (strcmp(s, "seabios") == 0)
		*out = QEMU_FW_SEABIOS;
	else if (strcmp(s, "qboot") == 0)
		*out = QEMU_FW_QBOOT;
	else if (strcmp(s, "ovmf") == 0)
		*out = QEMU_FW_OVMF;
	else
		return -1;
	return 0;
}

int qemu_machine_check(const char *machine, struct certify_err *err)
{
	if (machine && (strcmp(machine, "pc") == 0 || strcmp(machine, "q35") == 0))
		return 0;
	return certify_errf(err, "machine '%s': expected pc or q35", machine ? machine : "");
}

/* The options after NAME:SIZE, each starting after a ':'. */
static int qemu_disk_options(const char *spec, const char *opts, struct qemu_disk *disk,
			     struct certify_err *err)
{
	char opt[256];

	while (*opts == ':') {
		const char *end = strchr(opts + 1, ':');
		size_t len = end ? (size_t)(end - opts - 1) : strlen(opts + 1);
		if (len >= sizeof(opt))
			return certify_errf(err, "disk '%s': option too long", spec);
		memcpy(opt, opts + 1, len);
		opt[len] = '\0';
		struct certify_err e;
		if (gptimg_parse_option(opt, &disk->gpt, &e) < 0)
			return certify_errf(err, "disk '%s': %s", spec, e.msg);
		opts += 1 + len;
	}
	if (disk->gpt.damage != GPTIMG_DAMAGE_NONE && disk->gpt.nparts == 0)
		return certify_errf(err, "disk '%s': damage= needs a gpt= layout", spec);
	return 0;
}

int qemu_disk_parse(const char *spec, struct qemu_disk *disk, struct certify_err *err)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : 0;
	char *end;
	unsigned long long n;

	if (!colon || nlen == 0 || nlen >= sizeof(disk->name) ||
	    strspn(spec, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != nlen)
		return certify_errf(err, "disk '%s': expected NAME:SIZE with NAME of [A-Za-z0-9_-]", spec);
	errno = 0;
	n = strtoull(colon + 1, &end, 10);
	if (errno || end == colon + 1)
		return certify_errf(err, "disk '%s': bad size", spec);
	switch (*end) {
	case 'G': n <<= 10; /* fall through */
	case 'M': n <<= 10; /* fall through */
	case 'K': n <<= 10; end++; break;
	default: break;
	}
	if ((*end && *end != ':') || n == 0 || n > (1ULL << 40))
		return certify_errf(err, "disk '%s': bad size (use e.g. 8M, 1G)", spec);
	memset(disk, 0, sizeof(*disk));
	if (qemu_disk_options(spec, end, disk, err) < 0)
		return -1;
	memcpy(disk->name, spec, nlen);
	disk->name[nlen] = '\0';
	disk->size = n;
	return 0;
}

int qemu_disk_path(const struct qemu_config *cfg, const struct qemu_paths *paths,
		   const char *name, char *out, size_t outlen, struct certify_err *err)
{
	for (size_t i = 0; i < cfg->ndisks; i++) {
		if (strcmp(cfg->disks[i].name, name) == 0) {
			snprintf(out, outlen, "%s/disk-%s.img", paths->dir, name);
			return 0;
		}
	}
	return certify_errf(err, "${disk:%s}: no disk named '%s' is declared", name, name);
}

/* Copies arg into out with every ${disk:NAME} replaced by the image path. */
static int qemu_expand(const struct qemu_config *cfg, const struct qemu_paths *paths,
		       const char *arg, struct certify_strv *out, struct certify_err *err)
{
	char buf[4096], path[1024], name[64];
	size_t len = 0;

	while (*arg) {
		const char *close;
		size_t n;

		if (strncmp(arg, "${", 2) != 0) {
			if (len + 1 >= sizeof(buf))
				return certify_errf(err, "QEMU argument too long: %.40s...", arg);
			buf[len++] = *arg++;
			continue;
		}
		close = strchr(arg, '}');
		if (strncmp(arg, "${disk:", 7) != 0 || !close)
			return certify_errf(err, "'%s': only ${disk:NAME} can be expanded", arg);
		n = (size_t)(close - arg - 7);
		if (n >= sizeof(name))
			return certify_errf(err, "'%s': disk name too long", arg);
		memcpy(name, arg + 7, n);
		name[n] = '\0';
		if (qemu_disk_path(cfg, paths, name, path, sizeof(path), err) < 0)
			return -1;
		if (len + strlen(path) >= sizeof(buf))
			return certify_errf(err, "QEMU argument too long: %.40s...", arg);
		len += (size_t)sprintf(buf + len, "%s", path);
		arg = close + 1;
	}
	buf[len] = '\0';
	return certify_strv_push(out, buf);
}

static int qemu_push_fixed(const struct qemu_config *cfg, enum qemu_accel accel,
			   const struct qemu_paths *p, struct certify_strv *a)
{
	int r = 0;

	r |= certify_strv_push(a, qemu_binary(cfg->binary));
	r |= certify_strv_split(a, "-nodefaults -no-user-config -display none -no-reboot");
	r |= certify_strv_push(a, "-machine");
	r |= certify_strv_pushf(a, "%s", cfg->machine);
	r |= certify_strv_push(a, "-accel");
	r |= certify_strv_push(a, accel == QEMU_ACCEL_KVM ? "kvm" : "tcg");
	r |= certify_strv_push(a, "-cpu");
	/* kvm_pvm aborts on -cpu host/max ("failed to set MSR 0x10a"); TCG max has SVM. */
	r |= certify_strv_push(a, accel == QEMU_ACCEL_KVM ? "host,-arch-capabilities" : "max");
	if (cfg->firmware == QEMU_FW_QBOOT)
		r |= certify_strv_split(a, "-bios " QEMU_QBOOT_ROM);
	else if (cfg->firmware == QEMU_FW_OVMF)
		r |= certify_strv_split(a, "-bios " QEMU_OVMF_ROM);
	r |= certify_strv_push(a, "-smp");
	r |= certify_strv_pushf(a, "%d", cfg->smp > 0 ? cfg->smp : 1);
	r |= certify_strv_push(a, "-m");
	r |= certify_strv_pushf(a, "%d", cfg->mem_mib > 0 ? cfg->mem_mib : 256);
	/* Devices created before the IOMMU would bypass it: it comes first. */
	if (cfg->iommu)
		r |= certify_strv_split(a, "-device intel-iommu");
	if (cfg->cdrom) {
		/* The firmware boots the ISO; GRUB on it loads the kernel and its modules. */
		r |= certify_strv_push(a, "-cdrom");
		r |= certify_strv_push(a, cfg->cdrom);
		r |= certify_strv_split(a, "-boot d");
	} else {
		r |= certify_strv_push(a, "-kernel");
		r |= certify_strv_push(a, cfg->kernel);
	}
	if (!cfg->cdrom && cfg->initrd && *cfg->initrd) {
		r |= certify_strv_push(a, "-initrd");
		r |= certify_strv_push(a, cfg->initrd);
	}
	if (!cfg->cdrom && cfg->append && *cfg->append) {
		r |= certify_strv_push(a, "-append");
		r |= certify_strv_push(a, cfg->append);
	}
	r |= certify_strv_push(a, "-device");
	r |= certify_strv_pushf(a, "isa-debug-exit,iobase=%#x,iosize=0x04", HV_EXIT_PORT);
	/* COM1 is the first -serial (kernel log), COM2 the second (result channel). */
	r |= certify_strv_push(a, "-chardev");
	r |= certify_strv_pushf(a, "socket,id=com1,path=%s,server=off", p->com1);
	r |= certify_strv_split(a, "-serial chardev:com1 -chardev");
	r |= certify_strv_pushf(a, "socket,id=com2,path=%s,server=off", p->com2);
	r |= certify_strv_split(a, "-serial chardev:com2 -chardev");
	r |= certify_strv_pushf(a, "socket,id=qmp,path=%s,server=off", p->qmp);
	r |= certify_strv_split(a, "-mon chardev=qmp,mode=control");
	return r ? -1 : 0;
}

int qemu_build_argv(const struct qemu_config *cfg, enum qemu_accel accel,
		    const struct qemu_paths *paths, struct certify_strv *out,
		    struct certify_err *err)
{
	if (qemu_machine_check(cfg->machine, err) < 0)
		return -1;
	if ((!cfg->kernel || !*cfg->kernel) && !cfg->cdrom)
		return certify_errf(err, "no kernel given");
	if (cfg->cdrom && ((cfg->initrd && *cfg->initrd) || (cfg->append && *cfg->append)))
		return certify_errf(err, "an ISO boot takes its modules and command line from GRUB, not initrd/append");
	if (accel == QEMU_ACCEL_AUTO)
		return certify_errf(err, "internal: accelerator not resolved");
	if (qemu_push_fixed(cfg, accel, paths, out) < 0)
		return certify_errf(err, "out of memory building the QEMU command line");
	for (size_t i = 0; i < cfg->nextra; i++) {
		if (qemu_expand(cfg, paths, cfg->extra[i], out, err) < 0)
			return -1;
	}
	return 0;
}
