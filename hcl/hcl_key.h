/*
 * hcl: Ed25519 keys and detached signatures over a digest (libsodium), shared by `hcl`
 * (signed lists, hcl.bin) and `certify` (packages, waivers). docs/hcl.md, "Keys".
 *
 * A key file is two lines: "hcl-ed25519-secret-key 1 ID" (or "...-public-key 1 ID") and the
 * key in hex; ID is the first 8 bytes of BLAKE2b over the public key, in hex. A signature
 * covers the message TAG "\n" ID "\n" SIGNED_AT "\n" SHA256HEX "\n" (Ed25519, RFC 8032
 * section 5.1): the tag names what is signed (hcl-signed-v2, hcl-bin-v2, hvkit-package-v1,
 * hvkit-waiver-v1), so a signature of one kind never passes for another.
 */
#ifndef HCL_KEY_H
#define HCL_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "hcl.h"

#define HCL_KEY_PK	32	/* crypto_sign_PUBLICKEYBYTES */
#define HCL_KEY_SK	64	/* crypto_sign_SECRETKEYBYTES */
#define HCL_KEY_SIG	64	/* crypto_sign_BYTES */

/* Writes a new key pair: path (secret, mode 0600) and path.pub. */
int hcl_keygen(const char *path, struct hcl_err *err);

/* Reads a secret key file (checking its id against the key). 0 or -1. */
int hcl_key_secret(const char *path, uint8_t sk[HCL_KEY_SK], char id[17], struct hcl_err *err);

/* Reads a public key file with its id. 0 or -1. */
int hcl_key_public(const char *path, uint8_t pk[HCL_KEY_PK], char id[17], struct hcl_err *err);

/* The message a signature covers (see above); hex gets the digest in hex. Its length. */
size_t hcl_key_msg(char *msg, size_t cap, const char *tag, const char *id, const char *at,
		   const uint8_t digest[HCL_DIGEST_SIZE], char hex[2 * HCL_DIGEST_SIZE + 1]);

/* Signs (tag, key id, at, digest) with the secret key in keypath; id gets the key's id. */
int hcl_key_sign(const char *keypath, const char *tag, const char *at,
		 const uint8_t digest[HCL_DIGEST_SIZE], uint8_t sig[HCL_KEY_SIG], char id[17],
		 struct hcl_err *err);

/* 0 when sig is pk's signature of (tag, id, at, digest), else -1 (err untouched). */
int hcl_key_verify(const uint8_t pk[HCL_KEY_PK], const char *tag, const char *id, const char *at,
		   const uint8_t digest[HCL_DIGEST_SIZE], const uint8_t sig[HCL_KEY_SIG]);

/* Base64 (RFC 4648, with padding) of a signature, and back: 0, or -1 when s is not one. */
void hcl_key_sig_b64(const uint8_t sig[HCL_KEY_SIG], char out[92]);
int hcl_key_sig_parse(const char *s, uint8_t sig[HCL_KEY_SIG]);

#endif
