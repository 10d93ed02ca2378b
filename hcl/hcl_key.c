/* hcl: Ed25519 keys and signatures over a digest (hcl_key.h). */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "hcl_key.h"

#define HCL_SK_HDR	"hcl-ed25519-secret-key 1 "
#define HCL_PK_HDR	"hcl-ed25519-public-key 1 "

_Static_assert(HCL_KEY_PK == crypto_sign_PUBLICKEYBYTES, "public key size");
_Static_assert(HCL_KEY_SK == crypto_sign_SECRETKEYBYTES, "secret key size");
_Static_assert(HCL_KEY_SIG == crypto_sign_BYTES, "signature size");

static int hcl_key_init(struct hcl_err *err)
{
	return sodium_init() < 0 ? hcl_errf(err, "libsodium: cannot initialise") : 0;
}

static void hcl_key_id(const uint8_t pk[HCL_KEY_PK], char out[17])
{
	uint8_t h[8];

	crypto_generichash(h, sizeof(h), pk, HCL_KEY_PK, NULL, 0);
	sodium_bin2hex(out, 17, h, sizeof(h));
}

int hcl_keygen(const char *path, struct hcl_err *err)
{
	uint8_t pk[HCL_KEY_PK], sk[HCL_KEY_SK];
	char id[17], hex[2 * HCL_KEY_SK + 1], text[300], pubpath[4096];
	int rc;

	if (hcl_key_init(err) < 0)
		return -1;
	crypto_sign_keypair(pk, sk);
	hcl_key_id(pk, id);
	sodium_bin2hex(hex, sizeof(hex), sk, sizeof(sk));
	snprintf(text, sizeof(text), HCL_SK_HDR "%s\n%s\n", id, hex);
	sodium_memzero(sk, sizeof(sk));
	rc = hcl_write_atomic(path, text, strlen(text), 0600, err);
	sodium_memzero(text, sizeof(text));
	sodium_memzero(hex, sizeof(hex));
	if (rc < 0)
		return -1;
	snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
	sodium_bin2hex(hex, sizeof(hex), pk, sizeof(pk));
	snprintf(text, sizeof(text), HCL_PK_HDR "%s\n%s\n", id, hex);
	return hcl_write_atomic(pubpath, text, strlen(text), 0644, err);
}

/* Reads a key file: hdr, key id, then klen bytes of hex. */
static int hcl_key_read(const char *path, const char *hdr, uint8_t *key, size_t klen,
			char id[17], struct hcl_err *err)
{
	char *text, *nl;
	size_t n, hl = strlen(hdr), bin_len;
	int rc = -1;

	if (hcl_key_init(err) < 0 || hcl_read_file(path, &text, &n, err) < 0)
		return -1;
	nl = strchr(text, '\n');
	if (strncmp(text, hdr, hl) != 0 || !nl || nl - text != (long)hl + 16) {
		hcl_errf(err, "%s: not an hcl %s key file (first line should start \"%s\")", path,
			 strstr(hdr, "secret") ? "secret" : "public", hdr);
		goto out;
	}
	memcpy(id, text + hl, 16);
	id[16] = 0;
	if (sodium_hex2bin(key, klen, nl + 1, strlen(nl + 1), "\n", &bin_len, NULL) < 0 ||
	    bin_len != klen) {
		hcl_errf(err, "%s: line 2: expected %zu hex digits", path, 2 * klen);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(text, n);
	free(text);
	return rc;
}

int hcl_key_secret(const char *path, uint8_t sk[HCL_KEY_SK], char id[17], struct hcl_err *err)
{
	uint8_t pk[HCL_KEY_PK];
	char real[17];

	if (hcl_key_read(path, HCL_SK_HDR, sk, HCL_KEY_SK, id, err) < 0)
		return -1;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	hcl_key_id(pk, real);
	if (strcmp(real, id) != 0) {
		sodium_memzero(sk, HCL_KEY_SK);
		return hcl_errf(err, "%s: the key id in the file does not match the key", path);
	}
	return 0;
}

int hcl_key_public(const char *path, uint8_t pk[HCL_KEY_PK], char id[17], struct hcl_err *err)
{
	char real[17];

	if (hcl_key_read(path, HCL_PK_HDR, pk, HCL_KEY_PK, id, err) < 0)
		return -1;
	hcl_key_id(pk, real);
	if (strcmp(real, id) != 0)
		return hcl_errf(err, "%s: the key id in the file does not match the key", path);
	return 0;
}

size_t hcl_key_msg(char *msg, size_t cap, const char *tag, const char *id, const char *at,
		   const uint8_t digest[HCL_DIGEST_SIZE], char hex[2 * HCL_DIGEST_SIZE + 1])
{
	sodium_bin2hex(hex, 2 * HCL_DIGEST_SIZE + 1, digest, HCL_DIGEST_SIZE);
	return (size_t)snprintf(msg, cap, "%s\n%s\n%s\n%s\n", tag, id, at, hex);
}

int hcl_key_sign(const char *keypath, const char *tag, const char *at,
		 const uint8_t digest[HCL_DIGEST_SIZE], uint8_t sig[HCL_KEY_SIG], char id[17],
		 struct hcl_err *err)
{
	uint8_t sk[HCL_KEY_SK];
	char msg[256], hex[2 * HCL_DIGEST_SIZE + 1];
	size_t n;

	if (hcl_key_secret(keypath, sk, id, err) < 0)
		return -1;
	n = hcl_key_msg(msg, sizeof(msg), tag, id, at, digest, hex);
	crypto_sign_detached(sig, NULL, (const unsigned char *)msg, n, sk);
	sodium_memzero(sk, sizeof(sk));
	return 0;
}

int hcl_key_verify(const uint8_t pk[HCL_KEY_PK], const char *tag, const char *id, const char *at,
		   const uint8_t digest[HCL_DIGEST_SIZE], const uint8_t sig[HCL_KEY_SIG])
{
	char msg[256], hex[2 * HCL_DIGEST_SIZE + 1];
	size_t n;

	if (sodium_init() < 0)
		return -1;
	n = hcl_key_msg(msg, sizeof(msg), tag, id, at, digest, hex);
	return crypto_sign_verify_detached(sig, (const unsigned char *)msg, n, pk) == 0 ? 0 : -1;
}

void hcl_key_sig_b64(const uint8_t sig[HCL_KEY_SIG], char out[92])
{
	sodium_bin2base64(out, 92, sig, HCL_KEY_SIG, sodium_base64_VARIANT_ORIGINAL);
}

int hcl_key_sig_parse(const char *s, uint8_t sig[HCL_KEY_SIG])
{
	size_t n;

	if (sodium_init() < 0)
		return -1;
	return sodium_base642bin(sig, HCL_KEY_SIG, s, strlen(s), NULL, &n, NULL,
				 sodium_base64_VARIANT_ORIGINAL) == 0 && n == HCL_KEY_SIG ? 0 : -1;
}
