/* Driver modules loaded from boot modules (the loader: kern/module.c). */
#ifndef KERN_MODULE_H
#define KERN_MODULE_H

#include <stddef.h>
#include <stdint.h>
#include <hv/module.h>

struct module {
	char file[64];
	struct hv_module_info info;
	struct hv_pci_id *ids;		/* copy of the metadata table, HV_PCI_ID_END-terminated */
	uint8_t sha256[32];
	void *base;			/* loaded image */
	uint64_t npages;
	int (*init)(void);
	void (*exit)(void);
	const void *image;		/* the boot module's bytes (kept: symbolizing a contained fault) */
	size_t image_size;
	int failed;			/* a probe or remove of its driver was contained (kern/contain.c) */
	struct module *next;
};

/* The module whose hv_module_init is running, or NULL. */
extern struct module *module_current;

/* Load every boot module (after PCI enumeration, before drivers are bound). Returns the
 * number loaded. Every module gets a log line and a `module` result record. */
int module_load_all(void);
struct module *module_first(void);
/* The last path component of a boot module's first word ("/boot/e1000.hvm args" -> "e1000.hvm"). */
void module_file_name(const char *cmdline, char *out, size_t n);

#endif
