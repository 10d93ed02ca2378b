/* Kernel command-line parsing. */
#include <hv/errno.h>
#include <kern/cmdline.h>
#include <kern/log.h>
#include <kern/string.h>

#define CMDLINE_MAX	4096
#define CMDLINE_WORDS	128

static char cmdline_copy[CMDLINE_MAX];	/* the raw line, for logs */
static char cmdline_buf[CMDLINE_MAX];	/* split in place into NUL-terminated words */
static struct { const char *key, *value; } cmdline_words[CMDLINE_WORDS];
static int cmdline_nwords;

int cmdline_init(const char *s)
{
	size_t len = strlen(s ? s : "");

	cmdline_nwords = 0;
	if (len >= CMDLINE_MAX)
		return -HV_E2BIG;
	strlcpy(cmdline_copy, s ? s : "", sizeof(cmdline_copy));
	memcpy(cmdline_buf, cmdline_copy, len + 1);

	char *p = cmdline_buf;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (cmdline_nwords == CMDLINE_WORDS)
			return -HV_E2BIG;
		char *key = p, *value = NULL, *out = p;
		int quoted = 0;
		for (; *p && (quoted || (*p != ' ' && *p != '\t')); p++) {
			if (*p == '"') {
				quoted = !quoted;
				continue;
			}
			if (*p == '=' && !value) {
				*out++ = 0;
				value = out;
				continue;
			}
			*out++ = *p;
		}
		if (*p)
			p++;
		*out = 0;
		cmdline_words[cmdline_nwords].key = key;
		cmdline_words[cmdline_nwords].value = value ? value : "";
		cmdline_nwords++;
	}
	return 0;
}

const char *cmdline_raw(void)
{
	return cmdline_copy;
}

const char *cmdline_get_nth(const char *key, int n)
{
	for (int i = 0; i < cmdline_nwords; i++)
		if (strcmp(cmdline_words[i].key, key) == 0 && n-- == 0)
			return cmdline_words[i].value;
	return NULL;
}

const char *cmdline_get(const char *key)
{
	return cmdline_get_nth(key, 0);
}

bool cmdline_has(const char *key)
{
	return cmdline_get(key) != NULL;
}

uint64_t cmdline_get_u64(const char *key, uint64_t def)
{
	const char *v = cmdline_get(key);
	uint64_t x;

	if (!v)
		return def;
	if (str_to_u64(v, strlen(v), &x) < 0) {
		klog("cmdline: %s=%s is not a number; using %llu", key, v, (unsigned long long)def);
		return def;
	}
	return x;
}
