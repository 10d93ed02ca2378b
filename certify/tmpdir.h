/* certify: a private temp dir per run, its listening sockets and scratch disks. */
#ifndef CERTIFY_TMPDIR_H
#define CERTIFY_TMPDIR_H

#include <stddef.h>

#include "err.h"
#include "qemu.h"

/* Creates $TMPDIR/certify.XXXXXX (mode 0700) into dir. Returns 0 or -1. */
int certify_tmpdir_create(char *dir, size_t dirlen, struct certify_err *err);

/* Removes dir and everything below it. */
void certify_tmpdir_remove(const char *dir);

/* Binds and listens on a unix socket at path. Returns the fd, or -1 with a message. */
int certify_listen_unix(const char *path, struct certify_err *err);

/* Creates every sparse raw image cfg declares, in paths->dir. Returns 0 or -1. */
int certify_disks_create(const struct qemu_config *cfg, const struct qemu_paths *paths,
			 struct certify_err *err);

#endif
