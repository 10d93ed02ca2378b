/*
 * The kernel's export table: every symbol a driver module may link against, and nothing
 * else (the module loader resolves a module's undefined symbols here only). It is the
 * DDK's ABI in one list: each function the hv/ headers declare (the inline ones aside)
 * has its line here, and the kernel build fails when the two disagree
 * (scripts/ddk-exports.sh). Add a function: declare it in ddk/include/hv, implement it in
 * this folder, list it here, bump HV_DDK_ABI_MINOR (docs/ddk.md).
 */
#include <hv/ddk.h>
#include <kern/ddk.h>
#include <kern/string.h>

struct ddk_export {
	const char *name;
	const void *addr;
};

#define DDK_EXPORT(sym)	{ #sym, (const void *)&sym }
/* A name the headers declare for modules, implemented under another name in the kernel
 * (where the hv_ name is something else: the lock functions). */
#define DDK_EXPORT_AS(name, sym)	{ #name, (const void *)&sym }

static const struct ddk_export ddk_exports[] = {
	/* hv/string.h: also what gcc emits for structure copies and clears */
	DDK_EXPORT(memcpy),
	DDK_EXPORT(memmove),
	DDK_EXPORT(memset),
	DDK_EXPORT(memcmp),
	DDK_EXPORT(strlen),
	/* hv/log.h: ddk_log.c */
	DDK_EXPORT(hv_log),
	/* hv/mem.h: ddk_mem.c */
	DDK_EXPORT(hv_malloc),
	DDK_EXPORT(hv_zalloc),
	DDK_EXPORT(hv_free),
	DDK_EXPORT(hv_dma_alloc_coherent),	/* 2.0 */
	DDK_EXPORT(hv_dma_free_coherent),	/* 2.0 */
	DDK_EXPORT(hv_dma_addr),		/* 2.0 */
	/* hv/lock.h: ddk_lock.c (2.0) */
	DDK_EXPORT_AS(hv_spin_init, ddk_spin_init),
	DDK_EXPORT_AS(hv_spin_lock_irqsave, ddk_spin_lock_irqsave),
	DDK_EXPORT_AS(hv_spin_unlock_irqrestore, ddk_spin_unlock_irqrestore),
	/* hv/time.h: ddk_time.c */
	DDK_EXPORT(hv_time_us),
	DDK_EXPORT(hv_udelay),
	DDK_EXPORT(hv_timer_start),
	DDK_EXPORT(hv_timer_cancel),
	/* hv/pci.h, hv/irq.h: ddk_pci.c */
	DDK_EXPORT(hv_pci_register_driver),
	DDK_EXPORT(hv_pci_unregister_driver),
	DDK_EXPORT(hv_pci_get_info),
	DDK_EXPORT(hv_pci_set_drvdata),
	DDK_EXPORT(hv_pci_get_drvdata),
	DDK_EXPORT(hv_pci_cfg_read32),
	DDK_EXPORT(hv_pci_cfg_read16),
	DDK_EXPORT(hv_pci_cfg_read8),
	DDK_EXPORT(hv_pci_cfg_write32),
	DDK_EXPORT(hv_pci_cfg_write16),
	DDK_EXPORT(hv_pci_enable),
	DDK_EXPORT(hv_pci_disable),		/* 1.1 */
	DDK_EXPORT(hv_pci_bar),			/* 2.0 */
	DDK_EXPORT(hv_pci_set_firmware),	/* 2.3 */
	DDK_EXPORT(hv_pci_irq_alloc),
	DDK_EXPORT(hv_pci_irq_free),
	DDK_EXPORT(hv_pci_irq_mode_name),
	/* hv/io.h: ddk_bar.c (2.0) */
	DDK_EXPORT(hv_bar_size),
	DDK_EXPORT(hv_bar_read8),
	DDK_EXPORT(hv_bar_read16),
	DDK_EXPORT(hv_bar_read32),
	DDK_EXPORT(hv_bar_read64),
	DDK_EXPORT(hv_bar_write8),
	DDK_EXPORT(hv_bar_write16),
	DDK_EXPORT(hv_bar_write32),
	DDK_EXPORT(hv_bar_write64),
	/* hv/netdev.h: ddk_netdev.c */
	DDK_EXPORT(hv_netdev_register),
	DDK_EXPORT(hv_netdev_unregister),
	DDK_EXPORT(hv_netdev_rx),
	DDK_EXPORT(hv_netdev_link_change),
	DDK_EXPORT(hv_netdev_set_queue_stats),	/* 1.1 */
	DDK_EXPORT(hv_netdev_set_rings),	/* 2.4 */
	/* hv/blkdev.h: ddk_blkdev.c */
	DDK_EXPORT(hv_blkdev_register),
	DDK_EXPORT(hv_blkdev_unregister),
	DDK_EXPORT(hv_blkreq_complete),
	DDK_EXPORT(hv_blkdev_recovery),
	DDK_EXPORT(hv_blkdev_reissue),
};

#define DDK_NEXPORTS	(sizeof(ddk_exports) / sizeof(ddk_exports[0]))

const void *ddk_export_lookup(const char *name)
{
	for (unsigned i = 0; i < DDK_NEXPORTS; i++)
		if (strcmp(ddk_exports[i].name, name) == 0)
			return ddk_exports[i].addr;
	return 0;
}

int ddk_export_count(void)
{
	return (int)DDK_NEXPORTS;
}
