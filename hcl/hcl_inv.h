/*
 * Inside the inventory readers: the text as lines after hcl_inv.c took out what is not
 * lspci's output (libpci and lspci warnings, shell prompts, a byte order mark), and the
 * helpers the format readers share. Public interface: hcl.h.
 */
#ifndef HCL_INV_H
#define HCL_INV_H

#include "hcl.h"

struct hcl_line {
	char *s;			/* NUL-terminated; CR and trailing blanks removed */
	size_t no;			/* 1-based line number in the input */
};

struct hcl_text {
	const char *name;
	struct hcl_line *l;
	size_t n;
	int verbose;			/* set by a reader: the format has indented/record lines */
	int ordered;			/* set by a reader: the tool printed devices sorted by slot */
};

/* Like hcl_inv_parse with the reader named ("lspci", "vmm", "mm", "boot", "json"; NULL:
 * found from the first line): the fuzz targets drive each reader with any input. */
int hcl_inv_parse_as(struct hcl_inv *inv, const char *name, const char *text, const char *reader,
		     struct hcl_err *err);
/* The format readers: 0, or -1 with "NAME:LINE: what is wrong" in err. */
int hcl_inv_lspci(struct hcl_inv *inv, struct hcl_text *t, struct hcl_err *err);
int hcl_inv_vmm(struct hcl_inv *inv, struct hcl_text *t, struct hcl_err *err);
int hcl_inv_mm(struct hcl_inv *inv, struct hcl_text *t, struct hcl_err *err);
int hcl_inv_boot(struct hcl_inv *inv, struct hcl_text *t, struct hcl_err *err);
/* Is line l an hvkernel boot-log inventory line? */
int hcl_inv_is_boot_line(const char *l);
int hcl_inv_json(struct hcl_inv *inv, const char *name, const char *text, struct hcl_err *err);

/* n hex digits at s exactly (either case): the value, or -1. */
long hcl_hexn(const char *s, int n);
/* The last "[xxxx:xxxx]" in s[0..n): 0 with the IDs and where it starts, or -1. */
int hcl_last_pair(const char *s, size_t n, long *a, long *b, const char **at);
/* A fresh device for slot s (slot_len bytes). */
void hcl_dev_init(struct hcl_dev *d, const char *s, size_t slot_len, size_t line);
/*
 * Names: the local pci.ids first; where it does not know the device, the input's own names
 * (vendor, device, or both as lspci -nn prints them: "Intel Corporation Device"), never
 * repeating the vendor ("Intel Corporation Device 1593", not "Intel Corporation Intel
 * Corporation Device").
 */
void hcl_dev_names(struct hcl_dev *d, const char *vin, const char *din, const char *both);
/* "NAME:LINE: what"; returns -1. */
int hcl_line_err(struct hcl_err *err, const char *name, size_t line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
