/* certify: the host check nic.mac (macverify.h). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "attach.h"
#include "macverify.h"
#include "pcioracle.h"

static void macverify_add(const char *id, const char *mac, void *ctx)
{
	struct certify_macverify *m = ctx;
	struct certify_nicmac *n;

	if (m->n == CERTIFY_MAC_NICS)
		return;
	n = &m->nic[m->n++];
	memset(n, 0, sizeof(*n));
	snprintf(n->id, sizeof(n->id), "%s", id);
	snprintf(n->mac, sizeof(n->mac), "%s", mac);
}

void certify_macverify_init(struct certify_macverify *m, const struct certify_run_spec *spec)
{
	memset(m, 0, sizeof(*m));
	certify_attach_each_nic(spec, macverify_add, m);
}

int certify_macverify_map(struct certify_macverify *m, json_object *query_pci, struct certify_err *err)
{
	struct certify_pcilist l;

	m->map_tried = 1;
	if (certify_pci_from_qmp(query_pci, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		for (size_t k = 0; k < l.n; k++)
			if (!strcmp(l.fn[k].qdev_id, m->nic[i].id))
				snprintf(m->nic[i].slot, sizeof(m->nic[i].slot), "0000:%02x:%02x.%x",
					 l.fn[k].bus & 0xff, l.fn[k].dev & 0x1f, l.fn[k].fn & 7);
		if (!m->nic[i].slot[0]) {
			certify_pcilist_free(&l);
			return certify_errf(err, "query-pci lists no device with id %s", m->nic[i].id);
		}
	}
	certify_pcilist_free(&l);
	m->mapped = 1;
	return 0;
}

/* MACs compared without regard to case; anything but 17 characters never matches. */
static int macverify_same(const char *a, const char *b)
{
	if (strlen(a) != 17 || strlen(b) != 17)
		return 0;
	for (int i = 0; i < 17; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return 0;
	return 1;
}

void certify_macverify_record(struct certify_macverify *m, const char *name, const char *slot,
			      const char *mac)
{
	if (!m->mapped || !slot)
		return;
	for (size_t i = 0; i < m->n; i++) {
		struct certify_nicmac *n = &m->nic[i];

		if (strcmp(n->slot, slot))
			continue;
		n->reports++;
		snprintf(n->kmac, sizeof(n->kmac), "%s", mac ? mac : "");
		if (!mac || !macverify_same(mac, n->mac))
			certify_strv_pushf(&m->problems, "%s (%s, %s) reports MAC %s, QEMU was given %s",
					   name ? name : "?", n->id, slot, mac ? mac : "(none)", n->mac);
	}
}

void certify_macverify_check(const struct certify_macverify *m, struct certify_hostcheck *c)
{
	if (!m->n)
		return;
	if (!m->mapped) {
		certify_hostcheck_notrun(c, "%s", m->notrun[0] ? m->notrun :
					 "the kernel reported no netdev, so the host never mapped the NICs");
		return;
	}
	for (size_t i = 0; i < m->n; i++)
		if (!m->nic[i].reports) {
			certify_hostcheck_done(c, 0, "%s at %s (mac=%s) registered no netdev", m->nic[i].id,
					       m->nic[i].slot, m->nic[i].mac);
			return;
		}
	if (m->problems.n) {
		if (m->problems.n == 1)
			certify_hostcheck_done(c, 0, "%s", m->problems.v[0]);
		else
			certify_hostcheck_done(c, 0, "%s (and %zu more)", m->problems.v[0], m->problems.n - 1);
		return;
	}
	unsigned reports = 0;
	for (size_t i = 0; i < m->n; i++)
		reports += m->nic[i].reports;
	certify_hostcheck_done(c, 1, "%zu NICs: all %u netdev reports carry the MAC QEMU was given",
			       m->n, reports);
}

void certify_macverify_free(struct certify_macverify *m)
{
	certify_strv_free(&m->problems);
}
