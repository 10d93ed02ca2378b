/*
 * Block requests on SCSI disks: the command pool, READ/WRITE/SYNCHRONIZE CACHE from
 * struct hv_blkreq (split at the HBA's transfer limit), and completion: sense data
 * fetched with REQUEST SENSE when the HBA had none, retries after UNIT ATTENTION or a
 * reset, and the error of exactly the request that failed.
 */
#include "scsivar.h"

static void scsi_disk_done(struct scsi_cmd *c);

int scsi_cmd_pool_init(struct scsi_hba *h)
{
	h->cmds = hv_zalloc(h->queue_depth * sizeof(struct scsi_cmd));
	if (!h->cmds)
		return -HV_ENOMEM;
	h->rs_mem = hv_dma_alloc_coherent(h->pci, (size_t)h->queue_depth * SCSI_SENSE_MAX, &h->rs_bus);
	if (!h->rs_mem) {
		hv_free(h->cmds);
		h->cmds = NULL;
		return -HV_ENOMEM;
	}
	h->free = NULL;
	for (unsigned i = h->queue_depth; i-- > 0;) {
		struct scsi_cmd *c = &h->cmds[i];

		c->rs = (uint8_t *)h->rs_mem + (size_t)i * SCSI_SENSE_MAX;
		c->rs_bus = h->rs_bus + (uint64_t)i * SCSI_SENSE_MAX;
		c->next = h->free;
		h->free = c;
	}
	h->nfree = h->queue_depth;
	return 0;
}

void scsi_cmd_pool_free(struct scsi_hba *h)
{
	if (h->rs_mem)
		hv_dma_free_coherent(h->pci, h->rs_mem, (size_t)h->queue_depth * SCSI_SENSE_MAX);
	hv_free(h->cmds);
	h->rs_mem = NULL;
	h->cmds = NULL;
}

/* A clean command from the pool (lock held; the caller checked nfree). */
static struct scsi_cmd *scsi_cmd_take_locked(struct scsi_hba *h)
{
	struct scsi_cmd *c = h->free;
	uint8_t *rs = c->rs;
	uint64_t rs_bus = c->rs_bus;

	h->free = c->next;
	h->nfree--;
	*c = (struct scsi_cmd){ 0 };
	c->rs = rs;
	c->rs_bus = rs_bus;
	c->op = -1;
	c->busy = 1;
	return c;
}

/* A clean command from the pool, or NULL. */
struct scsi_cmd *scsi_cmd_get(struct scsi_hba *h)
{
	unsigned long flags = hv_spin_lock_irqsave(&h->lock);
	struct scsi_cmd *c = h->nfree ? scsi_cmd_take_locked(h) : NULL;

	hv_spin_unlock_irqrestore(&h->lock, flags);
	return c;
}

static void scsi_cmd_put_locked(struct scsi_hba *h, struct scsi_cmd *c)
{
	c->busy = 0;
	c->next = h->free;
	h->free = c;
	h->nfree++;
}

void scsi_cmd_put(struct scsi_hba *h, struct scsi_cmd *c)
{
	unsigned long flags = hv_spin_lock_irqsave(&h->lock);

	scsi_cmd_put_locked(h, c);
	hv_spin_unlock_irqrestore(&h->lock, flags);
}

/* The CDB of one part of a block request, from what it moves. */
static void scsi_disk_build(struct scsi_cmd *c)
{
	struct scsi_disk *d = c->disk;

	c->target = d->target;
	for (int i = 0; i < 8; i++)
		c->lun[i] = d->lun[i];
	c->host = SCSI_HOST_OK;
	c->status = SCSI_STATUS_GOOD;
	c->underrun = 0;
	c->sense_len = 0;
	c->done = scsi_disk_done;
	if (c->op == HV_BLK_FLUSH) {
		c->cdb_len = (uint8_t)scsi_cdb_sync_cache(c->cdb);
		c->dir = SCSI_DIR_NONE;
		c->data_len = 0;
		return;
	}
	c->cdb_len = (uint8_t)scsi_cdb_rw(c->cdb, c->op == HV_BLK_WRITE, c->lba, c->nblocks);
	c->dir = c->op == HV_BLK_WRITE ? SCSI_DIR_OUT : SCSI_DIR_IN;
	c->data_bus = c->part_bus;
	c->data_len = c->nblocks * d->bd.block_size;
}

