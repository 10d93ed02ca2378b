/*
 * certify: submission packages (docs/certify.md, "Packages"). A package is a POSIX ustar
 * archive (so `tar tvf` lists it) of members:
 *   manifest.json      format, the run (id, plan, seed, release, host, kernel sha256, QEMU),
 *                      and every other member's name, size and sha256
 *   report.json        the run's JSON report (docs/report-format.md)
 *   logs/NN-CONFIG.log each configuration's log, NN its index in the matrix
 *   modules/NAME.hvm   each module the run booted
 *   plans/NAME.plan    the plan file
 *   signature          Ed25519 (hcl_key.h, tag "hvkit-package-v1") over the manifest's sha256
 * The signature covers the manifest and the manifest every other member, so any changed
 * byte is found and named.
 */
#ifndef CERTIFY_PKG_H
#define CERTIFY_PKG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define PKG_FORMAT	"hvkit-package-1"
#define PKG_SIG_TAG	"hvkit-package-v1"
#define PKG_MAX_MEMBERS	512

struct pkg_member {
	char name[100];
	uint8_t *data;
	size_t len;
};

struct pkg {
	struct pkg_member m[PKG_MAX_MEMBERS];
	size_t n;
};

/* Adds a member (copying data). 0 or -1. */
int pkg_add(struct pkg *p, const char *name, const void *data, size_t len, struct certify_err *err);
/* The member of that name, or NULL. */
const struct pkg_member *pkg_find(const struct pkg *p, const char *name);
void pkg_free(struct pkg *p);

/* The archive's bytes (malloc'ed): ustar headers, data padded to 512, two zero blocks. */
int pkg_tar_write(const struct pkg *p, uint8_t **out, size_t *len, struct certify_err *err);
/* Reads an archive; a damaged header, a member cut short, a missing end, a member of a type
 * other than a file or a name used twice is refused with one line naming file and member. */
int pkg_tar_read(const char *file, const uint8_t *data, size_t len, struct pkg *p,
		 struct certify_err *err);

/* SHA-256 of data in hex. */
void pkg_sha256(const void *data, size_t len, char hex[65]);

/* What verifying a package found. */
struct pkg_info {
	char key_id[17], signed_at[32];
	char vendor[64];		/* the keyring's name for the key; "" with --pubkey */
	char pubkey[2048];		/* the key file used */
	char sha256[65];		/* of the whole file */
	/* The run, as the manifest has it. */
	long long run;
	char plan[32], seed[32], release[48], host[64], verdict[8];
};

/* The key of id in a keyring directory (DIR/NAME.pub files as `hcl keygen` writes them): 0
 * with pk, name (NAME) and path filled, 1 when no file there is that key, -1 when dir cannot
 * be read. */
int pkg_keyring_lookup(const char *dir, const char *id, uint8_t pk[32], char *name, size_t namelen,
		       char *path, size_t pathlen);

/* The keyring: $HVKIT_KEYRING, else ~/.local/share/hvkit/keyring (docs/certify.md). */
void pkg_keyring_dir(const char *opt, char *out, size_t len);

/*
 * Reads file and checks it offline: archive, signature (against pubkey, or the keyring's key
 * of the signing key id when pubkey is NULL), every member's size and sha256 against the
 * manifest, no member missing or extra, and that the report, plan and modules agree with each
 * other. Returns 0 with *p filled, or -1 with one line naming what is wrong.
 */
int pkg_verify(const char *file, const char *pubkey, const char *keyring, struct pkg *p,
	       struct pkg_info *info, struct certify_err *err);

/* Signs: appends the signature member over p's manifest.json with keypath. */
int pkg_sign(struct pkg *p, const char *keypath, struct certify_err *err);

#endif
