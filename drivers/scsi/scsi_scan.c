/*
 * Discovery: synchronous commands (polled, for probe time), the scan of every target and
 * LUN (REPORT LUNS, INQUIRY, TEST UNIT READY, READ CAPACITY(16) or (10)), and one blkdev
 * per direct-access LUN.
 */
#include "scsivar.h"

#define SCSI_TUR_TRIES	5

static void scsi_sync_done(struct scsi_cmd *c)
{
	c->sync_done = 1;
}

static int scsi_exec_once(struct scsi_hba *h, struct scsi_cmd *c)
{
	uint64_t t0 = hv_time_us();
	int rc;

	c->sync_done = 0;
	c->host = SCSI_HOST_OK;
	c->status = SCSI_STATUS_GOOD;
	c->underrun = 0;
	c->sense_len = 0;
	c->done = scsi_sync_done;
	rc = h->ops->queue(h, c);
	if (rc < 0)
		return rc;
	while (!c->sync_done) {
		if (hv_time_us() - t0 > SCSI_SYNC_TIMEOUT_US)
			return -HV_ETIMEDOUT;
		h->ops->poll(h);
	}
	return 0;
}

/*
 * One command, waited for: UNIT ATTENTION and resets retried, sense fetched with REQUEST
 * SENSE when the HBA returned CHECK CONDITION without it. c's CDB and data are set; its
 * sense and status are the final ones. On -HV_ETIMEDOUT the HBA still owns c: the caller
 * must not reuse it.
 */
int scsi_exec(struct scsi_hba *h, struct scsi_cmd *c)
{
	uint8_t cdb[16], cdb_len = c->cdb_len, dir = c->dir;
	uint64_t bus = c->data_bus;
	uint32_t len = c->data_len;
	int rc;

	for (int i = 0; i < 16; i++)
		cdb[i] = c->cdb[i];
	for (unsigned tries = 0;; tries++) {
		rc = scsi_exec_once(h, c);
		if (rc < 0)
			return rc;
		if (c->host == SCSI_HOST_OK && c->status == SCSI_STATUS_CHECK_CONDITION &&
		    c->sense_len == 0) {
			c->cdb_len = (uint8_t)scsi_cdb_request_sense(c->cdb, SCSI_SENSE_MAX);
			c->dir = SCSI_DIR_IN;
			c->data_bus = c->rs_bus;
			c->data_len = SCSI_SENSE_MAX;
			rc = scsi_exec_once(h, c);
			if (rc < 0)
				return rc;
			c->sense_len = c->host == SCSI_HOST_OK && c->status == SCSI_STATUS_GOOD ?
				       SCSI_SENSE_MAX : 0;
			for (unsigned i = 0; i < c->sense_len; i++)
				c->sense[i] = c->rs[i];
			c->host = SCSI_HOST_OK;
			c->status = SCSI_STATUS_CHECK_CONDITION;
		}
		rc = scsi_cmd_errno(c);
		if (rc != -HV_EAGAIN || tries >= SCSI_UA_RETRIES)
			return rc == -HV_EAGAIN ? -HV_EIO : rc;
		h->retries++;
		for (int i = 0; i < 16; i++)
			c->cdb[i] = cdb[i];
		c->cdb_len = cdb_len;
		c->dir = dir;
		c->data_bus = bus;
		c->data_len = len;
	}
}

/* A command to (target, lun) reading up to len bytes into the scratch page. */
static void scsi_scan_setup(struct scsi_hba *h, struct scsi_cmd *c, uint16_t target,
			    const uint8_t *lun, uint32_t len)
{
	uint8_t *p = h->scratch;

	c->target = target;
	for (int i = 0; i < 8; i++)
		c->lun[i] = lun[i];
	c->dir = len ? SCSI_DIR_IN : SCSI_DIR_NONE;
	c->data_bus = len ? h->scratch_bus : 0;
	c->data_len = len;
	for (uint32_t i = 0; i < len; i++)
		p[i] = 0;
}

/* READ CAPACITY(16), or (10) when the LUN refuses (16) (SBC-3 5.16, 5.17). */
static int scsi_read_capacity(struct scsi_hba *h, struct scsi_cmd *c, uint16_t target,
			      const uint8_t *lun, uint64_t *nblocks, uint32_t *bs)
{
	int rc;

	scsi_scan_setup(h, c, target, lun, SCSI_RC16_LEN);
	c->cdb_len = (uint8_t)scsi_cdb_read_capacity16(c->cdb, SCSI_RC16_LEN);
	rc = scsi_exec(h, c);
	if (rc == 0) {
		scsi_parse_capacity16(h->scratch, nblocks, bs);
		return 0;
	}
	if (rc != -HV_EINVAL && rc != -HV_ENOTSUP)
		return rc;
	scsi_scan_setup(h, c, target, lun, SCSI_RC10_LEN);
	c->cdb_len = (uint8_t)scsi_cdb_read_capacity10(c->cdb);
	rc = scsi_exec(h, c);
	if (rc < 0)
		return rc;
	scsi_parse_capacity10(h->scratch, nblocks, bs);
	/* All ones means "too big for me": the LUN needs (16), which it refused. */
	return *nblocks - 1 == SCSI_RC10_LBA_MAX ? -HV_EOVERFLOW : 0;
}

