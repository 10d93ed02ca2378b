/*
 * Keys and signatures (Ed25519, libsodium). The signed list is an envelope
 *   {"format":"hcl-signed-v1","key_id":K,"signed_at":T,"signature":S,"payload":LIST}
 * where LIST is the exact text of the list as a JSON string and S (base64) is an
 * Ed25519ph signature of "hcl-signed-v1\n" K "\n" T "\n" LIST
 * so the key id and the signing date are covered too. hcl.bin carries the same kind of
 * signature in its trailer with the tag "hcl-bin-v1". docs/hcl.md has the details.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <sodium.h>
#include "hcl.h"

#define HCL_ENV_TAG	"hcl-signed-v1"
#define HCL_BIN_TAG	"hcl-bin-v1"
#define HCL_SK_HDR	"hcl-ed25519-secret-key 1 "
#define HCL_PK_HDR	"hcl-ed25519-public-key 1 "

static int hcl_sodium(struct hcl_err *err)
{
	return sodium_init() < 0 ? hcl_errf(err, "libsodium: cannot initialise") : 0;
}

static void hcl_key_id(const uint8_t pk[crypto_sign_PUBLICKEYBYTES], char out[17])
{
	uint8_t h[8];

	crypto_generichash(h, sizeof(h), pk, crypto_sign_PUBLICKEYBYTES, NULL, 0);
	sodium_bin2hex(out, 17, h, sizeof(h));
}

int hcl_keygen(const char *path, struct hcl_err *err)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
	char id[17], hex[2 * crypto_sign_SECRETKEYBYTES + 1], text[300], pubpath[4096];
	int rc;

	if (hcl_sodium(err) < 0)
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

/* Reads a key file: hdr, key id, then len bytes of hex. */
static int hcl_read_key(const char *path, const char *hdr, uint8_t *key, size_t klen,
			char id[17], struct hcl_err *err)
{
	char *text, *nl;
	size_t n, hl = strlen(hdr), bin_len;
	int rc = -1;

	if (hcl_read_file(path, &text, &n, err) < 0)
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

/* The signature is Ed25519ph (RFC 8032, SHA-512 prehash) over
 *   tag "\n" id "\n" at "\n" data
 * streamed, so a large list is never copied to be signed or checked. */
static void hcl_sig_state(crypto_sign_state *st, const char *tag, const char *id,
			  const char *at, const void *data, size_t len)
{
	char head[128];
	int n = snprintf(head, sizeof(head), "%s\n%s\n%s\n", tag, id, at);

	crypto_sign_init(st);
	crypto_sign_update(st, (const unsigned char *)head, (unsigned long long)n);
	crypto_sign_update(st, data, len);
}

static int hcl_sign_msg(const char *keypath, const char *tag, const void *data, size_t len,
			char id[17], const char *at, uint8_t sig[crypto_sign_BYTES],
			struct hcl_err *err)
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES], pk[crypto_sign_PUBLICKEYBYTES];
	crypto_sign_state st;
	char real[17];

	if (hcl_sodium(err) < 0 || hcl_read_key(keypath, HCL_SK_HDR, sk, sizeof(sk), id, err) < 0)
		return -1;
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	hcl_key_id(pk, real);
	if (strcmp(real, id) != 0) {
		sodium_memzero(sk, sizeof(sk));
		return hcl_errf(err, "%s: the key id in the file does not match the key", keypath);
	}
	hcl_sig_state(&st, tag, id, at, data, len);
	crypto_sign_final_create(&st, sig, NULL, sk);
	sodium_memzero(sk, sizeof(sk));
	return 0;
}

