/*
 * hvkguest: our test program inside the Linux guest's initramfs (scripts/linux-guest.sh,
 * docs/linux-guest.md). Static, run by /init as root.
 *
 *   hvkguest exit CODE            end the VM with CODE (the VMM's VM_HC_EXIT hypercall)
 *   hvkguest disk DEV SEED N      write N tagged 512-byte sectors from sector 0 of DEV with
 *                                 O_DIRECT (the storage suite's pattern, lib/blkpat.c, so
 *                                 the host can check the image), read them back, verify
 *
 * Prints one "hvkguest: ..." line per step; exits 0 on success, 1 with the reason.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lib/blkpat.h>

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
	fprintf(stderr, "usage: hvkguest exit CODE | disk DEV SEED SECTORS\n");
	return 2;
}
