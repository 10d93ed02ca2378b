/*
 * Signed lists and hcl.bin (Ed25519, libsodium; docs/hcl.md, "Signatures"); the keys and
 * the signature over a digest are hcl_key.c's, shared with certify's packages.
 *
 * A signed list is an envelope, one JSON object with exactly the members format, key_id,
 * signed_at, signature and payload, in any order and any layout: it is recognised by
 * parsing, so a list that a tool pretty-printed or re-serialised still verifies. Version 2
 * ("hcl-signed-v2", written by `hcl sign`) carries the list itself as payload and signs, with
 * Ed25519 (RFC 8032, section 5.1), the message
 *   "hcl-signed-v2\n" key_id "\n" signed_at "\n" SHA256HEX "\n"
 * where SHA256HEX is the SHA-256 of the payload's canonical form (RFC 8785, hcl_canon.c);
 * any change to the content, and nothing else, changes it. Version 1 carried the exact text
 * of the list as a JSON string and signed it with Ed25519ph; it is still verified.
 *
 * hcl.bin has a 128-byte trailer: magic, key id, signing date, a scheme byte (2: Ed25519 over
 * "hcl-bin-v2\n" key_id "\n" signed_at "\n" SHA256HEX "\n" of the image before the trailer;
 * 0: version 1, Ed25519ph over "hcl-bin-v1\n" key_id "\n" signed_at "\n" and the image).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include "hcl_json.h"
#include "hcl_key.h"

#define HCL_ENV_V1	"hcl-signed-v1"
#define HCL_ENV_V2	"hcl-signed-v2"
#define HCL_BIN_V1	"hcl-bin-v1"
#define HCL_BIN_V2	"hcl-bin-v2"
#define HCL_TRAILER_SCHEME 48		/* offset of the scheme byte in the trailer */

static int hcl_public_key(const char *name, const char *pubkey, const char *id,
			  uint8_t pk[crypto_sign_PUBLICKEYBYTES], struct hcl_err *err)
{
	char pid[17];

	if (hcl_key_public(pubkey, pk, pid, err) < 0)
		return -1;
	if (strcmp(pid, id) != 0)
		return hcl_errf(err, "%s: signed with key %s, but %s is key %s", name, id, pubkey,
				pid);
	return 0;
}

static int hcl_v2_verify(const char *name, const char *pubkey, const char *tag, const char *id,
			 const char *at, const uint8_t digest[HCL_DIGEST_SIZE],
			 const uint8_t sig[crypto_sign_BYTES], struct hcl_sigstate *st,
			 struct hcl_err *err)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];

	sodium_bin2hex(st->digest, sizeof(st->digest), digest, HCL_DIGEST_SIZE);
	if (hcl_public_key(name, pubkey, id, pk, err) < 0)
		return -1;
	if (hcl_key_verify(pk, tag, id, at, digest, sig) != 0)
		return hcl_errf(err, "%s: bad signature: the list was changed after it was signed",
				name);
	return 0;
}

/* Version 1: Ed25519ph (RFC 8032, SHA-512 prehash) over tag "\n" id "\n" at "\n" data. */
static int hcl_v1_verify(const char *name, const char *pubkey, const char *tag, const char *id,
			 const char *at, const void *data, size_t len,
			 const uint8_t sig[crypto_sign_BYTES], struct hcl_err *err)
{
	uint8_t pk[crypto_sign_PUBLICKEYBYTES], s2[crypto_sign_BYTES];
	crypto_sign_state st;
	char head[128];
	int n;

	if (hcl_public_key(name, pubkey, id, pk, err) < 0)
		return -1;
	n = snprintf(head, sizeof(head), "%s\n%s\n%s\n", tag, id, at);
	crypto_sign_init(&st);
	crypto_sign_update(&st, (const unsigned char *)head, (unsigned long long)n);
	crypto_sign_update(&st, data, len);
	memcpy(s2, sig, sizeof(s2));	/* older libsodium takes a non-const signature */
	if (crypto_sign_final_verify(&st, s2, pk) != 0)
		return hcl_errf(err, "%s: bad signature: the list was changed after it was signed",
				name);
	return 0;
}

