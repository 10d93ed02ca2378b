/*
 * SHA-256 (FIPS 180-4), freestanding: the kernel hashes each driver module with it and the
 * host tools compare against the sha256 recorded in the database.
 */
#ifndef LIB_SHA256_H
#define LIB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE	32
#define SHA256_BLOCK_SIZE	64
#define SHA256_HEX_SIZE		65	/* 64 hex digits and a NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t len;			/* bytes hashed so far */
	uint8_t buf[SHA256_BLOCK_SIZE];	/* partial block */
	size_t nbuf;
};

/* Starts a new hash. */
void sha256_init(struct sha256 *s);

/* Adds n bytes of data. */
void sha256_update(struct sha256 *s, const void *data, size_t n);

/* Writes the digest; s must be initialised again before reuse. */
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_SIZE]);

/* One-shot hash of data[0..n). */
void sha256_digest(const void *data, size_t n, uint8_t out[SHA256_DIGEST_SIZE]);

/* Lower-case hex of a digest, NUL-terminated. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_SIZE], char out[SHA256_HEX_SIZE]);

#endif