static const struct hv_blkdev_ops scsi_disk_ops = {
	.submit = scsi_disk_submit,
	.poll = scsi_disk_poll,
};

/* INQUIRY; a direct-access LUN that becomes ready and has a usable capacity is a disk. */
static int scsi_probe_lun(struct scsi_hba *h, struct scsi_cmd *c, uint16_t target,
			  const uint8_t *lun)
{
	const uint8_t *inq = h->scratch;
	uint16_t id = scsi_lun_id(lun);
	struct scsi_disk *d;
	char vendor[9], product[17];
	uint64_t nblocks = 0;
	uint32_t bs = 0;
	int rc;

	scsi_scan_setup(h, c, target, lun, SCSI_INQ_LEN);
	c->cdb_len = (uint8_t)scsi_cdb_inquiry(c->cdb, SCSI_INQ_LEN);
	rc = scsi_exec(h, c);
	if (rc < 0)
		return rc;
	if (SCSI_INQ_QUALIFIER(inq[0]) != 0)
		return 0;	/* SPC-4 6.6.2: no logical unit there */
	scsi_ascii(vendor, inq + SCSI_INQ_VENDOR, 8);
	scsi_ascii(product, inq + SCSI_INQ_PRODUCT, 16);
	/* PRODUCT REVISION LEVEL (SPC-4 6.6.2, bytes 32-35), read before the scratch page is
	 * reused; the first disk's is the HBA function's firmware as far as INQUIRY tells. */
	char rev[5] = "";
	if (inq[SCSI_INQ_ADDLEN] + 5 >= SCSI_INQ_REVISION + 4)
		scsi_ascii(rev, inq + SCSI_INQ_REVISION, 4);
	if (SCSI_INQ_TYPE(inq[0]) != SCSI_TYPE_DISK) {
		hv_log("%s: %s: target %u lun %u: \"%s %s\" is device type 0x%x, not a disk; "
		       "skipped", h->drvname, h->slot, target, id, vendor, product,
		       SCSI_INQ_TYPE(inq[0]));
		return 0;
	}
	for (int i = 0;; i++) {
		scsi_scan_setup(h, c, target, lun, 0);
		c->cdb_len = (uint8_t)scsi_cdb_test_unit_ready(c->cdb);
		rc = scsi_exec(h, c);
		if (rc == 0)
			break;
		if (rc == -HV_ETIMEDOUT || i + 1 == SCSI_TUR_TRIES) {
			hv_log("%s: %s: target %u lun %u: not ready (%d); skipped", h->drvname,
			       h->slot, target, id, rc);
			return rc;
		}
	}
	rc = scsi_read_capacity(h, c, target, lun, &nblocks, &bs);
	if (rc < 0 || (bs != SCSI_BLOCK_SMALL && bs != SCSI_BLOCK_LARGE) || nblocks == 0) {
		hv_log("%s: %s: target %u lun %u: unusable capacity (%llu blocks of %u bytes, "
		       "%d); skipped", h->drvname, h->slot, target, id,
		       (unsigned long long)nblocks, bs, rc);
		return rc < 0 ? rc : -HV_ENOTSUP;
	}
	if (h->ndisks == SCSI_MAX_DISKS) {
		hv_log("%s: %s: more than %u disks; target %u lun %u skipped", h->drvname, h->slot,
		       SCSI_MAX_DISKS, target, id);
		return -HV_ENOSPC;
	}
	if (rev[0] && !h->fw_reported && hv_pci_set_firmware(h->pci, rev) == 0)
		h->fw_reported = 1;
	d = hv_zalloc(sizeof(*d));
	if (!d)
		return -HV_ENOMEM;
	d->hba = h;
	d->target = target;
	for (int i = 0; i < 8; i++)
		d->lun[i] = lun[i];
	d->lun_id = id;
	d->use_rw16 = nblocks - 1 > SCSI_RW10_LBA_MAX;
	for (int i = 0; i < 9; i++)
		d->vendor[i] = vendor[i];
	for (int i = 0; i < 17; i++)
		d->product[i] = product[i];
	d->bd.block_size = bs;
	d->bd.nblocks = nblocks;
	d->bd.queue_depth = h->queue_depth;
	d->bd.ops = &scsi_disk_ops;
	d->bd.priv = d;
	d->bd.pci = h->pci;
	h->disks[h->ndisks++] = d;
	return 0;
}