int hcl_sign_list(const char *in, const char *keypath, const char *out, struct hcl_err *err)
{
	uint8_t sig[crypto_sign_BYTES], digest[HCL_DIGEST_SIZE];
	struct hcl_list_opts o = { .digest = digest };
	char id[17], at[32];
	char b64[sodium_base64_ENCODED_LEN(crypto_sign_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	struct hcl_list l;
	struct hcl_jr r;
	char *text, *buf;
	size_t len, b, e, head;
	int rc = -1;

	if (hcl_read_file(in, &text, &len, err) < 0)
		return -1;
	/* Only a valid list gets signed; reading it gives the canonical digest. */
	hcl_jr_init(&r, in, text, len, err);
	rc = hcl_list_read(&r, &l, &o) == 0 && hcl_jr_finish(&r) == 0 ? 0 : -1;
	hcl_jr_free(&r);
	if (rc < 0)
		goto out;
	hcl_list_free(&l);
	rc = -1;
	hcl_format_time((int64_t)time(NULL), at);
	if (hcl_key_sign(keypath, HCL_ENV_V2, at, digest, sig, id, err) < 0)
		goto out;
	sodium_bin2base64(b64, sizeof(b64), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	/* The payload is the list as written (its text stays readable and diffable). */
	for (b = 0; b < len && strchr(" \t\r\n", text[b]); b++)
		;
	for (e = len; e > b && strchr(" \t\r\n", text[e - 1]); e--)
		;
	buf = malloc(e - b + 512);
	if (!buf) {
		hcl_errf(err, "out of memory");
		goto out;
	}
	head = (size_t)snprintf(buf, 512, "{\"format\":\"%s\",\"key_id\":\"%s\",\"signed_at\":\"%s\","
				"\"signature\":\"%s\",\"payload\":", HCL_ENV_V2, id, at, b64);
	memcpy(buf + head, text + b, e - b);
	memcpy(buf + head + (e - b), "}\n", 2);
	rc = hcl_write_atomic(out, buf, head + (e - b) + 2, 0644, err);
	free(buf);
out:
	free(text);
	return rc;
}

static const char *const hcl_env_keys[] = { "format", "key_id", "signed_at", "signature",
					    "payload", NULL };

/* Is the object at the reader an envelope (its first member is one of the envelope's)? */
static int hcl_is_envelope(struct hcl_jr *r)
{
	const char *save = r->p;
	int env = 0;

	if (hcl_jr_obj_begin(r, NULL) == 0 && hcl_jr_key(r, NULL) == 1)
		for (int i = 0; hcl_env_keys[i]; i++)
			env |= strcmp(r->sbuf, hcl_env_keys[i]) == 0;
	r->p = save;
	r->depth = 0;
	r->first = 0;
	return env;
}

struct hcl_env {
	char format[24], key_id[24], signed_at[32];
	uint8_t sig[crypto_sign_BYTES];
	const char *fmt_at, *sig_at, *id_at, *at_at;
	char *v1_payload;		/* version 1: the list text */
	size_t v1_len;
	int version;			/* from the payload's type */
};

static int hcl_env_short(struct hcl_jr *r, const char *key, char *out, size_t cap)
{
	const char *at = hcl_jr_here(r);

	if (hcl_jr_string(r, HCL_JP(key)) < 0)
		return -1;
	if (r->slen >= cap)
		return hcl_jr_fail(r, at, HCL_JP(key), "too long");
	memcpy(out, r->sbuf, r->slen + 1);
	return 0;
}

static int hcl_env_read(struct hcl_jr *r, struct hcl_env *v, struct hcl_list *l,
			struct hcl_list_opts *o)
{
	char b64[128];
	uint64_t seen = 0;
	const char *obj = hcl_jr_here(r);
	size_t slen;
	int k;

	if (hcl_jr_obj_begin(r, NULL) < 0)
		return -1;
	while ((k = hcl_jr_member(r, hcl_env_keys, &seen, NULL)) >= 0) {
		const char *at = hcl_jr_here(r);
		int t;

		switch (k) {
		case 0: v->fmt_at = at; t = hcl_env_short(r, "format", v->format, sizeof(v->format)); break;
		case 1: v->id_at = at; t = hcl_env_short(r, "key_id", v->key_id, sizeof(v->key_id)); break;
		case 2: v->at_at = at; t = hcl_env_short(r, "signed_at", v->signed_at, sizeof(v->signed_at)); break;
		case 3:
			v->sig_at = at;
			t = hcl_env_short(r, "signature", b64, sizeof(b64));
			if (t == 0 && (sodium_base642bin(v->sig, sizeof(v->sig), b64, strlen(b64), NULL,
							 &slen, NULL, sodium_base64_VARIANT_ORIGINAL) < 0 ||
				       slen != sizeof(v->sig)))
				return hcl_jr_fail(r, at, HCL_JP("signature"), "not a base64 Ed25519 signature");
			break;
		default:
			t = hcl_jr_peek(r);
			if (t == '"') {
				v->version = 1;
				if ((t = hcl_jr_string(r, HCL_JP("payload"))) == 0) {
					v->v1_payload = malloc(r->slen + 1);
					if (!v->v1_payload)
						return hcl_errf(r->err, "out of memory");
					memcpy(v->v1_payload, r->sbuf, r->slen + 1);
					v->v1_len = r->slen;
				}
			} else if (t == '{') {
				v->version = 2;
				t = hcl_list_read(r, l, o);
			} else if (t >= 0) {
				return hcl_jr_fail(r, at, HCL_JP("payload"), "expected the list (an object)");
			}
		}
		if (t < 0)
			return -1;
	}
	if (k == -1)
		return -1;
	for (int i = 0; hcl_env_keys[i]; i++)
		if (!(seen & (1ull << i)))
			return hcl_jr_fail(r, obj, NULL, "signed list without \"%s\"", hcl_env_keys[i]);
	if (strcmp(v->format, v->version == 2 ? HCL_ENV_V2 : HCL_ENV_V1) != 0)
		return hcl_jr_fail(r, v->fmt_at, HCL_JP("format"), "expected \"%s\" for a payload of this form",
				   v->version == 2 ? HCL_ENV_V2 : HCL_ENV_V1);
	if (strlen(v->key_id) != 16 || strspn(v->key_id, "0123456789abcdef") != 16)
		return hcl_jr_fail(r, v->id_at, HCL_JP("key_id"), "expected 16 lower-case hex digits");
	int64_t t;

	if (hcl_parse_time(v->signed_at, &t) < 0)
		return hcl_jr_fail(r, v->at_at, HCL_JP("signed_at"), "expected RFC 3339 UTC");
	return hcl_jr_finish(r);
}

int hcl_open_list(const char *name, const char *text, size_t len, const char *pubkey,
		  int insecure, struct hcl_list *l, struct hcl_list_opts *o,
		  struct hcl_sigstate *st, struct hcl_err *err,
		  void (*release)(void *ctx, const char *upto), void *release_ctx)
{
	uint8_t digest[HCL_DIGEST_SIZE];
	struct hcl_env v;
	struct hcl_err verr;
	struct hcl_jr r;
	uint8_t *want = o->digest;
	int rc = -1, vr;

	memset(st, 0, sizeof(*st));
	memset(&v, 0, sizeof(v));
	memset(l, 0, sizeof(*l));
	hcl_jr_init(&r, name, text, len, err);
	r.release = release;
	r.release_ctx = release_ctx;
	if (hcl_jr_peek(&r) < 0)
		goto out;
	if (*r.p != '{') {
		hcl_jr_fail(&r, r.p, NULL, "not a list: expected a JSON object");
		goto out;
	}
	if (!hcl_is_envelope(&r)) {
		if (!insecure) {
			hcl_errf(err, "%s: the list is not signed; refusing it (sign it with hcl sign, "
				 "or pass --insecure)", name);
			goto out;
		}
		rc = hcl_list_read(&r, l, o) == 0 && hcl_jr_finish(&r) == 0 ? 0 : -1;
		goto out;
	}
	if (!pubkey && !insecure) {
		hcl_errf(err, "%s: no public key to verify the signature (give --pubkey PUB, or "
			 "--insecure to skip the check)", name);
		goto out;
	}
	o->digest = digest;
	if (hcl_env_read(&r, &v, l, o) < 0)
		goto out;
	st->format = v.version;
	snprintf(st->key_id, sizeof(st->key_id), "%s", v.key_id);
	snprintf(st->signed_at, sizeof(st->signed_at), "%s", v.signed_at);
	if (v.version == 2) {
		vr = pubkey ? hcl_v2_verify(name, pubkey, HCL_ENV_V2, v.key_id, v.signed_at, digest,
					    v.sig, st, &verr) : -1;
	} else {
		vr = pubkey ? hcl_v1_verify(name, pubkey, HCL_ENV_V1, v.key_id, v.signed_at,
					    v.v1_payload, v.v1_len, v.sig, &verr) : -1;
	}
	if (vr == 0) {
		st->signed_ok = 1;
	} else if (!insecure) {
		*err = verr;
		goto out;
	} else if (pubkey) {
		fprintf(stderr, "%s (ignored: --insecure)\n", verr.msg);
	}
	if (v.version == 1) {
		struct hcl_jr pr;

		/* The payload's text, read like a file of its own. */
		o->digest = want;
		hcl_jr_init(&pr, name, v.v1_payload, v.v1_len, err);
		rc = hcl_list_read(&pr, l, o) == 0 && hcl_jr_finish(&pr) == 0 ? 0 : -1;
		hcl_jr_free(&pr);
		goto out;
	}
	if (want)
		memcpy(want, digest, sizeof(digest));
	rc = 0;
out:
	o->digest = want;
	free(v.v1_payload);
	hcl_jr_free(&r);
	if (rc < 0)
		hcl_list_free(l);
	return rc;
}

int hcl_sign_bin(const char *keypath, const uint8_t *data, size_t len,
		 uint8_t trailer[HCLBIN_TRAILER_SIZE], struct hcl_err *err)
{
	uint8_t digest[HCL_DIGEST_SIZE];
	char id[17], at[32];

	memset(trailer, 0, HCLBIN_TRAILER_SIZE);
	if (hcl_sha256(data, len, digest) < 0)
		return hcl_errf(err, "SHA-256 failed (OpenSSL)");
	hcl_format_time((int64_t)time(NULL), at);
	if (hcl_key_sign(keypath, HCL_BIN_V2, at, digest, trailer + 64, id, err) < 0)
		return -1;
	memcpy(trailer, HCLBIN_SIG_MAGIC, 8);
	memcpy(trailer + 8, id, 16);
	memcpy(trailer + 24, at, strlen(at));
	trailer[HCL_TRAILER_SCHEME] = 2;
	return 0;
}

int hcl_verify_bin(const char *name, const uint8_t *data, size_t len, const char *pubkey,
		   struct hcl_sigstate *st, struct hcl_err *err)
{
	uint8_t digest[HCL_DIGEST_SIZE];
	const uint8_t *t;

	memset(st, 0, sizeof(*st));
	if (len < HCLBIN_TRAILER_SIZE)
		return hcl_errf(err, "%s: damaged signature trailer", name);
	t = data + len - HCLBIN_TRAILER_SIZE;
	if (memcmp(t, HCLBIN_SIG_MAGIC, 8) != 0 || (t[HCL_TRAILER_SCHEME] != 0 &&
						    t[HCL_TRAILER_SCHEME] != 2))
		return hcl_errf(err, "%s: damaged signature trailer", name);
	memcpy(st->key_id, t + 8, 16);
	memcpy(st->signed_at, t + 24, 23);
	st->format = t[HCL_TRAILER_SCHEME] == 2 ? 2 : 1;
	st->bin = 1;
	if (!pubkey)
		return hcl_errf(err, "%s: no public key to verify the signature (give --pubkey "
				"PUB, or --insecure to skip the check)", name);
	if (st->format == 1) {
		if (hcl_v1_verify(name, pubkey, HCL_BIN_V1, st->key_id, st->signed_at, data,
				  len - HCLBIN_TRAILER_SIZE, t + 64, err) < 0)
			return -1;
	} else if (hcl_sha256(data, len - HCLBIN_TRAILER_SIZE, digest) < 0) {
		return hcl_errf(err, "%s: SHA-256 failed (OpenSSL)", name);
	} else if (hcl_v2_verify(name, pubkey, HCL_BIN_V2, st->key_id, st->signed_at, digest,
				 t + 64, st, err) < 0) {
		return -1;
	}
	st->signed_ok = 1;
	return 0;
}
