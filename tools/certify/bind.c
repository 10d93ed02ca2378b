/*
 * certify run: what a run boots and binds. The kernel and the modules boot from private
 * copies, so a file rebuilt while the run goes on cannot mix two builds into one verdict
 * (the kernel's module records are checked against the copies); the run binds the sha256 of
 * the plan's text, of the kernel copy and of every module, QEMU's version, and whether the
 * plan is the one shipped with this release (docs/certify.md, "What a run binds").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lib/sha256.h>

#include "cli.h"
#include "official.h"

/* Copies src to dst; sha (if not NULL) gets the sha256 of what was written. */
static int bind_copy(const char *what, const char *src, const char *dst, char *sha)
{
	FILE *in = fopen(src, "rb"), *out = in ? fopen(dst, "wb") : NULL;
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256 h;
	char buf[65536];
	size_t n;
	int rc = 0;

	sha256_init(&h);
	if (!in || !out)
		rc = cli_fail("%s %s: cannot copy to %s: %s", what, src, dst, strerror(errno));
	while (rc == 0 && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		sha256_update(&h, buf, n);
		if (fwrite(buf, 1, n, out) != n)
			rc = cli_fail("%s %s: cannot copy to %s", what, src, dst);
	}
	if (in && ferror(in) && rc == 0)
		rc = cli_fail("%s %s: read error", what, src);
	if (in)
		fclose(in);
	if (out && fclose(out) != 0 && rc == 0)
		rc = cli_fail("%s %s: cannot copy to %s", what, src, dst);
	sha256_final(&h, digest);
	if (sha)
		sha256_hex(digest, sha);
	return rc;
}

/* A module's copy must still have the sha256 read at the start. */
static int bind_module(const struct certify_modinfo *mi, const char *dst)
{
	struct certify_modinfo again;
	struct certify_err err;
	int rc = bind_copy("module", mi->path, dst, NULL);

	if (rc == 0 && certify_modinfo_read(dst, &again, &err) < 0)
		return cli_fail("module %s", err.msg);
	if (rc == 0) {
		if (strcmp(again.sha256, mi->sha256))
			rc = cli_fail("module %s changed while certify read it; try again", mi->path);
		certify_modinfo_free(&again);
	}
	return rc;
}

static int bind_modules(struct cli_bind *b, const struct certify_modinfo *mods, size_t n)
{
	b->mods = calloc(n + 1, sizeof(*b->mods));
	if (!b->mods)
		return cli_fail("out of memory");
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(mods[i].path, '/');

		b->mods[i] = mods[i];	/* shares ids: freed through the originals only */
		if (snprintf(b->mods[i].path, sizeof(b->mods[i].path), "%s/%s", b->dir,
			     base ? base + 1 : mods[i].path) >= (int)sizeof(b->mods[i].path))
			return cli_fail("--module %s: path too long", mods[i].path);
		for (size_t k = 0; k < i; k++) {
			if (!strcmp(b->mods[k].path, b->mods[i].path))
				return cli_fail("--module %s: two modules with the same file name",
						mods[i].path);
		}
		b->ncopied = i + 1;
		if (bind_module(&mods[i], b->mods[i].path) != 0)
			return -1;
	}
	return 0;
}

int cli_bind_prepare(struct cli_bind *b, const char *kernel, const struct certify_modinfo *mods,
		     size_t nmods, const struct certify_plan *plan)
{
	const char *tmp = getenv("TMPDIR");
	struct certify_err err;

	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "%s/certify-mods.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(b->dir)) {
		b->dir[0] = '\0';
		return cli_fail("cannot create a temp dir under %s: %s", tmp && *tmp ? tmp : "/tmp",
				strerror(errno));
	}
	snprintf(b->kernel, sizeof(b->kernel), "%s/hvkernel.elf", b->dir);
	if (bind_copy("kernel", kernel, b->kernel, b->db.kernel_sha256) != 0)
		return -1;
	b->kernel_copied = 1;
	if (bind_modules(b, mods, nmods) != 0)
		return -1;
	if (qemu_version(NULL, b->db.qemu_version, sizeof(b->db.qemu_version), &err) < 0)
		return cli_fail("%s", err.msg);
	snprintf(b->db.plan_sha256, sizeof(b->db.plan_sha256), "%s", plan->sha256);
	b->db.official = certify_plan_official(plan, b->db.unofficial_why,
					       sizeof(b->db.unofficial_why));
	return 0;
}

void cli_bind_free(struct cli_bind *b)
{
	for (size_t i = 0; b->mods && i < b->ncopied; i++)
		unlink(b->mods[i].path);
	if (b->kernel_copied)
		unlink(b->kernel);
	if (b->dir[0])
		rmdir(b->dir);
	free(b->mods);
	memset(b, 0, sizeof(*b));
}