static int hcl_verify_msg(const char *name, const char *pubkey, const char *tag,
			  const char *id, const char *at, const void *data, size_t len,
			  const uint8_t sig[crypto_sign_BYTES], struct hcl_err *err)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
	crypto_sign_state st;
	char pid[17];

	if (hcl_sodium(err) < 0 || hcl_read_key(pubkey, HCL_PK_HDR, pk, sizeof(pk), pid, err) < 0)
		return -1;
	if (strcmp(pid, id) != 0)
		return hcl_errf(err, "%s: signed with key %s, but %s is key %s", name, id, pubkey,
				pid);
	hcl_sig_state(&st, tag, id, at, data, len);
	/* The copy of sig keeps the const-correct API of older libsodium happy. */
	uint8_t s2[crypto_sign_BYTES];

	memcpy(s2, sig, sizeof(s2));
	if (crypto_sign_final_verify(&st, s2, pk) != 0)
		return hcl_errf(err, "%s: bad signature: the list was changed after it was signed",
				name);
	return 0;
}

int hcl_sign_list(const char *in, const char *keypath, const char *out, struct hcl_err *err)
{
	struct hcl_list l;
	uint8_t sig[crypto_sign_BYTES];
	char *text, id[17], at[32], b64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES,
				sodium_base64_VARIANT_ORIGINAL)];
	size_t len;
	json_object *env;
	int rc = -1;

	if (hcl_read_file(in, &text, &len, err) < 0)
		return -1;
	/* Only a valid list gets signed. */
	if (hcl_list_parse(&l, text, len, in, err) < 0)
		goto out;
	hcl_list_free(&l);
	hcl_format_time((int64_t)time(NULL), at);
	if (hcl_sign_msg(keypath, HCL_ENV_TAG, text, len, id, at, sig, err) < 0)
		goto out;
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	env = json_object_new_object();
	json_object_object_add(env, "format", json_object_new_string(HCL_ENV_TAG));
	json_object_object_add(env, "key_id", json_object_new_string(id));
	json_object_object_add(env, "signed_at", json_object_new_string(at));
	json_object_object_add(env, "signature", json_object_new_string(b64));
	json_object_object_add(env, "payload", json_object_new_string_len(text, (int)len));
	const char *s = json_object_to_json_string_ext(env, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t sl = strlen(s);
	char *buf = malloc(sl + 2);

	if (buf) {
		memcpy(buf, s, sl);
		buf[sl] = '\n';
		rc = hcl_write_atomic(out, buf, sl + 1, 0644, err);
		free(buf);
	} else {
		hcl_errf(err, "out of memory");
	}
	json_object_put(env);
out:
	free(text);
	return rc;
}

static int hcl_env_str(json_object *env, const char *key, const char **out)
{
	json_object *v;

	if (!json_object_object_get_ex(env, key, &v) || json_object_get_type(v) != json_type_string)
		return -1;
	*out = json_object_get_string(v);
	return 0;
}

/* Parses and (with a key) verifies an envelope; fills payload. */
static int hcl_open_env(const char *name, const char *text, size_t len, const char *pubkey,
			int insecure, char **payload, size_t *plen, struct hcl_sigstate *st,
			struct hcl_err *err)
{
	json_object *env = json_tokener_parse(text), *pl;
	const char *id, *at, *b64, *fmt;
	uint8_t sig[crypto_sign_BYTES];
	size_t slen;
	int rc = -1;

