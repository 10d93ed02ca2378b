/*
 * hvkguest: our test program inside the Linux guest's initramfs (scripts/linux-guest.sh,
 * docs/linux-guest.md). Static, run by /init as root.
 *
 *   hvkguest exit CODE            end the VM with CODE (the VMM's VM_HC_EXIT hypercall)
 *   hvkguest disk DEV SEED N      write N tagged 512-byte sectors from sector 0 of DEV with
 *                                 O_DIRECT (the storage suite's pattern, lib/blkpat.c, so
 *                                 the host can check the image), read them back, verify
 *
 *   hvkguest net IFNAME           the host peer's NIC test through IFNAME (hvknet.c): 1455
 *                                 frames to the host, which checks them, and 1455 back,
 *                                 checked here
 *
 *   hvkguest fault unmapped       read guest-physical 0xfd000000 (no RAM, no device there)
 *                                 through /dev/mem: the VMM must stop the VM
 *   hvkguest fault string-io      a REP OUTSB to COM1 (ioperm): string port I/O, which the
 *                                 VMM does not emulate, must stop the VM
 *
 * Prints one "hvkguest: ..." line per step; exits 0 on success, 1 with the reason (a fault
 * command that returns has failed: the VM went on).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/mman.h>
#include <unistd.h>
#include <lib/blkpat.h>

#include "hvknet.h"

#define HVK_HC_EXIT	1	/* hvkernel/include/vmm/vm.h: VM_HC_EXIT, EBX = code */
#define SECT		512
#define CHUNK		8	/* sectors per request */

static void hc_exit(unsigned code)
{
	unsigned long a = HVK_HC_EXIT;

	__asm__ volatile("vmmcall" : "+a"(a) : "b"((unsigned long)code) : "memory");
}

static int disk(const char *dev, uint32_t seed, unsigned n)
{
	const struct blkpat_key key = { .seed = seed };
	uint8_t *buf;
	int fd = open(dev, O_RDWR | O_DIRECT | O_SYNC);

	if (fd < 0) {
		printf("hvkguest: disk: open %s: %s\n", dev, strerror(errno));
		return 1;
	}
	if (posix_memalign((void **)&buf, 4096, CHUNK * SECT)) {
		printf("hvkguest: disk: no memory\n");
		return 1;
	}
	for (unsigned s = 0; s < n; s += CHUNK) {
		unsigned k = n - s < CHUNK ? n - s : CHUNK;
		blkpat_fill(buf, SECT, s, k, &key);
		if (pwrite(fd, buf, k * SECT, (off_t)s * SECT) != (ssize_t)(k * SECT)) {
			printf("hvkguest: disk: write at sector %u: %s\n", s, strerror(errno));
			return 1;
		}
	}
	if (fsync(fd) < 0) {
		printf("hvkguest: disk: fsync: %s\n", strerror(errno));
		return 1;
	}
	unsigned bad = 0;
	for (unsigned s = 0; s < n; s += CHUNK) {
		unsigned k = n - s < CHUNK ? n - s : CHUNK;
		memset(buf, 0, k * SECT);
		if (pread(fd, buf, k * SECT, (off_t)s * SECT) != (ssize_t)(k * SECT)) {
			printf("hvkguest: disk: read at sector %u: %s\n", s, strerror(errno));
			return 1;
		}
		for (unsigned i = 0; i < k; i++)
			if (blkpat_check(buf + i * SECT, SECT, s + i, &key) != BLKPAT_OK)
				bad++;
	}
	close(fd);
	printf("hvkguest: disk %s: %u sectors written and read back, %u bad\n", dev, n, bad);
	return bad != 0;
}

#define FAULT_UNMAPPED_PA	0xfd000000ul	/* above the VM's RAM, below its devices */

static int fault(const char *what)
{
	if (strcmp(what, "unmapped") == 0) {
		int fd = open("/dev/mem", O_RDONLY | O_SYNC);
		if (fd < 0) {
			printf("hvkguest: fault: open /dev/mem: %s\n", strerror(errno));
			return 1;
		}
		volatile uint32_t *p = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, (off_t)FAULT_UNMAPPED_PA);
		if (p == MAP_FAILED) {
			printf("hvkguest: fault: mmap /dev/mem at 0x%lx: %s\n", FAULT_UNMAPPED_PA, strerror(errno));
			return 1;
		}
		printf("hvkguest: fault: reading guest-physical 0x%lx\n", FAULT_UNMAPPED_PA);
		uint32_t v = *p;
		printf("hvkguest: fault: read 0x%x and went on: the VMM did not stop the VM\n", v);
		return 1;
	}
	if (strcmp(what, "string-io") == 0) {
		static const char msg[] = "xyz";
		if (ioperm(0x3f8, 8, 1) < 0) {
			printf("hvkguest: fault: ioperm: %s\n", strerror(errno));
			return 1;
		}
		printf("hvkguest: fault: rep outsb to port 0x3f8\n");
		const char *src = msg;
		unsigned long n = 3;
		__asm__ volatile("rep outsb" : "+S"(src), "+c"(n) : "d"(0x3f8) : "memory");
		printf("hvkguest: fault: string I/O went on: the VMM did not stop the VM\n");
		return 1;
	}
	fprintf(stderr, "hvkguest: fault: unknown fault '%s'\n", what);
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, 0, _IONBF, 0);
	if (argc == 3 && strcmp(argv[1], "exit") == 0) {
		hc_exit((unsigned)strtoul(argv[2], 0, 0));
		printf("hvkguest: exit hypercall returned: not under hvkernel?\n");
		return 1;
	}
	if (argc == 5 && strcmp(argv[1], "disk") == 0)
		return disk(argv[2], (uint32_t)strtoul(argv[3], 0, 0), (unsigned)strtoul(argv[4], 0, 0));
	if (argc == 3 && strcmp(argv[1], "net") == 0)
		return hvknet_run(argv[2]);
	if (argc == 3 && strcmp(argv[1], "fault") == 0)
		return fault(argv[2]);
	fprintf(stderr, "usage: hvkguest exit CODE | disk DEV SEED SECTORS | net IFNAME | "
		"fault unmapped|string-io\n");
	return 2;
}
