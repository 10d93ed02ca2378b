/* certify: a private temp dir per run, its listening sockets and scratch disks. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tmpdir.h"

int certify_tmpdir_create(char *dir, size_t dirlen, struct certify_err *err)
{
	const char *base = getenv("TMPDIR");

	snprintf(dir, dirlen, "%s/certify.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir))
		return certify_errf(err, "%s: cannot create temp dir: %s", dir, strerror(errno));
	return 0;
}

static int certify_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void certify_tmpdir_remove(const char *dir)
{
	if (dir && *dir)
		nftw(dir, certify_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

int certify_listen_unix(const char *path, struct certify_err *err)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return certify_errf(err, "%s: socket path too long (set TMPDIR shorter)", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return certify_errf(err, "%s: socket: %s", path, strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		certify_errf(err, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The disk's GPT, its GUIDs seeded by the disk's name so every run writes the same bytes. */
static int certify_disk_gpt(const struct qemu_disk *d, int fd, const char *path, struct certify_err *err)
{
	uint64_t seed = 0xcbf29ce484222325ull;	/* FNV-1a */
	struct gptimg g;
	struct certify_err e;

	for (const char *c = d->name; *c; c++)
		seed = (seed ^ (uint8_t)*c) * 0x100000001b3ull;
	if (gptimg_build(&d->gpt, d->size, 512, seed, &g, &e) < 0)
		return certify_errf(err, "disk %s: %s", d->name, e.msg);
	int rc = gptimg_write(&g, fd, path, err);
	gptimg_free(&g);
	return rc;
}

int certify_disks_create(const struct qemu_config *cfg, const struct qemu_paths *paths,
			 struct certify_err *err)
{
	char path[1024];

	for (size_t i = 0; i < cfg->ndisks; i++) {
		int fd;

		if (qemu_disk_path(cfg, paths, cfg->disks[i].name, path, sizeof(path), err) < 0)
			return -1;
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return certify_errf(err, "%s: %s", path, strerror(errno));
		if (ftruncate(fd, (off_t)cfg->disks[i].size) < 0) {
			certify_errf(err, "%s: cannot size to %llu bytes: %s", path,
				     (unsigned long long)cfg->disks[i].size, strerror(errno));
			close(fd);
			return -1;
		}
		if (cfg->disks[i].gpt.nparts && certify_disk_gpt(&cfg->disks[i], fd, path, err) < 0) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}