/* SPC-4 5.12: the HBA returned CHECK CONDITION without sense: ask the LUN for it. */
static int scsi_disk_request_sense(struct scsi_hba *h, struct scsi_cmd *c)
{
	c->sensing = 1;
	c->sensed = 1;
	c->cdb_len = (uint8_t)scsi_cdb_request_sense(c->cdb, SCSI_SENSE_MAX);
	c->dir = SCSI_DIR_IN;
	c->data_bus = c->rs_bus;
	c->data_len = SCSI_SENSE_MAX;
	c->host = SCSI_HOST_OK;
	c->status = SCSI_STATUS_GOOD;
	c->sense_len = 0;
	return h->ops->queue(h, c);
}

/* What REQUEST SENSE brought becomes the command's sense data (status stays CHECK). */
static void scsi_disk_sense_back(struct scsi_cmd *c)
{
	int ok = c->host == SCSI_HOST_OK && c->status == SCSI_STATUS_GOOD;

	c->sensing = 0;
	c->host = SCSI_HOST_OK;
	c->status = SCSI_STATUS_CHECK_CONDITION;
	c->sense_len = ok ? SCSI_SENSE_MAX : 0;
	for (unsigned i = 0; ok && i < SCSI_SENSE_MAX; i++)
		c->sense[i] = c->rs[i];
}

static void scsi_disk_log_error(struct scsi_hba *h, struct scsi_cmd *c, int err)
{
	struct scsi_sense s = scsi_sense_decode(c->sense, c->sense_len);

	if (c->host != SCSI_HOST_OK)
		hv_log("%s: %s: %s lba %llu (%u blocks): host status %u: %d", h->drvname, h->slot,
		       c->disk->bd.name, (unsigned long long)c->lba, c->nblocks, c->host, err);
	else
		hv_log("%s: %s: %s lba %llu (%u blocks): status 0x%x, sense key 0x%x asc 0x%x "
		       "ascq 0x%x%s: %d", h->drvname, h->slot, c->disk->bd.name,
		       (unsigned long long)c->lba, c->nblocks, c->status, s.key, s.asc, s.ascq,
		       c->underrun ? ", short transfer" : "", err);
}

/* One part finished: fold its result into the request and complete it after the last. */
static void scsi_disk_finish(struct scsi_hba *h, struct scsi_cmd *c, int err)
{
	struct scsi_cmd *parent = c->parent;
	struct hv_blkreq *rq = NULL;
	unsigned long flags;
	int status = 0;

	flags = hv_spin_lock_irqsave(&h->lock);
	if (err && !parent->error)
		parent->error = err;
	if (c != parent)
		scsi_cmd_put_locked(h, c);
	if (--parent->pending == 0) {
		rq = parent->rq;
		status = parent->error;
		scsi_cmd_put_locked(h, parent);
	}
	if (err)
		h->errors++;
	hv_spin_unlock_irqrestore(&h->lock, flags);
	if (rq)
		hv_blkreq_complete(rq, status);
}

/* Completion of one part, from the HBA's interrupt or poll path, outside its locks. */
static void scsi_disk_done(struct scsi_cmd *c)
{
	struct scsi_hba *h = c->disk->hba;
	int err;

	if (c->sensing)
		scsi_disk_sense_back(c);
	else if (c->host == SCSI_HOST_OK && c->status == SCSI_STATUS_CHECK_CONDITION &&
		 c->sense_len == 0 && !c->sensed && scsi_disk_request_sense(h, c) == 0)
		return;
	err = scsi_cmd_errno(c);
	if (err == 0 && c->underrun && c->dir != SCSI_DIR_NONE)
		err = -HV_EIO;	/* a block transfer is all or nothing */
	if (err == -HV_EAGAIN && c->retries < SCSI_UA_RETRIES) {
		struct scsi_sense s = scsi_sense_decode(c->sense, c->sense_len);

		hv_log("%s: %s: %s lba %llu: host status %u, SCSI status 0x%x, sense key 0x%x asc "
		       "0x%x ascq 0x%x; retrying", h->drvname, h->slot, c->disk->bd.name,
		       (unsigned long long)c->lba, c->host, c->status, s.key, s.asc, s.ascq);
		c->retries++;
		h->retries++;
		c->sensed = 0;
		scsi_disk_build(c);
		if (h->ops->queue(h, c) == 0)
			return;
	}
	if (err == -HV_EAGAIN)
		err = -HV_EIO;	/* still not through after the retries */
	if (err)
		scsi_disk_log_error(h, c, err);
	scsi_disk_finish(h, c, err);
}

