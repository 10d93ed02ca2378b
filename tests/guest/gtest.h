/*
 * The guest test OS's tests, selected by the low byte of its argument (ESI at entry; the
 * bits above carry a count). One list for both sides: tests/guest/os.c dispatches on it and
 * the hypervisor's tests (hvkernel/tests/v*_test.c) and the *.vm files of tests/vm name it.
 */
#ifndef GTEST_H
#define GTEST_H

enum gtest {
	GTEST_VBLK = 0,		/* write and verify the virtio-blk disk */
	GTEST_ECHO = 1,		/* echo (arg >> 8) frames on the first NIC */
	GTEST_PING = 2,		/* send (arg >> 8) frames and wait for each echo */
	GTEST_UPLINK = 3,	/* frames of every size to the host peer and back */
	GTEST_VBLK_READ = 4,	/* sequential read benchmark of (arg >> 8) MiB */
	GTEST_VBLK_TAGGED = 5,	/* sectors tagged with LBA and seed (EDI), for the host's check */
	GTEST_TAGGED_ECHO = 6,	/* GTEST_VBLK_TAGGED, then GTEST_ECHO */
	GTEST_TAGGED_PING = 7,	/* GTEST_VBLK_TAGGED, then GTEST_PING */
	GTEST_TIMER_PERIODIC = 8,	/* (arg >> 8) LAPIC timer ticks, HLT between them */
	GTEST_TIMER_ONESHOT = 9,
	GTEST_IRQ_MASKED = 10,	/* held while IF=0 or TPR says so, taken after STI's shadow */
	GTEST_VBLK_IRQ = 11,	/* virtio-blk requests completed by interrupt while halted */
	GTEST_IRQ_BAD = 12,	/* nonsense programming of the controllers */
	GTEST_ECHO_IRQ = 13,	/* GTEST_ECHO sleeping on the NIC's interrupt */
	GTEST_IRQ_SHADOW = 14,	/* no interrupt on the instruction after STI */
	GTEST_SMP_COUNT = 15,	/* every vCPU: (arg >> 8) LOCK XADDs on one shared counter */
	GTEST_SMP_FAULT = 16,	/* vCPU 1 triple-faults: the whole VM is stopped */
	GTEST_SMP_APIC = 17,	/* GTEST_SMP_COUNT, each vCPU checking its LAPIC's ID */
	GTEST_SMP_IPI = 18,	/* (arg >> 8) IPI ping-pongs between vCPU 0 and each other vCPU */
	GTEST_NET_BLAST = 19,	/* yield, then send (arg >> 8) 60-byte broadcast frames */
};

#endif
