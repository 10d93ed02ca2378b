/*
 * certify: the host check nic.mac. The driver under test reads its NIC's Ethernet address
 * in ring 0, so its word is checked against what the host knows: the mac= certify gave
 * QEMU for each NIC (attach.c). The kernel reports every netdev it registers (`netdev`
 * record: name, PCI slot, MAC); query-pci maps each slot to the -device id certify made;
 * every report of a NIC under test must carry the MAC QEMU was given, and every such NIC
 * must have reported at least once.
 */
#ifndef CERTIFY_MACVERIFY_H
#define CERTIFY_MACVERIFY_H

#include <stddef.h>

#include <json-c/json.h>

#include "err.h"
#include "hostcheck.h"
#include "spec.h"
#include "strv.h"

#define CERTIFY_MAC_NICS	8	/* NICs with a mac= per boot */

/* One NIC certify put on QEMU's command line with an explicit MAC. */
struct certify_nicmac {
	char id[32];		/* its -device id */
	char mac[18];		/* aa:bb:cc:dd:ee:ff, lower case */
	char slot[16];		/* SSSS:BB:DD.F from query-pci, "" until mapped */
	unsigned reports;	/* netdev records of its slot */
	char kmac[18];		/* the MAC its last netdev record carried (whatever it is) */
};

struct certify_macverify {
	struct certify_nicmac nic[CERTIFY_MAC_NICS];
	size_t n;
	int mapped;		/* query-pci answered and every NIC was found in it */
	int map_tried;
	struct certify_strv problems;	/* one line per disagreement */
	char notrun[160];	/* why the check could not run, "" otherwise */
};

/* The NICs of spec's topology with the MACs attach.c gives them. */
void certify_macverify_init(struct certify_macverify *m, const struct certify_run_spec *spec);

/* Maps each NIC's -device id to its PCI slot from query-pci's answer. 0 or -1 (err). */
int certify_macverify_map(struct certify_macverify *m, json_object *query_pci, struct certify_err *err);

/* One `netdev` record: slot and mac as the kernel wrote them. */
void certify_macverify_record(struct certify_macverify *m, const char *name, const char *slot,
			      const char *mac);

/* Fills in nic.mac: ran when the slots were mapped; ok when every NIC reported, always
 * with the MAC QEMU was given. */
void certify_macverify_check(const struct certify_macverify *m, struct certify_hostcheck *c);

void certify_macverify_free(struct certify_macverify *m);

#endif