	(void)len;
	if (!env || json_object_get_type(env) != json_type_object ||
	    json_object_object_length(env) != 5 || hcl_env_str(env, "format", &fmt) < 0 ||
	    strcmp(fmt, HCL_ENV_TAG) != 0 || hcl_env_str(env, "key_id", &id) < 0 ||
	    hcl_env_str(env, "signed_at", &at) < 0 || hcl_env_str(env, "signature", &b64) < 0 ||
	    !json_object_object_get_ex(env, "payload", &pl) ||
	    json_object_get_type(pl) != json_type_string) {
		hcl_errf(err, "%s: damaged signed list (expected exactly format, key_id, signed_at, "
			 "signature, payload)", name);
		goto out;
	}
	snprintf(st->key_id, sizeof(st->key_id), "%s", id);
	snprintf(st->signed_at, sizeof(st->signed_at), "%s", at);
	if (sodium_base642bin(sig, sizeof(sig), b64, strlen(b64), NULL, &slen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) < 0 || slen != sizeof(sig)) {
		hcl_errf(err, "%s: signature: not a base64 Ed25519 signature", name);
		goto out;
	}
	if (!pubkey && !insecure) {
		hcl_errf(err, "%s: no public key to verify the signature (give --pubkey PUB, "
			 "or --insecure to skip the check)", name);
		goto out;
	}
	if (pubkey) {
		struct hcl_err verr;

		if (hcl_verify_msg(name, pubkey, HCL_ENV_TAG, id, at, json_object_get_string(pl),
				   (size_t)json_object_get_string_len(pl), sig, &verr) == 0) {
			st->signed_ok = 1;
		} else if (!insecure) {
			*err = verr;
			goto out;
		} else {
			fprintf(stderr, "%s (ignored: --insecure)\n", verr.msg);
		}
	}
	*plen = (size_t)json_object_get_string_len(pl);
	*payload = malloc(*plen + 1);
	if (!*payload) {
		hcl_errf(err, "out of memory");
		goto out;
	}
	memcpy(*payload, json_object_get_string(pl), *plen + 1);
	rc = 0;
out:
	json_object_put(env);
	return rc;
}

int hcl_open_signed(const char *name, const char *text, size_t len, const char *pubkey,
		    int insecure, char **payload, size_t *plen, struct hcl_sigstate *st,
		    struct hcl_err *err)
{
	const char *p = text;

	memset(st, 0, sizeof(*st));
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	if (strncmp(p, "{\"format\":\"" HCL_ENV_TAG "\"", 11 + strlen(HCL_ENV_TAG) + 1) == 0)
		return hcl_open_env(name, text, len, pubkey, insecure, payload, plen, st, err);
	if (!insecure)
		return hcl_errf(err, "%s: the list is not signed; refusing it (sign it with hcl "
				"sign, or pass --insecure)", name);
	*payload = malloc(len + 1);
	if (!*payload)
		return hcl_errf(err, "out of memory");
	memcpy(*payload, text, len + 1);
	*plen = len;
	return 0;
}

/* Trailer: magic[8] key_id[16] signed_at[24] reserved[16] signature[64]. The signature
 * covers the image before the trailer; key id and date are in the signed framing. */
int hcl_sign_bin(const char *keypath, const uint8_t *data, size_t len,
		 uint8_t trailer[HCLBIN_TRAILER_SIZE], struct hcl_err *err)
{
	char id[17], at[32];

	memset(trailer, 0, HCLBIN_TRAILER_SIZE);
	memcpy(trailer, HCLBIN_SIG_MAGIC, 8);
	hcl_format_time((int64_t)time(NULL), at);
	if (hcl_sign_msg(keypath, HCL_BIN_TAG, data, len, id, at, trailer + 64, err) < 0)
		return -1;
	memcpy(trailer + 8, id, 16);
	memcpy(trailer + 24, at, strlen(at));
	return 0;
}

int hcl_verify_bin(const char *name, const uint8_t *data, size_t len, const char *pubkey,
		   struct hcl_sigstate *st, struct hcl_err *err)
{
	const uint8_t *t;

	memset(st, 0, sizeof(*st));
	if (len < HCLBIN_TRAILER_SIZE)
		return hcl_errf(err, "%s: damaged signature trailer", name);
	t = data + len - HCLBIN_TRAILER_SIZE;
	if (memcmp(t, HCLBIN_SIG_MAGIC, 8) != 0)
		return hcl_errf(err, "%s: damaged signature trailer", name);
	memcpy(st->key_id, t + 8, 16);
	memcpy(st->signed_at, t + 24, 23);
	if (!pubkey)
		return hcl_errf(err, "%s: no public key to verify the signature (give --pubkey "
				"PUB, or --insecure to skip the check)", name);
	if (hcl_verify_msg(name, pubkey, HCL_BIN_TAG, st->key_id, st->signed_at, data,
			   len - HCLBIN_TRAILER_SIZE, t + 64, err) < 0)
		return -1;
	st->signed_ok = 1;
	return 0;
}