/*
 * SPC-4 6.33: REPORT LUNS to LUN 0 lists the target's LUNs; without it, try 0..max_lun-1.
 * -HV_ETIMEDOUT when c was lost to a timeout (the HBA still owns it), else 0.
 */
static int scsi_scan_target(struct scsi_hba *h, struct scsi_cmd *c, uint16_t target)
{
	const uint32_t alloc = SCSI_RL_HDR + 8 * SCSI_MAX_LUNS;
	uint8_t luns[SCSI_MAX_LUNS][8], lun0[8];
	unsigned n;
	int rc;

	scsi_lun_from_id(lun0, 0);
	scsi_scan_setup(h, c, target, lun0, alloc);
	c->cdb_len = (uint8_t)scsi_cdb_report_luns(c->cdb, alloc);
	rc = scsi_exec(h, c);
	if (rc == -HV_ENODEV && c->host == SCSI_HOST_NO_TARGET)
		return 0;	/* nothing answers at this ID */
	if (rc == 0) {
		n = scsi_parse_report_luns(h->scratch, alloc, luns, SCSI_MAX_LUNS);
	} else {
		if (rc == -HV_ETIMEDOUT)
			return rc;
		n = h->max_lun < SCSI_MAX_LUNS ? h->max_lun : SCSI_MAX_LUNS;
		hv_log("%s: %s: target %u: REPORT LUNS refused (%d); trying LUNs 0..%u",
		       h->drvname, h->slot, target, rc, n ? n - 1 : 0);
		for (unsigned i = 0; i < n; i++)
			scsi_lun_from_id(luns[i], (uint16_t)i);
	}
	for (unsigned i = 0; i < n; i++) {
		rc = scsi_probe_lun(h, c, target, luns[i]);
		if (rc == -HV_ETIMEDOUT)
			return rc;	/* the HBA keeps c: no further commands with it */
	}
	return 0;
}

int scsi_hba_attach(struct scsi_hba *h)
{
	struct scsi_cmd *c;
	int rc;

	rc = scsi_cmd_pool_init(h);
	if (rc < 0)
		return rc;
	h->scratch = hv_dma_alloc_coherent(h->pci, SCSI_SCRATCH_SIZE, &h->scratch_bus);
	if (!h->scratch) {
		rc = -HV_ENOMEM;
		goto free_pool;
	}
	for (unsigned t = 0; t < h->max_target; t++) {
		if (t == h->initiator_id)
			continue;
		c = scsi_cmd_get(h);
		if (!c)
			break;	/* every command lost to timeouts: the HBA is not answering */
		if (scsi_scan_target(h, c, (uint16_t)t) == 0)
			scsi_cmd_put(h, c);
	}
	for (unsigned i = 0; i < h->ndisks; i++) {
		struct scsi_disk *d = h->disks[i];

		rc = hv_blkdev_register(&d->bd);
		if (rc < 0) {
			hv_log("%s: %s: target %u lun %u: blkdev registration failed: %d",
			       h->drvname, h->slot, d->target, d->lun_id, rc);
			continue;
		}
		d->registered = 1;
		hv_log("%s: %s: target %u lun %u \"%s %s\": %llu blocks of %u bytes, READ/WRITE(%u), "
		       "is %s", h->drvname, h->slot, d->target, d->lun_id, d->vendor, d->product,
		       (unsigned long long)d->bd.nblocks, d->bd.block_size, d->use_rw16 ? 16 : 10,
		       d->bd.name);
	}
	return (int)h->ndisks;

free_pool:
	scsi_cmd_pool_free(h);
	return rc;
}

void scsi_hba_unregister(struct scsi_hba *h)
{
	for (unsigned i = 0; i < h->ndisks; i++) {
		if (h->disks[i]->registered)
			hv_blkdev_unregister(&h->disks[i]->bd);
		h->disks[i]->registered = 0;
	}
}

void scsi_hba_free(struct scsi_hba *h)
{
	for (unsigned i = 0; i < h->ndisks; i++)
		hv_free(h->disks[i]);
	h->ndisks = 0;
	if (h->scratch)
		hv_dma_free_coherent(h->pci, h->scratch, SCSI_SCRATCH_SIZE);
	h->scratch = NULL;
	scsi_cmd_pool_free(h);
}