/*
 * The blkdev submit entry: one command per max_xfer bytes, all taken from the pool at once
 * (-HV_EAGAIN when it is short), then queued to the HBA.
 */
int scsi_disk_submit(struct hv_blkdev *bd, struct hv_blkreq *rq)
{
	struct scsi_disk *d = bd->priv;
	struct scsi_hba *h = d->hba;
	uint32_t per_cmd = h->max_xfer / bd->block_size;
	struct scsi_cmd *parts[64] = { 0 }, *parent;	/* nparts >= 1: gcc cannot see it past the lock calls */
	unsigned nparts = 1, queued;
	unsigned long flags;

	switch (rq->op) {
	case HV_BLK_READ:
	case HV_BLK_WRITE:
		if (rq->nblocks == 0 || rq->lba >= bd->nblocks ||
		    rq->nblocks > bd->nblocks - rq->lba)
			return -HV_ERANGE;
		nparts = (rq->nblocks + per_cmd - 1) / per_cmd;
		/* More parts than the pool holds could never start: refuse, not -HV_EAGAIN. */
		if (nparts > sizeof(parts) / sizeof(parts[0]) || nparts > h->queue_depth)
			return -HV_E2BIG;
		break;
	case HV_BLK_FLUSH:
#ifdef HV_DEFECT_DROP_FLUSH	/* certify self-test defect: flushes acknowledged, never sent */
		hv_blkreq_complete(rq, 0);
		return 0;
#endif
		break;
	default:
		return -HV_EINVAL;
	}
	flags = hv_spin_lock_irqsave(&h->lock);
	if (h->nfree < nparts) {
		hv_spin_unlock_irqrestore(&h->lock, flags);
		return -HV_EAGAIN;
	}
	for (unsigned i = 0; i < nparts; i++)
		parts[i] = scsi_cmd_take_locked(h);
	hv_spin_unlock_irqrestore(&h->lock, flags);
	parent = parts[0];
	parent->rq = rq;
	parent->pending = nparts;
	rq->driver_private = parent;
	for (unsigned i = 0; i < nparts; i++) {
		struct scsi_cmd *c = parts[i];
		uint64_t first = (uint64_t)i * per_cmd;

		c->parent = parent;
		c->disk = d;
		c->op = rq->op;
		if (rq->op != HV_BLK_FLUSH) {
			c->lba = rq->lba + first;
			c->nblocks = rq->nblocks - first < per_cmd ? (uint32_t)(rq->nblocks - first)
								    : per_cmd;
			c->part_bus = rq->buf_bus + first * bd->block_size;
		}
		scsi_disk_build(c);
	}
	for (queued = 0; queued < nparts; queued++) {
		int rc = h->ops->queue(h, parts[queued]);

		if (rc == 0)
			continue;
		if (queued == 0) {	/* nothing started: the request was not taken */
			for (unsigned i = 0; i < nparts; i++)
				scsi_cmd_put(h, parts[i]);
			rq->driver_private = NULL;
			return rc;
		}
		/* Some parts are in flight: the rest fail, the request completes with rc. */
		for (unsigned i = queued; i < nparts; i++)
			scsi_disk_finish(h, parts[i], rc);
		break;
	}
	return 0;
}

int scsi_disk_poll(struct hv_blkdev *bd)
{
	struct scsi_disk *d = bd->priv;

	return d->hba->ops->poll(d->hba);
}

void scsi_done_init(struct scsi_done *d)
{
	d->head = NULL;
	d->tail = &d->head;
	d->count = 0;
}

void scsi_done_add(struct scsi_done *d, struct scsi_cmd *c)
{
	c->hba_private = NULL;
	*d->tail = c;
	d->tail = (struct scsi_cmd **)&c->hba_private;
	d->count++;
}

void scsi_done_complete(struct scsi_done *d)
{
	struct scsi_cmd *c = d->head;

	scsi_done_init(d);
	while (c) {
		struct scsi_cmd *next = c->hba_private;

		c->hba_private = NULL;
		c->done(c);
		c = next;
	}
}

void scsi_cmd_unanswered(struct scsi_cmd *c, uint8_t host, bool timed_out)
{
	c->host = timed_out ? SCSI_HOST_ABORTED : host;
	c->status = SCSI_STATUS_GOOD;
	c->sense_len = 0;
	c->underrun = 0;
}
